package caption

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"

	"github.com/v100video/v100/internal/ffmpeg"
)

// Defaults of [Command].
const (
	DefaultMaxOutput  = 16 << 20
	DefaultStderrTail = 4 << 10
	// DefaultWaitDelay is how long a killed process's children may hold
	// its output open before Recognize stops waiting for them.
	DefaultWaitDelay = 2 * time.Second
)

// Command is a [Recognizer] that runs an executable: a wrapper around a
// whisper command line, a script calling a cloud CLI, anything that takes
// a WAV file and prints a transcript.
//
// The command is run as Path with Args, where every "{wav}" in an argument
// is replaced by the path of the WAV file (16 kHz mono 16-bit PCM); when no
// argument holds "{wav}", the path is appended. It must print to standard
// output one JSON object in the shape of OpenAI's verbose_json
// transcription, the one [OpenAI] reads (see the package documentation,
// "Transcript JSON"), and exit with status 0. Anything it writes to
// standard error is kept, the last [Command.StderrTail] bytes, for the
// error when it fails.
//
// When ctx is done the process is killed. A wrapper script should exec the
// engine (or run it in the foreground and let it die with the script):
// children it starts in the background are not killed, and Recognize stops
// waiting for them after [Command.WaitDelay].
type Command struct {
	// Path is the executable, looked up in PATH when it holds no slash.
	Path string
	// Args are the arguments; see the type's documentation for {wav}.
	Args []string
	// Dir is the working directory; if empty, the caller's.
	Dir string
	// Env is the environment; if nil, the caller's.
	Env []string
	// Language, if set, is the BCP 47 tag of the transcripts, for a
	// command whose output does not name it.
	Language string
	// MaxOutput bounds what the command may print; if zero,
	// DefaultMaxOutput. More is an ErrBadResponse and the process is
	// killed.
	MaxOutput int64
	// StderrTail is how much of the end of standard error an error keeps;
	// if zero, DefaultStderrTail.
	StderrTail int
	// WaitDelay is how long Recognize waits for the output to be closed
	// after the process exited or was killed; if zero, DefaultWaitDelay.
	WaitDelay time.Duration
}

var _ Recognizer = (*Command)(nil)

// Recognize runs the command on wav and decodes what it prints.
func (c *Command) Recognize(ctx context.Context, wav string) (*Transcript, error) {
	if c.Path == "" {
		return nil, errors.New("caption: command: no Path")
	}
	args := make([]string, 0, len(c.Args)+1)
	placed := false
	for _, a := range c.Args {
		if strings.Contains(a, "{wav}") {
			a, placed = strings.ReplaceAll(a, "{wav}", wav), true
		}
		args = append(args, a)
	}
	if !placed {
		args = append(args, wav)
	}
	out, err := runProcess(ctx, process{
		path:      c.Path,
		args:      args,
		dir:       c.Dir,
		env:       c.Env,
		maxOutput: c.MaxOutput,
		tail:      c.StderrTail,
		waitDelay: c.WaitDelay,
	})
	if err != nil {
		return nil, err
	}
	t, err := decodeTranscriptJSON(out, c.Language)
	if err != nil {
		return nil, fmt.Errorf("caption: command %s: %w", c.Path, err)
	}
	return t, nil
}

// process is one run of an external recogniser.
type process struct {
	path      string
	args      []string
	dir       string
	env       []string
	stdin     io.Reader
	maxOutput int64         // if zero, DefaultMaxOutput
	tail      int           // if zero, DefaultStderrTail
	waitDelay time.Duration // if zero, DefaultWaitDelay
	// stderr, if not nil, picks the lines of the kept stderr worth
	// reporting.
	stderr func(string) string
}

// runProcess runs p and returns its standard output. When ctx is done it
// kills the process and returns ctx's error; a failed run is a
// *ProcessError; output beyond maxOutput kills the process and is an
// ErrBadResponse.
func runProcess(ctx context.Context, p process) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	stdout := &cappedBuffer{max: p.maxOutput, over: cancel}
	if stdout.max <= 0 {
		stdout.max = DefaultMaxOutput
	}
	tail := p.tail
	if tail <= 0 {
		tail = DefaultStderrTail
	}
	stderr := ffmpeg.NewTail(tail)
	cmd := exec.CommandContext(runCtx, p.path, p.args...)
	cmd.Dir, cmd.Env, cmd.Stdin = p.dir, p.env, p.stdin
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.WaitDelay = p.waitDelay
	if cmd.WaitDelay <= 0 {
		cmd.WaitDelay = DefaultWaitDelay
	}
	err := ffmpeg.StartChild(cmd)
	if err == nil {
		err = cmd.Wait()
	}
	if errors.Is(err, exec.ErrWaitDelay) && cmd.ProcessState != nil && cmd.ProcessState.Success() {
		// The process exited cleanly; a child it left behind holds its
		// output open.
		err = nil
	}
	switch {
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case stdout.exceeded:
		return nil, fmt.Errorf("%w: %s printed more than %d bytes", ErrBadResponse, p.path, stdout.max)
	case err == nil:
		return stdout.buf.Bytes(), nil
	}
	msg := stderr.String()
	if p.stderr != nil {
		msg = p.stderr(msg)
	}
	e := &ProcessError{Prog: p.path, Args: p.args, ExitCode: -1, Stderr: msg, Err: err}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		e.ExitCode = exit.ExitCode()
		if e.ExitCode >= 0 {
			e.Err = nil // the message says "exit status N" itself
		}
	}
	return nil, fmt.Errorf("caption: %w", e)
}

// cappedBuffer keeps up to max bytes and calls over once when more come;
// it never fails a write, so the process is not stuck on a full pipe
// before it is killed.
type cappedBuffer struct {
	buf      bytes.Buffer
	max      int64
	exceeded bool
	over     func()
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if !b.exceeded && int64(b.buf.Len()+len(p)) > b.max {
		b.exceeded = true
		b.over()
	}
	if !b.exceeded {
		b.buf.Write(p)
	}
	return len(p), nil
}
