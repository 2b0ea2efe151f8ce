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

// A max-age=1 response is refreshed every second, not every two: freshness
// is kept to the nanosecond, only the Age field is whole seconds. (Without
// refresh-ahead, which would refresh it just before 999 ms.)
func TestCacheMaxAgeOneRefreshesEverySecond(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
			w.Header().Set("Cache-Control", "max-age=1")
			w.Header().Set("Date", time.Now().UTC().Format(http.TimeFormat))
			w.Write([]byte("v" + strconv.Itoa(n)))
		}}
		c := newCache(t, o, &gateway.CacheOptions{RefreshAhead: -1})
		start := time.Now()
		for _, step := range []struct {
			at     time.Duration
			xcache string
			body   string
			age    string
		}{
			{0, "MISS", "v1", "0"},
			{500 * time.Millisecond, "HIT", "v1", "0"},
			{999 * time.Millisecond, "HIT", "v1", "0"},
			{1000 * time.Millisecond, "MISS", "v2", "0"},
			{1999 * time.Millisecond, "HIT", "v2", "0"},
			{2000 * time.Millisecond, "MISS", "v3", "0"},
			{2500 * time.Millisecond, "HIT", "v3", "0"},
			{3100 * time.Millisecond, "MISS", "v4", "0"},
		} {
			time.Sleep(start.Add(step.at).Sub(time.Now()))
			w := get(c, "GET", "http://example.com/live.m3u8")
			requireResponse(t, w, 200, step.xcache, step.body)
			require.Equal(t, step.age, w.Header().Get("Age"), "at %v", step.at)
		}
		require.Equal(t, 4, o.count(), "one origin fetch a second")
	})
}

// Age is the corrected initial age (the origin's Age plus the response
// delay) plus the resident time, floored to whole seconds.
func TestCacheAge(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
			time.Sleep(400 * time.Millisecond) // response delay
			w.Header().Set("Cache-Control", "max-age=60")
			w.Header().Set("Age", "10")
			w.Write([]byte("x"))
		}}
		c := newCache(t, o, nil)
		w := get(c, "GET", "http://example.com/a")
		require.Equal(t, "10", w.Header().Get("Age"), "10 s + 0.4 s")
		time.Sleep(500 * time.Millisecond)
		require.Equal(t, "10", get(c, "GET", "http://example.com/a").Header().Get("Age"), "10.9 s")
		time.Sleep(100 * time.Millisecond)
		require.Equal(t, "11", get(c, "GET", "http://example.com/a").Header().Get("Age"), "11.0 s")
		time.Sleep(48 * time.Second)
		w = get(c, "GET", "http://example.com/a")
		require.Equal(t, "59", w.Header().Get("Age"))
		require.Equal(t, "HIT", w.Header().Get("X-Cache"))
		time.Sleep(time.Second)
		require.Equal(t, "MISS", get(c, "GET", "http://example.com/a").Header().Get("X-Cache"), "60 s old: stale")
		require.Equal(t, 2, o.count())
	})
}

// An origin clock behind ours makes a response old on arrival (apparent
// age), and Expires is judged against the origin's Date, not our clock.
func TestCacheApparentAgeAndExpires(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
			date := time.Now().Add(-30 * time.Second)
			w.Header().Set("Date", date.UTC().Format(http.TimeFormat))
			w.Header().Set("Expires", date.Add(40*time.Second).UTC().Format(http.TimeFormat))
			w.Write([]byte("x"))
		}}
		c := newCache(t, o, nil)
		require.Equal(t, "30", get(c, "GET", "http://example.com/a").Header().Get("Age"))
		time.Sleep(9 * time.Second)
		requireResponse(t, get(c, "GET", "http://example.com/a"), 200, "HIT", "x")
		time.Sleep(time.Second)
		requireResponse(t, get(c, "GET", "http://example.com/a"), 200, "MISS", "x")
	})
}

func TestCacheETagRevalidation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
			if r.Header.Get("If-None-Match") == `"v1"` {
				w.Header().Set("Cache-Control", "max-age=10")
				w.Header().Set("X-Refreshed", strconv.Itoa(n))
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("Cache-Control", "max-age=1")
			w.Header().Set("Etag", `"v1"`)
			w.Header().Set("X-Refreshed", "no")
			w.Write([]byte("body v1"))
		}}
		c := newCache(t, o, nil)
		requireResponse(t, get(c, "GET", "http://example.com/a"), 200, "MISS", "body v1")

		// A client's own conditional request is answered from the cache.
		w := get(c, "GET", "http://example.com/a", "If-None-Match", `"v0", W/"v1"`)
		requireResponse(t, w, http.StatusNotModified, "HIT", "")
		require.Equal(t, `"v1"`, w.Header().Get("Etag"))
		requireResponse(t, get(c, "GET", "http://example.com/a", "If-None-Match", `"v0"`), 200, "HIT", "body v1")
		require.Equal(t, 1, o.count())

		time.Sleep(time.Second)
		w = get(c, "GET", "http://example.com/a", "If-None-Match", `"v0"`)
		requireResponse(t, w, 200, "REVALIDATED", "body v1")
		require.Equal(t, "2", w.Header().Get("X-Refreshed"), "the 304's fields replace the stored ones")
		require.Equal(t, "max-age=10", w.Header().Get("Cache-Control"))
		require.Equal(t, `"v1"`, o.req(1).Header.Get("If-None-Match"), "the cache's validator, not the client's")

		time.Sleep(9 * time.Second)
		requireResponse(t, get(c, "GET", "http://example.com/a"), 200, "HIT", "body v1")
		require.Equal(t, 2, o.count(), "the 304 renewed freshness for max-age=10")
		require.Equal(t, uint64(1), c.Stats().Revalidations)
	})
}

func TestCacheLastModifiedRevalidation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lm := time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)
		o := &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
			w.Header().Set("Cache-Control", "max-age=1")
			if r.Header.Get("If-Modified-Since") == lm {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("Last-Modified", lm)
			w.Write([]byte("body"))
		}}
		c := newCache(t, o, nil)
		get(c, "GET", "http://example.com/a")
		requireResponse(t, get(c, "GET", "http://example.com/a", "If-Modified-Since", lm), 304, "HIT", "")
		time.Sleep(2 * time.Second)
		requireResponse(t, get(c, "GET", "http://example.com/a"), 200, "REVALIDATED", "body")
		require.Equal(t, 2, o.count())
	})
}

// no-cache means: store, but revalidate before every reuse.
func TestCacheNoCacheRevalidatesEachReuse(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
			w.Header().Set("Cache-Control", "no-cache")
			w.Header().Set("Etag", `"e"`)
			if r.Header.Get("If-None-Match") == `"e"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Write([]byte("body"))
		}}
		c := newCache(t, o, nil)
		requireResponse(t, get(c, "GET", "http://example.com/a"), 200, "MISS", "body")
		for i := range 3 {
			requireResponse(t, get(c, "GET", "http://example.com/a"), 200, "REVALIDATED", "body")
			require.Equal(t, `"e"`, o.req(i+1).Header.Get("If-None-Match"))
		}
		require.Equal(t, 4, o.count())
	})
}

// A client's no-cache (or max-age=0) makes the cache revalidate; a fresh
// stored response is otherwise served.
func TestCacheClientNoCache(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
			w.Header().Set("Cache-Control", "max-age=60")
			w.Header().Set("Etag", `"e"`)
			if r.Header.Get("If-None-Match") == `"e"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Write([]byte("body"))
		}}
		c := newCache(t, o, nil)
		get(c, "GET", "http://example.com/a")
		requireResponse(t, get(c, "GET", "http://example.com/a", "Cache-Control", "no-cache"), 200, "REVALIDATED", "body")
		requireResponse(t, get(c, "GET", "http://example.com/a", "Cache-Control", "max-age=0"), 200, "REVALIDATED", "body")
		time.Sleep(5 * time.Second)
		requireResponse(t, get(c, "GET", "http://example.com/a", "Cache-Control", "max-age=10"), 200, "HIT", "body")
		requireResponse(t, get(c, "GET", "http://example.com/a", "Cache-Control", "max-age=3"), 200, "REVALIDATED", "body")
		require.Equal(t, 504, get(c, "GET", "http://example.com/b", "Cache-Control", "only-if-cached").Code)
		w := get(c, "GET", "http://example.com/b", "Cache-Control", "no-store")
		requireResponse(t, w, 200, "BYPASS", "body")
		requireResponse(t, get(c, "GET", "http://example.com/b"), 200, "MISS", "body")
	})
}

func TestCacheStaleWhileRevalidate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		o := &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
			if n == 2 {
				<-release // the background refresh is slow
			}
			w.Header().Set("Cache-Control", "max-age=1, stale-while-revalidate=5")
			w.Write([]byte("v" + strconv.Itoa(n)))
		}}
		c := newCache(t, o, nil)
		requireResponse(t, get(c, "GET", "http://example.com/a"), 200, "MISS", "v1")
		time.Sleep(1500 * time.Millisecond)

		// Every client is answered at once while the origin is stuck.
		done := make(chan *httpResult, 10)
		for range 10 {
			go func() { done <- result(get(c, "GET", "http://example.com/a")) }()
		}
		for range 10 {
			got := <-done
			require.Equal(t, httpResult{200, "STALE", "v1"}, *got)
		}
		synctest.Wait()
		require.Equal(t, 2, o.count(), "exactly one background refresh")
		require.Equal(t, uint64(10), c.Stats().Stale)

		close(release)
		synctest.Wait()
		requireResponse(t, get(c, "GET", "http://example.com/a"), 200, "HIT", "v2")

		// Past the window, a client waits for the origin.
		time.Sleep(7 * time.Second)
		requireResponse(t, get(c, "GET", "http://example.com/a"), 200, "MISS", "v3")
	})
}

type httpResult struct {
	code   int
	xcache string
	body   string
}

func result(w interface {
	Result() *http.Response
}) *httpResult {
	res := w.Result()
	b := make([]byte, 1<<16)
	n, _ := res.Body.Read(b)
	return &httpResult{res.StatusCode, res.Header.Get("X-Cache"), string(b[:n])}
}

func TestCacheStaleIfError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
			switch n {
			case 1:
				w.Header().Set("Cache-Control", "max-age=1, stale-if-error=10")
				w.Write([]byte("good"))
			case 2:
				http.Error(w, "down", http.StatusServiceUnavailable)
			case 3:
				panic("origin transport failure")
			default:
				http.Error(w, "still down", http.StatusBadGateway)
			}
		}}
		c := newCache(t, o, nil)
		requireResponse(t, get(c, "GET", "http://example.com/a"), 200, "MISS", "good")
		time.Sleep(2 * time.Second)
		requireResponse(t, get(c, "GET", "http://example.com/a"), 200, "STALE", "good")
		requireResponse(t, get(c, "GET", "http://example.com/a"), 200, "STALE", "good")
		time.Sleep(9 * time.Second) // 11 s old: past max-age + stale-if-error
		requireResponse(t, get(c, "GET", "http://example.com/a"), 502, "MISS", "still down\n")
		require.Equal(t, 4, o.count())
	})
}

// Without stale-if-error, every waiter on a failed fetch gets 502, and the
// key is tried again on the next request.
func TestCacheOriginPanicBeforeHeaders(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
			if n == 1 {
				time.Sleep(time.Second)
				panic("boom")
			}
			w.Header().Set("Cache-Control", "max-age=60")
			w.Write([]byte("ok"))
		}}
		c := newCache(t, o, nil)
		done := make(chan *httpResult, 5)
		for range 5 {
			go func() { done <- result(get(c, "GET", "http://example.com/a")) }()
		}
		for range 5 {
			require.Equal(t, 502, (<-done).code)
		}
		require.Equal(t, 1, o.count(), "one fetch, shared failure")
		requireResponse(t, get(c, "GET", "http://example.com/a"), 200, "MISS", "ok")
	})
}

func TestCacheUncacheableRememberedThenRechecked(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cacheable := false
		o := &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
			if cacheable {
				w.Header().Set("Cache-Control", "max-age=60")
			} else {
				w.Header().Set("Cache-Control", "private, max-age=60")
			}
			w.Write([]byte("v" + strconv.Itoa(n)))
		}}
		c := newCache(t, o, &gateway.CacheOptions{UncacheableTTL: 2 * time.Second})
		requireResponse(t, get(c, "GET", "http://example.com/a"), 200, "MISS", "v1")
		requireResponse(t, get(c, "GET", "http://example.com/a"), 200, "BYPASS", "v2")
		time.Sleep(1900 * time.Millisecond)
		cacheable = true
		requireResponse(t, get(c, "GET", "http://example.com/a"), 200, "BYPASS", "v3")
		time.Sleep(100 * time.Millisecond)
		requireResponse(t, get(c, "GET", "http://example.com/a"), 200, "MISS", "v4")
		requireResponse(t, get(c, "GET", "http://example.com/a"), 200, "HIT", "v4")
		s := c.Stats()
		require.Equal(t, uint64(1), s.Uncacheable)
		require.Equal(t, uint64(2), s.Bypass)
	})
}
