package ffmpeg

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// Defaults for a zero [Cmd].
const (
	DefaultGrace      = 5 * time.Second
	DefaultStderrTail = 4 << 10
)

// Cmd is one ffmpeg run. The zero value runs "ffmpeg" from PATH with no
// arguments; set at least Args.
type Cmd struct {
	// Path is the ffmpeg executable; if empty, "ffmpeg" from PATH.
	Path string
	// Args are the arguments after the ones Run adds itself
	// (-hide_banner -nostdin -loglevel error, and -progress when
	// OnProgress is set). Build input arguments with [Input].
	Args []string
	// Duration is the expected duration of the output, for
	// Progress.Percent and Progress.ETA; zero if unknown.
	Duration time.Duration
	// OnProgress, if not nil, receives ffmpeg's progress reports, about
	// twice a second, on a goroutine of Run's; it must not block for long.
	OnProgress func(Progress)
	// Grace is how long Run waits after SIGINT before killing ffmpeg when
	// ctx is done; if zero, DefaultGrace.
	Grace time.Duration
	// Stdout receives ffmpeg's standard output (media written to pipe:1);
	// if nil, it is discarded.
	Stdout io.Writer
	// Stdin, if not nil, is ffmpeg's standard input (for pipe:0 inputs).
	Stdin io.Reader
	// Dir is ffmpeg's working directory; if empty, the caller's. Output
	// paths relative to Dir keep a directory name that holds '%' or ':'
	// out of ffmpeg's filename templates and protocol prefixes.
	Dir string
	// StderrTail is how many bytes of stderr an *Error keeps; if zero,
	// DefaultStderrTail.
	StderrTail int

	// CPU is set by Run to the user and system CPU time ffmpeg used. A Cmd
	// is one run: do not Run the same Cmd twice at once.
	CPU time.Duration
}

// Run runs the command and waits for it. It returns nil when ffmpeg exits
// with status 0. When ctx is done first it stops ffmpeg (SIGINT, then SIGKILL
// after Grace) and returns an *Error wrapping ctx's error, so
// errors.Is(err, context.Canceled) holds. Any other failure is an *Error
// with the tail of stderr.
func (c *Cmd) Run(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	path := c.Path
	if path == "" {
		path = "ffmpeg"
	}
	args := make([]string, 0, len(c.Args)+8)
	args = append(args, "-hide_banner", "-nostdin", "-loglevel", "error")

	var progR, progW *os.File
	if c.OnProgress != nil {
		var err error
		if progR, progW, err = os.Pipe(); err != nil {
			return &Error{Prog: "ffmpeg", Args: c.Args, ExitCode: -1, Err: err}
		}
		defer progR.Close()
		// fd 3 in the child: ExtraFiles[0].
		args = append(args, "-progress", "pipe:3", "-stats_period", "0.5")
	}
	args = append(args, c.Args...)

	n := c.StderrTail
	if n <= 0 {
		n = DefaultStderrTail
	}
	stderr := NewTail(n)
	cmd := exec.CommandContext(ctx, path, args...)
	// On cancel, SIGINT makes ffmpeg finish its frame and write the
	// trailer; after the grace period exec kills it and closes the pipes
	// (also those a child of a wrapper script would keep open).
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGINT) }
	cmd.WaitDelay = c.grace()
	cmd.Dir = c.Dir
	cmd.Stdin = c.Stdin
	cmd.Stdout = c.Stdout
	cmd.Stderr = stderr
	if progW != nil {
		cmd.ExtraFiles = []*os.File{progW}
	}
	if err := StartChild(cmd); err != nil {
		if progW != nil {
			progW.Close()
		}
		return &Error{Prog: "ffmpeg", Args: args, ExitCode: -1, Err: err}
	}
	var (
		wg   sync.WaitGroup
		last Progress
	)
	if progW != nil {
		progW.Close() // the child holds its own copy
		wg.Add(1)
		go func() {
			defer wg.Done()
			last = readProgress(progR, c.Duration, c.OnProgress)
		}()
	}
	err := cmd.Wait()
	wg.Wait()
	if ps := cmd.ProcessState; ps != nil {
		c.CPU = ps.UserTime() + ps.SystemTime()
	}
	if err == nil {
		if c.OnProgress != nil {
			last.Done, last.ETA = true, 0
			if c.Duration > 0 {
				last.Percent = 100
			}
			c.OnProgress(last)
		}
		return nil
	}
	e := &Error{Prog: "ffmpeg", Args: args, ExitCode: -1, Stderr: stderr.String(), Err: err}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		e.ExitCode = exit.ExitCode()
	}
	if ctx.Err() != nil {
		e.Err = context.Cause(ctx)
	}
	return e
}

func (c *Cmd) grace() time.Duration {
	if c.Grace > 0 {
		return c.Grace
	}
	return DefaultGrace
}
