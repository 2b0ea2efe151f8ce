package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// usageError is a mistake in the command line.
type usageError string

func (e usageError) Error() string { return string(e) }

// command is one subcommand of v100.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{
	"transcode": {"encode a media file into an HLS ladder", runTranscode},
	"probe":     {"show what a media file holds", runProbe},
	"thumbnail": {"extract a frame, a poster, a storyboard or an animated preview", runThumbnail},
	"caption":   {"caption a media file's speech as WebVTT or SRT", runCaption},
	"gateway":   {"run a caching, coalescing HTTP gateway in front of origins", runGateway},
	"serve":     {"run the video platform: upload, processing, playback, API", runServe},
	"keys":      {"create API keys for the management API", runKeys},
}

// run runs the command line args (without the program name).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		usage(stderr)
		return usageError("no command given")
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return nil
	}
	c, ok := commands[name]
	if !ok {
		usage(stderr)
		return usageError(fmt.Sprintf("unknown command %q", name))
	}
	return c.run(ctx, rest, stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: v100 <command> [arguments]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun \"v100 <command> -h\" for a command's flags.")
}

// parse parses flags that may come before, between or after positional
// arguments ("v100 transcode in.mp4 -o out/"), and returns the positional
// ones. The flag set must use ContinueOnError.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return nil, err
			}
			return nil, usageError(err.Error())
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// newFlags returns a flag set that reports errors to run rather than exiting.
func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: v100 %s %s\n\nflags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// exactly checks the number of positional arguments.
func exactly(name string, pos []string, n int, what string) error {
	if len(pos) != n {
		return usageError(fmt.Sprintf("%s: want %s, got %d argument(s): %s", name, what, len(pos), strings.Join(pos, " ")))
	}
	return nil
}
