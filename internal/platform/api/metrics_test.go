package api

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/internal/platform/store"
)

// scrape returns the samples of GET /metrics by series.
func (a *testAPI) scrape(t *testing.T) map[string]float64 {
	t.Helper()
	code, h, b := a.do(t, http.MethodGet, "/metrics", "")
	require.Equal(t, http.StatusOK, code, "%s", b)
	require.True(t, strings.HasPrefix(h.Get("Content-Type"), "text/plain; version=0.0.4"))
	out := map[string]float64{}
	for _, l := range strings.Split(string(b), "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		i := strings.LastIndexByte(l, ' ')
		require.Positive(t, i, "line %q", l)
		v, err := strconv.ParseFloat(l[i+1:], 64)
		require.NoError(t, err, "line %q", l)
		out[l[:i]] = v
	}
	return out
}

func TestMetrics(t *testing.T) {
	a := newTestAPI(t, Config{})
	v := a.ready(t, store.Public)
	_, err := a.cfg.Store.Create(t.Context(), nil, store.Waiting, "w.mp4", 1)
	require.NoError(t, err)
	for range 3 {
		code, _, _ := a.do(t, http.MethodGet, "/v1/playback/"+v.PlaybackID+"/360p/seg-0.m4s", "")
		require.Equal(t, http.StatusOK, code)
	}
	code, _, _ := a.do(t, http.MethodGet, "/v1/playback/"+v.PlaybackID+"/nope.m4s", "")
	require.Equal(t, http.StatusNotFound, code)
	code, _, _ = a.do(t, http.MethodGet, "/v1/videos", "")
	require.Equal(t, http.StatusOK, code)

	m := a.scrape(t)
	for series, want := range map[string]float64{
		`v100_gateway_requests_total{route="playback",code="2xx"}`:          3,
		`v100_gateway_requests_total{route="playback",code="4xx"}`:          1,
		`v100_gateway_requests_total{route="api",code="2xx"}`:               1,
		`v100_gateway_cache_requests_total{route="playback",result="hit"}`:  2,
		`v100_gateway_cache_requests_total{route="playback",result="miss"}`: 2, // the 404 too
		`v100_videos{status="ready"}`:                                       1,
		`v100_videos{status="waiting"}`:                                     1,
		`v100_videos{status="failed"}`:                                      0,
		`v100_jobs_running`:                                                 0,
		`v100_jobs_waiting`:                                                 1,
		`v100_playback_ratelimit_total{decision="allowed"}`:                 4,
		`v100_playback_ratelimit_total{decision="denied"}`:                  0,
	} {
		got, ok := m[series]
		require.True(t, ok, "no %s in %v", series, m)
		require.Equal(t, want, got, series)
	}
}
