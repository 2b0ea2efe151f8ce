package gateway

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
)

// refusedURL returns the URL of a loopback port nothing listens on.
func refusedURL(t *testing.T) *url.URL {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	return mustURL(t, "http://"+addr)
}

// countingOrigin counts requests by method and echoes the body.
type countingOrigin struct {
	mu     sync.Mutex
	counts map[string]int
}

func (o *countingOrigin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	o.mu.Lock()
	o.counts[r.Method]++
	o.mu.Unlock()
	fmt.Fprintf(w, "%s %s", r.Method, body)
}

func (o *countingOrigin) count(method string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.counts[method]
}

func TestRetries(t *testing.T) {
	origin := &countingOrigin{counts: map[string]int{}}
	live := httptest.NewServer(origin)
	defer live.Close()
	var m Metrics
	// The refused upstream is first, so that round robin tries it first;
	// PassiveDown < 0 keeps it in the rotation.
	p, err := NewPool([]*url.URL{refusedURL(t), mustURL(t, live.URL)}, &PoolOptions{PassiveDown: -1, Metrics: &m})
	require.NoError(t, err)
	defer p.Close()
	front := httptest.NewServer(p)
	defer front.Close()

	do := func(method, body string) (int, string) {
		req, err := http.NewRequest(method, front.URL+"/x", strings.NewReader(body))
		require.NoError(t, err)
		if body == "" {
			req.Body = nil
		}
		resp, err := front.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	t.Run("idempotent requests go to the next upstream", func(t *testing.T) {
		for _, method := range []string{"GET", "HEAD", "OPTIONS", "DELETE"} {
			for range 2 { // one of each pair starts at the refused upstream
				status, _ := do(method, "")
				require.Equal(t, 200, status, method)
			}
		}
		require.Equal(t, 2, origin.count("GET"))
		status, body := do("PUT", "replayed body")
		require.Equal(t, 200, status)
		require.Equal(t, "PUT replayed body", body)
		status, body = do("PUT", "replayed body")
		require.Equal(t, 200, status)
		require.Equal(t, "PUT replayed body", body)
		require.EqualValues(t, 5, p.retriesRun.Load())
	})

	t.Run("POST is never retried", func(t *testing.T) {
		var statuses []int
		for range 2 {
			status, _ := do("POST", "once")
			statuses = append(statuses, status)
		}
		require.ElementsMatch(t, []int{200, 502}, statuses)
		require.Equal(t, 1, origin.count("POST"))
		require.EqualValues(t, 5, p.retriesRun.Load())
	})
}

func TestPassiveDown(t *testing.T) {
	origin := &countingOrigin{counts: map[string]int{}}
	live := httptest.NewServer(origin)
	defer live.Close()
	p, err := NewPool([]*url.URL{refusedURL(t), mustURL(t, live.URL)}, &PoolOptions{Retries: -1})
	require.NoError(t, err)
	defer p.Close()
	// Without retries, the first request meets the refusal; afterwards
	// the refused upstream sits out and every request succeeds.
	w := httptest.NewRecorder()
	p.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	require.Equal(t, 502, w.Code)
	require.False(t, p.Targets()[0].Up)
	for range 4 {
		w := httptest.NewRecorder()
		p.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
		require.Equal(t, 200, w.Code)
	}
	require.EqualValues(t, 1, p.errs.Load())
}

func TestTryTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// "slow" answers only when the request is cancelled; "fast" at once.
		transport := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if r.URL.Host == "slow" {
				<-r.Context().Done()
				return nil, r.Context().Err()
			}
			return respond(r, 200, "fast", nil), nil
		})
		opts := &PoolOptions{TryTimeout: time.Second, Transport: transport}
		p, err := NewPool([]*url.URL{mustURL(t, "http://slow"), mustURL(t, "http://fast")}, opts)
		require.NoError(t, err)
		defer p.Close()
		w := httptest.NewRecorder()
		p.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
		require.Equal(t, 200, w.Code)
		require.Equal(t, "fast", w.Body.String())

		opts.Retries = -1
		alone, err := NewPool([]*url.URL{mustURL(t, "http://slow")}, opts)
		require.NoError(t, err)
		defer alone.Close()
		w = httptest.NewRecorder()
		alone.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
		require.Equal(t, http.StatusGatewayTimeout, w.Code)
	})
}

func TestLeastConnections(t *testing.T) {
	var busyOnce sync.Once
	entered, release := make(chan struct{}), make(chan struct{})
	var mu sync.Mutex
	hosts := map[string]int{}
	transport := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		hosts[r.URL.Host]++
		mu.Unlock()
		if r.URL.Host == "a" {
			// Hold a's first request open; answer later ones at once.
			held := false
			busyOnce.Do(func() { held = true })
			if held {
				close(entered)
				<-release
			}
		}
		return respond(r, 200, r.URL.Host, nil), nil
	})
	p, err := NewPool([]*url.URL{mustURL(t, "http://a"), mustURL(t, "http://b")},
		&PoolOptions{Policy: LeastConnections, Transport: transport})
	require.NoError(t, err)
	defer p.Close()

	done := make(chan struct{})
	go func() {
		defer close(done)
		p.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	}()
	<-entered
	require.EqualValues(t, 1, p.Targets()[0].Active)
	for range 5 {
		w := httptest.NewRecorder()
		p.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
		require.Equal(t, "b", w.Body.String(), "a busy upstream was picked over an idle one")
	}
	close(release)
	<-done
	require.Equal(t, map[string]int{"a": 1, "b": 5}, hosts)
	require.Zero(t, p.Targets()[0].Active)
	require.Zero(t, p.Targets()[1].Active)
}

func TestRoundRobin(t *testing.T) {
	var hosts []string
	p, err := NewPool([]*url.URL{mustURL(t, "http://a"), mustURL(t, "http://b"), mustURL(t, "http://c")},
		&PoolOptions{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			hosts = append(hosts, r.URL.Host)
			return respond(r, 200, "", nil), nil
		})})
	require.NoError(t, err)
	defer p.Close()
	for range 6 {
		p.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	}
	require.Equal(t, []string{"a", "b", "c", "a", "b", "c"}, hosts)
}

func TestHealthChecks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var aFails atomic.Bool
		var mu sync.Mutex
		served := map[string]int{}
		transport := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if r.URL.Path == "/healthz" {
				if r.URL.Host == "a" && aFails.Load() {
					return respond(r, 503, "", nil), nil
				}
				return respond(r, 200, "", nil), nil
			}
			mu.Lock()
			served[r.URL.Host]++
			mu.Unlock()
			return respond(r, 200, r.URL.Host, nil), nil
		})
		p, err := NewPool([]*url.URL{mustURL(t, "http://a"), mustURL(t, "http://b/base")}, &PoolOptions{
			Transport:   transport,
			HealthCheck: &HealthCheck{Path: "/healthz", Interval: time.Second, Fails: 2, Passes: 3},
		})
		require.NoError(t, err)
		defer p.Close()
		send := func(n int) map[string]int {
			mu.Lock()
			clear(served)
			mu.Unlock()
			for range n {
				w := httptest.NewRecorder()
				p.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
				require.Equal(t, 200, w.Code)
			}
			mu.Lock()
			defer mu.Unlock()
			return maps(served)
		}
		// checkAt sleeps into the middle of the next interval, after its
		// check has run.
		checks := func(n int) {
			time.Sleep(time.Duration(n) * time.Second)
			synctest.Wait()
		}
		time.Sleep(time.Second / 2)
		require.Equal(t, map[string]int{"a": 2, "b": 2}, send(4))

		aFails.Store(true)
		checks(1)
		require.True(t, p.Targets()[0].Up, "down after one failure of two")
		checks(1)
		require.False(t, p.Targets()[0].Up)
		require.Equal(t, map[string]int{"b": 4}, send(4))

		aFails.Store(false)
		checks(2)
		require.False(t, p.Targets()[0].Up, "up after two passes of three")
		checks(1)
		require.True(t, p.Targets()[0].Up)
		require.Equal(t, map[string]int{"a": 2, "b": 2}, send(4))
	})
}

func maps(m map[string]int) map[string]int {
	c := map[string]int{}
	for k, v := range m {
		c[k] = v
	}
	return c
}

func TestAllDownStillServes(t *testing.T) {
	p, err := NewPool([]*url.URL{mustURL(t, "http://a")}, &PoolOptions{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return respond(r, 200, "a", nil), nil
	})})
	require.NoError(t, err)
	defer p.Close()
	p.targets[0].healthy.Store(false)
	w := httptest.NewRecorder()
	p.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	require.Equal(t, 200, w.Code)
}

func TestNewPoolRejects(t *testing.T) {
	for _, s := range []string{"ftp://a", "http://", "http://u:p@a", "http://a/?q=1", "file:///etc/passwd", "a:80"} {
		_, err := NewPool([]*url.URL{mustURL(t, s)}, nil)
		require.Error(t, err, s)
	}
	_, err := NewPool(nil, nil)
	require.ErrorIs(t, err, errNoUpstream)
	_, err = NewPool([]*url.URL{mustURL(t, "http://a")}, &PoolOptions{Policy: 7})
	require.Error(t, err)
}

func TestUpstreamBasePath(t *testing.T) {
	var got string
	p, err := NewPool([]*url.URL{mustURL(t, "http://a/base/")}, &PoolOptions{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		got = r.URL.String()
		return respond(r, 200, "", nil), nil
	})})
	require.NoError(t, err)
	defer p.Close()
	p.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/v/a%20b.m3u8?x=1", nil))
	require.Equal(t, "http://a/base/v/a%20b.m3u8?x=1", got)
}

var _ = context.Background
