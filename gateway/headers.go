package gateway

import (
	"net/http"
	"net/http/httputil"
	"net/netip"
	"strings"
)

// forwarded is how a Pool tells its upstreams who asked: it sets
// X-Forwarded-For, X-Forwarded-Host, X-Forwarded-Proto and Forwarded
// (RFC 7239) on the outbound request.
//
// What the client sent in those headers is kept only when the peer is a
// trusted proxy: then the peer is appended to the chain it reported.
// Anyone else could write any address there, so from an untrusted peer
// the headers start afresh with the peer's own address.
func forwarded(pr *httputil.ProxyRequest, trusted []netip.Prefix) {
	in, out := pr.In, pr.Out.Header
	peer, ok := peerAddr(in.RemoteAddr)
	proto := "http"
	if in.TLS != nil {
		proto = "https"
	}
	trust := ok && isTrusted(peer, trusted)

	// ReverseProxy has removed the four headers from the outbound request
	// before Rewrite; put back what is trusted and append this hop.
	var xff, fwd string
	host, xproto := in.Host, proto
	if trust {
		xff = strings.Join(in.Header.Values("X-Forwarded-For"), ", ")
		fwd = strings.Join(in.Header.Values("Forwarded"), ", ")
		if h := in.Header.Get("X-Forwarded-Host"); h != "" {
			host = h
		}
		if p := in.Header.Get("X-Forwarded-Proto"); p != "" {
			xproto = p
		}
	}
	if ok {
		xff = appendList(xff, peer.String())
	}
	if xff != "" {
		out.Set("X-Forwarded-For", xff)
	}
	out.Set("X-Forwarded-Host", host)
	out.Set("X-Forwarded-Proto", xproto)

	// This hop's element: for= the peer, host= what it asked for, proto=
	// how it reached us (RFC 7239 section 5).
	var b strings.Builder
	if ok {
		b.WriteString("for=")
		b.WriteString(forwardedNode(peer))
	} else {
		b.WriteString("for=unknown")
	}
	if in.Host != "" {
		b.WriteString(";host=")
		b.WriteString(quoteIfNeeded(in.Host))
	}
	b.WriteString(";proto=")
	b.WriteString(proto)
	out.Set("Forwarded", appendList(fwd, b.String()))
}

func appendList(list, v string) string {
	if list == "" {
		return v
	}
	return list + ", " + v
}

// forwardedNode formats an address as an RFC 7239 node: IPv4 as it is,
// IPv6 in brackets and quotes ("[2001:db8::1]"), since ':' is not a token
// character.
func forwardedNode(a netip.Addr) string {
	if a.Is6() {
		return `"[` + a.String() + `]"`
	}
	return a.String()
}

// quoteIfNeeded returns s as an RFC 7230 token if it is one, else as a
// quoted string.
func quoteIfNeeded(s string) string {
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
			return `"` + r.Replace(s) + `"`
		}
	}
	return s
}

func isTokenChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// peerAddr parses a RemoteAddr ("ip:port", "[ipv6]:port" or a bare IP),
// unmapping IPv4-in-IPv6 and dropping zones, as ratelimit.ClientIP does.
func peerAddr(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// isIdempotent reports whether a request with method m may be sent again
// (RFC 9110 section 9.2.2) and the gateway retries it: GET, HEAD,
// OPTIONS, PUT and DELETE. POST and PATCH never are.
func isIdempotent(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}
