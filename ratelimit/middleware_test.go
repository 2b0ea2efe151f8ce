package ratelimit_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/ratelimit"
)

func newMiddleware(t *testing.T, opts ratelimit.MiddlewareOptions) http.Handler {
	t.Helper()
	m, err := ratelimit.NewMiddleware(opts)
	require.NoError(t, err)
	t.Cleanup(func() { m.Close() })
	return m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
}

func get(h http.Handler, remote, apiKey string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", "/v1/videos", nil)
	r.RemoteAddr = remote
	if apiKey != "" {
		r.Header.Set("X-API-Key", apiKey)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestMiddlewareLimitsPerIPWithHeaders(t *testing.T) {
	h := newMiddleware(t, ratelimit.MiddlewareOptions{Rules: []ratelimit.Rule{
		{Name: "ip", Limit: ratelimit.PerMinute(60, 3), Key: ratelimit.ByIP()},
	}})
	for i := range 3 {
		w := get(h, "198.51.100.7:1", "")
		require.Equal(t, http.StatusOK, w.Code, "request %d", i)
		require.Equal(t, `"ip";q=60;w=60`, w.Header().Get("RateLimit-Policy"))
		require.Regexp(t, `^"ip";r=`+string(rune('2'-i))+`;t=\d+$`, w.Header().Get("RateLimit"))
	}
	w := get(h, "198.51.100.7:1", "")
	require.Equal(t, http.StatusTooManyRequests, w.Code)
	require.Equal(t, "1", w.Header().Get("Retry-After"), "one event per second: retry after 1 s")
	require.Equal(t, `"ip";q=60;w=60`, w.Header().Get("RateLimit-Policy"), "headers on denials too")
	require.Equal(t, `"ip";r=0;t=3`, w.Header().Get("RateLimit"))
	require.Empty(t, w.Header().Get("X-RateLimit-Limit"), "legacy headers are opt-in")

	require.Equal(t, http.StatusOK, get(h, "198.51.100.8:1", "").Code, "another client has its own budget")
}

func TestMiddlewareComposesRules(t *testing.T) {
	m, err := ratelimit.NewMiddleware(ratelimit.MiddlewareOptions{
		LegacyHeaders: true,
		Rules: []ratelimit.Rule{
			{Name: "ip", Limit: ratelimit.PerSecond(100, 100), Key: ratelimit.ByIP()},
			{Name: "apikey", Limit: ratelimit.PerMinute(2, 2), Key: ratelimit.ByHeader("X-API-Key")},
		},
	})
	require.NoError(t, err)
	defer m.Close()
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))

	w := get(h, "198.51.100.7:1", "k1")
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, `"ip";q=100;w=1, "apikey";q=2;w=60`, w.Header().Get("RateLimit-Policy"))
	require.Equal(t, `"ip";r=99;t=1, "apikey";r=1;t=30`, w.Header().Get("RateLimit"))
	require.Equal(t, "2", w.Header().Get("X-RateLimit-Limit"), "legacy headers describe the tightest rule")
	require.Equal(t, "1", w.Header().Get("X-RateLimit-Remaining"))

	get(h, "198.51.100.9:1", "k1") // the key is shared across IPs
	w = get(h, "198.51.100.10:1", "k1")
	require.Equal(t, http.StatusTooManyRequests, w.Code, "the API key's limit applies across IPs")
	require.Equal(t, "30", w.Header().Get("Retry-After"))
	require.Equal(t, `"ip";r=100;t=1, "apikey";r=0;t=60`, w.Header().Get("RateLimit"), "the ip rule was refunded: a new address, full budget")
	require.Equal(t, http.StatusOK, get(h, "198.51.100.10:1", "").Code, "no key: the key rule does not apply")

	st := m.Stats()
	require.Equal(t, uint64(3), st.Allowed)
	require.Equal(t, uint64(1), st.Denied)
	require.Equal(t, 3, st.Rules["ip"].Keys)
}

func TestDeniedRequestCostsEarlierRulesNothing(t *testing.T) {
	h := newMiddleware(t, ratelimit.MiddlewareOptions{Rules: []ratelimit.Rule{
		{Name: "ip", Limit: ratelimit.PerMinute(3, 3), Key: ratelimit.ByIP()},
		{Name: "apikey", Limit: ratelimit.PerMinute(1, 1), Key: ratelimit.ByHeader("X-API-Key")},
	}})
	require.Equal(t, http.StatusOK, get(h, "198.51.100.7:1", "k").Code)
	for range 5 {
		require.Equal(t, http.StatusTooManyRequests, get(h, "198.51.100.7:1", "k").Code, "the key is spent")
	}
	// The key's denials did not spend the address's budget: 2 are left.
	require.Equal(t, http.StatusOK, get(h, "198.51.100.7:1", "").Code)
	require.Equal(t, http.StatusOK, get(h, "198.51.100.7:1", "").Code)
	require.Equal(t, http.StatusTooManyRequests, get(h, "198.51.100.7:1", "").Code)
}

func TestMiddlewareCustomDeniedAndKeyFunc(t *testing.T) {
	h := newMiddleware(t, ratelimit.MiddlewareOptions{
		Rules: []ratelimit.Rule{{Name: "route", Limit: ratelimit.PerMinute(1, 1),
			Key: func(r *http.Request) (string, bool) { return r.URL.Path, true }}},
		Denied: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
		}),
	})
	require.Equal(t, http.StatusOK, get(h, "198.51.100.7:1", "").Code)
	w := get(h, "198.51.100.8:1", "")
	require.Equal(t, http.StatusServiceUnavailable, w.Code)
	require.Equal(t, "60", w.Header().Get("Retry-After"))
}

func TestNewMiddlewareRejectsBadRules(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rules []ratelimit.Rule
	}{
		{"empty name", []ratelimit.Rule{{Limit: ratelimit.PerSecond(1, 1), Key: ratelimit.ByIP()}}},
		{"quote in name", []ratelimit.Rule{{Name: `a"b`, Limit: ratelimit.PerSecond(1, 1), Key: ratelimit.ByIP()}}},
		{"repeated name", []ratelimit.Rule{{Name: "a", Limit: ratelimit.PerSecond(1, 1), Key: ratelimit.ByIP()}, {Name: "a", Limit: ratelimit.PerSecond(1, 1), Key: ratelimit.ByIP()}}},
		{"no key func", []ratelimit.Rule{{Name: "a", Limit: ratelimit.PerSecond(1, 1)}}},
		{"bad limit", []ratelimit.Rule{{Name: "a", Key: ratelimit.ByIP()}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ratelimit.NewMiddleware(ratelimit.MiddlewareOptions{Rules: tc.rules})
			require.ErrorContains(t, err, "ratelimit: ")
		})
	}
}

func TestSubSecondPolicyIsPerSecond(t *testing.T) {
	h := newMiddleware(t, ratelimit.MiddlewareOptions{Rules: []ratelimit.Rule{
		{Name: "ip", Limit: ratelimit.Limit{Rate: 5, Per: 100 * time.Millisecond}, Key: ratelimit.ByIP()},
	}})
	require.Equal(t, `"ip";q=50;w=1`, get(h, "198.51.100.7:1", "").Header().Get("RateLimit-Policy"))
}

func TestSlowPolicyIsNeverZero(t *testing.T) {
	h := newMiddleware(t, ratelimit.MiddlewareOptions{Rules: []ratelimit.Rule{
		{Name: "ip", Limit: ratelimit.Limit{Rate: 1, Per: 2500 * time.Millisecond}, Key: ratelimit.ByIP()},
	}})
	require.Equal(t, `"ip";q=1;w=3`, get(h, "198.51.100.7:1", "").Header().Get("RateLimit-Policy"))
}

func TestGlobalRuleSharedByTwoReplicas(t *testing.T) {
	var store ratelimit.MemoryStore // stands in for Redis: see ratelimit/redisstore
	rule := ratelimit.Rule{Name: "apikey", Limit: ratelimit.PerMinute(4, 4), Key: ratelimit.ByHeader("X-API-Key"), Store: &store, Replicas: 2}
	m1, err := ratelimit.NewMiddleware(ratelimit.MiddlewareOptions{Rules: []ratelimit.Rule{rule}})
	require.NoError(t, err)
	defer m1.Close()
	m2, err := ratelimit.NewMiddleware(ratelimit.MiddlewareOptions{Rules: []ratelimit.Rule{rule}})
	require.NoError(t, err)
	defer m2.Close()
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	h1, h2 := m1.Handler(ok), m2.Handler(ok)
	allowed := 0
	for i := range 10 {
		h := h1
		if i%2 == 1 {
			h = h2
		}
		if get(h, "198.51.100.7:1", "k").Code == http.StatusOK {
			allowed++
		}
	}
	require.Equal(t, 4, allowed, "one limit across both replicas")
	st := m1.Stats().Rules["apikey"]
	require.Positive(t, st.Local+st.Remote)
	require.Zero(t, st.Fallback)
}

var okHandler = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})

func newRequest(apiKey string) *http.Request {
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "198.51.100.7:1"
	r.Header.Set("X-API-Key", apiKey)
	return r
}

func discard() http.ResponseWriter { return httptest.NewRecorder() }
