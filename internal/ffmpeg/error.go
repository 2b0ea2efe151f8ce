package ffmpeg

import (
	"errors"
	"regexp"
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
	// ErrUnsupported means the input is in a container format outside
	// [MediaFormats].
	ErrUnsupported = errors.New("ffmpeg: container format not supported")
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
	if why := reason(e.Stderr); why != "" {
		b.WriteString(": ")
		b.WriteString(why)
	}
	return b.String()
}

// genericLines are closing lines ffmpeg writes after the line that says
// what went wrong.
var genericLines = []string{
	"Conversion failed!",
	"Error initializing output stream",
	"Error while opening encoder",
	"Exiting normally",
	"Error opening output files",
	"Error writing trailer",
}

// logAddress matches the address in the context of one of ffmpeg's log
// lines, such as "[mjpeg @ 0x559d5e0a8c40]": it changes from run to run and
// tells a reader nothing.
var logAddress = regexp.MustCompile(`\[([^\[\]@]+?) @ 0x[0-9a-fA-F]+\]`)

// reason picks the line of ffmpeg's stderr that explains a failure: the last
// one, or the one before it when the last is one of ffmpeg's generic
// closing lines. Log contexts keep their name and lose their address.
func reason(stderr string) string {
	lines := strings.Split(strings.TrimRight(stderr, "\r\n\t "), "\n")
	var picked []string
	for i := len(lines) - 1; i >= 0 && len(picked) < 2; i-- {
		l := strings.TrimSpace(lines[i])
		if l == "" {
			continue
		}
		l = logAddress.ReplaceAllString(l, "[$1]")
		picked = append([]string{l}, picked...)
		generic := false
		for _, g := range genericLines {
			if strings.HasPrefix(l, g) {
				generic = true
			}
		}
		if !generic {
			break
		}
	}
	return strings.Join(picked, " / ")
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
