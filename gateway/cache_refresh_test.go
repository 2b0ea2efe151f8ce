package gateway_test

import (
	"net/http"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/gateway"
)

// liveOrigin is a live playlist origin: max-age=1 (nothing more), a new
// version per fetch, after delay. With etag, it sends an ETag and answers
// If-None-Match with 304.
func liveOrigin(delay time.Duration, etag bool) *origin {
	return &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
		time.Sleep(delay)
		w.Header().Set("Cache-Control", "max-age=1")
		w.Header().Set("Date", time.Now().UTC().Format(http.TimeFormat))
		if etag {
			w.Header().Set("Etag", `"live"`)
			if r.Header.Get("If-None-Match") == `"live"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		w.Write([]byte("v" + strconv.Itoa(n)))
	}}
}

// steady sends a GET for target every interval for d, one at a time, and
// returns how many were answered with each X-Cache value, the first
// request's aside, and the bodies in the order they were first seen.
func steady(t *testing.T, c http.Handler, target string, interval, d time.Duration) (map[string]int, []string) {
	t.Helper()
	xcache := map[string]int{}
	var bodies []string
	start := time.Now()
	for i := 0; time.Since(start) < d; i++ {
		time.Sleep(start.Add(time.Duration(i) * interval).Sub(time.Now()))
		w := get(c, "GET", target)
		require.Equal(t, 200, w.Code)
		if i > 0 {
			xcache[w.Header().Get("X-Cache")]++
		}
		if b := w.Body.String(); len(bodies) == 0 || bodies[len(bodies)-1] != b {
			bodies = append(bodies, b)
		}
	}
	return xcache, bodies
}

// Under a steady stream of requests, a max-age=1 response from an origin
// that takes 50 ms is refreshed ahead of its expiry: about one origin
// fetch a second, and after the first request none waits for the origin
// (every one is a HIT: no MISS, COALESCED, REVALIDATED or STALE).
func TestCacheRefreshAhead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := liveOrigin(50*time.Millisecond, false)
		c := newCache(t, o, nil)
		xcache, bodies := steady(t, c, "http://example.com/live.m3u8", 10*time.Millisecond, 10*time.Second)
		synctest.Wait()

		require.Greater(t, xcache["HIT"], 990)
		delete(xcache, "HIT")
		require.Empty(t, xcache, "no request after the first waits for the origin")
		fetches := o.count()
		t.Logf("%d origin fetches in 10 s", fetches)
		require.GreaterOrEqual(t, fetches, 10, "origin fetches in 10 s")
		require.LessOrEqual(t, fetches, 11, "origin fetches in 10 s")
		require.Len(t, bodies, fetches, "each refresh replaces the stored response")
		s := c.Stats()
		require.Equal(t, uint64(fetches-1), s.RefreshesAhead)
		require.Equal(t, uint64(fetches), s.OriginFetches)
		require.Zero(t, s.Stale)
	})
}

// Refresh-ahead revalidates: a 304 refreshes the stored response, which
// clients go on getting as HITs.
func TestCacheRefreshAheadRevalidates(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := liveOrigin(50*time.Millisecond, true)
		c := newCache(t, o, nil)
		xcache, bodies := steady(t, c, "http://example.com/live.m3u8", 10*time.Millisecond, 3*time.Second)
		synctest.Wait()

		require.Greater(t, xcache["HIT"], 290)
		delete(xcache, "HIT")
		require.Empty(t, xcache, "no request after the first waits for the origin")
		require.Equal(t, []string{"v1"}, bodies)
		fetches := o.count()
		require.GreaterOrEqual(t, fetches, 3)
		require.LessOrEqual(t, fetches, 4)
		for i := 1; i < fetches; i++ {
			require.Equal(t, `"live"`, o.req(i).Header.Get("If-None-Match"), "refresh %d is conditional", i)
		}
		require.Equal(t, uint64(fetches-1), c.Stats().Revalidations)
	})
}

// Refresh-ahead starts one background fetch per key, however many
// requests hit the response within its lead, and serves none of them
// stale or late.
func TestCacheRefreshAheadOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		o := &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
			if n == 2 {
				<-release
			}
			w.Header().Set("Cache-Control", "max-age=10")
			w.Write([]byte("v" + strconv.Itoa(n)))
		}}
		c := newCache(t, o, nil)
		requireResponse(t, get(c, "GET", "http://example.com/a"), 200, "MISS", "v1")
		// The origin answered at once: the lead is RefreshAhead's 10 ms.
		time.Sleep(10*time.Second - 10*time.Millisecond)
		done := make(chan *httpResult, 20)
		for range 20 {
			go func() { done <- result(get(c, "GET", "http://example.com/a")) }()
		}
		for range 20 {
			require.Equal(t, httpResult{200, "HIT", "v1"}, *<-done)
		}
		synctest.Wait()
		require.Equal(t, 2, o.count(), "one refresh")
		require.Equal(t, uint64(1), c.Stats().RefreshesAhead)
		close(release)
		synctest.Wait()
		time.Sleep(10 * time.Millisecond) // past the first response's expiry
		requireResponse(t, get(c, "GET", "http://example.com/a"), 200, "HIT", "v2")
	})
}

// With RefreshAhead negative, a response is fetched again only once it
// has expired, by the request that finds it so.
func TestCacheRefreshAheadOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := liveOrigin(50*time.Millisecond, false)
		c := newCache(t, o, &gateway.CacheOptions{RefreshAhead: -1})
		xcache, _ := steady(t, c, "http://example.com/live.m3u8", 10*time.Millisecond, 3*time.Second)
		synctest.Wait()
		require.Zero(t, c.Stats().RefreshesAhead)
		require.Equal(t, o.count()-1, xcache["MISS"], "each refresh after the first makes a client wait")
	})
}
