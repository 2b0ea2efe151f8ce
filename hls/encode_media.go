package hls

import (
	"fmt"
	"strconv"
	"time"
)

// pdtLayout writes EXT-X-PROGRAM-DATE-TIME to the millisecond.
const pdtLayout = "2006-01-02T15:04:05.000Z07:00"

// Encode returns the playlist as text. The output is deterministic: tags in
// a fixed order, durations with three decimals, LF line endings.
//
// A zero Version or TargetDuration is computed. One set lower than the
// playlist needs is an error wrapping [ErrInvalid], as are a duration that
// is negative, NaN or infinite, an empty URI, and any value holding a line
// break or, in a quoted-string, a quote.
func (p *MediaPlaylist) Encode() ([]byte, error) {
	return p.appendEncode(make([]byte, 0, p.sizeHint()))
}

// AppendEncode appends the playlist, as Encode writes it, to dst and returns
// the extended buffer; a server that encodes often can reuse one buffer and
// allocate nothing. On error dst's contents are unspecified.
func (p *MediaPlaylist) AppendEncode(dst []byte) ([]byte, error) {
	return p.appendEncode(dst)
}

// sizeHint estimates the length of the encoded playlist, so that encoding
// allocates once.
func (p *MediaPlaylist) sizeHint() int {
	n := 192 + tagsLen(p.Tags) + tagsLen(p.TrailingTags)
	if p.Map != nil {
		n += 48 + len(p.Map.URI)
	}
	for i := range p.Segments {
		s := &p.Segments[i]
		n += 24 + len(s.URI) + len(s.Title) + tagsLen(s.Tags)
		if !s.ProgramDateTime.IsZero() {
			n += 54
		}
		if s.ByteRange != nil {
			n += 40
		}
		if s.Discontinuity {
			n += 21
		}
		if s.Map != nil {
			n += 48 + len(s.Map.URI)
		}
		for _, k := range s.Keys {
			n += 96 + len(k.URI) + len(k.KeyFormat)
		}
	}
	return n
}

func tagsLen(tags []string) int {
	n := 0
	for _, t := range tags {
		n += len(t) + 1
	}
	return n
}

// appendPDT appends t as EXT-X-PROGRAM-DATE-TIME writes it: RFC 3339 with
// milliseconds, as t.AppendFormat(b, pdtLayout) would, without its cost.
func appendPDT(b []byte, t time.Time) []byte {
	year, month, day := t.Date()
	_, offset := t.Zone()
	if year < 0 || year > 9999 {
		return t.Truncate(time.Millisecond).AppendFormat(b, pdtLayout)
	}
	hour, minute, sec := t.Clock()
	b = appendDigits(b, year, 4)
	b = append(b, '-')
	b = appendDigits(b, int(month), 2)
	b = append(b, '-')
	b = appendDigits(b, day, 2)
	b = append(b, 'T')
	b = appendDigits(b, hour, 2)
	b = append(b, ':')
	b = appendDigits(b, minute, 2)
	b = append(b, ':')
	b = appendDigits(b, sec, 2)
	b = append(b, '.')
	b = appendDigits(b, t.Nanosecond()/1e6, 3)
	if offset == 0 {
		return append(b, 'Z')
	}
	zone, sign := offset/60, byte('+') // whole minutes, as time.Format
	if zone < 0 {
		zone, sign = -zone, '-'
	}
	b = append(b, sign)
	b = appendDigits(b, zone/60, 2)
	b = append(b, ':')
	return appendDigits(b, zone%60, 2)
}

// appendDigits appends n, not negative, as exactly width digits (up to 4).
func appendDigits(b []byte, n, width int) []byte {
	var d [4]byte
	for i := width - 1; i >= 0; i-- {
		d[i] = byte('0' + n%10)
		n /= 10
	}
	return append(b, d[:width]...)
}

func (p *MediaPlaylist) appendEncode(dst []byte) ([]byte, error) {
	e := &encoder{b: dst}
	var longest int64 // milliseconds
	for i := range p.Segments {
		d := p.Segments[i].Duration
		if !validDuration(d) {
			return nil, fmt.Errorf("%w: segment %d: duration %v", ErrInvalid, i, d)
		}
		longest = max(longest, millis(d))
	}
	target := int64(p.TargetDuration)
	switch {
	case target < 0 || target > maxDuration:
		return nil, fmt.Errorf("%w: target duration %d", ErrInvalid, target)
	case target == 0:
		target = roundHalfUp(longest)
	case target < roundHalfUp(longest):
		return nil, fmt.Errorf("%w: EXT-X-TARGETDURATION:%d is shorter than a %s s segment (set 0 to compute it)",
			ErrInvalid, target, formatMillis(longest))
	}
	req := p.mediaVersion(true)
	version, err := req.resolve(p.Version)
	if err != nil {
		return nil, err
	}

	e.str("#EXTM3U\n#EXT-X-VERSION:")
	e.b = strconv.AppendInt(e.b, int64(version), 10)
	e.str("\n#EXT-X-TARGETDURATION:")
	e.b = strconv.AppendInt(e.b, target, 10)
	e.str("\n#EXT-X-MEDIA-SEQUENCE:")
	e.b = strconv.AppendUint(e.b, p.MediaSequence, 10)
	e.nl()
	if p.DiscontinuitySequence != 0 {
		e.str("#EXT-X-DISCONTINUITY-SEQUENCE:")
		e.b = strconv.AppendUint(e.b, p.DiscontinuitySequence, 10)
		e.nl()
	}
	switch p.Type {
	case "":
	case VOD, Event:
		e.str("#EXT-X-PLAYLIST-TYPE:")
		e.str(string(p.Type))
		e.nl()
	default:
		e.fail("playlist type %q", p.Type)
	}
	if p.IndependentSegments {
		e.str("#EXT-X-INDEPENDENT-SEGMENTS\n")
	}
	if p.IFramesOnly {
		e.str("#EXT-X-I-FRAMES-ONLY\n")
	}
	e.rawTags(p.Tags, kindMedia)
	if p.Map != nil {
		e.mapTag(p.Map)
	}
	for i := range p.Segments {
		s := &p.Segments[i]
		for k := range s.Keys {
			e.key(&s.Keys[k])
		}
		if s.Discontinuity {
			e.str("#EXT-X-DISCONTINUITY\n")
		}
		if s.Map != nil {
			e.mapTag(s.Map)
		}
		if !s.ProgramDateTime.IsZero() {
			if y := s.ProgramDateTime.Year(); y < 0 || y > 9999 {
				e.fail("segment %d: program date-time %v: the year must have four digits", i, s.ProgramDateTime)
			}
			e.str("#EXT-X-PROGRAM-DATE-TIME:")
			e.b = appendPDT(e.b, s.ProgramDateTime)
			e.nl()
		}
		e.rawTags(s.Tags, kindMedia)
		e.str("#EXTINF:")
		e.b = appendMillis(e.b, millis(s.Duration))
		e.b = append(e.b, ',')
		if hasBreak(s.Title) {
			e.fail("segment %d: title holds a line break", i)
		}
		e.str(s.Title)
		e.nl()
		if s.ByteRange != nil {
			e.str("#EXT-X-BYTERANGE:")
			e.byteRange(s.ByteRange)
			e.nl()
		}
		e.uri("segment", s.URI)
	}
	e.rawTags(p.TrailingTags, kindMedia)
	if p.Ended {
		e.str("#EXT-X-ENDLIST\n")
	}
	if e.err != nil {
		return nil, e.err
	}
	return e.b, nil
}
