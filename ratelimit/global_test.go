package ratelimit_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/ratelimit"
)

var bg = context.Background()

// flakyStore wraps a MemoryStore; while down it fails, and it counts calls.
type flakyStore struct {
	ratelimit.MemoryStore
	down  atomic.Bool
	calls atomic.Int32
}

func (s *flakyStore) Lease(ctx context.Context, key string, l ratelimit.Limit, n int) (int, time.Duration, error) {
	s.calls.Add(1)
	if s.down.Load() {
		return 0, 0, errors.New("store down")
	}
	return s.MemoryStore.Lease(ctx, key, l, n)
}

func newGlobal(t *testing.T, opts ratelimit.GlobalOptions) *ratelimit.Global {
	t.Helper()
	g, err := ratelimit.NewGlobal(opts)
	require.NoError(t, err)
	t.Cleanup(func() { g.Close() })
	return g
}

func TestMemoryStoreLease(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var s ratelimit.MemoryStore
		l := ratelimit.PerSecond(10, 5)
		n, _, err := s.Lease(bg, "k", l, 3)
		require.NoError(t, err)
		require.Equal(t, 3, n)
		n, _, _ = s.Lease(bg, "k", l, 3)
		require.Equal(t, 2, n, "only the rest of the burst")
		n, retry, _ := s.Lease(bg, "k", l, 3)
		require.Zero(t, n)
		require.Equal(t, 100*time.Millisecond, retry)
		time.Sleep(300 * time.Millisecond)
		n, _, _ = s.Lease(bg, "k", l, 10)
		require.Equal(t, 3, n, "three refilled")
	})
}

func TestGlobalDecidesMostlyLocally(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := &flakyStore{}
		g := newGlobal(t, ratelimit.GlobalOptions{Limit: ratelimit.PerSecond(100, 20), Store: store, Batch: 10})
		allowed := 0
		for range 200 { // 2 s at 100/s: exactly the limit
			if g.Allow(bg, "k").Allowed {
				allowed++
			}
			time.Sleep(10 * time.Millisecond)
		}
		require.Equal(t, 200, allowed)
		st := g.Stats()
		require.LessOrEqual(t, int(store.calls.Load()), 21, "about one lease per batch of 10")
		require.GreaterOrEqual(t, st.Local, uint64(199), "all but the first decision are local")
		g.Close()
	})
}

func TestGlobalRemembersDenials(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := &flakyStore{}
		g := newGlobal(t, ratelimit.GlobalOptions{Limit: ratelimit.PerMinute(60, 2), Store: store, Batch: 2})
		require.True(t, g.Allow(bg, "k").Allowed)
		require.True(t, g.Allow(bg, "k").Allowed)
		synctest.Wait()
		calls := store.calls.Load()
		for range 100 {
			d := g.Allow(bg, "k")
			require.False(t, d.Allowed)
			require.Positive(t, d.RetryAfter)
		}
		require.LessOrEqual(t, store.calls.Load()-calls, int32(1), "a denial is remembered until its retry-after")
		g.Close()
	})
}

func TestGlobalFallsBackAndRecovers(t *testing.T) {
	for _, failClosed := range []bool{false, true} {
		t.Run(map[bool]string{false: "fail-open", true: "fail-closed"}[failClosed], func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				store := &flakyStore{}
				g := newGlobal(t, ratelimit.GlobalOptions{
					Limit: ratelimit.PerMinute(600, 40), Store: store, Replicas: 4, Batch: 1,
					FailClosed: failClosed, Retry: time.Second,
				})
				store.down.Store(true)
				allowed := 0
				for range 50 {
					if g.Allow(bg, "k").Allowed {
						allowed++
					}
				}
				if failClosed {
					require.Zero(t, allowed)
				} else {
					require.Equal(t, 10, allowed, "the local share: a burst of 40 ÷ 4 replicas")
				}
				st := g.Stats()
				require.Equal(t, uint64(50), st.Fallback)
				require.Equal(t, uint64(1), st.StoreErrors, "the store is left alone after it fails")

				store.down.Store(false)
				time.Sleep(time.Second + 10*time.Millisecond)
				synctest.Wait()
				require.True(t, g.Allow(bg, "k").Allowed, "the store answers again")
				require.Equal(t, uint64(50), g.Stats().Fallback)
				g.Close()
			})
		})
	}
}

func TestNewGlobalNeedsAStore(t *testing.T) {
	_, err := ratelimit.NewGlobal(ratelimit.GlobalOptions{Limit: ratelimit.PerSecond(1, 1)})
	require.ErrorContains(t, err, "needs a Store")
}

// slowStore answers after delay, or when the context ends.
type slowStore struct {
	ratelimit.MemoryStore
	delay time.Duration
	calls atomic.Int32
}

func (s *slowStore) Lease(ctx context.Context, key string, l ratelimit.Limit, n int) (int, time.Duration, error) {
	s.calls.Add(1)
	select {
	case <-time.After(s.delay):
	case <-ctx.Done():
		return 0, 0, ctx.Err()
	}
	return s.MemoryStore.Lease(ctx, key, l, n)
}

func TestSlowStoreHoldsNoRequestPastTheTimeout(t *testing.T) {
	// Real time, not synctest: callers queued on a key's mutex are not
	// durably blocked, so a bubble's clock would never move. No duration
	// is asserted: before the fix each queued caller called the store again
	// and waited out a timeout of its own (10 × 20 ms), which the count of
	// store calls shows without a clock.
	store := &slowStore{delay: time.Second}
	g := newGlobal(t, ratelimit.GlobalOptions{Limit: ratelimit.PerSecond(100, 100), Store: store, Timeout: 20 * time.Millisecond})
	var done sync.WaitGroup
	for range 10 {
		done.Add(1)
		go func() {
			defer done.Done()
			g.Allow(bg, "k")
		}()
	}
	done.Wait()
	require.LessOrEqual(t, store.calls.Load(), int32(2), "one timeout; the queued callers do not call the slow store again")
	require.GreaterOrEqual(t, g.Stats().Fallback, uint64(8), "they decide locally at once instead")
}

func TestCancelledCallerDoesNotSuspendTheStore(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := &flakyStore{}
		g := newGlobal(t, ratelimit.GlobalOptions{Limit: ratelimit.PerSecond(100, 100), Store: store, FailClosed: true})
		ctx, cancel := context.WithCancel(bg)
		cancel()
		require.True(t, g.Allow(ctx, "k").Allowed, "the lease is not bound to the caller's context")
		require.True(t, g.Allow(bg, "other").Allowed, "and other keys are unaffected")
		require.Zero(t, g.Stats().Fallback)
		g.Close()
	})
}

func TestHeldTokensAreSpentBeforeADenial(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := &flakyStore{}
		g := newGlobal(t, ratelimit.GlobalOptions{Limit: ratelimit.PerMinute(60, 4), Store: store, Batch: 4})
		allowed := 0
		for range 4 {
			if g.Allow(bg, "k").Allowed {
				allowed++
			}
			synctest.Wait() // let a prefetch (which the store denies) land
		}
		require.Equal(t, 4, allowed, "the whole burst is used even though a prefetch was denied")
		require.False(t, g.Allow(bg, "k").Allowed)
		g.Close()
	})
}

func TestFallbackRefundsDoNotMintTokens(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := &flakyStore{}
		m, err := ratelimit.NewMiddleware(ratelimit.MiddlewareOptions{Rules: []ratelimit.Rule{
			{Name: "g", Limit: ratelimit.PerMinute(10, 10), Key: ratelimit.ByHeader("X-API-Key"), Store: store},
			{Name: "never", Limit: ratelimit.PerMinute(1, 1), Key: ratelimit.ByHeader("X-Deny")},
		}})
		require.NoError(t, err)
		defer m.Close()
		h := m.Handler(okHandler)
		store.down.Store(true)
		get(h, "198.51.100.7:1", "k") // fallback allows, then "never" is not asked
		for range 20 {
			r := newRequest("k")
			r.Header.Set("X-Deny", "x") // "never" denies after its first: refunds "g"
			h.ServeHTTP(discard(), r)
		}
		store.down.Store(false)
		time.Sleep(2 * time.Second)
		allowed := 0
		for range 30 {
			if get(h, "198.51.100.7:1", "k").Code == 200 {
				allowed++
			}
		}
		require.LessOrEqual(t, allowed, 10, "refunds of fallback decisions went to the fallback, not the leased bucket")
	})
}

func TestGlobalDropsIdleKeys(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGlobal(t, ratelimit.GlobalOptions{Limit: ratelimit.PerSecond(10, 10), Store: &ratelimit.MemoryStore{}, MaxKeys: 50})
		for i := range 200 {
			g.Allow(bg, fmt.Sprint("k", i))
		}
		require.LessOrEqual(t, g.Stats().Keys, 50, "MaxKeys holds")
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		require.Zero(t, g.Stats().Keys, "keys unused for a minute are swept")
		g.Close()
	})
}
