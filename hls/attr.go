package hls

import (
	"strconv"
	"strings"
)

// attr is one attribute of an attribute-list; value is raw, with the quotes
// of a quoted-string.
type attr struct {
	name, value string
}

// maxAttrs bounds the attributes of one tag: no tag of RFC 8216 has
// nearly as many.
const maxAttrs = 256

// parseAttrs splits an attribute-list (RFC 8216 4.2). It tolerates spaces
// around a value and rejects an unterminated quote, a missing '=', an empty
// value and a repeated name, with ErrSyntax, and more than maxAttrs
// attributes, with ErrTooLarge. It stops at the first problem; it returns
// the problem and its category.
func parseAttrs(s string) ([]attr, string, error) {
	var out []attr
	var seen map[string]struct{} // from the 9th attribute on
	kind := ErrSyntax
	msg := scanAttrs(s, func(name string, v0, v1 int) string {
		if len(out) == maxAttrs {
			kind = ErrTooLarge
			return "more than " + strconv.Itoa(maxAttrs) + " attributes"
		}
		dup := false
		if seen != nil {
			_, dup = seen[name]
			seen[name] = struct{}{}
		} else {
			for _, a := range out {
				dup = dup || a.name == name
			}
			if len(out) == 8 {
				// Sized for the attributes left, as far as commas tell.
				seen = make(map[string]struct{}, min(9+strings.Count(s[v1:], ","), maxAttrs+1))
				for _, a := range out {
					seen[a.name] = struct{}{}
				}
				seen[name] = struct{}{}
			}
		}
		if dup {
			return "attribute " + name + " appears twice"
		}
		out = append(out, attr{name, s[v0:v1]})
		return ""
	})
	if msg != "" {
		return nil, msg, kind
	}
	return out, "", nil
}

// scanAttrs walks an attribute-list, calling fn with each name and the
// bounds of its raw value in s. It returns what is wrong if s is malformed,
// or what fn returned if not empty, which stops the walk.
func scanAttrs(s string, fn func(name string, v0, v1 int) string) string {
	for i := 0; i < len(s); {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		eq := strings.IndexByte(s[i:], '=')
		if eq < 0 {
			return "attribute " + strconv.Quote(s[i:]) + " has no value"
		}
		name := s[i : i+eq]
		if !isAttrName(name) {
			return "bad attribute name " + strconv.Quote(name)
		}
		i += eq + 1
		start := i
		if i < len(s) && s[i] == '"' {
			end := strings.IndexByte(s[i+1:], '"')
			if end < 0 {
				return "attribute " + name + ": unterminated quoted string"
			}
			i += end + 2
		} else {
			for i < len(s) && s[i] != ',' {
				if s[i] == '"' {
					return "attribute " + name + ": stray quote"
				}
				i++
			}
		}
		end := i
		for end > start && (s[end-1] == ' ' || s[end-1] == '\t') {
			end--
		}
		if end == start {
			return "attribute " + name + " is empty"
		}
		if msg := fn(name, start, end); msg != "" {
			return msg
		}
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i < len(s) {
			if s[i] != ',' {
				return "attribute " + name + ": expected a comma after the value"
			}
			i++
			if i == len(s) {
				return "trailing comma"
			}
		}
	}
	return ""
}

// quotedValue returns the content of a quoted-string attribute.
func quotedValue(a attr) (string, string) {
	if len(a.value) < 2 || a.value[0] != '"' || a.value[len(a.value)-1] != '"' {
		return "", a.name + " must be a quoted string"
	}
	return a.value[1 : len(a.value)-1], ""
}

// enumValue returns an enumerated-string attribute.
func enumValue(a attr) (string, string) {
	if !isEnum(a.value) {
		return "", a.name + " must be an enumerated string"
	}
	return a.value, ""
}

func yesNoValue(a attr) (bool, string) {
	switch a.value {
	case "YES":
		return true, ""
	case "NO":
		return false, ""
	}
	return false, a.name + " must be YES or NO"
}

// decimalInt parses a decimal-integer no larger than max.
func decimalInt(s string, max uint64) (uint64, bool) {
	if s == "" || len(s) > 20 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil && n <= max
}

// decimalFloat parses a non-negative decimal-floating-point (digits with at
// most one dot): no sign, exponent, hex, NaN or Inf.
func decimalFloat(s string, max float64) (float64, bool) {
	if s == "" || len(s) > 64 {
		return 0, false
	}
	dots, digits := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			dots++
		default:
			return 0, false
		}
	}
	if dots > 1 || digits == 0 {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil && f <= max
}

// byteRangeValue parses n[@o]; hasOffset reports whether @o was there.
func byteRangeValue(s string) (r ByteRange, hasOffset, ok bool) {
	n, o, hasOffset := strings.Cut(s, "@")
	length, ok1 := decimalInt(n, maxInt64)
	var offset uint64
	ok2 := true
	if hasOffset {
		offset, ok2 = decimalInt(o, maxInt64)
	}
	if !ok1 || !ok2 || offset > maxInt64-length {
		return ByteRange{}, false, false
	}
	return ByteRange{Length: int64(length), Offset: int64(offset)}, hasOffset, true
}
