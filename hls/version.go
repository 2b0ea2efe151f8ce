package hls

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// maxVersion is the highest EXT-X-VERSION the parser reads.
const maxVersion = 255

// maxDuration bounds segment durations (about 31 years), so that every
// duration fits an int64 count of milliseconds with room to spare.
const maxDuration = 1e9

// millis is d in whole milliseconds, the precision EXTINF is written with.
func millis(d float64) int64 { return int64(math.Round(d * 1000)) }

// roundHalfUp is a duration in milliseconds rounded half up to whole
// seconds: the rounding RFC 8216 4.3.3.1 compares with the target duration.
func roundHalfUp(ms int64) int64 { return (ms + 500) / 1000 }

// validDuration reports whether d can be written as an EXTINF duration.
func validDuration(d float64) bool {
	return d >= 0 && d <= maxDuration // false for NaN too
}

// requirement is the lowest EXT-X-VERSION a playlist needs and why.
type requirement struct {
	version int
	why     string
}

// resolve returns the version to write for a declared one: the required
// version when declared is 0, declared itself when it is high enough, and
// an error wrapping ErrInvalid otherwise.
func (r requirement) resolve(declared int) (int, error) {
	switch {
	case declared < 0 || declared > maxVersion:
		return 0, fmt.Errorf("%w: version %d", ErrInvalid, declared)
	case declared == 0:
		return r.version, nil
	case declared < r.version:
		return 0, fmt.Errorf("%w: EXT-X-VERSION:%d is too low: %s needs %d (set 0 to compute it)",
			ErrInvalid, declared, r.why, r.version)
	}
	return declared, nil
}

func (r *requirement) need(v int, why string) {
	if v > r.version {
		r.version, r.why = v, why
	}
}

// mediaVersion computes the lowest version p needs under RFC 8216 section
// 7. With writing set, durations count as floating-point (Encode always
// writes three decimals); otherwise only those that are not whole seconds,
// to the millisecond, do (Lint also counts those written with a decimal
// point, such as 6.000, which a value does not tell).
//
// The target duration does not raise the version: section 7 notes that up
// to version 5 the target was the longest duration rather than the longest
// rounded, but 4.3.3.1 makes rounding the rule at every version, and no
// MUST of section 7 asks for version 6 (ffmpeg writes version 3 playlists of
// 2.002 s segments with a target of 2).
func (p *MediaPlaylist) mediaVersion(writing bool) requirement {
	r := requirement{version: 1}
	if writing && len(p.Segments) > 0 {
		r.need(3, "floating-point EXTINF durations")
	}
	if p.IFramesOnly {
		r.need(4, "EXT-X-I-FRAMES-ONLY")
	}
	mapNeeds := func() {
		if p.IFramesOnly {
			r.need(5, "EXT-X-MAP")
		} else {
			r.need(6, "EXT-X-MAP in a playlist without EXT-X-I-FRAMES-ONLY")
		}
	}
	if p.Map != nil {
		mapNeeds()
	}
	for i := range p.Segments {
		s := &p.Segments[i]
		ms := millis(s.Duration)
		if ms%1000 != 0 {
			r.need(3, "floating-point EXTINF durations")
		}
		if s.ByteRange != nil {
			r.need(4, "EXT-X-BYTERANGE")
		}
		if s.Map != nil {
			mapNeeds()
		}
		for _, k := range s.Keys {
			if k.IV != "" {
				r.need(2, "the IV attribute of EXT-X-KEY")
			}
			if k.Method == "SAMPLE-AES" || k.KeyFormat != "" || k.KeyFormatVersions != "" {
				r.need(5, "EXT-X-KEY with SAMPLE-AES, KEYFORMAT or KEYFORMATVERSIONS")
			}
		}
	}
	tagsVersion(&r, p.Tags)
	tagsVersion(&r, p.TrailingTags)
	for i := range p.Segments {
		tagsVersion(&r, p.Segments[i].Tags)
	}
	return r
}

// masterVersion computes the lowest version m needs.
func (m *MasterPlaylist) masterVersion() requirement {
	r := requirement{version: 1}
	for _, rd := range m.Media {
		if strings.HasPrefix(rd.InstreamID, "SERVICE") {
			r.need(7, "INSTREAM-ID=SERVICEn in EXT-X-MEDIA")
		}
		reqAttrs(&r, rd.Other)
	}
	for _, v := range m.Variants {
		reqAttrs(&r, v.Other)
	}
	for _, v := range m.IFrameVariants {
		reqAttrs(&r, v.Other)
	}
	tagsVersion(&r, m.Tags)
	return r
}

func reqAttrs(r *requirement, attrs []Attr) {
	for _, a := range attrs {
		if strings.HasPrefix(a.Name, "REQ-") {
			r.need(12, "the attribute "+a.Name)
		}
	}
}

// tagsVersion accounts for the unmodelled tags that raise the version.
func tagsVersion(r *requirement, tags []string) {
	for _, t := range tags {
		switch {
		case strings.HasPrefix(t, "#EXT-X-DEFINE:") && strings.Contains(t, "QUERYPARAM="):
			r.need(11, "EXT-X-DEFINE with QUERYPARAM")
		case strings.HasPrefix(t, "#EXT-X-DEFINE:"):
			r.need(8, "variable substitution (EXT-X-DEFINE)")
		case strings.HasPrefix(t, "#EXT-X-SKIP:") && strings.Contains(t, "RECENTLY-REMOVED-DATERANGES="):
			r.need(10, "EXT-X-SKIP with RECENTLY-REMOVED-DATERANGES")
		case strings.HasPrefix(t, "#EXT-X-SKIP:"):
			r.need(9, "EXT-X-SKIP")
		}
	}
}

// appendMillis appends ms as seconds with three decimals.
func appendMillis(b []byte, ms int64) []byte {
	b = strconv.AppendInt(b, ms/1000, 10)
	f := ms % 1000
	return append(b, '.', byte('0'+f/100), byte('0'+f/10%10), byte('0'+f%10))
}

func formatMillis(ms int64) string { return string(appendMillis(nil, ms)) }
