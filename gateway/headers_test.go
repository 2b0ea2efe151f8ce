package gateway

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// roundTripFunc is a RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// respond returns a minimal response to r.
func respond(r *http.Request, status int, body string, header http.Header) *http.Response {
	if header == nil {
		header = http.Header{}
	}
	return &http.Response{StatusCode: status, Header: header, Body: io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)), Request: r, ProtoMajor: 1, ProtoMinor: 1}
}

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	require.NoError(t, err)
	return u
}

// capturePool returns a Pool whose single upstream is a function that
// records the outbound request and answers with header.
func capturePool(t *testing.T, opts *PoolOptions, header http.Header) (*Pool, *http.Request) {
	t.Helper()
	var got http.Request
	opts.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		got = *r
		return respond(r, 200, "ok", header), nil
	})
	p, err := NewPool([]*url.URL{mustURL(t, "http://origin.internal:9000")}, opts)
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })
	return p, &got
}

func TestForwardingHeaders(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	cases := []struct {
		name       string
		remote     string
		tls        bool
		in         http.Header
		xff, fwd   string
		host, prot string
	}{
		{
			name: "untrusted peer's headers are replaced", remote: "203.0.113.7:5555",
			in:  http.Header{"X-Forwarded-For": {"1.2.3.4"}, "Forwarded": {"for=1.2.3.4"}, "X-Forwarded-Host": {"evil"}, "X-Forwarded-Proto": {"https"}},
			xff: "203.0.113.7", fwd: "for=203.0.113.7;host=video.example.com;proto=http", host: "video.example.com", prot: "http",
		},
		{
			name: "trusted proxy's chain is appended to", remote: "10.1.2.3:5555",
			in:  http.Header{"X-Forwarded-For": {"1.2.3.4, 5.6.7.8", "9.9.9.9"}, "Forwarded": {`for=1.2.3.4;proto=https`}, "X-Forwarded-Host": {"orig.example"}, "X-Forwarded-Proto": {"https"}},
			xff: "1.2.3.4, 5.6.7.8, 9.9.9.9, 10.1.2.3", fwd: "for=1.2.3.4;proto=https, for=10.1.2.3;host=video.example.com;proto=http", host: "orig.example", prot: "https",
		},
		{
			name: "IPv6 is quoted and bracketed", remote: "[2001:db8::1]:443", tls: true,
			xff: "2001:db8::1", fwd: `for="[2001:db8::1]";host=video.example.com;proto=https`, host: "video.example.com", prot: "https",
		},
		{
			name: "IPv4-mapped IPv6 is unmapped", remote: "[::ffff:192.0.2.1]:1",
			xff: "192.0.2.1", fwd: "for=192.0.2.1;host=video.example.com;proto=http", host: "video.example.com", prot: "http",
		},
		{
			name: "no IP peer", remote: "@unix",
			in:  http.Header{"X-Forwarded-For": {"1.2.3.4"}},
			xff: "", fwd: "for=unknown;host=video.example.com;proto=http", host: "video.example.com", prot: "http",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, got := capturePool(t, &PoolOptions{TrustedProxies: trusted}, nil)
			r := httptest.NewRequest("GET", "http://video.example.com/x", nil)
			r.RemoteAddr = tc.remote
			if tc.tls {
				r.TLS = &tls.ConnectionState{}
			}
			for k, v := range tc.in {
				r.Header[k] = v
			}
			w := httptest.NewRecorder()
			p.ServeHTTP(w, r)
			require.Equal(t, 200, w.Code)
			require.Equal(t, tc.xff, got.Header.Get("X-Forwarded-For"))
			require.Len(t, got.Header.Values("X-Forwarded-For"), min(1, len(tc.xff)))
			require.Equal(t, tc.fwd, got.Header.Get("Forwarded"))
			require.Equal(t, tc.host, got.Header.Get("X-Forwarded-Host"))
			require.Equal(t, tc.prot, got.Header.Get("X-Forwarded-Proto"))
		})
	}
}

func TestForwardedHostIsQuotedWithAPort(t *testing.T) {
	p, got := capturePool(t, &PoolOptions{}, nil)
	r := httptest.NewRequest("GET", "http://video.example.com:8080/x", nil)
	p.ServeHTTP(httptest.NewRecorder(), r)
	require.Equal(t, `for=192.0.2.1;host="video.example.com:8080";proto=http`, got.Header.Get("Forwarded"))
}

func TestHostHeader(t *testing.T) {
	for _, preserve := range []bool{false, true} {
		p, got := capturePool(t, &PoolOptions{PreserveHost: preserve}, nil)
		p.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "http://video.example.com/x", nil))
		want := "origin.internal:9000"
		if preserve {
			want = "video.example.com"
		}
		require.Equal(t, want, cmpOr(got.Host, got.URL.Host), "PreserveHost %v", preserve)
	}
}

func TestHopByHopHeaders(t *testing.T) {
	p, got := capturePool(t, &PoolOptions{}, http.Header{
		"Connection": {"X-Bar"}, "X-Bar": {"hop"}, "Keep-Alive": {"timeout=5"}, "X-End": {"end"},
	})
	r := httptest.NewRequest("GET", "http://video.example.com/x", nil)
	r.Header.Set("Connection", "X-Foo, keep-alive")
	r.Header.Set("X-Foo", "hop")
	r.Header.Set("Proxy-Authorization", "Basic c2VjcmV0")
	r.Header.Set("X-Keep", "end")
	w := httptest.NewRecorder()
	p.ServeHTTP(w, r)
	require.Equal(t, 200, w.Code)

	require.Empty(t, got.Header.Values("X-Foo"), "a header the client's Connection named went upstream")
	require.Empty(t, got.Header.Values("Connection"))
	require.Empty(t, got.Header.Values("Proxy-Authorization"))
	require.Equal(t, "end", got.Header.Get("X-Keep"))

	require.Empty(t, w.Header().Values("X-Bar"), "a header the upstream's Connection named reached the client")
	require.Empty(t, w.Header().Values("Keep-Alive"))
	require.Equal(t, "end", w.Header().Get("X-End"))
}
