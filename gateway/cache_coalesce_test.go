package gateway_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/gateway"
)

// serveAsync runs a request on its own goroutine and returns its writer
// and a channel closed when it has been answered.
func serveAsync(h http.Handler, ctx context.Context, target string, kv ...string) (*streamWriter, chan struct{}) {
	r := httptest.NewRequest("GET", target, nil).WithContext(ctx)
	for i := 0; i+1 < len(kv); i += 2 {
		r.Header.Add(kv[i], kv[i+1])
	}
	w := newStreamWriter()
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.ServeHTTP(w, r)
	}()
	return w, done
}

// Identical misses share one origin fetch, and its body reaches every
// waiter as it arrives, before the origin has finished.
func TestCacheStreamingFanOut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rest := make(chan struct{})
		o := &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
			w.Header().Set("Cache-Control", "max-age=60")
			w.Header().Set("Content-Type", "video/mp2t")
			w.Write([]byte("part1,"))
			w.(http.Flusher).Flush()
			<-rest
			w.Write([]byte("part2"))
		}}
		c := newCache(t, o, nil)
		const n = 8
		var ws []*streamWriter
		var dones []chan struct{}
		for range n {
			w, done := serveAsync(c, context.Background(), "http://example.com/seg1.ts")
			ws, dones = append(ws, w), append(dones, done)
		}
		synctest.Wait() // every request is blocked on the one origin fetch
		require.Equal(t, 1, o.count())
		for i, w := range ws {
			code, h, body := w.snapshot()
			require.Equal(t, 200, code, "request %d has its headers", i)
			require.Equal(t, "video/mp2t", h.Get("Content-Type"))
			require.Equal(t, "part1,", body, "request %d has the first part while the origin is blocked", i)
		}
		// One joining mid-stream gets what is already there first.
		late, lateDone := serveAsync(c, context.Background(), "http://example.com/seg1.ts")
		synctest.Wait()
		_, _, body := late.snapshot()
		require.Equal(t, "part1,", body)

		close(rest)
		for _, d := range append(dones, lateDone) {
			<-d
		}
		xc := map[string]int{}
		for _, w := range append(ws, late) {
			_, h, body := w.snapshot()
			require.Equal(t, "part1,part2", body)
			xc[h.Get("X-Cache")]++
		}
		require.Equal(t, map[string]int{"MISS": 1, "COALESCED": n}, xc)
		requireResponse(t, get(c, "GET", "http://example.com/seg1.ts"), 200, "HIT", "part1,part2")
		s := c.Stats()
		require.Equal(t, uint64(1), s.OriginFetches)
		require.Equal(t, uint64(n), s.CoalescedWaiters)
		require.Equal(t, uint64(1), s.Misses)
		require.Equal(t, uint64(1), s.Hits)
	})
}

// When the leader's response may not be shared, every waiter is released
// at once to fetch on its own: the origin below answers the released
// requests only once all of them are in flight together, so releasing
// them one at a time would deadlock (and synctest would fail the test).
func TestCacheNoStoreReleasesAllWaitersAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const waiters = 6
		leaderGo := make(chan struct{})
		together := make(chan struct{})
		var inFlight atomic.Int32
		o := &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
			if n == 1 {
				<-leaderGo
			} else {
				if inFlight.Add(1) == waiters {
					close(together)
				}
				<-together
			}
			w.Header().Set("Cache-Control", "no-store")
			w.Write([]byte("v" + strconv.Itoa(n)))
		}}
		c := newCache(t, o, nil)
		leader, leaderDone := serveAsync(c, context.Background(), "http://example.com/a")
		synctest.Wait()
		var ws []*streamWriter
		var dones []chan struct{}
		for range waiters {
			w, done := serveAsync(c, context.Background(), "http://example.com/a")
			ws, dones = append(ws, w), append(dones, done)
		}
		synctest.Wait()
		require.Equal(t, 1, o.count(), "the waiters wait")
		close(leaderGo)
		<-leaderDone
		for _, d := range dones {
			<-d
		}
		_, h, body := leader.snapshot()
		require.Equal(t, "MISS", h.Get("X-Cache"))
		require.Equal(t, "v1", body)
		seen := map[string]bool{}
		for _, w := range ws {
			_, h, body := w.snapshot()
			require.Equal(t, "BYPASS", h.Get("X-Cache"))
			seen[body] = true
		}
		require.Len(t, seen, waiters, "each waiter got its own response")
		require.Equal(t, 1+waiters, o.count())

		// The key is remembered: the next request does not wait on anyone.
		requireResponse(t, get(c, "GET", "http://example.com/a"), 200, "BYPASS", "v8")
	})
}

func TestCacheReleasesWaitersForUnshareableResponses(t *testing.T) {
	for _, tc := range []struct {
		name string
		kv   []string
	}{
		{"private", []string{"Cache-Control", "private, max-age=60"}},
		{"Set-Cookie", []string{"Cache-Control", "max-age=60", "Set-Cookie", "session=secret"}},
		{"Vary star", []string{"Cache-Control", "max-age=60", "Vary", "*"}},
		{"no freshness", nil},
		{"too large", []string{"Cache-Control", "max-age=60", "Content-Length", "2000"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				leaderGo := make(chan struct{})
				o := &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
					if n == 1 {
						<-leaderGo
					}
					for i := 0; i+1 < len(tc.kv); i += 2 {
						w.Header().Set(tc.kv[i], tc.kv[i+1])
					}
					body := "secret of request " + strconv.Itoa(n)
					if w.Header().Get("Content-Length") != "" {
						body = string(make([]byte, 2000))
					}
					w.Write([]byte(body))
				}}
				c := newCache(t, o, &gateway.CacheOptions{MaxObjectSize: 1000})
				leader, leaderDone := serveAsync(c, context.Background(), "http://example.com/a")
				synctest.Wait()
				waiter, waiterDone := serveAsync(c, context.Background(), "http://example.com/a")
				synctest.Wait()
				close(leaderGo)
				<-leaderDone
				<-waiterDone
				_, lh, lb := leader.snapshot()
				_, wh, wb := waiter.snapshot()
				require.Equal(t, "MISS", lh.Get("X-Cache"))
				require.Equal(t, "BYPASS", wh.Get("X-Cache"))
				if tc.name != "too large" {
					require.Equal(t, "secret of request 1", lb)
					require.Equal(t, "secret of request 2", wb, "the waiter never sees the leader's response")
				}
				require.Equal(t, 2, o.count())
				require.Equal(t, "BYPASS", get(c, "GET", "http://example.com/a").Header().Get("X-Cache"))
				require.Equal(t, int64(0), c.Stats().Objects)
			})
		})
	}
}

func TestCacheMaxWaiters(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		leaderGo := make(chan struct{})
		o := &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
			if n == 1 {
				<-leaderGo
			}
			w.Header().Set("Cache-Control", "max-age=60")
			w.Write([]byte("v" + strconv.Itoa(n)))
		}}
		c := newCache(t, o, &gateway.CacheOptions{MaxWaiters: 2})
		var ws []*streamWriter
		var dones []chan struct{}
		for range 4 {
			w, done := serveAsync(c, context.Background(), "http://example.com/a")
			ws, dones = append(ws, w), append(dones, done)
			synctest.Wait()
		}
		<-dones[3] // beyond the bound: answered alone while the fetch is stuck
		_, h, body := ws[3].snapshot()
		require.Equal(t, "BYPASS", h.Get("X-Cache"))
		require.Equal(t, "v2", body)
		close(leaderGo)
		for _, d := range dones {
			<-d
		}
		for i, want := range []string{"MISS", "COALESCED", "COALESCED"} {
			_, h, body := ws[i].snapshot()
			require.Equal(t, want, h.Get("X-Cache"))
			require.Equal(t, "v1", body)
		}
		require.Equal(t, 2, o.count())
	})
}

func TestCacheWaitTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
			if n == 1 {
				time.Sleep(10 * time.Second) // slow to send headers
			}
			w.Header().Set("Cache-Control", "max-age=60")
			w.Write([]byte("v" + strconv.Itoa(n)))
		}}
		c := newCache(t, o, &gateway.CacheOptions{WaitTimeout: 2 * time.Second})
		leader, leaderDone := serveAsync(c, context.Background(), "http://example.com/a")
		synctest.Wait()
		waiter, waiterDone := serveAsync(c, context.Background(), "http://example.com/a")
		synctest.Wait()
		time.Sleep(1999 * time.Millisecond)
		synctest.Wait()
		require.Equal(t, 1, o.count(), "still waiting just before the timeout")
		<-waiterDone
		_, h, body := waiter.snapshot()
		require.Equal(t, "BYPASS", h.Get("X-Cache"))
		require.Equal(t, "v2", body)
		require.Equal(t, 2, o.count())
		<-leaderDone
		_, h, body = leader.snapshot()
		require.Equal(t, "MISS", h.Get("X-Cache"))
		require.Equal(t, "v1", body)
	})
}

// A client that goes away does not break the fetch for the others; the
// fetch is cancelled only when every client has gone.
func TestCacheClientDisconnect(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rest := make(chan struct{})
		var cancelled atomic.Int32
		o := &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
			w.Header().Set("Cache-Control", "max-age=60")
			w.Write([]byte("a,"))
			more := rest
			if r.URL.Path == "/b" {
				more = nil // never
			}
			select {
			case <-more:
				w.Write([]byte("b"))
			case <-r.Context().Done():
				cancelled.Add(1)
			}
		}}
		c := newCache(t, o, nil)

		ctx1, cancel1 := context.WithCancel(context.Background())
		_, done1 := serveAsync(c, ctx1, "http://example.com/a") // the leader
		synctest.Wait()
		w2, done2 := serveAsync(c, context.Background(), "http://example.com/a")
		synctest.Wait()
		cancel1()
		<-done1
		synctest.Wait()
		require.Zero(t, cancelled.Load(), "a waiter remains: the fetch goes on")
		close(rest)
		<-done2
		_, h, body := w2.snapshot()
		require.Equal(t, "COALESCED", h.Get("X-Cache"))
		require.Equal(t, "a,b", body)
		requireResponse(t, get(c, "GET", "http://example.com/a"), 200, "HIT", "a,b")

		// Everyone leaves: the fetch is cancelled.
		ctx3, cancel3 := context.WithCancel(context.Background())
		ctx4, cancel4 := context.WithCancel(context.Background())
		_, done3 := serveAsync(c, ctx3, "http://example.com/b")
		synctest.Wait()
		_, done4 := serveAsync(c, ctx4, "http://example.com/b")
		synctest.Wait()
		cancel3()
		<-done3
		synctest.Wait()
		require.Zero(t, cancelled.Load())
		cancel4()
		<-done4
		synctest.Wait()
		require.Equal(t, int32(1), cancelled.Load(), "the last client gone: the origin request is cancelled")
		require.Equal(t, int64(1), c.Stats().Objects, "/a only: the cut /b was not stored")
	})
}

func TestCacheVary(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
			w.Header().Set("Cache-Control", "max-age=60")
			w.Header().Set("Vary", "accept-encoding")
			w.Write([]byte(r.Header.Get("Accept-Encoding") + "#" + strconv.Itoa(n)))
		}}
		c := newCache(t, o, nil)
		requireResponse(t, get(c, "GET", "http://example.com/a", "Accept-Encoding", "gzip, br"), 200, "MISS", "gzip, br#1")
		requireResponse(t, get(c, "GET", "http://example.com/a", "Accept-Encoding", "gzip,br"), 200, "HIT", "gzip, br#1")
		requireResponse(t, get(c, "GET", "http://example.com/a", "Accept-Encoding", "br"), 200, "MISS", "br#2")
		requireResponse(t, get(c, "GET", "http://example.com/a"), 200, "MISS", "#3")
		requireResponse(t, get(c, "GET", "http://example.com/a", "Accept-Encoding", "br"), 200, "HIT", "br#2")
		requireResponse(t, get(c, "GET", "http://example.com/a"), 200, "HIT", "#3")
		requireResponse(t, get(c, "GET", "http://example.com/a", "Accept-Encoding", ""), 200, "MISS", "#4")
	})
}

// Requests that joined one fetch before its Vary was known, and turn out
// to want another variant, fetch theirs (together).
func TestCacheVaryWaitersOfOtherVariants(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		leaderGo := make(chan struct{})
		o := &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
			if n == 1 {
				<-leaderGo
			}
			w.Header().Set("Cache-Control", "max-age=60")
			w.Header().Set("Vary", "Accept-Encoding")
			w.Write([]byte(r.Header.Get("Accept-Encoding")))
		}}
		c := newCache(t, o, nil)
		var ws []*streamWriter
		var dones []chan struct{}
		for _, enc := range []string{"gzip", "gzip", "br", "br"} {
			w, done := serveAsync(c, context.Background(), "http://example.com/a", "Accept-Encoding", enc)
			ws, dones = append(ws, w), append(dones, done)
			synctest.Wait()
		}
		close(leaderGo)
		for _, d := range dones {
			<-d
		}
		for i, enc := range []string{"gzip", "gzip", "br", "br"} {
			_, _, body := ws[i].snapshot()
			require.Equal(t, enc, body)
		}
		require.LessOrEqual(t, o.count(), 3, "one fetch for gzip, at most one per br waiter")
		requireResponse(t, get(c, "GET", "http://example.com/a", "Accept-Encoding", "br"), 200, "HIT", "br")
	})
}

func TestCacheVaryStarNeverReused(t *testing.T) {
	o := static("x", "Cache-Control", "max-age=60", "Vary", "*")
	c := newCache(t, o, nil)
	get(c, "GET", "http://example.com/a")
	get(c, "GET", "http://example.com/a")
	require.Equal(t, 2, o.count())
	require.Zero(t, c.Stats().Hits)
}

func TestCacheAuthorization(t *testing.T) {
	for _, tc := range []struct {
		cacheControl string
		stored       bool
	}{
		{"max-age=60", false},
		{"public, max-age=60", true},
		{"s-maxage=60", true},
		{"max-age=60, must-revalidate", true},
	} {
		t.Run(tc.cacheControl, func(t *testing.T) {
			o := static("x", "Cache-Control", tc.cacheControl)
			c := newCache(t, o, nil)
			get(c, "GET", "http://example.com/a", "Authorization", "Bearer t")
			w := get(c, "GET", "http://example.com/a")
			if tc.stored {
				require.Equal(t, "HIT", w.Header().Get("X-Cache"))
			} else {
				require.Equal(t, "MISS", w.Header().Get("X-Cache"), "not stored, and the key is not marked uncacheable")
			}
		})
	}
}

func TestCacheSetCookieNeverStored(t *testing.T) {
	o := static("x", "Cache-Control", "public, max-age=60", "Set-Cookie", "id=1")
	c := newCache(t, o, nil)
	w := get(c, "GET", "http://example.com/a")
	require.Equal(t, "id=1", w.Header().Get("Set-Cookie"), "the client that asked gets its cookie")
	w = get(c, "GET", "http://example.com/a")
	require.Equal(t, "BYPASS", w.Header().Get("X-Cache"))
	require.Equal(t, 2, o.count())
}

func TestCacheSizeLimits(t *testing.T) {
	t.Run("declared too large", func(t *testing.T) {
		o := &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
			w.Header().Set("Cache-Control", "max-age=60")
			w.Header().Set("Content-Length", "1001")
			w.Write(make([]byte, 1001))
		}}
		c := newCache(t, o, &gateway.CacheOptions{MaxObjectSize: 1000})
		require.Len(t, get(c, "GET", "http://example.com/a").Body.Bytes(), 1001)
		require.Equal(t, "BYPASS", get(c, "GET", "http://example.com/a").Header().Get("X-Cache"))
	})
	t.Run("grows too large while streaming", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			step := make(chan struct{})
			o := &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
				w.Header().Set("Cache-Control", "max-age=60")
				for i := range 5 {
					if n == 1 {
						<-step
					}
					w.Write([]byte(string(rune('a'+i)) + string(make([]byte, 299))))
				}
			}}
			c := newCache(t, o, &gateway.CacheOptions{MaxObjectSize: 1000})
			w1, d1 := serveAsync(c, context.Background(), "http://example.com/a")
			synctest.Wait()
			w2, d2 := serveAsync(c, context.Background(), "http://example.com/a")
			synctest.Wait()
			for range 5 {
				step <- struct{}{}
				synctest.Wait()
			}
			<-d1
			<-d2
			_, _, b1 := w1.snapshot()
			_, h2, b2 := w2.snapshot()
			require.Len(t, b1, 1500)
			require.Equal(t, b1, b2, "a joined waiter gets the whole body")
			require.Equal(t, "COALESCED", h2.Get("X-Cache"))
			require.Equal(t, int64(0), c.Stats().Objects)
			require.Equal(t, "BYPASS", get(c, "GET", "http://example.com/a").Header().Get("X-Cache"))
		})
	})
	t.Run("evicts by bytes", func(t *testing.T) {
		o := &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
			w.Header().Set("Cache-Control", "max-age=60")
			w.Write(make([]byte, 1000))
		}}
		const maxBytes = 5000 // about three 1,000-byte objects with their fields and overhead
		c := newCache(t, o, &gateway.CacheOptions{MaxBytes: maxBytes, MaxObjectSize: 1500})
		for _, p := range []string{"/a", "/b", "/c"} {
			require.Equal(t, "MISS", get(c, "GET", "http://example.com"+p).Header().Get("X-Cache"))
		}
		require.Equal(t, int64(3), c.Stats().Objects)
		require.Equal(t, "HIT", get(c, "GET", "http://example.com/a").Header().Get("X-Cache"))
		get(c, "GET", "http://example.com/d")
		s := c.Stats()
		require.Equal(t, uint64(1), s.Evictions)
		require.Equal(t, int64(3), s.Objects)
		require.LessOrEqual(t, s.Bytes, int64(maxBytes))
		for _, p := range []string{"/a", "/c", "/d"} {
			require.Equal(t, "HIT", get(c, "GET", "http://example.com"+p).Header().Get("X-Cache"), p)
		}
		require.Equal(t, "MISS", get(c, "GET", "http://example.com/b").Header().Get("X-Cache"), "the least recently used went")
	})
}

func TestCacheHEAD(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := static("hello", "Cache-Control", "max-age=60")
		c := newCache(t, o, nil)
		w := get(c, "HEAD", "http://example.com/a")
		requireResponse(t, w, 200, "MISS", "")
		synctest.Wait() // the HEAD was answered at the headers; the GET goes on to be stored
		require.Equal(t, "GET", o.req(0).Method, "a HEAD miss fetches the GET, to store it")
		w = get(c, "HEAD", "http://example.com/a")
		requireResponse(t, w, 200, "HIT", "")
		require.Equal(t, "5", w.Header().Get("Content-Length"))
		requireResponse(t, get(c, "GET", "http://example.com/a"), 200, "HIT", "hello")
		require.Equal(t, 1, o.count())
	})
}

// A HEAD miss is answered as soon as the headers arrive, and the GET it
// fetched goes on to be stored.
func TestCacheHEADMissStoresTheGET(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rest := make(chan struct{})
		o := &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
			w.Header().Set("Cache-Control", "max-age=60")
			w.Write([]byte("hel"))
			w.(http.Flusher).Flush()
			<-rest
			w.Write([]byte("lo"))
		}}
		c := newCache(t, o, nil)
		r := httptest.NewRequest("HEAD", "http://example.com/a", nil)
		w := newStreamWriter()
		c.ServeHTTP(w, r) // returns while the origin is blocked
		code, h, body := w.snapshot()
		require.Equal(t, 200, code)
		require.Equal(t, "MISS", h.Get("X-Cache"))
		require.Empty(t, body)
		close(rest)
		synctest.Wait()
		requireResponse(t, get(c, "GET", "http://example.com/a"), 200, "HIT", "hello")
		require.Equal(t, 1, o.count())
	})
}

func TestCacheUnsafeMethodInvalidates(t *testing.T) {
	o := static("x", "Cache-Control", "max-age=60")
	c := newCache(t, o, nil)
	get(c, "GET", "http://example.com/a?x=1")
	require.Equal(t, "HIT", get(c, "GET", "http://example.com/a?x=1").Header().Get("X-Cache"))
	require.Equal(t, "BYPASS", get(c, "POST", "http://example.com/a?x=1").Header().Get("X-Cache"))
	require.Equal(t, "MISS", get(c, "GET", "http://example.com/a?x=1").Header().Get("X-Cache"))
	require.Equal(t, "BYPASS", get(c, "GET", "http://example.com/a?x=1", "Range", "bytes=0-1").Header().Get("X-Cache"))
}

func TestCacheKeyIncludesHostAndQuery(t *testing.T) {
	o := &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Cache-Control", "max-age=60")
		w.Write([]byte(r.Host + r.URL.RequestURI()))
	}}
	c := newCache(t, o, nil)
	for _, u := range []string{"http://a.example/p?q=1", "http://b.example/p?q=1", "http://a.example/p?q=2", "http://a.example/p", "http://a.example/p%2Fx", "http://a.example/p/x"} {
		requireResponse(t, get(c, "GET", u), 200, "MISS", u[len("http://"):])
	}
	require.Equal(t, 6, o.count())
}

func TestCacheDoesNotStoreHopByHopFields(t *testing.T) {
	o := static("x", "Cache-Control", "max-age=60", "Connection", "X-Private-Hop", "X-Private-Hop", "1",
		"Keep-Alive", "timeout=5", "X-Kept", "yes", "Age", "3")
	c := newCache(t, o, nil)
	get(c, "GET", "http://example.com/a")
	w := get(c, "GET", "http://example.com/a")
	require.Equal(t, "HIT", w.Header().Get("X-Cache"))
	for _, name := range []string{"Connection", "X-Private-Hop", "Keep-Alive"} {
		require.Empty(t, w.Header().Values(name), name)
	}
	require.Equal(t, "yes", w.Header().Get("X-Kept"))
	require.Equal(t, []string{"3"}, w.Header().Values("Age"), "one Age, the cache's own")
}

// A body the origin cuts short is cut short for every client too, and not
// stored.
func TestCacheOriginAbortMidBody(t *testing.T) {
	var mu sync.Mutex
	aborted := true
	o := &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Cache-Control", "max-age=60")
		w.Header().Set("Content-Length", "10")
		w.Write([]byte("12345"))
		mu.Lock()
		defer mu.Unlock()
		if aborted {
			panic(http.ErrAbortHandler)
		}
		w.Write([]byte("67890"))
	}}
	c := newCache(t, o, nil)
	srv := httptest.NewServer(c)
	defer srv.Close()
	srv.Config.ErrorLog = nil
	res, err := http.Get(srv.URL + "/a")
	require.NoError(t, err)
	_, err = readAll(res)
	require.Error(t, err, "the client sees the truncation")
	mu.Lock()
	aborted = false
	mu.Unlock()
	res, err = http.Get(srv.URL + "/a")
	require.NoError(t, err)
	b, err := readAll(res)
	require.NoError(t, err)
	require.Equal(t, "1234567890", string(b))
	require.Equal(t, "MISS", res.Header.Get("X-Cache"), "the cut body was not stored")
}

// A 5xx is shared with the waiters only if it may be shared at all: one
// that sets a cookie, is private or no-store, or varies on a field the
// waiter sent differently goes to the request that caused it alone.
func TestCacheUnshareableErrorNotShared(t *testing.T) {
	for _, tc := range []struct {
		name     string
		kv       []string
		waiterKV []string
	}{
		{"Set-Cookie", []string{"Set-Cookie", "session=secret"}, nil},
		{"private", []string{"Cache-Control", "private"}, nil},
		{"no-store", []string{"Cache-Control", "no-store"}, nil},
		{"Vary", []string{"Vary", "Cookie"}, []string{"Cookie", "id=2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				leaderGo := make(chan struct{})
				o := &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
					if n == 1 {
						<-leaderGo
					}
					for i := 0; i+1 < len(tc.kv); i += 2 {
						w.Header().Set(tc.kv[i], tc.kv[i+1])
					}
					w.WriteHeader(http.StatusServiceUnavailable)
					w.Write([]byte("secret of request " + strconv.Itoa(n)))
				}}
				c := newCache(t, o, nil)
				leader, leaderDone := serveAsync(c, context.Background(), "http://example.com/a", "Cookie", "id=1")
				synctest.Wait()
				waiter, waiterDone := serveAsync(c, context.Background(), "http://example.com/a", tc.waiterKV...)
				synctest.Wait()
				close(leaderGo)
				<-leaderDone
				<-waiterDone
				_, _, lb := leader.snapshot()
				code, wh, wb := waiter.snapshot()
				require.Equal(t, "secret of request 1", lb)
				require.Equal(t, 503, code)
				require.Equal(t, "secret of request 2", wb, "the waiter never sees the leader's response")
				require.NotEqual(t, "COALESCED", wh.Get("X-Cache"))
			})
		})
	}
}

// A client's conditional request that misses gets its 304, and the fetch
// it started goes on to store the response for the next requests.
func TestCacheConditionalMissStores(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rest := make(chan struct{})
		o := &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
			w.Header().Set("Cache-Control", "max-age=60")
			w.Header().Set("Etag", `"v1"`)
			w.WriteHeader(http.StatusOK)
			<-rest // the body comes after the client has its 304
			w.Write([]byte("body"))
		}}
		c := newCache(t, o, nil)
		w := get(c, "GET", "http://example.com/a", "If-None-Match", `"v1"`)
		require.Equal(t, http.StatusNotModified, w.Code)
		close(rest)
		synctest.Wait()
		requireResponse(t, get(c, "GET", "http://example.com/a"), 200, "HIT", "body")
		require.Equal(t, 1, o.count())
	})
}

// An unsafe request invalidates only when the origin accepted it (RFC 9111
// §4.4: a non-error status): anyone can send a POST that the origin
// refuses, and it must not evict what is stored.
func TestCacheRefusedUnsafeMethodKeepsStored(t *testing.T) {
	o := &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
		if r.Method != "GET" {
			http.Error(w, "no", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Cache-Control", "max-age=60")
		w.Write([]byte("x"))
	}}
	c := newCache(t, o, nil)
	get(c, "GET", "http://example.com/a")
	w := get(c, "POST", "http://example.com/a")
	require.Equal(t, http.StatusMethodNotAllowed, w.Code)
	require.Equal(t, "HIT", get(c, "GET", "http://example.com/a").Header().Get("X-Cache"))
	get(c, "DELETE", "http://example.com/a")
	require.Equal(t, "HIT", get(c, "GET", "http://example.com/a").Header().Get("X-Cache"))
}
