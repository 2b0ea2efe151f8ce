// Benchmarks of coalesce.Group against golang.org/x/sync/singleflight.

package bench

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/v100video/v100/coalesce"
)

// BenchmarkCoalesceUniqueKey measures a call that has no execution to join:
// every iteration uses a new key. Both groups get string keys built the same
// way, so the key's allocation is counted on both sides.
func BenchmarkCoalesceUniqueKey(b *testing.B) {
	b.Run("v100", func(b *testing.B) {
		var g coalesce.Group[string, int]
		ctx := context.Background()
		fn := func(context.Context) (int, error) { return 1, nil }
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, _, err := g.Do(ctx, strconv.Itoa(i), fn); err != nil {
				b.Fatal(err)
			}
		}
	})
	// A context that can be cancelled makes the Group run fn on a goroutine
	// of its own, so that the caller can stop waiting: this is the path of a
	// request handler's context.
	b.Run("v100-cancellable-ctx", func(b *testing.B) {
		var g coalesce.Group[string, int]
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		fn := func(context.Context) (int, error) { return 1, nil }
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, _, err := g.Do(ctx, strconv.Itoa(i), fn); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("singleflight", func(b *testing.B) {
		var g singleflight.Group
		fn := func() (any, error) { return 1, nil }
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err, _ := g.Do(strconv.Itoa(i), fn); err != nil {
				b.Fatal(err)
			}
		}
	})
	// DoChan is how a singleflight caller stops waiting when its context
	// ends, the counterpart of v100-cancellable-ctx: it too runs fn on a
	// goroutine of its own.
	b.Run("singleflight-dochan", func(b *testing.B) {
		var g singleflight.Group
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		fn := func() (any, error) { return 1, nil }
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			select {
			case r := <-g.DoChan(strconv.Itoa(i), fn):
				if r.Err != nil {
					b.Fatal(r.Err)
				}
			case <-ctx.Done():
				b.Fatal(ctx.Err())
			}
		}
	})
}

// herdSize is how many goroutines ask for the one key of a herd.
const herdSize = 10_000

// herdSleep is how long the herd's function runs.
const herdSleep = 20 * time.Millisecond

// herdResult is what one herd measured.
type herdResult struct {
	executions int64         // times the function ran
	release    time.Duration // last waiter's return minus the function's
}

// runHerd starts herdSize goroutines that call do on one key and waits for
// all of them. The function do is given waits until every goroutine is
// about to call do, then sleeps herdSleep, so that all of them are inside
// do before it returns. The timer runs only while the herd does.
func runHerd(b *testing.B, do func(fn func() int) int) herdResult {
	var (
		entered  sync.WaitGroup // goroutines about to call do
		done     sync.WaitGroup
		execs    atomic.Int64
		fnReturn time.Time // written by fn, read after done.Wait
		returns  = make([]time.Time, herdSize)
	)
	fn := func() int {
		execs.Add(1)
		entered.Wait()
		time.Sleep(herdSleep)
		fnReturn = time.Now()
		return 1
	}
	entered.Add(herdSize)
	done.Add(herdSize)
	b.StartTimer()
	for i := range herdSize {
		go func() {
			defer done.Done()
			entered.Done()
			if v := do(fn); v != 1 {
				b.Errorf("got %d, want 1", v)
			}
			returns[i] = time.Now()
		}()
	}
	done.Wait()
	b.StopTimer()
	last := returns[0]
	for _, t := range returns[1:] {
		if t.After(last) {
			last = t
		}
	}
	return herdResult{executions: execs.Load(), release: last.Sub(fnReturn)}
}

// BenchmarkCoalesceHerd measures a thundering herd: herdSize goroutines
// asking for one key at once. It reports how many times the function ran
// (executions/herd, which must be 1) and how long after the function
// returned the last waiter got its result (release-ms), averaged over the
// herds. ns/op is the whole herd, from the first goroutine started to the
// last one done, so it includes herdSleep.
func BenchmarkCoalesceHerd(b *testing.B) {
	herd := func(b *testing.B, newDo func() func(fn func() int) int) {
		b.ReportAllocs()
		b.StopTimer()
		var execs int64
		var release time.Duration
		for range b.N {
			r := runHerd(b, newDo())
			execs += r.executions
			release += r.release
		}
		b.ReportMetric(float64(execs)/float64(b.N), "executions/herd")
		b.ReportMetric(float64(release)/float64(time.Millisecond)/float64(b.N), "release-ms")
	}
	b.Run("v100", func(b *testing.B) {
		herd(b, func() func(fn func() int) int {
			var g coalesce.Group[string, int]
			return func(fn func() int) int {
				v, _, err := g.Do(context.Background(), "key", func(context.Context) (int, error) { return fn(), nil })
				if err != nil {
					b.Error(err)
				}
				return v
			}
		})
	})
	b.Run("v100-cancellable-ctx", func(b *testing.B) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		herd(b, func() func(fn func() int) int {
			var g coalesce.Group[string, int]
			return func(fn func() int) int {
				v, _, err := g.Do(ctx, "key", func(context.Context) (int, error) { return fn(), nil })
				if err != nil {
					b.Error(err)
				}
				return v
			}
		})
	})
	b.Run("singleflight", func(b *testing.B) {
		herd(b, func() func(fn func() int) int {
			var g singleflight.Group
			return func(fn func() int) int {
				v, err, _ := g.Do("key", func() (any, error) { return fn(), nil })
				if err != nil {
					b.Error(err)
				}
				return v.(int)
			}
		})
	})
	// The runtime's floor, for reference: the same herd blocked on one
	// channel that a single close releases, with no coalescing at all.
	b.Run("floor-close-chan", func(b *testing.B) {
		herd(b, func() func(fn func() int) int {
			var once sync.Once
			ready := make(chan struct{})
			var v int
			return func(fn func() int) int {
				once.Do(func() {
					go func() {
						v = fn()
						close(ready)
					}()
				})
				<-ready
				return v
			}
		})
	})
	b.Run("singleflight-dochan", func(b *testing.B) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		herd(b, func() func(fn func() int) int {
			var g singleflight.Group
			return func(fn func() int) int {
				select {
				case r := <-g.DoChan("key", func() (any, error) { return fn(), nil }):
					if r.Err != nil {
						b.Error(r.Err)
					}
					return r.Val.(int)
				case <-ctx.Done():
					b.Error(ctx.Err())
					return 0
				}
			}
		})
	})
}
