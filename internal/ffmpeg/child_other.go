//go:build !linux

package ffmpeg

import "os/exec"

func startChild(cmd *exec.Cmd) error { return cmd.Start() }
