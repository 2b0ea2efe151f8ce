package ffmpeg

import (
	"errors"
	"strconv"
	"strings"
)

// Errors reported for inputs that are refused before ffmpeg opens them.
var (
	// ErrPlaylist means the input is a playlist or list format that can
	// reference other files (HLS, DASH, ffconcat, PLS, SMIL).
	ErrPlaylist = errors.New("ffmpeg: input is a playlist or file list, which may reference other files")
	// ErrNotMedia means ffprobe found no audio or video in the input.
	ErrNotMedia = errors.New("ffmpeg: input is not a media file")
	// ErrEmpty means the input file is empty.
	ErrEmpty = errors.New("ffmpeg: input file is empty")
)

// Error is a failed ffmpeg or ffprobe run.
type Error struct {
	Prog     string   // "ffmpeg" or "ffprobe"
	Args     []string // arguments, without the program
	ExitCode int      // -1 when the process did not exit normally
	Stderr   string   // the last lines of its standard error
	Err      error    // what ended it: an *exec.ExitError, a context error, …
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Prog)
	b.WriteString(": ")
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	} else {
		b.WriteString("exit status ")
		b.WriteString(strconv.Itoa(e.ExitCode))
	}
	if line := lastLine(e.Stderr); line != "" {
		b.WriteString(": ")
		b.WriteString(line)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// lastLine is the last non-empty line of s.
func lastLine(s string) string {
	s = strings.TrimRight(s, "\r\n\t ")
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return strings.TrimSpace(s)
}
