package hls

import (
	"cmp"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Problem is one finding of a lint function.
type Problem struct {
	// Line is the 1-based line it concerns when linting text with [Lint],
	// 0 when linting a value.
	Line int
	// Rule names the check, one of the Rule constants.
	Rule string
	// Msg explains the problem.
	Msg string
}

func (p Problem) String() string {
	s := p.Rule + ": " + p.Msg
	if p.Line > 0 {
		s = "line " + strconv.Itoa(p.Line) + ": " + s
	}
	return s
}

// The lint rules. RFC 8216 sections are given where a rule enforces a MUST.
const (
	RuleSyntax         = "syntax"          // the text does not parse (Lint only)
	RuleBOM            = "bom"             // a byte order mark (4.1; Lint only)
	RuleVersion        = "version"         // EXT-X-VERSION lower than the features need (7)
	RuleTargetDuration = "target-duration" // a segment rounded is longer than the target (4.3.3.1)
	RuleEndList        = "endlist"         // a VOD playlist without EXT-X-ENDLIST (4.3.3.5)
	RuleDuration       = "duration"        // a negative, NaN or infinite duration (4.3.2.1)
	RuleURI            = "uri"             // an empty URI
	RuleBandwidth      = "bandwidth"       // BANDWIDTH missing, or below AVERAGE-BANDWIDTH (4.3.4.2)
	RuleCodecs         = "codecs"          // a variant without CODECS (4.3.4.2, SHOULD)
	RuleGroup          = "group"           // a variant names a rendition group that does not exist (4.3.4.2)
	RuleRendition      = "rendition"       // an EXT-X-MEDIA attribute rule broken (4.3.4.1, 4.3.4.1.1)
	RuleClosedCaptions = "closed-captions" // CLOSED-CAPTIONS=NONE on some variants only (4.3.4.2)

	// Rules of LintUpdate, from RFC 8216 6.2.1 and 6.2.2.
	RuleMediaSequence         = "media-sequence"         // the media sequence went back
	RuleSegmentChanged        = "segment-changed"        // a segment kept its number but changed
	RuleDiscontinuitySequence = "discontinuity-sequence" // not advanced by the discontinuities removed
	RuleTargetChanged         = "target-changed"         // the target duration changed
	RuleTypeChanged           = "type-changed"           // EXT-X-PLAYLIST-TYPE changed
	RuleVersionChanged        = "version-changed"        // EXT-X-VERSION changed
	RuleEnded                 = "ended"                  // a playlist changed after EXT-X-ENDLIST
	RuleEvent                 = "event"                  // an EVENT playlist lost segments
)

// Lint parses src with the default limits and lints it, with line numbers,
// in line order. A parse error is reported as a single RuleSyntax problem.
func Lint(src []byte) []Problem {
	pos := &positions{tags: map[string]int{}}
	s := string(src)
	var out []Problem
	if len(s) >= len(bom) && s[:len(bom)] == bom {
		out = append(out, Problem{Line: 1, Rule: RuleBOM, Msg: "playlists must not start with a byte order mark"})
	}
	m, p, err := (&Parser{}).parse(s, pos)
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			return append(out, Problem{Line: pe.Line, Rule: RuleSyntax, Msg: pe.Msg})
		}
		return append(out, Problem{Rule: RuleSyntax, Msg: err.Error()})
	}
	if m != nil {
		out = append(out, lintMaster(m, pos)...)
	} else {
		out = append(out, lintMedia(p, pos)...)
	}
	slices.SortStableFunc(out, func(a, b Problem) int { return cmp.Compare(a.Line, b.Line) })
	return out
}

// LintMedia checks a media playlist against the rules of RFC 8216 that a
// single playlist can break. A zero Version or TargetDuration counts as
// computed (as Encode does), so it is never too low.
func LintMedia(p *MediaPlaylist) []Problem { return lintMedia(p, nil) }

// LintMaster checks a master playlist. A zero Version counts as computed.
func LintMaster(m *MasterPlaylist) []Problem { return lintMaster(m, nil) }

func (p *positions) line(lines []int, i int) int {
	if p == nil || i >= len(lines) {
		return 0
	}
	return lines[i]
}

func (p *positions) tagLine(name string) int {
	if p == nil {
		return 0
	}
	return p.tags[name]
}

func lintMedia(p *MediaPlaylist, pos *positions) []Problem {
	var out []Problem
	add := func(line int, rule, msg string) { out = append(out, Problem{line, rule, msg}) }
	var segLines []int
	if pos != nil {
		segLines = pos.segments
	}
	seg := func(i int) string {
		return "segment " + strconv.Itoa(i) + " (" + strconv.Quote(p.Segments[i].URI) + ")"
	}
	target := int64(p.TargetDuration)
	for i := range p.Segments {
		s := &p.Segments[i]
		line := pos.line(segLines, i)
		if !validDuration(s.Duration) {
			add(line, RuleDuration, seg(i)+": duration "+strconv.FormatFloat(s.Duration, 'g', -1, 64)+" is not a finite, non-negative number")
			continue
		}
		if s.URI == "" {
			add(line, RuleURI, "segment "+strconv.Itoa(i)+" has no URI")
		}
		// A value is rounded to the millisecond Encode writes; text, as
		// written.
		rounded, lasts := roundHalfUp(millis(s.Duration)), formatMillis(millis(s.Duration))
		if pos != nil {
			rounded, lasts = int64(math.Floor(s.Duration+0.5)), formatSeconds(s.Duration)
		}
		if (pos != nil || target > 0) && rounded > target {
			add(line, RuleTargetDuration, seg(i)+" lasts "+lasts+" s, which rounds to "+
				strconv.FormatInt(rounded, 10)+", over EXT-X-TARGETDURATION:"+strconv.FormatInt(target, 10))
		}
	}
	version := p.Version
	if pos != nil && version == 0 {
		version = 1 // no EXT-X-VERSION tag means version 1
	}
	if version > 0 {
		req := p.mediaVersion(false)
		if pos != nil && pos.decimalInf {
			// 6.000 is floating-point as written, though its value is whole.
			req.need(3, "floating-point EXTINF durations")
		}
		if version < req.version {
			add(pos.tagLine("EXT-X-VERSION"), RuleVersion, versionMsg(version, pos.tagLine("EXT-X-VERSION") == 0 && pos != nil, req))
		}
	}
	if p.Type == VOD && !p.Ended {
		add(pos.tagLine("EXT-X-PLAYLIST-TYPE"), RuleEndList, "a VOD playlist must end with EXT-X-ENDLIST")
	}
	return out
}

// formatSeconds formats d with all its digits, and at least three
// decimals, as Encode writes them: 6.500, 6.4996.
func formatSeconds(d float64) string {
	s := strconv.FormatFloat(d, 'f', -1, 64)
	if i := strings.IndexByte(s, '.'); i < 0 || len(s)-i-1 < 3 {
		return strconv.FormatFloat(d, 'f', 3, 64)
	}
	return s
}

func versionMsg(v int, absent bool, req requirement) string {
	declared := "EXT-X-VERSION:" + strconv.Itoa(v)
	if absent {
		declared = "no EXT-X-VERSION (version 1)"
	}
	return declared + " is too low: " + req.why + " needs version " + strconv.Itoa(req.version)
}

func lintMaster(m *MasterPlaylist, pos *positions) []Problem {
	var out []Problem
	add := func(line int, rule, msg string) { out = append(out, Problem{line, rule, msg}) }
	var mediaLines, variantLines, iframeLines []int
	if pos != nil {
		mediaLines, variantLines, iframeLines = pos.media, pos.variants, pos.iframes
	}
	version := m.Version
	if pos != nil && version == 0 {
		version = 1
	}
	if req := m.masterVersion(); version > 0 && version < req.version {
		add(pos.tagLine("EXT-X-VERSION"), RuleVersion, versionMsg(version, pos.tagLine("EXT-X-VERSION") == 0 && pos != nil, req))
	}

	type group struct {
		typ RenditionType
		id  string
	}
	groups := map[group]bool{}
	defaults := map[group]int{}
	names := map[group]map[string]bool{}
	for i := range m.Media {
		r := &m.Media[i]
		line := pos.line(mediaLines, i)
		g := group{r.Type, r.GroupID}
		groups[g] = true
		what := "EXT-X-MEDIA " + strconv.Quote(r.Name) + " in group " + strconv.Quote(r.GroupID)
		switch {
		case r.Type == Subtitles && r.URI == "":
			add(line, RuleRendition, what+": SUBTITLES renditions need a URI")
		case r.Type == ClosedCaptions && r.URI != "":
			add(line, RuleRendition, what+": CLOSED-CAPTIONS renditions must not have a URI")
		case r.Type == ClosedCaptions && r.InstreamID == "":
			add(line, RuleRendition, what+": CLOSED-CAPTIONS renditions need an INSTREAM-ID")
		case r.Forced && r.Type != Subtitles:
			add(line, RuleRendition, what+": FORCED is only for SUBTITLES")
		}
		if r.Default {
			if defaults[g]++; defaults[g] == 2 {
				add(line, RuleRendition, what+": a second DEFAULT=YES in the group")
			}
		}
		if names[g] == nil {
			names[g] = map[string]bool{}
		}
		if names[g][r.Name] {
			add(line, RuleRendition, what+": NAME repeated in the group")
		}
		names[g][r.Name] = true
	}
	ref := func(line int, what string, typ RenditionType, id string) {
		if id != "" && !groups[group{typ, id}] {
			add(line, RuleGroup, what+" names "+string(typ)+" group "+strconv.Quote(id)+", which has no EXT-X-MEDIA")
		}
	}
	stream := func(line int, what, uri string, bw, avg int, codecs []string) {
		if uri == "" {
			add(line, RuleURI, what+" has no URI")
		}
		switch {
		case bw <= 0:
			add(line, RuleBandwidth, what+" has no BANDWIDTH")
		case avg > bw:
			add(line, RuleBandwidth, what+": AVERAGE-BANDWIDTH "+strconv.Itoa(avg)+" exceeds BANDWIDTH "+strconv.Itoa(bw))
		}
		if len(codecs) == 0 {
			add(line, RuleCodecs, what+" has no CODECS")
		}
	}
	none := 0
	for i := range m.Variants {
		v := &m.Variants[i]
		line := pos.line(variantLines, i)
		what := "variant " + strconv.Quote(v.URI)
		stream(line, what, v.URI, v.Bandwidth, v.AverageBandwidth, v.Codecs)
		ref(line, what, Audio, v.Audio)
		ref(line, what, Video, v.Video)
		ref(line, what, Subtitles, v.Subtitles)
		if v.ClosedCaptions == "NONE" {
			none++
		} else {
			ref(line, what, ClosedCaptions, v.ClosedCaptions)
		}
	}
	if none > 0 && none < len(m.Variants) {
		for i := range m.Variants {
			if m.Variants[i].ClosedCaptions != "NONE" {
				add(pos.line(variantLines, i), RuleClosedCaptions, "variant "+strconv.Quote(m.Variants[i].URI)+
					" lacks CLOSED-CAPTIONS=NONE, which another variant has: then all must")
			}
		}
	}
	for i := range m.IFrameVariants {
		v := &m.IFrameVariants[i]
		line := pos.line(iframeLines, i)
		what := "I-frame variant " + strconv.Quote(v.URI)
		stream(line, what, v.URI, v.Bandwidth, v.AverageBandwidth, v.Codecs)
		ref(line, what, Video, v.Video)
	}
	return out
}

// LintUpdate checks that next is a valid reload of the live or event
// playlist prev under RFC 8216 6.2.1: the media sequence never goes back, a
// segment keeps its URI and duration while it stays, the discontinuity
// sequence advances by the discontinuities removed, the target duration,
// version and type stay, nothing changes after EXT-X-ENDLIST, and an EVENT
// playlist only grows. A zero TargetDuration or Version (computed by
// Encode) is not compared.
func LintUpdate(prev, next *MediaPlaylist) []Problem {
	var out []Problem
	add := func(rule, msg string) { out = append(out, Problem{Rule: rule, Msg: msg}) }
	u := strconv.FormatUint
	if prev.Ended {
		if next.MediaSequence != prev.MediaSequence || len(next.Segments) != len(prev.Segments) || !next.Ended {
			add(RuleEnded, "the playlist changed after EXT-X-ENDLIST")
		}
	}
	if prev.TargetDuration != 0 && next.TargetDuration != 0 && prev.TargetDuration != next.TargetDuration {
		add(RuleTargetChanged, "EXT-X-TARGETDURATION changed from "+strconv.Itoa(prev.TargetDuration)+" to "+strconv.Itoa(next.TargetDuration))
	}
	if prev.Version != 0 && next.Version != 0 && prev.Version != next.Version {
		add(RuleVersionChanged, "EXT-X-VERSION changed from "+strconv.Itoa(prev.Version)+" to "+strconv.Itoa(next.Version))
	}
	if prev.Type != next.Type {
		add(RuleTypeChanged, "EXT-X-PLAYLIST-TYPE changed from "+strconv.Quote(string(prev.Type))+" to "+strconv.Quote(string(next.Type)))
	}
	if next.MediaSequence < prev.MediaSequence {
		add(RuleMediaSequence, "EXT-X-MEDIA-SEQUENCE went back from "+u(prev.MediaSequence, 10)+" to "+u(next.MediaSequence, 10))
		return out
	}
	if prev.Type == Event && (next.MediaSequence != prev.MediaSequence || len(next.Segments) < len(prev.Segments)) {
		add(RuleEvent, "an EVENT playlist may only append segments")
	}
	removed := next.MediaSequence - prev.MediaSequence
	// Segments in both playlists must not have changed.
	for i := removed; i < uint64(len(prev.Segments)); i++ {
		j := i - removed
		if j >= uint64(len(next.Segments)) {
			break
		}
		a, b := &prev.Segments[i], &next.Segments[j]
		if a.URI != b.URI || millis(a.Duration) != millis(b.Duration) {
			add(RuleSegmentChanged, "segment "+u(prev.MediaSequence+i, 10)+" changed from "+strconv.Quote(a.URI)+
				" ("+formatMillis(millis(a.Duration))+" s) to "+strconv.Quote(b.URI)+" ("+formatMillis(millis(b.Duration))+" s)")
		}
	}
	gone := 0
	for i := uint64(0); i < removed && i < uint64(len(prev.Segments)); i++ {
		if prev.Segments[i].Discontinuity {
			gone++
		}
	}
	want := prev.DiscontinuitySequence + uint64(gone)
	switch {
	case removed <= uint64(len(prev.Segments)) && next.DiscontinuitySequence != want:
		add(RuleDiscontinuitySequence, "EXT-X-DISCONTINUITY-SEQUENCE is "+u(next.DiscontinuitySequence, 10)+", want "+
			u(want, 10)+" ("+strconv.Itoa(gone)+" discontinuities left the playlist)")
	case next.DiscontinuitySequence < want:
		add(RuleDiscontinuitySequence, "EXT-X-DISCONTINUITY-SEQUENCE is "+u(next.DiscontinuitySequence, 10)+", want at least "+u(want, 10))
	}
	return out
}
