package gateway

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// cacheableOrigin counts requests and answers with a shareable body.
func cacheableOrigin(t *testing.T, n *atomic.Int64) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Cache-Control", "public, max-age=60")
		fmt.Fprintf(w, "%s %s %d", r.Method, r.URL.Path, len(body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func newGateway(t *testing.T, cfg *Config) *Gateway {
	t.Helper()
	g, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { g.Close() })
	return g
}

func serve(t *testing.T, h http.Handler, method, target, body string) *httptest.ResponseRecorder {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(method, target, rd))
	return w
}

func TestGatewayCachesAndCounts(t *testing.T) {
	var hits atomic.Int64
	origin := cacheableOrigin(t, &hits)
	g := newGateway(t, &Config{
		MetricsPath: "/metrics",
		Routes: []RouteConfig{
			{Name: "video", Prefix: "/v", Upstreams: []string{origin.URL}, Cache: &CacheConfig{Enabled: true}},
			{Name: "direct", Prefix: "/d", Upstreams: []string{origin.URL}},
		},
	})
	w := serve(t, g, "GET", "/v/master.m3u8", "")
	require.Equal(t, 200, w.Code)
	require.Equal(t, "GET /v/master.m3u8 0", w.Body.String())
	require.Equal(t, XCacheMiss, w.Header().Get("X-Cache"))
	w = serve(t, g, "GET", "/v/master.m3u8", "")
	require.Equal(t, 200, w.Code)
	require.Equal(t, XCacheHit, w.Header().Get("X-Cache"))
	require.EqualValues(t, 1, hits.Load(), "the second GET reached the origin")
	serve(t, g, "GET", "/d/x", "")
	serve(t, g, "GET", "/d/x", "")
	require.EqualValues(t, 3, hits.Load(), "a route without a cache cached")

	w = serve(t, g, "GET", "/metrics", "")
	require.Equal(t, 200, w.Code)
	s := parseExposition(t, w.Body.String())
	require.Equal(t, 2.0, s[`v100_gateway_requests_total{route="video",code="2xx"}`])
	require.Equal(t, 2.0, s[`v100_gateway_requests_total{route="direct",code="2xx"}`])
	require.Equal(t, 1.0, s[`v100_gateway_cache_requests_total{route="video",result="hit"}`])
	require.Equal(t, 1.0, s[`v100_gateway_cache_requests_total{route="video",result="miss"}`])
	require.Equal(t, 1.0, s[`v100_gateway_cache_origin_fetches_total{route="video"}`])
	require.Equal(t, 1.0, s[`v100_gateway_cache_objects{route="video"}`])
	require.Equal(t, 1.0, s[`v100_gateway_upstream_duration_seconds_count{pool="video"}`])
	require.Equal(t, 2.0, s[`v100_gateway_upstream_duration_seconds_count{pool="direct"}`])

	w = serve(t, g, "GET", "/metrics", "")
	s = parseExposition(t, w.Body.String())
	require.Equal(t, 1.0, s[`v100_gateway_requests_total{route="metrics",code="2xx"}`])
	require.Equal(t, 404, serve(t, g, "GET", "/metrics/x", "").Code)
	require.Equal(t, 400, serve(t, g, "GET", "/v/../metrics", "").Code)
}

func TestBodyLimit(t *testing.T) {
	var hits atomic.Int64
	origin := cacheableOrigin(t, &hits)
	var inProcess error
	g := newGateway(t, &Config{
		Limits: Limits{MaxBodyBytes: 1024},
		Routes: []RouteConfig{
			{Prefix: "/", Upstreams: []string{origin.URL}},
			{Prefix: "/local", Handler: "reader"},
		},
		Handlers: map[string]http.Handler{"reader": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, inProcess = io.ReadAll(r.Body)
		})},
	})
	front := httptest.NewServer(g)
	defer front.Close()
	post := func(path string, body io.Reader, n int64) int {
		req, err := http.NewRequest("POST", front.URL+path, body)
		require.NoError(t, err)
		req.ContentLength = n
		resp, err := front.Client().Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	require.Equal(t, 200, post("/", strings.NewReader(strings.Repeat("x", 1024)), 1024))
	require.EqualValues(t, 1, hits.Load())
	require.Equal(t, 413, post("/", strings.NewReader(strings.Repeat("x", 1025)), 1025))
	require.EqualValues(t, 1, hits.Load(), "a body declared too large went upstream")
	// Of unknown length (chunked): cut off at the limit on the way up.
	require.Equal(t, 413, post("/", io.MultiReader(strings.NewReader(strings.Repeat("x", 4096))), -1))
	// A PUT is buffered for retries; the limit holds there too.
	req, _ := http.NewRequest("PUT", front.URL+"/", io.MultiReader(strings.NewReader(strings.Repeat("x", 4096))))
	resp, err := front.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 413, resp.StatusCode)

	post("/local", io.MultiReader(strings.NewReader(strings.Repeat("x", 4096))), -1)
	require.ErrorAs(t, inProcess, new(*http.MaxBytesError))
}

func TestHeaderLimit(t *testing.T) {
	g := newGateway(t, &Config{Limits: Limits{MaxHeaderBytes: 1024}, Routes: []RouteConfig{{Handler: "health"}}})
	addr, stop := serveGateway(t, g)
	defer stop()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	// net/http allows 4 KiB beyond MaxHeaderBytes; go well past it.
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\n\r\n", strings.Repeat("b", 16<<10))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusRequestHeaderFieldsTooLarge, resp.StatusCode)

	resp, err = http.Get("http://" + addr + "/")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
}

// serveGateway serves g on a loopback port until stop, which returns
// Serve's error.
func serveGateway(t *testing.T, g *Gateway) (addr string, stop func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- g.Serve(ctx, ln) }()
	return ln.Addr().String(), func() error { cancel(); return <-errc }
}

func TestRateLimitPerRoute(t *testing.T) {
	g := newGateway(t, &Config{Routes: []RouteConfig{
		{Prefix: "/limited", Handler: "health", RateLimit: &RateLimitConfig{Rate: 1, Per: 3600e9, Burst: 1}},
		{Prefix: "/", Handler: "health"},
	}})
	require.Equal(t, 200, serve(t, g, "GET", "/limited", "").Code)
	w := serve(t, g, "GET", "/limited", "")
	require.Equal(t, 429, w.Code)
	require.NotEmpty(t, w.Header().Get("Retry-After"))
	require.Equal(t, 200, serve(t, g, "GET", "/other", "").Code)
}

func TestServeDrains(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		io.WriteString(w, "done")
	})
	g := newGateway(t, &Config{Routes: []RouteConfig{{Handler: "slow"}}, Handlers: map[string]http.Handler{"slow": slow}})
	addr, stop := serveGateway(t, g)

	got := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/")
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- string(b)
	}()
	<-entered
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	// The listener closes at once; the request in flight goes on.
	require.Eventually(t, func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err != nil
	}, testTimeout, pollInterval)
	select {
	case err := <-stopped:
		t.Fatalf("Serve returned before the request in flight finished: %v", err)
	default:
	}
	close(release)
	require.Equal(t, "done", <-got)
	require.NoError(t, <-stopped)
}

const (
	testTimeout  = 10 * time.Second // a bound on polling, not a timing claim
	pollInterval = 5 * time.Millisecond
)

// Trailers that the Pool copies into the header map after the body must
// not become header fields of the stored response: the Cache stores the
// fields it judged when the headers arrived.
func TestCacheDoesNotStoreTrailers(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=60")
		w.Header().Set("Trailer", "X-Session")
		w.Write([]byte("body"))
		w.(http.Flusher).Flush()
		w.Header().Set("X-Session", "secret")
	}))
	defer upstream.Close()
	pool, err := NewPool([]*url.URL{mustURL(t, upstream.URL)}, nil)
	require.NoError(t, err)
	defer pool.Close()
	c := NewCache(pool, nil)
	defer c.Close()

	first := serve(t, c, "GET", "http://example.com/a", "")
	require.Equal(t, "MISS", first.Header().Get("X-Cache"))
	hit := serve(t, c, "GET", "http://example.com/a", "")
	require.Equal(t, "HIT", hit.Header().Get("X-Cache"))
	require.Equal(t, "body", hit.Body.String())
	require.Empty(t, hit.Header().Values("X-Session"), "a trailer stored as a header field")
}

// A request field that the request's Connection field names is removed
// before the request goes upstream, so it cannot select a variant: the
// response the origin gave without it must not be stored as the variant
// for those who send it.
func TestCacheConnectionNamedFieldCannotPoisonVariant(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=60")
		w.Header().Set("Vary", "Accept-Language")
		fmt.Fprintf(w, "lang=%q", r.Header.Get("Accept-Language"))
	}))
	defer upstream.Close()
	pool, err := NewPool([]*url.URL{mustURL(t, upstream.URL)}, nil)
	require.NoError(t, err)
	defer pool.Close()
	c := NewCache(pool, nil)
	defer c.Close()

	req := func(kv ...string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", "http://example.com/a", nil)
		for i := 0; i+1 < len(kv); i += 2 {
			r.Header.Add(kv[i], kv[i+1])
		}
		w := httptest.NewRecorder()
		c.ServeHTTP(w, r)
		return w
	}
	attack := req("Accept-Language", "fr", "Connection", "Accept-Language")
	require.Equal(t, `lang=""`, attack.Body.String())
	victim := req("Accept-Language", "fr")
	require.Equal(t, `lang="fr"`, victim.Body.String(), "the attacker's response was stored for fr")
}

// A request to switch protocols (a WebSocket) is not a cacheable GET: it
// goes through to the origin, which can take over the connection.
func TestCacheUpgradeBypasses(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer conn.Close()
		brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\nhello")
		brw.Flush()
	}))
	defer upstream.Close()
	pool, err := NewPool([]*url.URL{mustURL(t, upstream.URL)}, nil)
	require.NoError(t, err)
	defer pool.Close()
	c := NewCache(pool, nil)
	defer c.Close()
	front := httptest.NewServer(c)
	defer front.Close()

	conn, err := net.Dial("tcp", front.Listener.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	fmt.Fprintf(conn, "GET /ws HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
	hello, err := io.ReadAll(io.LimitReader(br, 5))
	require.NoError(t, err)
	require.Equal(t, "hello", string(hello))
}
