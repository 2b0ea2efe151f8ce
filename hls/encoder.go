package hls

import (
	"fmt"
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

func (e *encoder) other(attrs []Attr) {
	for _, a := range attrs {
		if !isAttrName(a.Name) || hasBreak(a.Value) || a.Value == "" {
			e.fail("attribute %s=%s cannot be written", a.Name, a.Value)
		}
		e.name(a.Name)
		e.str(a.Value)
	}
}

// uri writes a URI line.
func (e *encoder) uri(what, u string) {
	if u == "" || u[0] == '#' || u[0] == ' ' || u[len(u)-1] == ' ' || u[0] == '\t' || u[len(u)-1] == '\t' || hasBreak(u) {
		e.fail("%s URI %q cannot be written on a line of its own", what, u)
	}
	e.str(u)
	e.nl()
}

func (e *encoder) rawTags(tags []string) {
	for _, t := range tags {
		if !strings.HasPrefix(t, "#EXT") || hasBreak(t) {
			e.fail("tag %q is not one line starting with #EXT", t)
		}
		e.str(t)
		e.nl()
	}
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
