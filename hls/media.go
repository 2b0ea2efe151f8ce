package hls

import "time"

// PlaylistType is the value of EXT-X-PLAYLIST-TYPE; empty for a live
// playlist that slides.
type PlaylistType string

// The playlist types.
const (
	VOD   PlaylistType = "VOD"   // complete and unchanging
	Event PlaylistType = "EVENT" // segments may only be appended
)

// MediaPlaylist is a media playlist: VOD, event, live or I-frame only.
// Build one as a struct literal and call [MediaPlaylist.Encode], or get one
// from [ParseMedia].
type MediaPlaylist struct {
	// Version is EXT-X-VERSION. If zero, Encode writes the lowest version
	// the features in use need (see the package doc).
	Version int
	// TargetDuration is EXT-X-TARGETDURATION in seconds. If zero, Encode
	// writes the longest segment duration rounded half up, which RFC 8216
	// 4.3.3.1 requires as a minimum.
	TargetDuration int
	// MediaSequence is EXT-X-MEDIA-SEQUENCE, the sequence number of the
	// first segment.
	MediaSequence uint64
	// DiscontinuitySequence is EXT-X-DISCONTINUITY-SEQUENCE, written when
	// non-zero.
	DiscontinuitySequence uint64
	// Type is EXT-X-PLAYLIST-TYPE; empty for live.
	Type PlaylistType
	// IndependentSegments is EXT-X-INDEPENDENT-SEGMENTS.
	IndependentSegments bool
	// IFramesOnly is EXT-X-I-FRAMES-ONLY: each segment is one I-frame,
	// usually a byte range of a media segment.
	IFramesOnly bool
	// Map is the EXT-X-MAP that applies from the first segment (the fMP4
	// initialization section); a segment's own Map changes it. Parse sets
	// it from an EXT-X-MAP before the first segment's tags; one after the
	// first segment's EXT-X-KEY or EXT-X-DISCONTINUITY goes to that
	// segment's Map, which applies all the same.
	Map *Map
	// Segments are the media segments in order.
	Segments []Segment
	// Ended is EXT-X-ENDLIST: no segment will be added.
	Ended bool
	// Tags are tags this package does not model (EXT-X-START,
	// EXT-X-DATERANGE before the first segment, vendor tags…), each a whole
	// line such as "#EXT-X-START:TIME-OFFSET=10". They are kept by Parse
	// and written after the header tags, before Map; Parse keeps those
	// after the header's EXT-X-MAP with the first segment, in its Tags.
	Tags []string
	// TrailingTags are unmodelled tags after the last segment (LL-HLS
	// EXT-X-PRELOAD-HINT, for one), written before EXT-X-ENDLIST.
	TrailingTags []string
}

// Segment is a media segment: an EXTINF tag, the tags that apply to it and
// its URI line.
type Segment struct {
	// URI locates the segment, relative to the playlist or absolute.
	URI string
	// Duration is the EXTINF duration in seconds, written with three
	// decimals (6.006). It must be finite and not negative.
	Duration float64
	// Title is the optional EXTINF title.
	Title string
	// ByteRange, if set, is EXT-X-BYTERANGE: the segment is a sub-range of
	// the resource at URI.
	ByteRange *ByteRange
	// Discontinuity is EXT-X-DISCONTINUITY before the segment.
	Discontinuity bool
	// ProgramDateTime, if not zero, is EXT-X-PROGRAM-DATE-TIME: the wall
	// clock time of the segment's first sample, written to the millisecond.
	ProgramDateTime time.Time
	// Map, if set, is an EXT-X-MAP before this segment, which applies to it
	// and the segments after it.
	Map *Map
	// Keys are the EXT-X-KEY tags before this segment, more than one for
	// several key formats (KEYFORMAT). Each applies to this segment and
	// those after it until the next key with the same KEYFORMAT, an empty
	// one counting as "identity" (RFC 8216 4.3.2.4); METHOD=NONE, which
	// takes no KEYFORMAT, means the segments are not encrypted.
	Keys []Key
	// Tags are unmodelled tags before the segment, whole lines, kept in
	// order and written before its EXTINF.
	Tags []string
}

// ByteRange is a sub-range of a resource: Length bytes from Offset.
type ByteRange struct {
	Length int64
	Offset int64
}

// Map is EXT-X-MAP, the media initialization section (the fMP4 init
// segment).
type Map struct {
	URI       string
	ByteRange *ByteRange
}

// Key is EXT-X-KEY.
type Key struct {
	// Method is NONE, AES-128 or SAMPLE-AES.
	Method string
	// URI locates the key; empty when Method is NONE.
	URI string
	// IV is the initialization vector as written, a hexadecimal-sequence
	// such as "0x1A2B…"; optional.
	IV string
	// KeyFormat and KeyFormatVersions are optional.
	KeyFormat         string
	KeyFormatVersions string
}
