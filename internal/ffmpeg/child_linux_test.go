//go:build linux

package ffmpeg

import (
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestStartChildThreadExit: a child started by a goroutine whose thread
// then exits (a goroutine that ends locked to its thread) keeps running:
// the parent-death signal is tied to the spawner's thread, not the
// caller's (go.dev/issue/27505).
func TestStartChildThreadExit(t *testing.T) {
	cmd := exec.Command("sleep", "60")
	// The runtime never ends the main thread, so the goroutine must run
	// on another: one that finds itself on the main thread holds it
	// until the test ends, and another goroutine tries.
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	started := make(chan error)
	for tries := 0; ; tries++ {
		require.Less(t, tries, 2, "still on the main thread")
		onMain := make(chan bool)
		go func() {
			runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
			if syscall.Gettid() == os.Getpid() {
				onMain <- true
				<-release
				runtime.UnlockOSThread()
				return
			}
			onMain <- false
			started <- StartChild(cmd)
		}()
		if !<-onMain {
			break
		}
	}
	require.NoError(t, <-started)
	require.Equal(t, syscall.Signal(syscall.SIGKILL), cmd.SysProcAttr.Pdeathsig)
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-exited })
	require.Never(t, func() bool {
		select {
		case <-exited:
			return true
		default:
			return false
		}
	}, 2*time.Second, 50*time.Millisecond, "the child died with the starting goroutine's thread")
}
