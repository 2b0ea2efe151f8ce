package transcode

import (
	"errors"

	"github.com/v100video/v100/internal/ffmpeg"
)

// Errors returned by [Probe] and [Transcode]. Limit errors wrap one of the
// Err*Limit sentinels in a *[LimitError] that says by how much.
var (
	// ErrNotMedia means the input has no audio or video ffmpeg can read.
	ErrNotMedia = ffmpeg.ErrNotMedia
	// ErrPlaylist means the input is a playlist or file list (HLS, DASH,
	// ffconcat, …), refused because it may reference other files.
	ErrPlaylist = ffmpeg.ErrPlaylist
	// ErrEmpty means the input file is empty.
	ErrEmpty = ffmpeg.ErrEmpty
	// ErrUnsupported means the input's container format is not one ffmpeg
	// may open here (see the package doc); the error names the format.
	ErrUnsupported = ffmpeg.ErrUnsupported
	// ErrNoStreams means the input has neither a video nor an audio stream
	// that can be transcoded (an image, or data only).
	ErrNoStreams = errors.New("transcode: input has no video or audio stream to transcode")

	// ErrSizeLimit means the input file is larger than Limits.MaxSize.
	ErrSizeLimit = errors.New("transcode: input file too large")
	// ErrDurationLimit means the input lasts longer than
	// Limits.MaxDuration.
	ErrDurationLimit = errors.New("transcode: input too long")
	// ErrDimensionsLimit means the picture is wider, taller or has more
	// pixels than the Limits allow.
	ErrDimensionsLimit = errors.New("transcode: input picture too large")
	// ErrFrameRateLimit means the frame rate is above
	// Limits.MaxFrameRate.
	ErrFrameRateLimit = errors.New("transcode: input frame rate too high")

	// ErrInvalidLadder means the ladder cannot be encoded, or does not
	// fit the source (video rungs for a source without video, …); see
	// [Ladder.Validate].
	ErrInvalidLadder = errors.New("transcode: invalid ladder")
	// ErrInvalidOptions means an Options field is out of range.
	ErrInvalidOptions = errors.New("transcode: invalid options")
	// ErrOutputExists means the output directory exists and is not empty.
	ErrOutputExists = errors.New("transcode: output directory is not empty")
)

// LimitError reports an input over one of the [Limits].
type LimitError struct {
	Err   error  // one of the Err*Limit sentinels
	Value string // what the input has, e.g. "7680x4320"
	Max   string // the limit, e.g. "3840x2160"
}

func (e *LimitError) Error() string { return e.Err.Error() + ": " + e.Value + " > " + e.Max }
func (e *LimitError) Unwrap() error { return e.Err }

// ProcessError is a failed ffmpeg or ffprobe run: the arguments, the exit
// code (-1 when killed) and the tail of its stderr. Use errors.As to get it.
type ProcessError = ffmpeg.Error
