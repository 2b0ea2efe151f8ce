package hls

import (
	"cmp"
	"strconv"
	"strings"
)

// Bounds of the numbers of a master playlist, for the parser and the
// encoder alike.
const (
	maxBandwidth  = 1 << 53 // bits per second, exact in a float64
	maxResolution = 1 << 20 // pixels, either way
)

// parseMaster parses the lines after #EXTM3U as a master playlist.
func parseMaster(l *lineReader, pos *positions) (*MasterPlaylist, error) {
	m := &MasterPlaylist{}
	seen := map[string]bool{}
	once := func(name string) error {
		if seen[name] {
			return l.errf(ErrSyntax, "repeated "+name)
		}
		seen[name] = true
		pos.tag(name, l.line)
		return nil
	}
	var pending *Variant // an EXT-X-STREAM-INF waiting for its URI line
	pendingLine := 0
	for {
		line, ok, err := l.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		if line[0] != '#' {
			if pending == nil {
				return nil, l.errf(ErrSyntax, "URI line without a preceding EXT-X-STREAM-INF")
			}
			pending.URI = line
			m.Variants = append(m.Variants, *pending)
			if pos != nil {
				pos.variants = append(pos.variants, pendingLine)
			}
			pending = nil
			continue
		}
		if !strings.HasPrefix(line, "#EXT") {
			continue // a comment
		}
		if pending != nil {
			return nil, &ParseError{Line: pendingLine, Err: ErrSyntax, Msg: "EXT-X-STREAM-INF not followed by its URI line"}
		}
		name, value, hasValue := splitTag(line)
		switch name {
		case "EXTM3U":
			return nil, l.errf(ErrSyntax, "repeated #EXTM3U")
		case "EXT-X-VERSION":
			if err := once(name); err != nil {
				return nil, err
			}
			n, ok := decimalInt(value, maxVersion)
			if !ok {
				return nil, l.errf(ErrSyntax, "EXT-X-VERSION: "+strconv.Quote(value)+" is not a decimal integer up to "+strconv.Itoa(maxVersion))
			}
			m.Version = int(n)
		case "EXT-X-INDEPENDENT-SEGMENTS":
			if hasValue {
				return nil, l.errf(ErrSyntax, name+" takes no value")
			}
			if err := once(name); err != nil {
				return nil, err
			}
			m.IndependentSegments = true
		case "EXT-X-MEDIA":
			r, err := parseRendition(l, value)
			if err != nil {
				return nil, err
			}
			m.Media = append(m.Media, r)
			if pos != nil {
				pos.media = append(pos.media, l.line)
			}
		case "EXT-X-STREAM-INF":
			if err := l.count(); err != nil {
				return nil, err
			}
			v, err := parseStreamInf(l, value)
			if err != nil {
				return nil, err
			}
			pending, pendingLine = &v, l.line
		case "EXT-X-I-FRAME-STREAM-INF":
			v, err := parseIFrameStreamInf(l, value)
			if err != nil {
				return nil, err
			}
			m.IFrameVariants = append(m.IFrameVariants, v)
			if pos != nil {
				pos.iframes = append(pos.iframes, l.line)
			}
		default:
			if tagKind(name) == kindMedia {
				return nil, l.wrongType(name, kindMaster)
			}
			if err := l.count(); err != nil {
				return nil, err
			}
			m.Tags = append(m.Tags, line)
		}
	}
	if pending != nil {
		return nil, &ParseError{Line: pendingLine, Err: ErrSyntax, Msg: "EXT-X-STREAM-INF not followed by its URI line"}
	}
	return m, nil
}

func parseRendition(l *lineReader, value string) (Rendition, error) {
	var r Rendition
	if err := l.count(); err != nil {
		return r, err
	}
	attrs, msg, kind := parseAttrs(value)
	for _, a := range attrs {
		var t string
		switch a.name {
		case "TYPE":
			t, msg = enumValue(a)
			r.Type = RenditionType(t)
			switch r.Type {
			case Audio, Video, Subtitles, ClosedCaptions:
			default:
				if msg == "" {
					msg = "TYPE " + strconv.Quote(t) + " is not AUDIO, VIDEO, SUBTITLES or CLOSED-CAPTIONS"
				}
			}
		case "GROUP-ID":
			r.GroupID, msg = quotedValue(a)
		case "NAME":
			r.Name, msg = quotedValue(a)
		case "LANGUAGE":
			r.Language, msg = quotedValue(a)
		case "ASSOC-LANGUAGE":
			r.AssocLanguage, msg = quotedValue(a)
		case "DEFAULT":
			r.Default, msg = yesNoValue(a)
		case "AUTOSELECT":
			r.Autoselect, msg = yesNoValue(a)
		case "FORCED":
			r.Forced, msg = yesNoValue(a)
		case "INSTREAM-ID":
			r.InstreamID, msg = quotedValue(a)
		case "CHARACTERISTICS":
			r.Characteristics, msg = quotedValue(a)
		case "CHANNELS":
			r.Channels, msg = quotedValue(a)
		case "URI":
			r.URI, msg = quotedValue(a)
		default:
			r.Other = append(r.Other, Attr{a.name, a.value})
		}
		if msg != "" {
			break
		}
	}
	if msg == "" && (r.Type == "" || r.GroupID == "" || r.Name == "") {
		msg = "TYPE, GROUP-ID and NAME are required"
	}
	if msg != "" {
		return r, l.errf(cmp.Or(kind, ErrSyntax), "EXT-X-MEDIA: "+msg)
	}
	return r, l.countN(len(r.Other))
}

// streamCommon parses the attributes EXT-X-STREAM-INF and
// EXT-X-I-FRAME-STREAM-INF share; it reports handled false for others.
func streamCommon(a attr, bw, avg *int, codecs *[]string, w, h *int, hdcp, vr, video *string) (handled bool, msg string) {
	switch a.name {
	case "BANDWIDTH", "AVERAGE-BANDWIDTH":
		n, ok := decimalInt(a.value, maxBandwidth)
		if !ok {
			return true, a.name + " must be a decimal integer"
		}
		if a.name == "BANDWIDTH" {
			*bw = int(n)
		} else {
			*avg = int(n)
		}
	case "CODECS":
		var v string
		if v, msg = quotedValue(a); msg == "" {
			*codecs = splitCodecs(v)
			if *codecs == nil {
				msg = "CODECS is empty"
			}
		}
	case "RESOLUTION":
		ws, hs, _ := strings.Cut(a.value, "x")
		wn, ok1 := decimalInt(ws, maxResolution)
		hn, ok2 := decimalInt(hs, maxResolution)
		if !ok1 || !ok2 || wn == 0 || hn == 0 {
			return true, "RESOLUTION must be <width>x<height>"
		}
		*w, *h = int(wn), int(hn)
	case "HDCP-LEVEL":
		*hdcp, msg = enumValue(a)
	case "VIDEO-RANGE":
		*vr, msg = enumValue(a)
	case "VIDEO":
		*video, msg = quotedValue(a)
	case "PROGRAM-ID":
		// Removed in version 6: dropped.
	default:
		return false, ""
	}
	return true, msg
}

func splitCodecs(v string) []string {
	var out []string
	for c := range strings.SplitSeq(v, ",") {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

func parseStreamInf(l *lineReader, value string) (Variant, error) {
	var v Variant
	attrs, msg, kind := parseAttrs(value)
	for _, a := range attrs {
		var handled bool
		if handled, msg = streamCommon(a, &v.Bandwidth, &v.AverageBandwidth, &v.Codecs, &v.Width, &v.Height, &v.HDCPLevel, &v.VideoRange, &v.Video); handled {
			if msg != "" {
				break
			}
			continue
		}
		switch a.name {
		case "FRAME-RATE":
			f, ok := decimalFloat(a.value, 1e6)
			if !ok || f == 0 {
				msg = "FRAME-RATE must be a positive decimal number"
			}
			v.FrameRate = f
		case "AUDIO":
			v.Audio, msg = quotedValue(a)
		case "SUBTITLES":
			v.Subtitles, msg = quotedValue(a)
		case "CLOSED-CAPTIONS":
			if a.value == "NONE" {
				v.ClosedCaptions = "NONE"
			} else {
				v.ClosedCaptions, msg = quotedValue(a)
			}
		default:
			v.Other = append(v.Other, Attr{a.name, a.value})
		}
		if msg != "" {
			break
		}
	}
	if msg != "" {
		return v, l.errf(cmp.Or(kind, ErrSyntax), "EXT-X-STREAM-INF: "+msg)
	}
	return v, l.countN(len(v.Codecs) + len(v.Other))
}

func parseIFrameStreamInf(l *lineReader, value string) (IFrameVariant, error) {
	var v IFrameVariant
	if err := l.count(); err != nil {
		return v, err
	}
	attrs, msg, kind := parseAttrs(value)
	for _, a := range attrs {
		var handled bool
		if handled, msg = streamCommon(a, &v.Bandwidth, &v.AverageBandwidth, &v.Codecs, &v.Width, &v.Height, &v.HDCPLevel, &v.VideoRange, &v.Video); handled {
			if msg != "" {
				break
			}
			continue
		}
		if a.name == "URI" {
			v.URI, msg = quotedValue(a)
		} else {
			v.Other = append(v.Other, Attr{a.name, a.value})
		}
		if msg != "" {
			break
		}
	}
	if msg == "" && v.URI == "" {
		msg = "URI is required"
	}
	if msg != "" {
		return v, l.errf(cmp.Or(kind, ErrSyntax), "EXT-X-I-FRAME-STREAM-INF: "+msg)
	}
	return v, l.countN(len(v.Codecs) + len(v.Other))
}
