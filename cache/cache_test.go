package cache_test

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

	"github.com/v100video/v100/cache"
	"github.com/v100video/v100/cache/memstore"
)

var bg = context.Background()

// advance moves the bubble's clock and lets the cache's clock goroutine
// catch up.
func advance(d time.Duration) {
	time.Sleep(d)
	synctest.Wait()
}

func loader[V any](v V, ttl time.Duration, calls *atomic.Int32) func(context.Context) (V, time.Duration, error) {
	return func(context.Context) (V, time.Duration, error) {
		calls.Add(1)
		return v, ttl, nil
	}
}

func TestSetGetDelete(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := cache.New[string, int](&cache.Options{TTL: time.Minute})
		defer c.Close()
		_, ok := c.Get(bg, "a")
		require.False(t, ok)
		c.Set(bg, "a", 1, 10*time.Second)
		v, ok := c.Get(bg, "a")
		require.True(t, ok)
		require.Equal(t, 1, v)

		advance(9 * time.Second)
		_, ok = c.Get(bg, "a")
		require.True(t, ok, "fresh before its TTL")
		advance(2 * time.Second)
		_, ok = c.Get(bg, "a")
		require.False(t, ok, "expired after its TTL")

		c.Set(bg, "b", 2, 0)
		c.Delete(bg, "b")
		_, ok = c.Get(bg, "b")
		require.False(t, ok, "deleted")

		st := c.Stats()
		require.Equal(t, uint64(2), st.L1Hits)
		require.Equal(t, uint64(3), st.L1Misses)
	})
}

func TestCapacityBound(t *testing.T) {
	c := cache.New[int, int](&cache.Options{Capacity: 1024, Shards: 4})
	defer c.Close()
	for i := range 10_000 {
		c.Set(bg, i, i, time.Hour)
	}
	st := c.Stats()
	require.Equal(t, 1024, st.L1Entries, "the bound is global, not per shard")
	require.Equal(t, uint64(10_000-st.L1Entries), st.L1Evictions)
	// LRU: the most recent keys survive.
	for i := 9_990; i < 10_000; i++ {
		_, ok := c.Get(bg, i)
		require.True(t, ok, "recent key %d evicted", i)
	}
}

func TestGetOrLoadCoalescesAndStoresFirst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := cache.New[string, string](nil)
		defer c.Close()
		var loads atomic.Int32
		load := func(context.Context) (string, time.Duration, error) {
			loads.Add(1)
			time.Sleep(20 * time.Millisecond) // a slow origin
			return "body", time.Minute, nil
		}
		const n = 200
		var wg sync.WaitGroup
		var inL1 atomic.Int32
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				v, err := c.GetOrLoad(bg, "k", load)
				if err != nil || v != "body" {
					t.Errorf("GetOrLoad = %q, %v", v, err)
				}
				if _, ok := c.Get(bg, "k"); ok {
					inL1.Add(1)
				}
			}()
		}
		wg.Wait()
		require.Equal(t, int32(1), loads.Load(), "one load for a herd")
		require.Equal(t, int32(n), inL1.Load(), "the value is in L1 before any waiter is released")
		st := c.Stats()
		require.Equal(t, uint64(1), st.Loads)
		require.Equal(t, uint64(n-1), st.Coalesced)
	})
}

func TestStaleWhileRevalidate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := cache.New[string, int](&cache.Options{StaleWhileRevalidate: 10 * time.Second, Jitter: -1})
		defer c.Close()
		var loads atomic.Int32
		_, err := c.GetOrLoad(bg, "k", loader(1, time.Second, &loads))
		require.NoError(t, err)

		advance(2 * time.Second) // expired, inside the stale window
		release := make(chan struct{})
		slow := func(context.Context) (int, time.Duration, error) {
			loads.Add(1)
			<-release
			return 2, time.Second, nil
		}
		for range 50 {
			v, err := c.GetOrLoad(bg, "k", slow)
			require.NoError(t, err)
			require.Equal(t, 1, v, "stale value served without waiting")
		}
		synctest.Wait()
		require.Equal(t, int32(2), loads.Load(), "exactly one background refresh")
		close(release)
		synctest.Wait()
		v, err := c.GetOrLoad(bg, "k", slow)
		require.NoError(t, err)
		require.Equal(t, 2, v, "the refreshed value")
		st := c.Stats()
		require.Equal(t, uint64(50), st.StaleServed)
		require.Equal(t, uint64(1), st.Refreshes)

		advance(12 * time.Second) // past fresh and stale windows: a foreground load
		v, err = c.GetOrLoad(bg, "k", loader(3, time.Second, &loads))
		require.NoError(t, err)
		require.Equal(t, 3, v)
	})
}

func TestStaleIfError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := cache.New[string, int](&cache.Options{StaleIfError: 5 * time.Second, Jitter: -1})
		defer c.Close()
		var loads atomic.Int32
		_, err := c.GetOrLoad(bg, "k", loader(1, time.Second, &loads))
		require.NoError(t, err)
		down := errors.New("origin down")
		fail := func(context.Context) (int, time.Duration, error) { return 0, 0, down }

		advance(3 * time.Second)
		v, err := c.GetOrLoad(bg, "k", fail)
		require.NoError(t, err, "stale served within stale-if-error")
		require.Equal(t, 1, v)

		advance(4 * time.Second) // 7 s: past 1 s TTL + 5 s
		_, err = c.GetOrLoad(bg, "k", fail)
		require.ErrorIs(t, err, down, "beyond the bound the error is returned")
		st := c.Stats()
		require.Equal(t, uint64(2), st.LoadErrors)
		require.Equal(t, uint64(1), st.StaleServed)
	})
}

func TestNegativeCaching(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := cache.New[string, int](&cache.Options{NegativeTTL: 3 * time.Second})
		defer c.Close()
		var loads atomic.Int32
		missing := func(context.Context) (int, time.Duration, error) {
			loads.Add(1)
			return 0, 0, fmt.Errorf("video 42: %w", cache.ErrNotFound)
		}
		for range 5 {
			_, err := c.GetOrLoad(bg, "k", missing)
			require.ErrorIs(t, err, cache.ErrNotFound)
		}
		require.Equal(t, int32(1), loads.Load(), "not-found is cached")
		_, ok := c.Get(bg, "k")
		require.False(t, ok, "Get reports a cached not-found as missing")

		advance(4 * time.Second)
		v, err := c.GetOrLoad(bg, "k", loader(7, 0, &loads))
		require.NoError(t, err)
		require.Equal(t, 7, v, "after NegativeTTL the key is loaded again")
	})
}

func TestLoadTTL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := cache.New[string, int](&cache.Options{TTL: 30 * time.Second, Jitter: -1})
		defer c.Close()
		var loads atomic.Int32
		_, _ = c.GetOrLoad(bg, "nocache", loader(1, -1, &loads))
		_, _ = c.GetOrLoad(bg, "nocache", loader(1, -1, &loads))
		require.Equal(t, int32(2), loads.Load(), "a negative TTL is not cached")

		_, _ = c.GetOrLoad(bg, "default", loader(1, 0, &loads))
		advance(29 * time.Second)
		_, ok := c.Get(bg, "default")
		require.True(t, ok, "zero TTL means Options.TTL")
		advance(2 * time.Second)
		_, ok = c.Get(bg, "default")
		require.False(t, ok)
	})
}

func TestJitterSpreadsExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := cache.New[int, int](&cache.Options{Jitter: 0.5})
		defer c.Close()
		var loads atomic.Int32
		for i := range 200 {
			_, _ = c.GetOrLoad(bg, i, loader(i, 100*time.Second, &loads))
		}
		advance(49 * time.Second)
		for i := range 200 {
			_, ok := c.Get(bg, i)
			require.True(t, ok, "jitter never cuts more than half")
		}
		advance(26 * time.Second) // 75 s
		alive := 0
		for i := range 200 {
			if _, ok := c.Get(bg, i); ok {
				alive++
			}
		}
		require.Greater(t, alive, 50, "some entries outlive 75 s")
		require.Less(t, alive, 150, "some entries expire before 75 s")
		advance(26 * time.Second) // 101 s
		for i := range 200 {
			_, ok := c.Get(bg, i)
			require.False(t, ok, "jitter never lengthens a TTL")
		}
	})
}

func TestTwoTiersShareLoads(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := memstore.New()
		a := cache.New[string, string](&cache.Options{Store: store, Namespace: "v:"})
		b := cache.New[string, string](&cache.Options{Store: store, Namespace: "v:"})
		defer a.Close()
		defer b.Close()
		var loads atomic.Int32
		v, err := a.GetOrLoad(bg, "k", loader("hello", 10*time.Second, &loads))
		require.NoError(t, err)
		require.Equal(t, "hello", v)
		v, err = b.GetOrLoad(bg, "k", loader("other", time.Hour, &loads))
		require.NoError(t, err)
		require.Equal(t, "hello", v, "instance b answers from L2")
		require.Equal(t, int32(1), loads.Load())
		require.Equal(t, uint64(1), b.Stats().L2Hits)
		require.Equal(t, 1, store.Len())
	})
}

func TestL1NeverOutlivesL2(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := memstore.New()
		a := cache.New[string, string](&cache.Options{Store: store, Jitter: -1})
		b := cache.New[string, string](&cache.Options{Store: store, TTL: time.Hour})
		defer a.Close()
		defer b.Close()
		a.Set(bg, "k", "v", 10*time.Second)
		advance(8 * time.Second)
		v, ok := b.Get(bg, "k") // b copies it into L1 with 2 s left
		require.True(t, ok)
		require.Equal(t, "v", v)
		advance(time.Second)
		_, ok = b.Get(bg, "k")
		require.True(t, ok)
		require.Equal(t, uint64(1), b.Stats().L1Hits, "second read is an L1 hit")
		advance(1100 * time.Millisecond) // 10.1 s: the L2 entry is gone
		_, ok = b.Get(bg, "k")
		require.False(t, ok, "b's L1 copy expired with the L2 entry, not after its own 1 h TTL")
	})
}

func TestInvalidationAcrossInstances(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := memstore.New()
		a := cache.New[string, string](&cache.Options{Store: store, Namespace: "v:"})
		b := cache.New[string, string](&cache.Options{Store: store, Namespace: "v:"})
		other := cache.New[string, string](&cache.Options{Store: store, Namespace: "other:"})
		defer a.Close()
		defer b.Close()
		defer other.Close()
		a.Set(bg, "k", "v1", time.Hour)
		v, _ := b.Get(bg, "k")
		require.Equal(t, "v1", v)
		other.Set(bg, "k", "x", time.Hour)

		a.Set(bg, "k", "v2", time.Hour)
		v, _ = b.Get(bg, "k")
		require.Equal(t, "v2", v, "a's Set evicted b's L1 copy")
		require.Equal(t, uint64(2), b.Stats().Invalidations, "a's two Sets reach b; other's, in another namespace, do not")

		a.Delete(bg, "k")
		_, ok := b.Get(bg, "k")
		require.False(t, ok, "a's Delete reached b")
		require.Zero(t, a.Stats().Invalidations, "an instance ignores its own messages")
	})
}

func TestInvalidationOfNonStringKeys(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := memstore.New()
		type point struct{ X, Y int }
		a := cache.New[int, string](&cache.Options{Store: store, Namespace: "i:"})
		b := cache.New[int, string](&cache.Options{Store: store, Namespace: "i:"})
		pa := cache.New[point, string](&cache.Options{Store: store, Namespace: "p:"})
		pb := cache.New[point, string](&cache.Options{Store: store, Namespace: "p:"})
		for _, c := range []interface{ Close() error }{a, b, pa, pb} {
			defer c.Close()
		}
		a.Set(bg, -5, "old", time.Hour)
		b.Get(bg, -5)
		a.Set(bg, -5, "new", time.Hour)
		v, _ := b.Get(bg, -5)
		require.Equal(t, "new", v)

		pa.Set(bg, point{1, 2}, "old", time.Hour)
		pb.Get(bg, point{1, 2})
		pb.Set(bg, point{9, 9}, "unrelated", time.Hour)
		pa.Set(bg, point{1, 2}, "new", time.Hour)
		v, _ = pb.Get(bg, point{1, 2})
		require.Equal(t, "new", v, "keys that cannot be parsed back flush the L1")
	})
}

// flakyStore fails while down is set, and counts the calls it gets.
type flakyStore struct {
	*memstore.Store
	down  atomic.Bool
	calls atomic.Int32
}

var errStoreDown = errors.New("store down")

func (s *flakyStore) Get(ctx context.Context, key string) ([]byte, time.Duration, bool, error) {
	s.calls.Add(1)
	if s.down.Load() {
		<-ctx.Done() // an unreachable store: the call times out
		return nil, 0, false, ctx.Err()
	}
	return s.Store.Get(ctx, key)
}

func (s *flakyStore) Set(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	s.calls.Add(1)
	if s.down.Load() {
		return errStoreDown
	}
	return s.Store.Set(ctx, key, v, ttl)
}

func TestL2DownKeepsWorking(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := &flakyStore{Store: memstore.New()}
		c := cache.New[string, int](&cache.Options{Store: store, StoreTimeout: 20 * time.Millisecond, StoreRetry: time.Second})
		defer c.Close()
		var loads atomic.Int32
		store.down.Store(true)
		start := time.Now()
		v, err := c.GetOrLoad(bg, "a", loader(1, time.Minute, &loads))
		require.NoError(t, err, "no request fails because L2 is down")
		require.Equal(t, 1, v)
		require.Equal(t, 20*time.Millisecond, time.Since(start), "one store timeout paid")
		st := c.Stats()
		require.True(t, st.L2Down)
		require.Equal(t, uint64(1), st.L2Errors)

		calls := store.calls.Load()
		for i := range 20 {
			_, err := c.GetOrLoad(bg, fmt.Sprint("k", i), loader(i, time.Minute, &loads))
			require.NoError(t, err)
		}
		require.Equal(t, calls, store.calls.Load(), "L2 is skipped during StoreRetry")
		v, err = c.GetOrLoad(bg, "a", loader(99, time.Minute, &loads))
		require.NoError(t, err)
		require.Equal(t, 1, v, "L1 still answers")

		store.down.Store(false)
		advance(time.Second)
		_, err = c.GetOrLoad(bg, "b", loader(2, time.Minute, &loads))
		require.NoError(t, err)
		require.Greater(t, store.calls.Load(), calls, "L2 is tried again after StoreRetry")
		require.False(t, c.Stats().L2Down, "and marked up when it answers")
		_, _, found, _ := store.Store.Get(bg, "b")
		require.True(t, found, "loads are written to L2 again")
	})
}

// switchableBroadcaster lets a test drop and restore the subscription.
type switchableBroadcaster struct {
	*memstore.Store
	mu      sync.Mutex
	onState []func(bool)
}

func (s *switchableBroadcaster) Subscribe(onMessage func(string), onState func(bool)) func() {
	s.mu.Lock()
	s.onState = append(s.onState, onState)
	s.mu.Unlock()
	return s.Store.Subscribe(onMessage, onState)
}

func (s *switchableBroadcaster) set(up bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.onState {
		f(up)
	}
}

func TestSubscriptionLossFlushesL1(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := &switchableBroadcaster{Store: memstore.New()}
		c := cache.New[string, int](&cache.Options{Store: store})
		defer c.Close()
		c.Set(bg, "k", 1, time.Hour)
		require.Equal(t, 1, c.Stats().L1Entries)
		store.set(false)
		require.Zero(t, c.Stats().L1Entries, "losing the subscription flushes L1")
		require.Equal(t, uint64(1), c.Stats().InvalidationLosts)

		// Meanwhile another instance changes the key in L2.
		require.NoError(t, store.Store.Set(bg, "k", []byte("\x01\x00\x002"), time.Hour))
		c.Set(bg, "other", 5, time.Hour)
		store.set(true)
		require.Zero(t, c.Stats().L1Entries, "coming back flushes L1 again")
		require.Equal(t, uint64(1), c.Stats().Resyncs)
		v, ok := c.Get(bg, "k")
		require.True(t, ok)
		require.Equal(t, 2, v, "the value is read fresh from L2")
	})
}

func TestCorruptL2EntryIsAMiss(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := memstore.New()
		c := cache.New[string, int](&cache.Options{Store: store})
		defer c.Close()
		for _, bad := range []string{"", "x", "\x01\x00", "\x01\x00\x00not json", "\x02\x00\x00\x31", "\x01\x80\x00\x31"} {
			require.NoError(t, store.Set(bg, "k", []byte(bad), time.Hour))
			c.Purge()
			var loads atomic.Int32
			v, err := c.GetOrLoad(bg, "k", loader(7, time.Minute, &loads))
			require.NoError(t, err, "entry %q", bad)
			require.Equal(t, 7, v, "entry %q", bad)
			require.Equal(t, int32(1), loads.Load(), "a corrupt entry %q is loaded again", bad)
		}
	})
}

func TestCallerCancelDoesNotStopLoad(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := cache.New[string, int](nil)
		defer c.Close()
		release := make(chan struct{})
		var loads atomic.Int32
		load := func(context.Context) (int, time.Duration, error) {
			loads.Add(1)
			<-release
			return 5, time.Minute, nil
		}
		ctx, cancel := context.WithCancel(bg)
		errc := make(chan error)
		go func() { _, err := c.GetOrLoad(ctx, "k", load); errc <- err }()
		synctest.Wait()
		done := make(chan int)
		go func() { v, _ := c.GetOrLoad(bg, "k", load); done <- v }()
		synctest.Wait()
		cancel()
		require.ErrorIs(t, <-errc, context.Canceled)
		close(release)
		require.Equal(t, 5, <-done)
		require.Equal(t, int32(1), loads.Load())
	})
}

func TestGetHitDoesNotAllocate(t *testing.T) {
	c := cache.New[string, []byte](nil)
	defer c.Close()
	c.Set(bg, "key", []byte("v"), time.Hour)
	allocs := testing.AllocsPerRun(1000, func() { c.Get(bg, "key") })
	require.Zero(t, allocs)
}

// lateBroadcaster's subscription comes up only when the test says so.
type lateBroadcaster struct {
	*memstore.Store
	onState func(bool)
}

func (s *lateBroadcaster) Subscribe(onMessage func(string), onState func(bool)) func() {
	s.onState = onState
	return func() {}
}

func TestEntriesBeforeFirstSubscriptionAreFlushed(t *testing.T) {
	store := &lateBroadcaster{Store: memstore.New()}
	c := cache.New[string, int](&cache.Options{Store: store})
	defer c.Close()
	c.Set(bg, "k", 1, time.Hour) // invalidations for it could be missed
	require.Equal(t, 1, c.Stats().L1Entries)
	store.onState(true)
	require.Zero(t, c.Stats().L1Entries, "L1 starts clean once invalidations flow")
	require.Zero(t, c.Stats().Resyncs, "the first connection is not a resync")
	v, ok := c.Get(bg, "k")
	require.True(t, ok, "the value is still in L2")
	require.Equal(t, 1, v)
}

func TestReadTableNeverServesEvicted(t *testing.T) {
	c := cache.New[int, int](&cache.Options{Capacity: 64, Shards: 2})
	defer c.Close()
	for i := range 1000 {
		c.Set(bg, i, i, time.Hour)
		c.Get(bg, i) // install it in the read table
		c.Get(bg, i/2)
	}
	found := 0
	for i := range 1000 {
		if v, ok := c.Get(bg, i); ok {
			require.Equal(t, i, v)
			found++
		}
	}
	require.Equal(t, c.Stats().L1Entries, found, "every key served is one the LRU holds")
	require.LessOrEqual(t, found, 64)
	for i := range 1000 {
		c.Delete(bg, i)
	}
	for i := range 1000 {
		_, ok := c.Get(bg, i)
		require.False(t, ok, "deleted key %d served", i)
	}
}

func TestReadYourWritesUnderConcurrentReads(t *testing.T) {
	c := cache.New[string, int](&cache.Options{Capacity: 256})
	defer c.Close()
	const writers, versions = 4, 2000
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for r := range 4 {
		readers.Add(1)
		go func() { // keep installing entries in the read table
			defer readers.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				c.Get(bg, fmt.Sprint("w", (i+r)%writers))
			}
		}()
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := fmt.Sprint("w", w)
			for v := 1; v <= versions; v++ {
				c.Set(bg, key, v, time.Hour)
				if got, ok := c.Get(bg, key); !ok || got != v {
					t.Errorf("%s: wrote %d, read %d (found %v)", key, v, got, ok)
					return
				}
				if v%100 == 0 {
					c.Delete(bg, key)
					if got, ok := c.Get(bg, key); ok {
						t.Errorf("%s: read %d after Delete", key, got)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()
}
