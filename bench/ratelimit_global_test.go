// Benchmarks of ratelimit.Global (leases over Redis) against
// github.com/go-redis/redis_rate, one Redis round trip per decision, on the
// same real redis-server.

package bench

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/v100video/v100/internal/redistest"
	"github.com/v100video/v100/ratelimit"
	"github.com/v100video/v100/ratelimit/redisstore"
)

// BenchmarkRateLimitGlobal decides from 64 goroutines, each for its own key
// (64 API keys, say), under a limit of a million a second per key (the
// finest redisstore keeps: one event per microsecond) that neither side
// reaches, and reports the store round trips per decision. With one key the
// limit itself, not the decision cost, would set v100's throughput.
const globalRate = 1_000_000

func BenchmarkRateLimitGlobal(b *testing.B) {
	srv := redistest.Start(b)
	ctx := context.Background()
	const goroutines = 64
	b.Run("v100", func(b *testing.B) {
		store, err := redisstore.Open(srv.URL(), nil)
		if err != nil {
			b.Fatal(err)
		}
		defer store.Close()
		// Dial and load the script before timing: the first call can take
		// longer than the 20 ms store timeout.
		if _, _, err := store.Lease(ctx, "warm-up", ratelimit.PerSecond(1, 1), 1); err != nil {
			b.Fatal(err)
		}
		g, err := ratelimit.NewGlobal(ratelimit.GlobalOptions{
			Limit: ratelimit.PerSecond(globalRate, globalRate/10), Store: store, Replicas: 4, // default batch: a tenth of a second of the share
			// 64 goroutines spinning on 1–2 CPUs can starve the one reading
			// Redis past the 20 ms default; this measures decisions, not that.
			Timeout: time.Second,
		})
		if err != nil {
			b.Fatal(err)
		}
		defer g.Close()
		// Lease each key's first batch before timing, one at a time: 64 cold
		// keys at once can queue past the store timeout on one CPU.
		for i := 1; i <= goroutines; i++ {
			g.Allow(ctx, fmt.Sprint("api-key-", i))
		}
		b.ReportAllocs()
		b.SetParallelism(max(1, goroutines/runtime.GOMAXPROCS(0))) // 64 goroutines at any -cpu
		var ids atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			key := fmt.Sprint("api-key-", ids.Add(1))
			for pb.Next() {
				g.Allow(ctx, key)
			}
		})
		st := g.Stats()
		if st.Fallback > 0 {
			b.Fatalf("%d decisions fell back: the store failed (%d errors)", st.Fallback, st.StoreErrors)
		}
		b.ReportMetric(float64(st.Remote)/float64(b.N), "store-waits/op")
		b.ReportMetric(100*float64(st.Local)/float64(st.Local+st.Remote+st.Fallback), "local-%")
		b.ReportMetric(100*float64(st.Allowed)/float64(st.Allowed+st.Denied), "allowed-%")
	})
	b.Run("redis_rate", func(b *testing.B) {
		client := redis.NewClient(&redis.Options{Addr: srv.Addr, PoolSize: goroutines})
		defer client.Close()
		l := redis_rate.NewLimiter(client)
		limit := redis_rate.Limit{Rate: globalRate, Period: time.Second, Burst: globalRate / 10}
		var allowed, total, ids atomic.Int64
		b.ReportAllocs()
		b.SetParallelism(max(1, goroutines/runtime.GOMAXPROCS(0)))
		b.RunParallel(func(pb *testing.PB) {
			key := fmt.Sprint("api-key-", ids.Add(1))
			for pb.Next() {
				res, err := l.Allow(ctx, key, limit)
				if err != nil {
					b.Errorf("redis_rate: %v", err)
					return
				}
				total.Add(1)
				allowed.Add(int64(res.Allowed))
			}
		})
		b.ReportMetric(1, "store-waits/op")
		b.ReportMetric(0, "local-%")
		b.ReportMetric(100*float64(allowed.Load())/float64(max(1, total.Load())), "allowed-%")
	})
}
