package ratelimit_test

import (
	"context"
	"errors"
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
