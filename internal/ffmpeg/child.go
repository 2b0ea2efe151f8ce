package ffmpeg

import "os/exec"

// StartChild starts cmd, a child process (ffmpeg, ffprobe, a recognizer),
// so that it does not outlive this process: on Linux the kernel sends the
// child SIGKILL when this process dies, however it dies (SIGKILL, a crash,
// the OOM killer), and a killed server leaves no encode running. Elsewhere
// it is cmd.Start. Wait for cmd as after cmd.Start.
//
// On Linux the parent-death signal is tied to the thread that started
// the child, not to the process (https://go.dev/issue/27505): the child
// would be killed when that thread exits, which the Go runtime does when a
// goroutine exits while locked to its thread. So every child is started
// from one goroutine locked to its thread for the life of the process,
// which no other goroutine can run on and which never exits.
func StartChild(cmd *exec.Cmd) error { return startChild(cmd) }
