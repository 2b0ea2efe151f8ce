package hls

import (
	"strconv"
	"strings"
	"time"
)

// mediaParser holds the state of parsing one media playlist.
type mediaParser struct {
	l   *lineReader
	p   *MediaPlaylist
	pos *positions

	seen map[string]bool // header tags met, to reject repeats

	cur       Segment // the segment being assembled
	curStart  int     // line of cur's first known tag, 0 if none
	infLine   int     // line of cur's EXTINF, 0 if none
	rangeLine int     // line of cur's EXT-X-BYTERANGE, 0 if none
	rangeOpen bool    // that byte range had no offset
	pdt       bool
}

// parseMedia parses the lines after #EXTM3U as a media playlist.
func parseMedia(l *lineReader, pos *positions) (*MediaPlaylist, error) {
	mp := &mediaParser{l: l, p: &MediaPlaylist{}, pos: pos, seen: make(map[string]bool, 8)}
	if n := strings.Count(l.s[l.off:], "#EXTINF:"); n > 0 {
		mp.p.Segments = make([]Segment, 0, min(n, l.maxEntries))
	}
	for {
		line, ok, err := l.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		if err := mp.line(line); err != nil {
			return nil, err
		}
	}
	return mp.finish()
}

func (mp *mediaParser) line(line string) error {
	l, p := mp.l, mp.p
	if line[0] != '#' {
		return mp.uri(line)
	}
	if !strings.HasPrefix(line, "#EXT") {
		return nil // a comment
	}
	name, value, hasValue := splitTag(line)
	valueless := func() error {
		if hasValue {
			return l.errf(ErrSyntax, name+" takes no value")
		}
		return mp.once(name)
	}
	var err error
	switch name {
	case "EXTM3U":
		return l.errf(ErrSyntax, "repeated #EXTM3U")
	case "EXT-X-VERSION":
		if err = mp.once(name); err == nil {
			p.Version, err = mp.int(name, value, maxVersion)
		}
	case "EXT-X-TARGETDURATION":
		if err = mp.once(name); err == nil {
			p.TargetDuration, err = mp.int(name, value, maxDuration)
		}
	case "EXT-X-MEDIA-SEQUENCE":
		if err = mp.once(name); err == nil {
			p.MediaSequence, err = mp.uint(name, value)
		}
	case "EXT-X-DISCONTINUITY-SEQUENCE":
		if err = mp.once(name); err == nil {
			p.DiscontinuitySequence, err = mp.uint(name, value)
		}
	case "EXT-X-PLAYLIST-TYPE":
		if err = mp.once(name); err == nil {
			switch PlaylistType(value) {
			case VOD, Event:
				p.Type = PlaylistType(value)
			default:
				err = l.errf(ErrSyntax, "EXT-X-PLAYLIST-TYPE must be VOD or EVENT, not "+strconv.Quote(value))
			}
		}
	case "EXT-X-INDEPENDENT-SEGMENTS":
		err = valueless()
		p.IndependentSegments = true
	case "EXT-X-I-FRAMES-ONLY":
		err = valueless()
		p.IFramesOnly = true
	case "EXT-X-ENDLIST":
		err = valueless()
		p.Ended = true
	case "EXTINF":
		err = mp.extinf(value)
	case "EXT-X-BYTERANGE":
		err = mp.byteRange(value)
	case "EXT-X-DISCONTINUITY":
		if hasValue {
			return l.errf(ErrSyntax, name+" takes no value")
		}
		if mp.cur.Discontinuity {
			return l.errf(ErrSyntax, "two EXT-X-DISCONTINUITY tags before one segment")
		}
		mp.segmentTag()
		mp.cur.Discontinuity = true
	case "EXT-X-PROGRAM-DATE-TIME":
		err = mp.programDateTime(value)
	case "EXT-X-MAP":
		err = mp.mapTag(value)
	case "EXT-X-KEY":
		err = mp.key(value)
	default:
		if tagKind(name) == kindMaster {
			return l.wrongType(name, kindMedia)
		}
		if err := l.count(); err != nil {
			return err
		}
		// Header tags are written before the header map: a tag after it
		// goes with the first segment, to stay after it.
		if len(p.Segments) == 0 && mp.curStart == 0 && len(mp.cur.Tags) == 0 && p.Map == nil {
			p.Tags = append(p.Tags, line)
		} else {
			mp.cur.Tags = append(mp.cur.Tags, line)
		}
	}
	return err
}

// once rejects a second occurrence of a header tag.
func (mp *mediaParser) once(name string) error {
	if mp.seen[name] {
		return mp.l.errf(ErrSyntax, "repeated "+name)
	}
	mp.seen[name] = true
	mp.pos.tag(name, mp.l.line)
	return nil
}

func (mp *mediaParser) int(name, value string, max uint64) (int, error) {
	n, ok := decimalInt(value, max)
	if !ok {
		return 0, mp.l.errf(ErrSyntax, name+": "+strconv.Quote(value)+" is not a decimal integer up to "+strconv.FormatUint(max, 10))
	}
	return int(n), nil
}

func (mp *mediaParser) uint(name, value string) (uint64, error) {
	n, ok := decimalInt(value, 1<<64-1)
	if !ok {
		return 0, mp.l.errf(ErrSyntax, name+": "+strconv.Quote(value)+" is not a 64-bit decimal integer")
	}
	return n, nil
}

// segmentTag notes that cur has a known segment tag.
func (mp *mediaParser) segmentTag() {
	if mp.curStart == 0 {
		mp.curStart = mp.l.line
	}
}

func (mp *mediaParser) extinf(value string) error {
	l := mp.l
	if mp.infLine != 0 {
		return l.errf(ErrSyntax, "EXTINF without a URI line (another EXTINF follows on line "+strconv.Itoa(l.line)+")")
	}
	if mp.p.Ended {
		return l.errf(ErrSyntax, "segment after EXT-X-ENDLIST")
	}
	d, title, _ := strings.Cut(value, ",")
	dur, ok := decimalFloat(d, maxDuration)
	if !ok {
		return l.errf(ErrSyntax, "EXTINF duration "+strconv.Quote(d)+" is not a non-negative decimal number")
	}
	if mp.pos != nil && strings.IndexByte(d, '.') >= 0 {
		mp.pos.decimalInf = true
	}
	mp.segmentTag()
	mp.infLine = l.line
	mp.cur.Duration, mp.cur.Title = dur, title
	return nil
}

func (mp *mediaParser) byteRange(value string) error {
	l := mp.l
	if mp.rangeLine != 0 {
		return l.errf(ErrSyntax, "two EXT-X-BYTERANGE tags before one segment")
	}
	r, hasOffset, ok := byteRangeValue(value)
	if !ok {
		return l.errf(ErrSyntax, "EXT-X-BYTERANGE "+strconv.Quote(value)+" is not <length>[@<offset>]")
	}
	mp.segmentTag()
	mp.rangeLine, mp.rangeOpen = l.line, !hasOffset
	mp.cur.ByteRange = &r
	return nil
}

func (mp *mediaParser) programDateTime(value string) error {
	l := mp.l
	if mp.pdt {
		return l.errf(ErrSyntax, "two EXT-X-PROGRAM-DATE-TIME tags before one segment")
	}
	t, err := time.Parse(time.RFC3339Nano, value)
	if err != nil {
		// ISO 8601 also allows an offset without a colon: +0100.
		t, err = time.Parse("2006-01-02T15:04:05.999999999Z0700", value)
	}
	if err != nil {
		return l.errf(ErrSyntax, "EXT-X-PROGRAM-DATE-TIME "+strconv.Quote(value)+" is not an ISO 8601 date-time")
	}
	mp.segmentTag()
	mp.pdt = true
	mp.cur.ProgramDateTime = t
	return nil
}

func (mp *mediaParser) mapTag(value string) error {
	l := mp.l
	attrs, msg, kind := parseAttrs(value)
	if msg != "" {
		return l.errf(kind, "EXT-X-MAP: "+msg)
	}
	m := &Map{}
	for _, a := range attrs {
		switch a.name {
		case "URI":
			m.URI, msg = quotedValue(a)
		case "BYTERANGE":
			var v string
			if v, msg = quotedValue(a); msg == "" {
				r, _, ok := byteRangeValue(v)
				if !ok {
					msg = "BYTERANGE " + strconv.Quote(v) + " is not <length>[@<offset>]"
				}
				m.ByteRange = &r
			}
		}
		if msg != "" {
			return l.errf(ErrSyntax, "EXT-X-MAP: "+msg)
		}
	}
	if m.URI == "" {
		return l.errf(ErrSyntax, "EXT-X-MAP without a URI")
	}
	switch {
	case len(mp.p.Segments) == 0 && mp.p.Map == nil && mp.curStart == 0:
		// Before any tag of the first segment: the header's. After one,
		// the segment's, as Encode writes a first segment's map after
		// its keys and discontinuity.
		mp.p.Map = m
	case mp.cur.Map != nil:
		return l.errf(ErrSyntax, "two EXT-X-MAP tags before one segment")
	default:
		mp.segmentTag()
		mp.cur.Map = m
	}
	return nil
}

func (mp *mediaParser) key(value string) error {
	l := mp.l
	if err := l.count(); err != nil {
		return err
	}
	attrs, msg, kind := parseAttrs(value)
	if msg != "" {
		return l.errf(kind, "EXT-X-KEY: "+msg)
	}
	var k Key
	for _, a := range attrs {
		switch a.name {
		case "METHOD":
			k.Method, msg = enumValue(a)
		case "URI":
			k.URI, msg = quotedValue(a)
		case "IV":
			if k.IV = a.value; !isHex(a.value) {
				msg = "IV must be a hexadecimal sequence"
			}
		case "KEYFORMAT":
			k.KeyFormat, msg = quotedValue(a)
		case "KEYFORMATVERSIONS":
			k.KeyFormatVersions, msg = quotedValue(a)
		}
		if msg != "" {
			return l.errf(ErrSyntax, "EXT-X-KEY: "+msg)
		}
	}
	switch {
	case k.Method == "":
		return l.errf(ErrSyntax, "EXT-X-KEY without METHOD")
	case k.Method != "NONE" && k.URI == "":
		return l.errf(ErrSyntax, "EXT-X-KEY METHOD="+k.Method+" without a URI")
	}
	mp.segmentTag()
	mp.cur.Keys = append(mp.cur.Keys, k)
	return nil
}

// uri completes the current segment with its URI line.
func (mp *mediaParser) uri(line string) error {
	l, p := mp.l, mp.p
	if mp.infLine == 0 {
		return l.errf(ErrSyntax, "URI line without a preceding EXTINF")
	}
	if err := l.count(); err != nil {
		return err
	}
	s := mp.cur
	s.URI = line
	if mp.rangeOpen {
		// No offset: the range follows the previous one of the same resource.
		n := len(p.Segments)
		if n == 0 || p.Segments[n-1].ByteRange == nil || p.Segments[n-1].URI != line {
			return &ParseError{Line: mp.rangeLine, Err: ErrSyntax,
				Msg: "EXT-X-BYTERANGE without an offset must follow a sub-range of the same URI"}
		}
		prev := p.Segments[n-1].ByteRange
		if prev.Offset+prev.Length > maxInt64-s.ByteRange.Length {
			return &ParseError{Line: mp.rangeLine, Err: ErrSyntax, Msg: "EXT-X-BYTERANGE offset overflows"}
		}
		s.ByteRange.Offset = prev.Offset + prev.Length
	}
	p.Segments = append(p.Segments, s)
	if mp.pos != nil {
		mp.pos.segments = append(mp.pos.segments, mp.infLine)
	}
	mp.cur = Segment{}
	mp.curStart, mp.infLine, mp.rangeLine, mp.rangeOpen, mp.pdt = 0, 0, 0, false, false
	return nil
}

func (mp *mediaParser) finish() (*MediaPlaylist, error) {
	l, p := mp.l, mp.p
	switch {
	case mp.infLine != 0:
		return nil, &ParseError{Line: mp.infLine, Err: ErrSyntax, Msg: "EXTINF without a URI line"}
	case mp.curStart != 0:
		return nil, &ParseError{Line: mp.curStart, Err: ErrSyntax, Msg: "segment tags without an EXTINF and a URI line"}
	case !mp.seen["EXT-X-TARGETDURATION"]:
		return nil, &ParseError{Line: max(1, l.line), Err: ErrSyntax, Msg: "missing EXT-X-TARGETDURATION"}
	}
	p.TrailingTags = mp.cur.Tags
	return p, nil
}
