package caption

import (
	"errors"

	"github.com/v100video/v100/internal/ffmpeg"
)

// Errors of the package. Callers test for them with [errors.Is]; the
// errors returned wrap them with detail (a [*ParseError] for caption
// files, a [*ProcessError] for a recogniser or ffmpeg that failed).
var (
	// Speech recognition: audio extraction, the backends and live
	// streams.

	// ErrNoAudio means the input is media without an audio stream.
	ErrNoAudio = errors.New("caption: input has no audio stream")
	// ErrBadResponse means a recogniser answered with something that is
	// not a transcript: malformed JSON or pocketsphinx output, or an
	// answer larger than its limit. The error wrapping it says which.
	ErrBadResponse = errors.New("caption: recognizer gave a bad response")
	// ErrStreamFull means a live stream refused audio because
	// recognition is too far behind; see [WindowOptions.MaxPending] and
	// [Sphinx.MaxPending].
	ErrStreamFull = errors.New("caption: stream buffer full, audio dropped")
	// ErrStreamClosed means audio was written to a closed stream.
	ErrStreamClosed = errors.New("caption: write to closed stream")

	// ErrNotMedia means the input is not audio or video ffmpeg can read.
	// It is the value the other media packages return too.
	ErrNotMedia = ffmpeg.ErrNotMedia
	// ErrPlaylist means the input is a playlist or file list (HLS, DASH,
	// ffconcat, …), which [ExtractAudio] refuses.
	ErrPlaylist = ffmpeg.ErrPlaylist
	// ErrEmpty means the input file is empty.
	ErrEmpty = ffmpeg.ErrEmpty
	// ErrUnsupported means the input's container format is not one
	// ffmpeg may open here.
	ErrUnsupported = ffmpeg.ErrUnsupported

	// Caption files and cues. A [*ParseError] unwraps to ErrSyntax,
	// ErrTime, ErrTooLarge, ErrFormat or ErrNoCues.

	// ErrSyntax: a line breaks the WebVTT or SRT grammar, such as a
	// malformed timestamp or a NUL byte.
	ErrSyntax = errors.New("caption: syntax error")
	// ErrTime: a cue ends before it starts, or a time is beyond
	// MaxCueTime.
	ErrTime = errors.New("caption: invalid cue time")
	// ErrTooLarge: the input exceeds MaxFileBytes, MaxCues or
	// MaxLineBytes.
	ErrTooLarge = errors.New("caption: input exceeds a limit")
	// ErrFormat: [Normalize] found neither WebVTT nor SRT.
	ErrFormat = errors.New("caption: not a WebVTT or SRT file")
	// ErrNoCues: [Normalize] found no cue with text.
	ErrNoCues = errors.New("caption: no cues")
	// ErrInvalid: cues or options that cannot be written: the writers
	// and [SegmentVTT] never write an invalid file.
	ErrInvalid = errors.New("caption: invalid cues")
)
