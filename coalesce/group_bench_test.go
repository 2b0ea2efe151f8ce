package coalesce_test

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/v100video/v100/coalesce"
)

func BenchmarkDoUniqueKey(b *testing.B) {
	var g coalesce.Group[int, int]
	fn := func(context.Context) (int, error) { return 1, nil }
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		g.Do(ctx, i, fn)
	}
}

func BenchmarkDoUniqueKeyCancellable(b *testing.B) {
	var g coalesce.Group[int, int]
	fn := func(context.Context) (int, error) { return 1, nil }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		g.Do(ctx, i, fn)
	}
}

// BenchmarkHerd: 1,000 goroutines on one key whose function takes 5 ms;
// reports executions per herd (1 is the point) and how long the last waiter
// took to be released after the function returned.
func BenchmarkHerd(b *testing.B) {
	const n = 1000
	var execs, releaseNs atomic.Int64
	for i := 0; b.Loop(); i++ {
		var g coalesce.Group[string, int]
		key := strconv.Itoa(i)
		var entered sync.WaitGroup
		entered.Add(n)
		var returned atomic.Int64
		fn := func(context.Context) (int, error) {
			execs.Add(1)
			entered.Wait()
			time.Sleep(5 * time.Millisecond)
			returned.Store(time.Now().UnixNano())
			return 1, nil
		}
		var last atomic.Int64
		var done sync.WaitGroup
		done.Add(n)
		for range n {
			go func() {
				defer done.Done()
				entered.Done()
				g.Do(context.Background(), key, fn)
				now := time.Now().UnixNano()
				for {
					l := last.Load()
					if now <= l || last.CompareAndSwap(l, now) {
						break
					}
				}
			}()
		}
		done.Wait()
		releaseNs.Add(last.Load() - returned.Load())
	}
	b.ReportMetric(float64(execs.Load())/float64(b.N), "executions/herd")
	b.ReportMetric(float64(releaseNs.Load())/float64(b.N)/1e6, "release-ms")
}
