package gateway

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Route sends the requests for a host and path prefix to a handler.
type Route struct {
	// Name labels the route in metrics and logs. If empty, Host+PathPrefix.
	Name string
	// Host is the host the route serves: "" for any, "example.com" for
	// that host alone, or "*.example.com" for any single label in front
	// of example.com (not example.com itself, nor a.b.example.com).
	// Matching ignores case, a port and a trailing dot.
	Host string
	// PathPrefix is the path the route serves, on '/' boundaries: "/api"
	// (or "/api/") serves /api and /api/..., not /apix. It must be
	// canonical (see Router). If empty, "/".
	PathPrefix string
	// StripPrefix removes PathPrefix from the path before Handler sees it
	// ("/api/x" reaches Handler as "/x").
	StripPrefix bool
	// Handler serves the route's requests: a Pool, a Cache in front of
	// one, or any in-process handler.
	Handler http.Handler
}

// Router sends each request to the route whose host matches most exactly
// and, among those, whose path prefix is longest. Create one with
// NewRouter.
//
// # Paths
//
// Before routing, the Router answers 400 Bad Request to any path that is
// not canonical, rather than cleaning it: a path with a "." or ".."
// segment (also encoded, as %2e%2e, or with ";params" after it), an empty
// segment ("//admin"), an encoded slash or backslash (%2F, %5C), a double
// encoded one (%252e, %252f), a literal backslash or a control character.
// Clients resolve dot segments before they send (RFC 3986 section 5.2),
// so only hand-made or hostile requests carry them; answering 400 leaves
// no room for the gateway and the handler behind it to disagree about
// which resource a path names, which cleaning or redirecting would.
type Router struct {
	routes []route
}

type route struct {
	Route
	prefix string // PathPrefix without a trailing '/', "" for "/"
	rank   int    // host specificity: 2 exact, 1 wildcard, 0 any
}

// NewRouter returns a Router for routes, or an error for a route with no
// handler, a malformed host or prefix, or a host and prefix (or a name)
// that another route already has.
func NewRouter(routes []Route) (*Router, error) {
	rt := &Router{}
	seen := map[string]bool{}
	names := map[string]bool{}
	for _, r := range routes {
		if r.PathPrefix == "" {
			r.PathPrefix = "/"
		}
		if r.Name == "" {
			r.Name = r.Host + r.PathPrefix
		}
		x := route{Route: r, prefix: strings.TrimSuffix(r.PathPrefix, "/")}
		switch {
		case r.Handler == nil:
			return nil, fmt.Errorf("gateway: route %q has no handler", r.Name)
		case !strings.HasPrefix(r.PathPrefix, "/") || !canonicalPath(r.PathPrefix) || strings.HasSuffix(r.PathPrefix, "//"):
			return nil, fmt.Errorf("gateway: route %q: path prefix %q is not a canonical path", r.Name, r.PathPrefix)
		}
		var err error
		if x.Host, x.rank, err = hostPattern(r.Host); err != nil {
			return nil, fmt.Errorf("gateway: route %q: %w", r.Name, err)
		}
		key := x.Host + " " + x.prefix
		if seen[key] {
			return nil, fmt.Errorf("gateway: route %q: another route has host %q and prefix %q", r.Name, r.Host, r.PathPrefix)
		}
		if names[r.Name] {
			return nil, fmt.Errorf("gateway: route name %q is used twice", r.Name)
		}
		seen[key], names[r.Name] = true, true
		rt.routes = append(rt.routes, x)
	}
	slices.SortStableFunc(rt.routes, func(a, b route) int {
		if c := cmp.Compare(b.rank, a.rank); c != 0 {
			return c
		}
		return cmp.Compare(len(b.prefix), len(a.prefix))
	})
	return rt, nil
}

// hostPattern checks and normalizes a route's host.
func hostPattern(h string) (string, int, error) {
	if h == "" {
		return "", 0, nil
	}
	h = strings.TrimSuffix(strings.ToLower(h), ".")
	rank := 2
	name := h
	if rest, ok := strings.CutPrefix(h, "*."); ok {
		rank, name = 1, rest
	}
	if !validHostname(name) {
		return "", 0, fmt.Errorf("host %q is not a host name or *.name", h)
	}
	return h, rank, nil
}

func validHostname(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// errPath is why a request's path was refused.
var errPath = errors.New("gateway: path is not canonical")

// ServeHTTP routes r, answering 400 to a path that is not canonical and
// 404 when no route matches.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if checkPath(r.URL) != nil {
		http.Error(w, "400 bad request: path is not canonical", http.StatusBadRequest)
		return
	}
	x := rt.match(requestHost(r), r.URL.Path)
	if x == nil {
		http.NotFound(w, r)
		return
	}
	noteRoute(w, x.Name)
	if x.StripPrefix && x.prefix != "" {
		r = stripPrefix(r, x.prefix)
	}
	x.Handler.ServeHTTP(w, r)
}

func (rt *Router) match(host, path string) *route {
	for i := range rt.routes {
		x := &rt.routes[i]
		if hostMatches(x.Host, host) && prefixMatches(x.prefix, path) {
			return x
		}
	}
	return nil
}

func hostMatches(pattern, host string) bool {
	if pattern == "" {
		return true
	}
	if rest, ok := strings.CutPrefix(pattern, "*"); ok {
		label, ok := strings.CutSuffix(host, rest)
		return ok && label != "" && !strings.Contains(label, ".")
	}
	return pattern == host
}

func prefixMatches(prefix, path string) bool {
	if !strings.HasPrefix(path, prefix) {
		return false
	}
	return len(path) == len(prefix) || path[len(prefix)] == '/'
}

// requestHost returns r's host in lower case without a port or a trailing
// dot.
func requestHost(r *http.Request) string {
	h := r.Host
	if strings.IndexByte(h, ':') >= 0 { // SplitHostPort allocates its error
		if host, _, err := net.SplitHostPort(h); err == nil {
			h = host
		}
	}
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

// stripPrefix returns a shallow copy of r without prefix, a canonical path
// of whole segments, at the front of its path.
func stripPrefix(r *http.Request, prefix string) *http.Request {
	r2 := new(http.Request)
	*r2 = *r
	u := new(url.URL)
	*u = *r.URL
	u.Path = rootIfEmpty(u.Path[len(prefix):])
	if u.RawPath != "" {
		// The raw path has the same segments (checkPath refused an
		// encoded slash): drop as many as the prefix has.
		n := strings.Count(prefix, "/")
		raw := u.RawPath
		for range n {
			if i := strings.IndexByte(raw[1:], '/'); i >= 0 {
				raw = raw[i+1:]
			} else {
				raw = ""
			}
		}
		u.RawPath = rootIfEmpty(raw)
	}
	r2.URL = u
	return r2
}

func rootIfEmpty(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// checkPath returns errPath unless u's path is canonical (see Router).
func checkPath(u *url.URL) error {
	if !strings.HasPrefix(u.Path, "/") || !canonicalPath(u.Path) {
		return errPath
	}
	if u.RawPath != "" && hasEncoded(u.RawPath, false) {
		return errPath
	}
	return nil
}

// hasEncoded reports whether s has an encoded slash or backslash (%2F,
// %5C), or, if dot, an encoded dot (%2E), in either case. It allocates
// nothing: it runs on every request.
func hasEncoded(s string, dot bool) bool {
	for i := 0; i+2 < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		switch c := s[i+2] | 0x20; s[i+1] {
		case '2':
			if c == 'f' || dot && c == 'e' {
				return true
			}
		case '5':
			if c == 'c' {
				return true
			}
		}
	}
	return false
}

// canonicalPath reports whether the decoded path p has no dot or empty
// segment (a trailing '/' aside), no backslash or control character, and
// nothing that decodes once more into a dot, slash or backslash.
func canonicalPath(p string) bool {
	for i := 0; i < len(p); i++ {
		if c := p[i]; c == '\\' || c < 0x20 || c == 0x7f {
			return false
		}
	}
	if hasEncoded(p, true) {
		return false
	}
	rest := p[1:]
	for {
		s, after, more := strings.Cut(rest, "/")
		s, _, _ = strings.Cut(s, ";") // "..;x" is ".." to some servers
		switch {
		case s == "" && !more: // a trailing '/'
		case s == "", s == ".", s == "..":
			return false
		}
		if !more {
			return true
		}
		rest = after
	}
}
