package ratelimit

import (
	"net/http"
	"net/netip"
	"strings"
)

// ClientIP returns the address of the client that sent r. It starts from
// the peer (r.RemoteAddr) and, only while the hop it has is a trusted proxy,
// steps leftwards through X-Forwarded-For, so a client cannot choose its
// own address by sending the header. An entry that does not parse ends the
// walk at the last good hop. ok is false only when RemoteAddr itself is not
// an address (as for a Unix socket).
func ClientIP(r *http.Request, trusted []netip.Prefix) (addr netip.Addr, ok bool) {
	client, err := parseHop(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}, false
	}
	if !isTrusted(client, trusted) {
		return client, true
	}
	values := r.Header.Values("X-Forwarded-For")
	for i := len(values) - 1; i >= 0; i-- {
		hops := values[i]
		for hops != "" {
			var hop string
			if j := strings.LastIndexByte(hops, ','); j >= 0 {
				hop, hops = hops[j+1:], hops[:j]
			} else {
				hop, hops = hops, ""
			}
			a, err := parseHop(strings.TrimSpace(hop))
			if err != nil {
				return client, true
			}
			client = a
			if !isTrusted(client, trusted) {
				return client, true
			}
		}
	}
	return client, true
}

// parseHop parses "ip", "ip:port" or "[ipv6]:port", unmapping IPv4-in-IPv6
// and dropping zones.
func parseHop(s string) (netip.Addr, error) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), nil
	}
	a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
	if err != nil {
		return netip.Addr{}, err
	}
	return a.Unmap().WithZone(""), nil
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ByIP keys a rule by the client's address (see ClientIP): IPv4 addresses
// as they are, IPv6 addresses by their /64, which one client usually holds
// whole. Requests whose peer is not an IP address (a Unix socket) are left
// out of the rule: behind a proxy on a Unix socket, key by a header the
// proxy sets instead.
func ByIP(trusted ...netip.Prefix) func(*http.Request) (string, bool) {
	return func(r *http.Request) (string, bool) {
		a, ok := ClientIP(r, trusted)
		if !ok {
			return "", false
		}
		if a.Is6() {
			p, _ := a.Prefix(64)
			return p.String(), true
		}
		return a.String(), true
	}
}

// ByHeader keys a rule by the value of a request header, such as an API
// key. Requests without the header are not limited by the rule.
func ByHeader(name string) func(*http.Request) (string, bool) {
	return func(r *http.Request) (string, bool) {
		v := r.Header.Get(name)
		return v, v != ""
	}
}
