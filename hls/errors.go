package hls

import (
	"errors"
	"strconv"
)

// Sentinel errors. A [*ParseError] unwraps to one of the first four (or,
// from [RewriteBytes], to ErrInvalid); the encoders, [Window] and the
// Rewrite methods wrap ErrInvalid.
var (
	// ErrSyntax: the input breaks the playlist grammar of RFC 8216.
	ErrSyntax = errors.New("hls: syntax error")
	// ErrTooLarge: the input exceeds a [Parser] limit.
	ErrTooLarge = errors.New("hls: playlist exceeds a parser limit")
	// ErrNotPlaylist: the input does not start with #EXTM3U.
	ErrNotPlaylist = errors.New("hls: not a playlist (no #EXTM3U)")
	// ErrWrongType: a master playlist given to ParseMedia, or the reverse,
	// or a playlist that mixes master and media tags.
	ErrWrongType = errors.New("hls: wrong playlist type")
	// ErrInvalid: a playlist or segment that cannot be written as valid
	// HLS, such as a NaN duration or a URI holding a line break.
	ErrInvalid = errors.New("hls: invalid playlist")
)

// ParseError reports where and why parsing (or [RewriteBytes]) failed.
type ParseError struct {
	// Line is the 1-based line number of the offending line.
	Line int
	// Msg says what is wrong with it.
	Msg string
	// Err is the category: ErrSyntax, ErrTooLarge, ErrNotPlaylist or
	// ErrWrongType, or ErrInvalid for a URI that RewriteBytes cannot
	// rewrite (RewriteBytes also reports ErrSyntax, ErrTooLarge and
	// ErrNotPlaylist).
	Err error
}

func (e *ParseError) Error() string {
	return "hls: line " + strconv.Itoa(e.Line) + ": " + e.Msg
}

// Unwrap returns the category, for [errors.Is].
func (e *ParseError) Unwrap() error { return e.Err }
