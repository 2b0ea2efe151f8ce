package hls

import (
	"bytes"
	"io"
	"strconv"
	"strings"
)

// Default parser limits, used where a [Parser] field is zero.
const (
	// DefaultMaxBytes bounds the size of a playlist: 16 MiB, some 300,000
	// segments with short URIs.
	DefaultMaxBytes = 16 << 20
	// DefaultMaxLineBytes bounds one line: 64 KiB leaves room for long
	// signed URIs.
	DefaultMaxLineBytes = 64 << 10
	// DefaultMaxEntries bounds the segments, keys, renditions, variants,
	// unmodelled tags, CODECS entries and unmodelled attributes of one
	// playlist, together: 100,000 is 55 hours of 2-second segments.
	DefaultMaxEntries = 100_000
)

// A Parser parses playlists within limits, so that hostile input costs
// bounded memory and time. The zero Parser applies the defaults; a tag
// may have no more than 256 attributes. Parsing never panics. Errors in
// the playlist are [*ParseError] values with a line number; an error of
// the io.Reader is returned as it is.
type Parser struct {
	// MaxBytes bounds the input. If zero or less, DefaultMaxBytes.
	MaxBytes int64
	// MaxLineBytes bounds one line. If zero or less, DefaultMaxLineBytes.
	MaxLineBytes int
	// MaxEntries bounds segments, keys, renditions, variants, unmodelled
	// tags, CODECS entries and unmodelled attributes ([Attr] values),
	// counted together. If zero or less, DefaultMaxEntries.
	MaxEntries int
}

// Parse reads a master or a media playlist, whichever r holds, with the
// default limits: exactly one of the results is non-nil when err is nil.
func Parse(r io.Reader) (*MasterPlaylist, *MediaPlaylist, error) {
	return (&Parser{}).Parse(r)
}

// ParseMedia reads a media playlist with the default limits.
func ParseMedia(r io.Reader) (*MediaPlaylist, error) { return (&Parser{}).ParseMedia(r) }

// ParseMaster reads a master playlist with the default limits.
func ParseMaster(r io.Reader) (*MasterPlaylist, error) { return (&Parser{}).ParseMaster(r) }

// Parse reads a master or a media playlist, whichever r holds.
func (ps *Parser) Parse(r io.Reader) (*MasterPlaylist, *MediaPlaylist, error) {
	src, err := ps.read(r)
	if err != nil {
		return nil, nil, err
	}
	return ps.parse(src, nil)
}

// ParseMedia reads a media playlist; a master playlist is an error wrapping
// [ErrWrongType].
func (ps *Parser) ParseMedia(r io.Reader) (*MediaPlaylist, error) {
	src, err := ps.read(r)
	if err != nil {
		return nil, err
	}
	l, err := ps.start(src)
	if err != nil {
		return nil, err
	}
	return parseMedia(l, nil)
}

// ParseMaster reads a master playlist; a media playlist is an error
// wrapping [ErrWrongType].
func (ps *Parser) ParseMaster(r io.Reader) (*MasterPlaylist, error) {
	src, err := ps.read(r)
	if err != nil {
		return nil, err
	}
	l, err := ps.start(src)
	if err != nil {
		return nil, err
	}
	return parseMaster(l, nil)
}

// parse sniffs the playlist type and parses it, recording line numbers in
// pos if it is not nil.
func (ps *Parser) parse(src string, pos *positions) (*MasterPlaylist, *MediaPlaylist, error) {
	l, err := ps.start(src)
	if err != nil {
		return nil, nil, err
	}
	k, err := sniff(l)
	if err != nil {
		return nil, nil, err
	}
	switch k {
	case kindMaster:
		m, err := parseMaster(l, pos)
		return m, nil, err
	case kindMedia:
		p, err := parseMedia(l, pos)
		return nil, p, err
	}
	return nil, nil, &ParseError{Line: max(1, strings.Count(src, "\n")), Msg: "no media or master playlist tags", Err: ErrSyntax}
}

func (ps *Parser) maxBytes() int64 {
	if ps.MaxBytes > 0 {
		return ps.MaxBytes
	}
	return DefaultMaxBytes
}

// read reads all of r, at most MaxBytes.
func (ps *Parser) read(r io.Reader) (string, error) {
	limit := ps.maxBytes()
	var buf bytes.Buffer
	if n, ok := r.(interface{ Len() int }); ok && int64(n.Len()) <= limit {
		buf.Grow(n.Len())
	}
	n, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil {
		return "", err
	}
	if n > limit {
		b := buf.Bytes()[:limit]
		return "", &ParseError{Line: bytes.Count(b, []byte{'\n'}) + 1,
			Msg: "playlist larger than " + strconv.FormatInt(limit, 10) + " bytes", Err: ErrTooLarge}
	}
	return buf.String(), nil
}

// start checks the size and the #EXTM3U line and returns a line reader
// positioned after it. A leading byte order mark, which RFC 8216 forbids,
// is skipped (Lint reports it).
func (ps *Parser) start(src string) (*lineReader, error) {
	if limit := ps.maxBytes(); int64(len(src)) > limit {
		return nil, &ParseError{Line: 1, Msg: "playlist larger than " + strconv.FormatInt(limit, 10) + " bytes", Err: ErrTooLarge}
	}
	src = strings.TrimPrefix(src, bom)
	l := &lineReader{s: src, maxLine: ps.MaxLineBytes, maxEntries: ps.MaxEntries}
	if l.maxLine <= 0 {
		l.maxLine = DefaultMaxLineBytes
	}
	if l.maxEntries <= 0 {
		l.maxEntries = DefaultMaxEntries
	}
	first, ok, err := l.next()
	if err != nil {
		return nil, err
	}
	if !ok || first != "#EXTM3U" {
		return nil, &ParseError{Line: 1, Msg: "the first line must be #EXTM3U", Err: ErrNotPlaylist}
	}
	return l, nil
}

const bom = "\uFEFF"

// lineReader yields the lines of a playlist, trimmed of surrounding spaces
// and of the CR of CRLF endings, skipping blank lines. Any other CR is an
// error.
type lineReader struct {
	s          string
	off        int
	line       int // number of the line last returned
	maxLine    int
	entries    int
	maxEntries int
}

func (l *lineReader) next() (string, bool, error) {
	for l.off < len(l.s) {
		rest := l.s[l.off:]
		end := strings.IndexByte(rest, '\n')
		if end < 0 {
			end = len(rest)
			l.off = len(l.s)
		} else {
			l.off += end + 1
		}
		l.line++
		if end > l.maxLine {
			return "", false, l.errf(ErrTooLarge, "line longer than "+strconv.Itoa(l.maxLine)+" bytes")
		}
		line := strings.TrimSuffix(rest[:end], "\r")
		if strings.IndexByte(line, '\r') >= 0 {
			// Not a CRLF ending: a player may see a line break.
			return "", false, l.errf(ErrSyntax, "carriage return inside a line")
		}
		if line = trimBlanks(line); line != "" {
			return line, true, nil
		}
	}
	return "", false, nil
}

// count counts one more entry against MaxEntries.
func (l *lineReader) count() error { return l.countN(1) }

// countN counts n more entries against MaxEntries.
func (l *lineReader) countN(n int) error {
	l.entries += n
	if l.entries > l.maxEntries {
		return l.errf(ErrTooLarge, "more than "+strconv.Itoa(l.maxEntries)+" entries")
	}
	return nil
}

func (l *lineReader) errf(kind error, msg string) *ParseError {
	return &ParseError{Line: l.line, Msg: msg, Err: kind}
}

// splitTag splits "#EXT-X-NAME:value" into its name (without '#') and
// value; hasValue reports whether there was a colon.
func splitTag(line string) (name, value string, hasValue bool) {
	name, value, hasValue = strings.Cut(line[1:], ":")
	return name, value, hasValue
}

type kind int

const (
	kindUnknown kind = iota
	kindMaster
	kindMedia
)

// tagKind returns the playlist type that a tag belongs to only, if any.
func tagKind(name string) kind {
	switch name {
	case "EXT-X-STREAM-INF", "EXT-X-I-FRAME-STREAM-INF", "EXT-X-MEDIA", "EXT-X-SESSION-DATA",
		"EXT-X-SESSION-KEY", "EXT-X-CONTENT-STEERING":
		return kindMaster
	case "EXTINF", "EXT-X-TARGETDURATION", "EXT-X-MEDIA-SEQUENCE", "EXT-X-DISCONTINUITY-SEQUENCE",
		"EXT-X-ENDLIST", "EXT-X-PLAYLIST-TYPE", "EXT-X-I-FRAMES-ONLY", "EXT-X-BYTERANGE",
		"EXT-X-DISCONTINUITY", "EXT-X-PROGRAM-DATE-TIME", "EXT-X-MAP", "EXT-X-KEY", "EXT-X-PART",
		"EXT-X-PART-INF", "EXT-X-SERVER-CONTROL", "EXT-X-SKIP", "EXT-X-GAP":
		return kindMedia
	}
	return kindUnknown
}

// sniff returns the type of the first tag that decides it, without moving
// l; or the error of a line before it.
func sniff(l *lineReader) (kind, error) {
	c := *l
	for {
		line, ok, err := c.next()
		if !ok || err != nil {
			return kindUnknown, err
		}
		if strings.HasPrefix(line, "#EXT") {
			name, _, _ := splitTag(line)
			if k := tagKind(name); k != kindUnknown {
				return k, nil
			}
		}
	}
}

func (k kind) String() string {
	switch k {
	case kindMaster:
		return "master"
	case kindMedia:
		return "media"
	}
	return "unknown"
}

// wrongType is the error for a tag of the other playlist type.
func (l *lineReader) wrongType(name string, in kind) error {
	return l.errf(ErrWrongType, name+" in a "+in.String()+" playlist")
}

// positions records where a parsed playlist's parts were, for Lint.
type positions struct {
	tags     map[string]int // header tag name → line
	segments []int          // line of each segment's EXTINF
	media    []int
	variants []int
	iframes  []int
	bom      bool
	// decimalInf: an EXTINF duration is written with a decimal point
	// (6.000), which version 1 and 2 do not allow.
	decimalInf bool
}

func (p *positions) tag(name string, line int) {
	if p != nil {
		p.tags[name] = line
	}
}
