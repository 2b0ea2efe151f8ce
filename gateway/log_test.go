package gateway

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAccessLog(t *testing.T) {
	var hits atomic.Int64
	origin := cacheableOrigin(t, &hits)
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	g := newGateway(t, &Config{Logger: logger, Routes: []RouteConfig{
		{Name: "video", Prefix: "/v", Upstreams: []string{origin.URL}, Cache: &CacheConfig{Enabled: true}},
	}})
	for range 2 {
		r := httptest.NewRequest("GET", "http://video.example.com/v/seg.ts?token=secret", nil)
		r.RemoteAddr = "192.0.2.9:4000"
		g.ServeHTTP(httptest.NewRecorder(), r)
	}
	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	require.Len(t, lines, 2)
	var rec map[string]any
	require.NoError(t, json.Unmarshal(lines[1], &rec))
	require.Equal(t, "request", rec["msg"])
	require.Equal(t, "GET", rec["method"])
	require.Equal(t, "video.example.com", rec["host"])
	require.Equal(t, "/v/seg.ts", rec["path"])
	require.EqualValues(t, 200, rec["status"])
	require.EqualValues(t, len("GET /v/seg.ts 0"), rec["bytes"])
	require.Equal(t, "video", rec["route"])
	require.Equal(t, XCacheHit, rec["cache"])
	require.Equal(t, "192.0.2.9:4000", rec["remote"])
	require.Contains(t, rec, "duration")
	require.NotContains(t, buf.String(), "secret", "the query reached the log")
}

func TestAccessLogNil(t *testing.T) {
	h := new(Metrics)
	require.Same(t, h, AccessLog(nil, h))
}

func TestAccessLogPanic(t *testing.T) {
	var buf bytes.Buffer
	var m Metrics
	h := AccessLog(slog.New(slog.NewJSONHandler(&buf, nil)), m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic(http.ErrAbortHandler)
	})))
	require.PanicsWithValue(t, http.ErrAbortHandler, func() { h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil)) })
	require.Contains(t, buf.String(), `"status":500`)
	s := scrapeText(t, &m)
	require.Equal(t, 1.0, s[`v100_gateway_requests_total{route="unrouted",code="5xx"}`])
}
