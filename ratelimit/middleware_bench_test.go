package ratelimit_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/v100video/v100/ratelimit"
)

// BenchmarkMiddleware is the cost the middleware adds to a request with two
// rules, headers included.
func BenchmarkMiddleware(b *testing.B) {
	m, err := ratelimit.NewMiddleware(ratelimit.MiddlewareOptions{Rules: []ratelimit.Rule{
		{Name: "ip", Limit: ratelimit.PerSecond(1_000_000_000, 1_000_000_000), Key: ratelimit.ByIP()},
		{Name: "apikey", Limit: ratelimit.PerSecond(1_000_000_000, 1_000_000_000), Key: ratelimit.ByHeader("X-API-Key")},
	}})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	h := m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "198.51.100.7:1"
	r.Header.Set("X-API-Key", "k")
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		clear(w.Header())
		h.ServeHTTP(w, r)
	}
}
