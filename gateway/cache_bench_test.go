package gateway

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"sync"
	"testing"
)

// discardWriter is a ResponseWriter that keeps nothing, reusing its header
// map, so that a benchmark counts the cache's allocations only.
type discardWriter struct {
	h    http.Header
	code int
	n    int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(code int)        { w.code = code }
func (w *discardWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

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
