package hls

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultWindowSize is the number of segments a [Window] keeps if
// WindowOptions.Size is zero: with 6-second segments, 36 seconds, over the
// three target durations RFC 8216 6.2.2 requires.
const DefaultWindowSize = 6

// WindowOptions configures a [Window]; nil means the defaults.
type WindowOptions struct {
	// Size is the number of segments in the playlist. If zero,
	// DefaultWindowSize; negative is an error.
	Size int
	// TargetDuration is the playlist's target duration. RFC 8216 6.2.1 says
	// it must not change, so set it when the segment length is known (an
	// encoder's segment time, rounded up); Append then rejects longer
	// segments. If zero, it is the longest rounded duration appended so
	// far, which may grow.
	TargetDuration int
	// Version is the lowest EXT-X-VERSION to write. The version a Window
	// writes never goes down: it is the highest of Version, 3 (for the
	// decimal durations) and what every segment appended so far needed.
	// It goes up when a segment needs a higher version, which RFC 8216
	// 6.2.1 does not allow a live playlist: set Version to the highest the
	// stream will need (4 for byte ranges, 5 for SAMPLE-AES or KEYFORMAT, 6
	// for EXT-X-MAP), or give those from the start.
	Version int
	// MediaSequence and DiscontinuitySequence are the numbers to start
	// from, when resuming a stream.
	MediaSequence         uint64
	DiscontinuitySequence uint64
	// Map is the initialization section of the first segment (fMP4).
	Map *Map
	// IndependentSegments is EXT-X-INDEPENDENT-SEGMENTS.
	IndependentSegments bool
	// Tags are unmodelled header tags, such as an EXT-X-START line.
	Tags []string
}

// Window is a live sliding-window media playlist: [Window.Append] adds a
// segment and drops the oldest beyond the window's size, advancing the
// media sequence, and the discontinuity sequence when the dropped segment
// started a discontinuity. A segment's map, keys and program date-time
// carry over to the new first segment when they would otherwise be lost:
// each of its keys unless the new first segment has one of the same
// KEYFORMAT.
//
// One goroutine may append while any number read. Readers never block:
// [Window.Bytes] returns the playlist encoded once per Append. Create a
// Window with [NewWindow].
type Window struct {
	opts WindowOptions // read-only after NewWindow

	mu sync.Mutex // serializes writers; guards d
	d  windowData

	cur atomic.Pointer[windowState] // what readers see
}

// windowData is the state of a Window. Append replaces segs with a new
// slice rather than changing it, so a published playlist can share it.
type windowData struct {
	segs    []Segment
	seq     uint64
	disc    uint64
	head    *Map // the map that applies from the first segment
	target  int  // the configured target, or the longest rounded duration seen
	version int  // the highest version written so far
	ended   bool
}

// windowState is one published version of the playlist; it is immutable.
type windowState struct {
	b []byte
	p *MediaPlaylist
}

// NewWindow returns an empty window; opts may be nil. It keeps copies of
// the options' map and tags. Options that cannot be written (a negative
// Size, TargetDuration or Version, a Version over 255, a Map without a
// URI, a tag that is not one #EXT line…) are an error wrapping
// [ErrInvalid].
func NewWindow(opts *WindowOptions) (*Window, error) {
	w := &Window{}
	if opts != nil {
		w.opts = *opts
		w.opts.Map = cloneMap(opts.Map)
		w.opts.Tags = slices.Clone(opts.Tags)
	}
	switch o := &w.opts; {
	case o.Size < 0:
		return nil, fmt.Errorf("%w: window size %d", ErrInvalid, o.Size)
	case o.TargetDuration < 0 || o.TargetDuration > maxDuration:
		return nil, fmt.Errorf("%w: target duration %d", ErrInvalid, o.TargetDuration)
	case o.Version < 0 || o.Version > maxVersion:
		return nil, fmt.Errorf("%w: version %d", ErrInvalid, o.Version)
	case o.Size == 0:
		o.Size = DefaultWindowSize
	}
	w.d = windowData{seq: w.opts.MediaSequence, disc: w.opts.DiscontinuitySequence, head: w.opts.Map, target: w.opts.TargetDuration}
	st, err := w.encode(&w.d)
	if err != nil {
		return nil, err
	}
	w.cur.Store(st)
	return w, nil
}

// Append adds a copy of a segment, sliding the window. It returns an error
// wrapping [ErrInvalid], and changes nothing, if the segment cannot be
// written, is longer than a configured target duration, or the window has
// ended.
func (w *Window) Append(s Segment) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.d.ended {
		return fmt.Errorf("%w: append to an ended window", ErrInvalid)
	}
	if !validDuration(s.Duration) {
		return fmt.Errorf("%w: segment %q: duration %v", ErrInvalid, s.URI, s.Duration)
	}
	rounded := int(roundHalfUp(millis(s.Duration)))
	if w.opts.TargetDuration > 0 && rounded > w.opts.TargetDuration {
		return fmt.Errorf("%w: segment %q of %s s is longer than the target duration %d",
			ErrInvalid, s.URI, formatMillis(millis(s.Duration)), w.opts.TargetDuration)
	}
	d := w.d
	d.target = max(d.target, rounded)
	// A copy: the caller may change s's keys, map or tags afterwards.
	d.segs = append(slices.Clip(d.segs), cloneSegment(s)) // a new array: published ones stay intact
	for len(d.segs) > w.opts.Size {
		gone := d.segs[0]
		d.segs = d.segs[1:]
		d.seq++
		if gone.Discontinuity {
			d.disc++
		}
		next := &d.segs[0]
		if gone.Map != nil {
			d.head = gone.Map
		}
		if next.Map != nil {
			d.head, next.Map = next.Map, nil
		}
		next.Keys = carryKeys(gone.Keys, next.Keys)
		if next.ProgramDateTime.IsZero() && !gone.ProgramDateTime.IsZero() {
			next.ProgramDateTime = gone.ProgramDateTime.Add(time.Duration(millis(gone.Duration)) * time.Millisecond)
		}
	}
	st, err := w.encode(&d)
	if err != nil {
		return err
	}
	w.d = d
	w.cur.Store(st)
	return nil
}

// carryKeys returns the keys of a new first segment, next, when the
// segment before it, whose keys were gone, leaves the playlist. A key
// applies until the next key with the same KEYFORMAT (RFC 8216 4.3.2.4), so
// each of gone's keys is kept, before next's own, unless next has a key of
// its format. A METHOD=NONE key in next ends them all: with it, no other
// key may apply. The result is a new slice when it differs from next.
func carryKeys(gone, next []Key) []Key {
	if len(gone) == 0 {
		return next
	}
	var carried []Key
	for _, k := range next {
		if k.Method == "NONE" {
			return next
		}
	}
	for _, g := range gone {
		found := false
		for _, k := range next {
			found = found || keyFormat(k) == keyFormat(g)
		}
		if !found {
			carried = append(carried, g)
		}
	}
	if len(carried) == 0 {
		return next
	}
	return append(carried, next...)
}

// keyFormat is a key's KEYFORMAT, "identity" if it has none.
func keyFormat(k Key) string {
	if k.KeyFormat == "" {
		return "identity"
	}
	return k.KeyFormat
}

// End adds EXT-X-ENDLIST: the stream is over and Append fails from now on.
func (w *Window) End() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.d.ended {
		return
	}
	d := w.d
	d.ended = true
	if st, err := w.encode(&d); err == nil {
		w.d = d
		w.cur.Store(st)
	}
}

// encode builds the playlist of d, recording the version it writes.
func (w *Window) encode(d *windowData) (*windowState, error) {
	p := &MediaPlaylist{
		TargetDuration:        d.target,
		MediaSequence:         d.seq,
		DiscontinuitySequence: d.disc,
		IndependentSegments:   w.opts.IndependentSegments,
		Map:                   d.head,
		Segments:              d.segs,
		Ended:                 d.ended,
		Tags:                  w.opts.Tags,
	}
	// Never lower than before: a reload must not change it (RFC 8216
	// 6.2.1), and a player may have chosen how to read on it.
	p.Version = max(3, w.opts.Version, d.version, p.mediaVersion(true).version)
	b, err := p.appendEncode(make([]byte, 0, p.sizeHint()))
	if err != nil {
		return nil, err
	}
	d.version = p.Version
	return &windowState{b: b, p: p}, nil
}

// Bytes returns the current playlist, encoded. It does not allocate or
// lock; the slice is shared and must not be modified.
func (w *Window) Bytes() []byte { return w.cur.Load().b }

// Playlist returns a copy of the current playlist.
func (w *Window) Playlist() *MediaPlaylist { return w.cur.Load().p.Clone() }

// Clone returns a deep copy of p.
func (p *MediaPlaylist) Clone() *MediaPlaylist {
	c := *p
	c.Map = cloneMap(p.Map)
	c.Tags = slices.Clone(p.Tags)
	c.TrailingTags = slices.Clone(p.TrailingTags)
	c.Segments = slices.Clone(p.Segments)
	for i := range c.Segments {
		c.Segments[i] = cloneSegment(c.Segments[i])
	}
	return &c
}

// cloneSegment returns a deep copy of s.
func cloneSegment(s Segment) Segment {
	if s.ByteRange != nil {
		r := *s.ByteRange
		s.ByteRange = &r
	}
	s.Map = cloneMap(s.Map)
	s.Keys = slices.Clone(s.Keys)
	s.Tags = slices.Clone(s.Tags)
	return s
}

func cloneMap(m *Map) *Map {
	if m == nil {
		return nil
	}
	c := *m
	if m.ByteRange != nil {
		r := *m.ByteRange
		c.ByteRange = &r
	}
	return &c
}
