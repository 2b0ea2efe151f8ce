package thumbnail

import (
	"errors"

	"github.com/v100video/v100/internal/ffmpeg"
)

// Errors returned by the functions of this package, always wrapped with
// context in a message that starts with "thumbnail: ". Invalid arguments
// wrap [ErrInvalid] with what was wrong; a failed ffmpeg run is returned
// wrapped with its exit status and the line of its stderr that explains
// it. ErrNotMedia, ErrPlaylist, ErrEmpty and ErrUnsupported are the values
// the other media packages return too (their own text starts with
// "ffmpeg: "); match them with errors.Is.
var (
	// ErrInvalid means an argument or option is out of range: a negative
	// time, an odd or too large size, a NaN frame rate, too many tiles, …
	ErrInvalid = errors.New("thumbnail: invalid argument")
	// ErrPastEnd means no frame is shown at the requested time: it is at
	// or after the end of the video stream (the end of the last frame's
	// display time).
	ErrPastEnd = errors.New("thumbnail: time is past the end of the video")
	// ErrNoVideo means the input is media without a video stream (audio
	// only).
	ErrNoVideo = errors.New("thumbnail: input has no video stream")

	// ErrNotMedia means the input is not audio or video ffmpeg can read (a
	// text file, a truncated upload, …). It is the value the other media
	// packages return too.
	ErrNotMedia = ffmpeg.ErrNotMedia
	// ErrPlaylist means the input is a playlist or file list (HLS, DASH,
	// ffconcat, …), refused unless the options allow a playlist.
	ErrPlaylist = ffmpeg.ErrPlaylist
	// ErrEmpty means the input file is empty.
	ErrEmpty = ffmpeg.ErrEmpty
	// ErrUnsupported means the input's container format is not one ffmpeg
	// may open here; only self-contained media formats are (a concat list
	// is refused even with Playlist set).
	ErrUnsupported = ffmpeg.ErrUnsupported
)

// ProcessError is a failed ffmpeg or ffprobe run: the arguments, the exit
// code (-1 when killed) and the tail of its stderr. Use errors.As to get it.
type ProcessError = ffmpeg.Error
