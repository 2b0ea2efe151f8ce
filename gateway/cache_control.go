package gateway

import (
	"strconv"
	"strings"
)

// maxDelta is the largest delta-seconds value kept: RFC 9111 §1.2.2 says a
// larger value is taken as 2^31.
const maxDelta = 1 << 31

// noDelta marks a delta-seconds directive that is absent.
const noDelta = -1

// cacheControl is a parsed Cache-Control field (RFC 9111 §5.2, RFC 5861),
// of a request or a response. Delta-seconds directives hold whole seconds,
// or noDelta when absent.
//
// The parser is forgiving and, where a value is odd, restrictive (RFC 9111
// §4.2.1): a delta-seconds value that is not a non-empty run of digits
// (negative, fractional, empty, garbage) counts as 0; a value may be a
// quoted string ("60"); a repeated directive keeps its smallest value; a
// value beyond 2^31 counts as 2^31; names are case-insensitive; unknown
// directives are ignored. The field-name forms no-cache="…" and private="…"
// count as their unqualified forms.
type cacheControl struct {
	maxAge, sMaxAge      int64
	staleWhileRevalidate int64
	staleIfError         int64

	noStore, noCache, private, public bool
	mustRevalidate, proxyRevalidate   bool
	onlyIfCached                      bool
}

// parseCacheControl parses every line of a Cache-Control field.
func parseCacheControl(lines []string) cacheControl {
	cc := cacheControl{maxAge: noDelta, sMaxAge: noDelta, staleWhileRevalidate: noDelta, staleIfError: noDelta}
	for _, s := range lines {
		for s != "" {
			i := 0
			for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == ',') {
				i++
			}
			s = s[i:]
			if s == "" {
				break
			}
			j := 0
			for j < len(s) && s[j] != '=' && s[j] != ',' {
				j++
			}
			name := trimOWS(s[:j])
			s = s[j:]
			val, hasVal := "", false
			if s != "" && s[0] == '=' {
				hasVal = true
				s = strings.TrimLeft(s[1:], " \t")
				if s != "" && s[0] == '"' {
					val, s = readQuoted(s)
					// Whatever follows the closing quote up to the next comma
					// is garbage: skip it.
					if k := strings.IndexByte(s, ','); k >= 0 {
						s = s[k:]
					} else {
						s = ""
					}
				} else {
					k := strings.IndexByte(s, ',')
					if k < 0 {
						k = len(s)
					}
					val, s = trimOWS(s[:k]), s[k:]
				}
			}
			cc.apply(name, val, hasVal)
		}
	}
	return cc
}

func (cc *cacheControl) apply(name, val string, hasVal bool) {
	switch {
	case strings.EqualFold(name, "max-age"):
		cc.maxAge = minDelta(cc.maxAge, parseDelta(val, hasVal))
	case strings.EqualFold(name, "s-maxage"):
		cc.sMaxAge = minDelta(cc.sMaxAge, parseDelta(val, hasVal))
	case strings.EqualFold(name, "stale-while-revalidate"):
		cc.staleWhileRevalidate = minDelta(cc.staleWhileRevalidate, parseDelta(val, hasVal))
	case strings.EqualFold(name, "stale-if-error"):
		cc.staleIfError = minDelta(cc.staleIfError, parseDelta(val, hasVal))
	case strings.EqualFold(name, "no-store"):
		cc.noStore = true
	case strings.EqualFold(name, "no-cache"):
		cc.noCache = true
	case strings.EqualFold(name, "private"):
		cc.private = true
	case strings.EqualFold(name, "public"):
		cc.public = true
	case strings.EqualFold(name, "must-revalidate"):
		cc.mustRevalidate = true
	case strings.EqualFold(name, "proxy-revalidate"):
		cc.proxyRevalidate = true
	case strings.EqualFold(name, "only-if-cached"):
		cc.onlyIfCached = true
	}
}

// parseDelta parses delta-seconds: 1*DIGIT. Anything else is 0.
func parseDelta(s string, hasVal bool) int64 {
	if !hasVal || s == "" {
		return 0
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0
		}
		if n < maxDelta {
			n = n*10 + int64(c-'0')
		}
	}
	return min(n, maxDelta)
}

func minDelta(old, v int64) int64 {
	if old == noDelta {
		return v
	}
	return min(old, v)
}

// readQuoted reads a quoted-string at the start of s and returns its
// unescaped content and the rest of s after the closing quote. An
// unterminated string runs to the end of s.
func readQuoted(s string) (string, string) {
	var b strings.Builder
	escaped := false
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case escaped:
			b.WriteByte(c)
			escaped = false
		case c == '\\':
			escaped = true
		case c == '"':
			return b.String(), s[i+1:]
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), ""
}

func trimOWS(s string) string { return strings.Trim(s, " \t") }

// String returns cc in a canonical form that parses back to cc.
func (cc cacheControl) String() string {
	var parts []string
	flag := func(on bool, name string) {
		if on {
			parts = append(parts, name)
		}
	}
	delta := func(v int64, name string) {
		if v != noDelta {
			parts = append(parts, name+"="+strconv.FormatInt(v, 10))
		}
	}
	flag(cc.noStore, "no-store")
	flag(cc.noCache, "no-cache")
	flag(cc.private, "private")
	flag(cc.public, "public")
	flag(cc.mustRevalidate, "must-revalidate")
	flag(cc.proxyRevalidate, "proxy-revalidate")
	flag(cc.onlyIfCached, "only-if-cached")
	delta(cc.maxAge, "max-age")
	delta(cc.sMaxAge, "s-maxage")
	delta(cc.staleWhileRevalidate, "stale-while-revalidate")
	delta(cc.staleIfError, "stale-if-error")
	return strings.Join(parts, ", ")
}
