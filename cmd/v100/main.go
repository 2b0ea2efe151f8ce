// Command v100 is the v100 video platform's reference server and CLI.
//
//	v100 serve                      run the video platform on :8080, data in ./data
//	v100 transcode in.mp4 -o out/   encode an HLS ladder (one ffmpeg process)
//	v100 probe in.mp4               show what a media file holds
//	v100 thumbnail in.mp4 -t 10s -o thumb.jpg
//
// Run "v100 help" for every command and "v100 <command> -h" for its flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err))
}

// exitCode maps run's error to the process exit status: 0 for success, 2 for
// a usage error, 130 for an interrupt, 1 for anything else.
func exitCode(err error) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, new(usageError)):
		fmt.Fprintln(os.Stderr, "v100:", err)
		return 2
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(os.Stderr, "v100: interrupted")
		return 130
	default:
		fmt.Fprintln(os.Stderr, "v100:", err)
		return 1
	}
}
