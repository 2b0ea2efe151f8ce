package gateway

import (
	"net/http"
	"strconv"
)

// appendPrimaryKey appends r's primary cache key: the host and the request
// target (escaped path and query). GET and HEAD share it; the scheme is
// not part of it.
func appendPrimaryKey(b []byte, r *http.Request) []byte {
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	b = append(b, host...)
	b = append(b, r.URL.EscapedPath()...)
	if r.URL.RawQuery != "" || r.URL.ForceQuery {
		b = append(b, '?')
		b = append(b, r.URL.RawQuery...)
	}
	return b
}

// appendVariant appends to a primary key the secondary key of the variant
// that request header h selects under m (RFC 9111 §4.1). Each field's
// values are normalised: lines are combined, and list members are trimmed
// of whitespace and joined with a comma; case is kept. An absent field is
// distinct from an empty one.
func appendVariant(b []byte, m *varyMarker, h http.Header) []byte {
	b = append(b, 0, 'v')
	b = strconv.AppendUint(b, m.gen, 10)
	for _, name := range m.names {
		b = append(b, 0)
		b = append(b, name...)
		values, ok := h[name]
		if !ok {
			b = append(b, 1)
			continue
		}
		b = append(b, '=')
		first := true
		for _, v := range values {
			for v != "" {
				i := 0
				for i < len(v) && v[i] != ',' {
					i++
				}
				part := trimOWS(v[:i])
				if i < len(v) {
					i++
				}
				v = v[i:]
				if part == "" {
					continue
				}
				if !first {
					b = append(b, ',')
				}
				first = false
				b = append(b, part...)
			}
		}
	}
	return b
}
