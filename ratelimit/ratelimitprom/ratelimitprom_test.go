package ratelimitprom_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/ratelimit"
	"github.com/v100video/v100/ratelimit/ratelimitprom"
)

func TestRegisterExportsStats(t *testing.T) {
	m, err := ratelimit.NewMiddleware(ratelimit.MiddlewareOptions{Rules: []ratelimit.Rule{
		{Name: "ip", Limit: ratelimit.PerMinute(1, 1), Key: ratelimit.ByIP()},
	}})
	require.NoError(t, err)
	defer m.Close()
	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, ratelimitprom.Register(reg, "api", m.Stats))
	h := m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for range 3 {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = "198.51.100.7:1"
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	want := `
# HELP v100_ratelimit_requests_total Requests by outcome.
# TYPE v100_ratelimit_requests_total counter
v100_ratelimit_requests_total{limiter="api",outcome="allowed"} 1
v100_ratelimit_requests_total{limiter="api",outcome="denied"} 2
# HELP v100_ratelimit_keys Keys tracked per rule.
# TYPE v100_ratelimit_keys gauge
v100_ratelimit_keys{limiter="api",rule="ip"} 1
`
	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(want), "v100_ratelimit_requests_total", "v100_ratelimit_keys"))
}
