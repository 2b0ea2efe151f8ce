package hls

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// encoder appends playlist text to b; the first problem found sticks in err.
type encoder struct {
	b   []byte
	err error
	n   int // attributes written on the current tag
}

func (e *encoder) fail(format string, args ...any) {
	if e.err == nil {
		e.err = fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
	}
}

func (e *encoder) str(s string) { e.b = append(e.b, s...) }

func (e *encoder) tag(name string) { e.b = append(e.b, name...); e.n = 0 }

func (e *encoder) nl() { e.b = append(e.b, '\n') }

func (e *encoder) name(n string) {
	if e.n > 0 {
		e.b = append(e.b, ',')
	}
	e.n++
	e.b = append(e.b, n...)
	e.b = append(e.b, '=')
}

// quoted writes a quoted-string attribute, which cannot hold a quote or a
// line break.
func (e *encoder) quoted(n, v string) {
	if hasBreak(v) || strings.IndexByte(v, '"') >= 0 {
		e.fail("%s %q holds a quote or a line break", n, v)
	}
	e.name(n)
	e.b = append(e.b, '"')
	e.b = append(e.b, v...)
	e.b = append(e.b, '"')
}

// enum writes an enumerated-string attribute.
func (e *encoder) enum(n, v string) {
	if !isEnum(v) {
		e.fail("%s %q is not an enumerated string", n, v)
	}
	e.name(n)
	e.b = append(e.b, v...)
}

func (e *encoder) int(n string, v int64) {
	e.name(n)
	e.b = strconv.AppendInt(e.b, v, 10)
}

func (e *encoder) yesNo(n string, v bool) {
	e.name(n)
	if v {
		e.str("YES")
	} else {
		e.str("NO")
	}
}

// other writes unmodelled attributes. Their names must not be those of
// the tag's modelled attributes, nor repeat; their values must read back
// as written: a quoted-string, or a value without quotes, commas or blanks
// around it.
func (e *encoder) other(attrs []Attr, modelled []string) {
	for i, a := range attrs {
		switch {
		case !isAttrName(a.Name) || !otherValue(a.Value):
			e.fail("attribute %s=%s cannot be written", a.Name, a.Value)
		case slices.Contains(modelled, a.Name):
			e.fail("attribute %s is not for Other: the package writes it", a.Name)
		case slices.ContainsFunc(attrs[:i], func(b Attr) bool { return b.Name == a.Name }):
			e.fail("attribute %s appears twice", a.Name)
		}
		e.name(a.Name)
		e.str(a.Value)
	}
}

// otherValue reports whether v can be written as an attribute value that
// parses back to v.
func otherValue(v string) bool {
	if v == "" || hasBreak(v) {
		return false
	}
	if v[0] == '"' {
		return len(v) >= 2 && v[len(v)-1] == '"' && strings.IndexByte(v[1:len(v)-1], '"') < 0
	}
	last := v[len(v)-1]
	return v[0] != ' ' && v[0] != '\t' && last != ' ' && last != '\t' && strings.IndexAny(v, ",\"") < 0
}

// The attributes the package models, which Other must not hold. PROGRAM-ID,
// which Parse drops, is never written.
var (
	streamAttrs    = []string{"BANDWIDTH", "AVERAGE-BANDWIDTH", "CODECS", "RESOLUTION", "HDCP-LEVEL", "VIDEO-RANGE", "VIDEO", "PROGRAM-ID"}
	variantAttrs   = append(slices.Clip(streamAttrs), "FRAME-RATE", "AUDIO", "SUBTITLES", "CLOSED-CAPTIONS")
	iframeAttrs    = append(slices.Clip(streamAttrs), "URI")
	renditionAttrs = []string{"TYPE", "GROUP-ID", "NAME", "LANGUAGE", "ASSOC-LANGUAGE", "DEFAULT", "AUTOSELECT", "FORCED",
		"INSTREAM-ID", "CHARACTERISTICS", "CHANNELS", "URI"}
)

// uri writes a URI line.
func (e *encoder) uri(what, u string) {
	if u == "" || u[0] == '#' || u[0] == ' ' || u[len(u)-1] == ' ' || u[0] == '\t' || u[len(u)-1] == '\t' || hasBreak(u) {
		e.fail("%s URI %q cannot be written on a line of its own", what, u)
	}
	e.str(u)
	e.nl()
}

// rawTags writes unmodelled tags of a playlist of kind in. A tag the
// parser would read as another (a modelled one, or one of the other
// playlist type) is an error.
func (e *encoder) rawTags(tags []string, in kind) {
	for _, t := range tags {
		if !strings.HasPrefix(t, "#EXT") || hasBreak(t) {
			e.fail("tag %q is not one line starting with #EXT", t)
		}
		if name, _, _ := splitTag(t); modelledTag(name, in) {
			e.fail("tag %q: the package writes %s itself", t, name)
		} else if k := tagKind(name); k != kindUnknown && k != in {
			e.fail("tag %q belongs in a %s playlist", t, k)
		}
		e.str(t)
		e.nl()
	}
}

// modelledTag reports whether the parser of a playlist of kind in reads
// the tag name as a modelled tag.
func modelledTag(name string, in kind) bool {
	switch name {
	case "EXTM3U", "EXT-X-VERSION", "EXT-X-INDEPENDENT-SEGMENTS":
		return true
	}
	switch in {
	case kindMedia:
		switch name {
		case "EXTINF", "EXT-X-TARGETDURATION", "EXT-X-MEDIA-SEQUENCE", "EXT-X-DISCONTINUITY-SEQUENCE",
			"EXT-X-PLAYLIST-TYPE", "EXT-X-I-FRAMES-ONLY", "EXT-X-ENDLIST", "EXT-X-BYTERANGE",
			"EXT-X-DISCONTINUITY", "EXT-X-PROGRAM-DATE-TIME", "EXT-X-MAP", "EXT-X-KEY":
			return true
		}
	default:
		switch name {
		case "EXT-X-MEDIA", "EXT-X-STREAM-INF", "EXT-X-I-FRAME-STREAM-INF":
			return true
		}
	}
	return false
}

func (e *encoder) byteRange(r *ByteRange) {
	if r.Length < 0 || r.Offset < 0 || r.Offset > maxInt64-r.Length {
		e.fail("byte range %d@%d", r.Length, r.Offset)
	}
	e.b = strconv.AppendInt(e.b, r.Length, 10)
	e.b = append(e.b, '@')
	e.b = strconv.AppendInt(e.b, r.Offset, 10)
}

const maxInt64 = 1<<63 - 1

func (e *encoder) mapTag(m *Map) {
	e.tag("#EXT-X-MAP:")
	e.quoted("URI", m.URI)
	if m.URI == "" {
		e.fail("EXT-X-MAP without a URI")
	}
	if m.ByteRange != nil {
		e.name("BYTERANGE")
		e.b = append(e.b, '"')
		e.byteRange(m.ByteRange)
		e.b = append(e.b, '"')
	}
	e.nl()
}

func (e *encoder) key(k *Key) {
	e.tag("#EXT-X-KEY:")
	e.enum("METHOD", k.Method)
	if k.Method != "NONE" {
		if k.URI == "" {
			e.fail("EXT-X-KEY METHOD=%s without a URI", k.Method)
		}
		e.quoted("URI", k.URI)
	}
	if k.IV != "" {
		if !isHex(k.IV) {
			e.fail("EXT-X-KEY IV %q is not a hexadecimal-sequence", k.IV)
		}
		e.name("IV")
		e.str(k.IV)
	}
	if k.KeyFormat != "" {
		e.quoted("KEYFORMAT", k.KeyFormat)
	}
	if k.KeyFormatVersions != "" {
		e.quoted("KEYFORMATVERSIONS", k.KeyFormatVersions)
	}
	e.nl()
}

// hasBreak reports whether s holds a CR or an LF, which would end the line.
func hasBreak(s string) bool {
	// One pass: URIs are short, so a plain loop beats two IndexByte calls.
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\n' || c == '\r' {
			return true
		}
	}
	return false
}

// isEnum reports whether s is a non-empty enumerated-string: no quotes,
// commas or whitespace.
func isEnum(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == '"' || c == ',' || c >= 0x7f {
			return false
		}
	}
	return true
}

// isAttrName reports whether s is an AttributeName: [A-Z0-9-]+.
func isAttrName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// isHex reports whether s is a hexadecimal-sequence: 0x or 0X and digits.
func isHex(s string) bool {
	if len(s) < 3 || s[0] != '0' || s[1] != 'x' && s[1] != 'X' {
		return false
	}
	for i := 2; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
