package gateway

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkMetricsHandler: the cost Metrics.Handler and AccessLog add to
// a request.
func BenchmarkMetricsHandler(b *testing.B) {
	var m Metrics
	body := []byte("ok")
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		noteRoute(w, "api")
		w.Write(body)
	}))
	r := httptest.NewRequest("GET", "http://example.com/", nil)
	b.Run("metrics", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			w := &discardWriter{h: http.Header{}}
			for pb.Next() {
				h.ServeHTTP(w, r)
			}
		})
	})
	logged := AccessLog(slog.New(slog.DiscardHandler), h)
	b.Run("metrics+log", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			w := &discardWriter{h: http.Header{}}
			for pb.Next() {
				logged.ServeHTTP(w, r)
			}
		})
	})
}

// Metrics.Handler and AccessLog allocate nothing per request: the
// recorder they share is recycled.
func TestMetricsHandlerAllocatesNothing(t *testing.T) {
	var m Metrics
	h := AccessLog(slog.New(slog.DiscardHandler), m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		noteRoute(w, "api")
		w.WriteHeader(http.StatusNoContent)
	})))
	r := httptest.NewRequest("GET", "http://example.com/", nil)
	w := &discardWriter{h: http.Header{}}
	h.ServeHTTP(w, r)
	require.Zero(t, testing.AllocsPerRun(100, func() { h.ServeHTTP(w, r) }), "allocations per request")
	var b strings.Builder
	m.WriteTo(&b)
	require.Contains(t, b.String(), `v100_gateway_requests_total{route="api",code="2xx"} 102`)
}
