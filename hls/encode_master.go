package hls

import (
	"strconv"
)

// Encode returns the playlist as text: header, unmodelled tags, EXT-X-MEDIA
// renditions, variants, then I-frame variants, each in slice order. A zero
// Version is computed; PROGRAM-ID is never written.
//
// Missing required attributes (a rendition's TYPE, GROUP-ID or NAME, a
// variant's URI or BANDWIDTH) and values that cannot be written are errors
// wrapping [ErrInvalid].
func (m *MasterPlaylist) Encode() ([]byte, error) {
	e := &encoder{b: make([]byte, 0, 256+len(m.Media)*128+len(m.Variants)*192)}
	req := m.masterVersion()
	version, err := req.resolve(m.Version)
	if err != nil {
		return nil, err
	}
	e.str("#EXTM3U\n#EXT-X-VERSION:")
	e.b = strconv.AppendInt(e.b, int64(version), 10)
	e.nl()
	if m.IndependentSegments {
		e.str("#EXT-X-INDEPENDENT-SEGMENTS\n")
	}
	e.rawTags(m.Tags, kindMaster)
	for i := range m.Media {
		e.rendition(&m.Media[i])
	}
	for i := range m.Variants {
		v := &m.Variants[i]
		e.tag("#EXT-X-STREAM-INF:")
		e.streamAttrs(v.Bandwidth, v.AverageBandwidth, v.Codecs, v.Width, v.Height)
		if v.FrameRate != 0 {
			e.name("FRAME-RATE")
			start := len(e.b)
			e.b = strconv.AppendFloat(e.b, v.FrameRate, 'f', 3, 64)
			if !(v.FrameRate > 0 && v.FrameRate < 1e6) || string(e.b[start:]) == "0.000" {
				e.fail("variant %d: frame rate %v", i, v.FrameRate)
			}
		}
		e.optEnum("HDCP-LEVEL", v.HDCPLevel)
		e.optEnum("VIDEO-RANGE", v.VideoRange)
		e.optQuoted("AUDIO", v.Audio)
		e.optQuoted("VIDEO", v.Video)
		e.optQuoted("SUBTITLES", v.Subtitles)
		switch v.ClosedCaptions {
		case "":
		case "NONE":
			e.enum("CLOSED-CAPTIONS", "NONE")
		default:
			e.quoted("CLOSED-CAPTIONS", v.ClosedCaptions)
		}
		e.other(v.Other, variantAttrs)
		e.nl()
		e.uri("variant", v.URI)
	}
	for i := range m.IFrameVariants {
		v := &m.IFrameVariants[i]
		e.tag("#EXT-X-I-FRAME-STREAM-INF:")
		e.streamAttrs(v.Bandwidth, v.AverageBandwidth, v.Codecs, v.Width, v.Height)
		e.optEnum("HDCP-LEVEL", v.HDCPLevel)
		e.optEnum("VIDEO-RANGE", v.VideoRange)
		e.optQuoted("VIDEO", v.Video)
		e.other(v.Other, iframeAttrs)
		if v.URI == "" {
			e.fail("I-frame variant %d without a URI", i)
		}
		e.quoted("URI", v.URI)
		e.nl()
	}
	if e.err != nil {
		return nil, e.err
	}
	return e.b, nil
}

func (e *encoder) optQuoted(n, v string) {
	if v != "" {
		e.quoted(n, v)
	}
}

func (e *encoder) optEnum(n, v string) {
	if v != "" {
		e.enum(n, v)
	}
}

func (e *encoder) streamAttrs(bw, avg int, codecs []string, w, h int) {
	if bw <= 0 || avg < 0 || bw > maxBandwidth || avg > maxBandwidth {
		e.fail("BANDWIDTH %d, AVERAGE-BANDWIDTH %d", bw, avg)
	}
	e.int("BANDWIDTH", int64(bw))
	if avg > 0 {
		e.int("AVERAGE-BANDWIDTH", int64(avg))
	}
	if len(codecs) > 0 {
		for _, c := range codecs {
			if !isEnum(c) { // no blanks, commas or quotes
				e.fail("codec %q", c)
			}
		}
		e.name("CODECS")
		e.b = append(e.b, '"')
		for i, c := range codecs {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.str(c)
		}
		e.b = append(e.b, '"')
	}
	if w != 0 || h != 0 {
		if w <= 0 || h <= 0 || w > maxResolution || h > maxResolution {
			e.fail("resolution %dx%d", w, h)
		}
		e.name("RESOLUTION")
		e.b = strconv.AppendInt(e.b, int64(w), 10)
		e.b = append(e.b, 'x')
		e.b = strconv.AppendInt(e.b, int64(h), 10)
	}
}

func (e *encoder) rendition(r *Rendition) {
	e.tag("#EXT-X-MEDIA:")
	switch r.Type {
	case Audio, Video, Subtitles, ClosedCaptions:
	default:
		e.fail("rendition %q: TYPE %q", r.Name, r.Type)
	}
	if r.GroupID == "" || r.Name == "" {
		e.fail("rendition without GROUP-ID or NAME")
	}
	e.enum("TYPE", string(r.Type))
	e.quoted("GROUP-ID", r.GroupID)
	e.quoted("NAME", r.Name)
	e.optQuoted("LANGUAGE", r.Language)
	e.optQuoted("ASSOC-LANGUAGE", r.AssocLanguage)
	e.yesNo("DEFAULT", r.Default)
	if r.Autoselect {
		e.yesNo("AUTOSELECT", true)
	}
	if r.Forced {
		e.yesNo("FORCED", true)
	}
	e.optQuoted("INSTREAM-ID", r.InstreamID)
	e.optQuoted("CHARACTERISTICS", r.Characteristics)
	e.optQuoted("CHANNELS", r.Channels)
	e.other(r.Other, renditionAttrs)
	e.optQuoted("URI", r.URI)
	e.nl()
}
