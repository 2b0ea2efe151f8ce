// Benchmarks of ratelimit.Limiter against golang.org/x/time/rate and
// go.uber.org/ratelimit.

package bench

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	uber "go.uber.org/ratelimit"
	"golang.org/x/time/rate"

	"github.com/v100video/v100/ratelimit"
)

// A limit no benchmark reaches, so that every decision does the same work.
const hugeRate = 1_000_000_000

func v100Limiter(b *testing.B) *ratelimit.Limiter {
	l, err := ratelimit.New(ratelimit.Options{Limit: ratelimit.PerSecond(hugeRate, hugeRate)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	return l
}

// BenchmarkRateLimitHotKey decides for one key from every CPU at once: the
// worst case for contention.
func BenchmarkRateLimitHotKey(b *testing.B) {
	b.Run("v100", func(b *testing.B) {
		l := v100Limiter(b)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if !l.Allow("hot").Allowed {
					b.Error("denied under a limit that is never reached")
					return
				}
			}
		})
	})
	b.Run("x-time-rate", func(b *testing.B) {
		l := rate.NewLimiter(hugeRate, hugeRate)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if !l.Allow() {
					b.Error("denied")
					return
				}
			}
		})
	})
	// uber's limiter paces (Take blocks until the next slot) rather than
	// deciding; at this rate it never sleeps, so this is its decision cost.
	b.Run("uber-ratelimit", func(b *testing.B) {
		l := uber.New(hugeRate, uber.WithoutSlack)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				l.Take()
			}
		})
	})
}

const manyKeys = 100_000

func uniformKeys() []string {
	r := rand.New(rand.NewPCG(3, 4))
	keys := make([]string, 1<<18)
	for i := range keys {
		keys[i] = fmt.Sprintf("198.51.%03d.%03d", r.IntN(manyKeys)/1000, r.IntN(1000))
	}
	return keys
}

// BenchmarkRateLimit100kKeys decides for keys drawn uniformly from 100k,
// as per-client limits see. x/time/rate has no keys of its own: the usual
// way is a sync.Map of limiters, shown here.
func BenchmarkRateLimit100kKeys(b *testing.B) {
	keys := uniformKeys()
	mask := uint64(len(keys) - 1)
	b.Run("v100", func(b *testing.B) {
		l := v100Limiter(b)
		for _, k := range keys {
			l.Allow(k)
		}
		var ids atomic.Uint64
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			i := ids.Add(1) * 0x9e3779b97f4a7c15
			for pb.Next() {
				l.Allow(keys[i&mask])
				i++
			}
		})
	})
	b.Run("x-time-rate-syncmap", func(b *testing.B) {
		var m sync.Map
		get := func(k string) *rate.Limiter {
			if v, ok := m.Load(k); ok {
				return v.(*rate.Limiter)
			}
			v, _ := m.LoadOrStore(k, rate.NewLimiter(hugeRate, hugeRate))
			return v.(*rate.Limiter)
		}
		for _, k := range keys {
			get(k).Allow()
		}
		var ids atomic.Uint64
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			i := ids.Add(1) * 0x9e3779b97f4a7c15
			for pb.Next() {
				get(keys[i&mask]).Allow()
				i++
			}
		})
	})
}
