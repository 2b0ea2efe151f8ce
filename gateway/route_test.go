package gateway

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// echo answers with its name and the path it was given.
func echo(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s", name, r.URL.EscapedPath())
	})
}

// rawGet sends target as the request line, byte for byte, and returns the
// status and body.
func rawGet(t *testing.T, addr, host, target string) (int, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", target, host)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestHostilePaths(t *testing.T) {
	var admin atomic.Int64
	adminH := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		admin.Add(1)
		fmt.Fprintf(w, "admin %s", r.URL.EscapedPath())
	})
	rt, err := NewRouter([]Route{
		{PathPrefix: "/api", Handler: echo("api"), StripPrefix: true},
		{PathPrefix: "/admin", Handler: adminH},
		{PathPrefix: "/static/", Handler: echo("static")},
	})
	require.NoError(t, err)
	srv := httptest.NewServer(rt)
	defer srv.Close()
	addr := srv.Listener.Addr().String()

	cases := []struct {
		target string
		status int
		body   string // if not empty
	}{
		{"/api/x", 200, "api /x"},
		{"/api", 200, "api /"},
		{"/api/", 200, "api /"},
		{"/api/a%20b", 200, "api /a%20b"},
		{"/api/a%3Bb", 200, "api /a%3Bb"},
		{"/admin", 200, "admin /admin"},
		{"/admin/", 200, "admin /admin/"},
		{"/%61dmin", 200, "admin /%61dmin"}, // the same resource as /admin, spelled out
		{"/static/app.js", 200, "static /static/app.js"},
		{"/static", 200, "static /static"},

		{"/api/../admin", 400, ""},
		{"/api/./admin", 400, ""},
		{"//admin", 400, ""},
		{"/api//admin", 400, ""},
		{"/%2e%2e/admin", 400, ""},
		{"/api/%2e%2e/admin", 400, ""},
		{"/api/%2E%2E/admin", 400, ""},
		{"/api/.%2e/admin", 400, ""},
		{"/api/%2Fadmin", 400, ""},
		{"/api/%2fadmin", 400, ""},
		{"/api/..%2fadmin", 400, ""},
		{"/api%2F..%2Fadmin", 400, ""},
		{"/api/%5c..%5cadmin", 400, ""},
		{`/api/..\admin`, 400, ""},
		{"/api/..;/admin", 400, ""},
		{"/api/;/admin", 400, ""},
		{"/api/%252e%252e/admin", 400, ""},
		{"/api/%252fadmin", 400, ""},
		{"/api/%00/admin", 400, ""},
		{"/api/%0d%0aX:y", 400, ""},
		{"/api/x/.", 400, ""},
		{"/api/x/..", 400, ""},
		{"/api/%", 400, ""}, // a bad escape; net/http refuses it
		{"/adminx", 404, ""},
		{"/ADMIN", 404, ""},
		{"/apiadmin", 404, ""},
		{"/", 404, ""},
	}
	for _, tc := range cases {
		t.Run(tc.target, func(t *testing.T) {
			before := admin.Load()
			status, body := rawGet(t, addr, "example.com", tc.target)
			require.Equal(t, tc.status, status, "body %q", body)
			if tc.body != "" {
				require.Equal(t, tc.body, body)
			}
			if tc.status != 200 || tc.body[:5] != "admin" {
				require.Equal(t, before, admin.Load(), "the admin handler was reached")
			}
		})
	}
}

func TestRouteMatching(t *testing.T) {
	rt, err := NewRouter([]Route{
		{Name: "any-root", Handler: echo("any-root")},
		{Name: "any-api", PathPrefix: "/api", Handler: echo("any-api")},
		{Name: "any-api-v2", PathPrefix: "/api/v2/", Handler: echo("any-api-v2")},
		{Name: "wild", Host: "*.example.com", PathPrefix: "/api", Handler: echo("wild")},
		{Name: "exact", Host: "Video.Example.com", PathPrefix: "/", Handler: echo("exact")},
	})
	require.NoError(t, err)
	cases := []struct{ host, path, want string }{
		{"other.org", "/", "any-root"},
		{"other.org", "/api/x", "any-api"},
		{"other.org", "/api/v2", "any-api-v2"},
		{"other.org", "/api/v2/x", "any-api-v2"},
		{"other.org", "/api/v20", "any-api"},
		{"a.example.com", "/api/x", "wild"},
		{"A.EXAMPLE.COM:8080", "/api", "wild"},
		{"a.example.com.", "/api", "wild"},
		{"a.example.com", "/other", "any-root"}, // the wildcard route has no "/"
		{"a.b.example.com", "/api", "any-api"},  // one label only
		{"example.com", "/api", "any-api"},
		{"video.example.com", "/api/x", "exact"}, // the exact host wins over a longer prefix
		{"video.example.com:443", "/", "exact"},
	}
	for _, tc := range cases {
		t.Run(tc.host+tc.path, func(t *testing.T) {
			w := httptest.NewRecorder()
			r := httptest.NewRequest("GET", tc.path, nil)
			r.Host = tc.host
			rt.ServeHTTP(w, r)
			require.Equal(t, 200, w.Code)
			require.Equal(t, tc.want+" "+tc.path, w.Body.String())
		})
	}
}

func TestNewRouterRejects(t *testing.T) {
	h := echo("x")
	cases := []struct {
		name   string
		routes []Route
	}{
		{"no handler", []Route{{PathPrefix: "/"}}},
		{"relative prefix", []Route{{PathPrefix: "api", Handler: h}}},
		{"dot prefix", []Route{{PathPrefix: "/a/../b", Handler: h}}},
		{"double slash prefix", []Route{{PathPrefix: "/a//", Handler: h}}},
		{"bad host", []Route{{Host: "exa mple.com", Handler: h}}},
		{"wildcard in the middle", []Route{{Host: "a.*.com", Handler: h}}},
		{"bare wildcard", []Route{{Host: "*", Handler: h}}},
		{"duplicate", []Route{{PathPrefix: "/a", Handler: h}, {PathPrefix: "/a/", Handler: h, Name: "other"}}},
		{"duplicate name", []Route{{Name: "n", PathPrefix: "/a", Handler: h}, {Name: "n", PathPrefix: "/b", Handler: h}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewRouter(tc.routes)
			require.Error(t, err)
		})
	}
}

// Routing is on every request's path, cache hits included: it allocates
// nothing for a canonical path, whatever its case, or a host without a
// port.
func TestRouterDoesNotAllocate(t *testing.T) {
	nop := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	rt, err := NewRouter([]Route{{Host: "*.example.com", PathPrefix: "/v", Handler: nop}, {Handler: nop}})
	require.NoError(t, err)
	for _, tc := range []struct{ host, target string }{
		{"cdn.example.com:8080", "/v/videos/42/720p/index.m3u8"},
		{"cdn.example.com", "/v/videos/42/720p/index.m3u8"},
		{"cdn.example.com", "/v/Videos/42/Index.m3u8;x=1"},
		{"other.org", "/Segment%20One.ts"},
	} {
		t.Run(tc.host+tc.target, func(t *testing.T) {
			r := httptest.NewRequest("GET", tc.target, nil)
			r.Host = tc.host
			w := httptest.NewRecorder()
			got := testing.AllocsPerRun(100, func() { rt.ServeHTTP(w, r) })
			require.Zero(t, got, "allocations per request")
			require.Equal(t, 200, w.Code)
		})
	}
}
