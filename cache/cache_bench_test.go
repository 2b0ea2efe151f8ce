package cache_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/v100video/v100/cache"
)

// zipfKeys returns a trace of n keys out of space, Zipf-distributed.
func zipfKeys(n, space int) []string {
	r := rand.New(rand.NewPCG(1, 2))
	z := rand.NewZipf(r, 1.01, 1, uint64(space-1))
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("key-%06d", z.Uint64())
	}
	return keys
}

func BenchmarkGetParallel(b *testing.B) {
	const space = 100_000
	c := cache.New[string, []byte](&cache.Options{Capacity: space})
	defer c.Close()
	for i := range space {
		c.Set(context.Background(), fmt.Sprintf("key-%06d", i), []byte("v"), time.Hour)
	}
	trace := zipfKeys(1<<16, space)
	var seed atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := int(seed.Add(7919))
		ctx := context.Background()
		for pb.Next() {
			if _, ok := c.Get(ctx, trace[i&(len(trace)-1)]); !ok {
				b.Error("miss on a warm cache")
				return
			}
			i++
		}
	})
}

// BenchmarkGetOrLoadHerd: 100 callers miss one key at once; reports the
// loads per herd (origin-fetches/op, 1 is the point).
func BenchmarkGetOrLoadHerd(b *testing.B) {
	c := cache.New[int, int](nil)
	defer c.Close()
	var loads atomic.Int64
	load := func(context.Context) (int, time.Duration, error) {
		loads.Add(1)
		time.Sleep(time.Millisecond)
		return 1, time.Hour, nil
	}
	for i := 0; b.Loop(); i++ {
		done := make(chan struct{})
		for range 100 {
			go func() {
				c.GetOrLoad(context.Background(), i, load)
				done <- struct{}{}
			}()
		}
		for range 100 {
			<-done
		}
	}
	b.ReportMetric(float64(loads.Load())/float64(b.N), "origin-fetches/op")
}
