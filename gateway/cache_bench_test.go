package gateway

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// discardWriter is a ResponseWriter that keeps nothing, reusing its header
// map, so that a benchmark counts the cache's allocations only.
type discardWriter struct {
	h    http.Header
	code int
	n    int
}

func (w *discardWriter) Header() http.Header  { return w.h }
func (w *discardWriter) WriteHeader(code int) { w.code = code }

// Write, like net/http's, implies a 200 if WriteHeader was not called.
func (w *discardWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	w.n += len(p)
	return len(p), nil
}

func benchmarkHit(b *testing.B, size int) {
	body := make([]byte, size)
	c := NewCache(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=3600")
		w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
		w.Header().Set("Etag", `"v1"`)
		w.Write(body)
	}), nil)
	defer c.Close()
	r := httptest.NewRequest("GET", "http://cdn.example/v1/videos/42/720p/index.m3u8", nil)
	r.Header.Set("Accept-Encoding", "gzip")
	r.Header.Set("User-Agent", "bench")
	c.ServeHTTP(&discardWriter{h: http.Header{}}, r)

	b.ReportAllocs()
	b.SetBytes(int64(size))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		w := &discardWriter{h: make(http.Header, 8)}
		for pb.Next() {
			clear(w.h)
			w.n = 0
			c.ServeHTTP(w, r)
			if w.code != 200 || w.n != size {
				b.Fatalf("got %d with %d bytes", w.code, w.n)
			}
		}
	})
	if s := c.Stats(); s.Misses != 1 {
		b.Fatalf("misses = %d, want 1", s.Misses)
	}
}

func BenchmarkCacheHit2KB(b *testing.B)   { benchmarkHit(b, 2<<10) }
func BenchmarkCacheHit200KB(b *testing.B) { benchmarkHit(b, 200<<10) }

// BenchmarkCacheCoalescedMiss: 64 requests for a key nobody has fetched
// arrive together; one origin fetch answers them all, its 200 KB body
// streamed to every waiter.
func BenchmarkCacheCoalescedMiss(b *testing.B) {
	const clients = 64
	body := make([]byte, 200<<10)
	gate := make(chan struct{})
	c := NewCache(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-gate
		w.Header().Set("Cache-Control", "max-age=3600")
		w.Write(body[:100<<10])
		w.(http.Flusher).Flush()
		w.Write(body[100<<10:])
	}), nil)
	defer c.Close()
	b.ReportAllocs()
	b.SetBytes(int64(len(body)) * clients)
	var i int
	for b.Loop() {
		i++
		target := "http://cdn.example/v1/videos/42/720p/seg" + strconv.Itoa(i) + ".ts"
		var wg sync.WaitGroup
		for range clients {
			wg.Go(func() {
				w := &discardWriter{h: http.Header{}}
				c.ServeHTTP(w, httptest.NewRequest("GET", target, nil).WithContext(context.Background()))
				if w.n != len(body) {
					b.Errorf("got %d bytes", w.n)
				}
			})
		}
		waitForWaiters(c, clients-1)
		gate <- struct{}{}
		wg.Wait()
	}
	b.ReportMetric(float64(c.Stats().OriginFetches)/float64(b.N), "origin-fetches/op")
}

// waitForWaiters waits until the one flight in c has n waiters.
func waitForWaiters(c *Cache, n int) {
	for {
		c.fmu.Lock()
		joined := 0
		for _, f := range c.flights {
			f.mu.Lock()
			joined = f.joined
			f.mu.Unlock()
		}
		c.fmu.Unlock()
		if joined >= n {
			return
		}
		runtime.Gosched()
	}
}

// BenchmarkCacheHitHTTP200KB: hits on a stored 200 KB segment through a
// real net/http server on loopback, with keep-alive clients, to profile
// the whole write path (go test -bench CacheHitHTTP -cpuprofile).
func BenchmarkCacheHitHTTP200KB(b *testing.B) {
	body := make([]byte, 200<<10)
	c := NewCache(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=3600")
		w.Header().Set("Content-Type", "video/mp2t")
		w.Write(body)
	}), nil)
	defer c.Close()
	srv := httptest.NewServer(c)
	defer srv.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	url := srv.URL + "/v1/videos/42/720p/seg1.ts"
	fetch := func(buf []byte) {
		res, err := client.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			k, err := res.Body.Read(buf)
			n += k
			if err != nil {
				break
			}
		}
		res.Body.Close()
		if n != len(body) {
			b.Fatalf("got %d bytes", n)
		}
	}
	fetch(make([]byte, 64<<10))
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		buf := make([]byte, 64<<10)
		for pb.Next() {
			fetch(buf)
		}
	})
}

// BenchmarkCacheNoStoreHerd: 1,000 concurrent GETs for a no-store
// response from an origin that takes 50 ms. The first leads a fetch, the
// others wait for it and are released together when it turns out not to
// be shareable; each then asks the origin on its own. It reports the
// median latency (p50-ms), to compare with 2 × 50 ms, and the origin's
// requests per herd.
func BenchmarkCacheNoStoreHerd(b *testing.B) {
	const herd = 1000
	body := make([]byte, 2<<10)
	var originReqs atomic.Int64
	origin := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		originReqs.Add(1)
		time.Sleep(50 * time.Millisecond)
		w.Header().Set("Cache-Control", "no-store")
		w.Write(body)
	})
	var p50s []time.Duration
	for i := 0; b.Loop(); i++ {
		c := NewCache(origin, nil)
		p50s = append(p50s, herdMedian(b, c, herd, i))
		c.Close()
	}
	reportMedian(b, p50s)
	b.ReportMetric(float64(originReqs.Load())/float64(b.N), "origin-fetches/op")
}

// herdMedian sends herd concurrent GETs of a new target (numbered i) to h,
// released at once, and returns their median latency. Each must get 200.
func herdMedian(b *testing.B, h http.Handler, herd, i int) time.Duration {
	target := "http://cdn.example/nostore.m3u8?herd=" + strconv.Itoa(i)
	lat := make([]time.Duration, herd)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for j := range herd {
		wg.Go(func() {
			r := httptest.NewRequest("GET", target, nil)
			w := &discardWriter{h: http.Header{}}
			<-start
			t0 := time.Now()
			h.ServeHTTP(w, r)
			lat[j] = time.Since(t0)
			if w.code != 200 {
				b.Errorf("status %d", w.code)
			}
		})
	}
	close(start)
	wg.Wait()
	slices.Sort(lat)
	return lat[herd/2]
}

// reportMedian reports the median of the herds' medians as p50-ms.
func reportMedian(b *testing.B, p50s []time.Duration) {
	slices.Sort(p50s)
	b.ReportMetric(float64(p50s[len(p50s)/2])/float64(time.Millisecond), "p50-ms")
}

// BenchmarkPoolNoStoreHerd is BenchmarkCacheNoStoreHerd with the origin
// behind a Pool, on loopback: what the upstream connections add.
func BenchmarkPoolNoStoreHerd(b *testing.B) {
	const herd = 1000
	body := make([]byte, 2<<10)
	originSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(50 * time.Millisecond)
		w.Header().Set("Cache-Control", "no-store")
		w.Write(body)
	}))
	defer originSrv.Close()
	targets, err := parseUpstreams([]string{originSrv.URL})
	if err != nil {
		b.Fatal(err)
	}
	pool, err := NewPool(targets, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	for _, cached := range []bool{false, true} {
		b.Run("cache="+strconv.FormatBool(cached), func(b *testing.B) {
			var p50s []time.Duration
			for i := 0; b.Loop(); i++ {
				if !cached {
					p50s = append(p50s, herdMedian(b, pool, herd, i))
					continue
				}
				c := NewCache(pool, nil)
				p50s = append(p50s, herdMedian(b, c, herd, i))
				c.Close()
			}
			reportMedian(b, p50s)
		})
	}
}

// BenchmarkCacheNoStoreRelease: 1,000 requests wait on a fetch whose
// response turns out not to be shareable; the origin then answers each
// at once. It reports how long after the fetch's headers the last waiter
// was answered (release-ms): the cost of releasing the waiters.
func BenchmarkCacheNoStoreRelease(b *testing.B) {
	const herd = 1000
	var headersAt atomic.Int64
	gate := make(chan struct{})
	origin := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if r.Header.Get("X-Leader") != "" {
			<-gate
			headersAt.Store(time.Now().UnixNano())
		}
		w.Write([]byte("x"))
	})
	var worst []time.Duration
	for i := 0; b.Loop(); i++ {
		c := NewCache(origin, nil)
		target := "http://cdn.example/nostore.m3u8?herd=" + strconv.Itoa(i)
		var last atomic.Int64
		var wg sync.WaitGroup
		serve := func(leader bool) {
			r := httptest.NewRequest("GET", target, nil)
			if leader {
				r.Header.Set("X-Leader", "1")
			}
			c.ServeHTTP(&discardWriter{h: http.Header{}}, r)
			now := time.Now().UnixNano()
			for {
				l := last.Load()
				if now <= l || last.CompareAndSwap(l, now) {
					break
				}
			}
		}
		wg.Go(func() { serve(true) })
		for {
			c.fmu.Lock()
			n := len(c.flights)
			c.fmu.Unlock()
			if n == 1 {
				break
			}
			runtime.Gosched()
		}
		for range herd - 1 {
			wg.Go(func() { serve(false) })
		}
		waitForWaiters(c, herd-1)
		gate <- struct{}{}
		wg.Wait()
		c.Close()
		worst = append(worst, time.Duration(last.Load()-headersAt.Load()))
	}
	slices.Sort(worst)
	b.ReportMetric(float64(worst[len(worst)/2])/float64(time.Millisecond), "release-ms")
}
