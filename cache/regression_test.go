package cache_test

import (
	"context"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/cache"
	"github.com/v100video/v100/cache/memstore"
)

// Found in review: each test below failed before its fix.

func TestCloseDoesNotWaitForAForegroundLoad(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := memstore.New()
		c := cache.New[string, int](&cache.Options{Store: store, StaleWhileRevalidate: time.Hour, Jitter: -1})
		var loads atomic.Int32
		_, _ = c.GetOrLoad(bg, "k", loader(1, time.Second, &loads))
		advance(2 * time.Second) // stale, inside stale-while-revalidate

		// A foreground load for k is running (it joined nothing: L1 was
		// purged), and a stale hit on another path starts a refresh that
		// joins it.
		release := make(chan struct{})
		slow := func(ctx context.Context) (int, time.Duration, error) {
			select {
			case <-release:
			case <-ctx.Done():
			}
			return 2, time.Second, nil
		}
		fgCtx, cancelFg := context.WithCancel(bg)
		fgDone := make(chan struct{})
		c.Purge()
		go func() { defer close(fgDone); c.GetOrLoad(fgCtx, "k", slow) }()
		synctest.Wait()
		// Put the stale entry back so that a hit triggers a refresh.
		store.Set(bg, "k", []byte("\x01\x00\x85\xdd\xdb\x01"+"1"), time.Hour) // stale window of 3,600,005 ms
		c.Get(bg, "k")                                                        // copies it into L1, stale
		v, err := c.GetOrLoad(bg, "k", slow)
		require.NoError(t, err)
		require.Equal(t, 1, v, "served stale")
		synctest.Wait()

		cancelFg()
		<-fgDone
		closed := make(chan struct{})
		go func() { c.Close(); close(closed) }()
		synctest.Wait()
		select {
		case <-closed:
		default:
			t.Fatal("Close hangs on a refresh that joined a foreground load")
		}
		close(release)
	})
}

func TestWritesWinOverLoadsInFlight(t *testing.T) {
	for _, tc := range []struct {
		name  string
		write func(c *cache.Cache[string, string])
		want  string
		found bool
	}{
		{"Delete", func(c *cache.Cache[string, string]) { c.Delete(bg, "k") }, "", false},
		{"Set", func(c *cache.Cache[string, string]) { c.Set(bg, "k", "new", time.Hour) }, "new", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				store := memstore.New()
				c := cache.New[string, string](&cache.Options{Store: store})
				defer c.Close()
				release := make(chan struct{})
				done := make(chan string)
				go func() {
					v, _ := c.GetOrLoad(bg, "k", func(context.Context) (string, time.Duration, error) {
						<-release
						return "old", time.Hour, nil
					})
					done <- v
				}()
				synctest.Wait()
				tc.write(c)
				close(release)
				require.Equal(t, "old", <-done, "the caller still gets what it loaded")
				v, ok := c.Get(bg, "k")
				require.Equal(t, tc.found, ok)
				require.Equal(t, tc.want, v, "the earlier load must not overwrite the later write")
				c.Purge()
				v, ok = c.Get(bg, "k") // from L2
				require.Equal(t, tc.found, ok)
				require.Equal(t, tc.want, v, "nor in L2")
			})
		})
	}
}

func TestExpiryAfterClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := cache.New[string, int](nil)
		c.Set(bg, "k", 1, time.Second)
		c.Close()
		time.Sleep(2 * time.Second)
		_, ok := c.Get(bg, "k")
		require.False(t, ok, "a closed cache still expires entries")
	})
}

func TestRefreshThatIsNotCachedCanRunAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := cache.New[string, int](&cache.Options{StaleWhileRevalidate: time.Hour, Jitter: -1})
		defer c.Close()
		var loads atomic.Int32
		_, _ = c.GetOrLoad(bg, "k", loader(1, time.Second, &loads))
		advance(2 * time.Second)
		for range 3 {
			_, _ = c.GetOrLoad(bg, "k", loader(2, -1, &loads)) // "do not cache"
			synctest.Wait()
		}
		require.Equal(t, int32(4), loads.Load(), "each stale hit may refresh again when the last refresh stored nothing")
	})
}

func TestWritesReachL2WhileReadsSkipIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := &flakyStore{Store: memstore.New()}
		other := cache.New[string, int](&cache.Options{Store: store.Store})
		c := cache.New[string, int](&cache.Options{Store: store, StoreTimeout: 20 * time.Millisecond, StoreRetry: time.Minute})
		defer other.Close()
		defer c.Close()
		other.Set(bg, "k", 1, time.Hour)
		store.down.Store(true)
		c.Get(bg, "absent") // one failed read: L2 reads are skipped for a minute
		require.True(t, c.Stats().L2Down)
		store.down.Store(false)

		c.Delete(bg, "k")
		_, ok := other.Get(bg, "k")
		require.False(t, ok, "the Delete reached L2 and the other instance")
		c.Set(bg, "j", 2, time.Hour)
		v, ok := other.Get(bg, "j")
		require.True(t, ok, "the Set reached L2")
		require.Equal(t, 2, v)
	})
}

func TestCompositeKeysDoNotCollideInL2(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := memstore.New()
		c := cache.New[[2]string, string](&cache.Options{Store: store})
		defer c.Close()
		c.Set(bg, [2]string{"a b", "c"}, "first", time.Hour)
		c.Set(bg, [2]string{"a", "b c"}, "second", time.Hour)
		require.Equal(t, 2, store.Len(), "two keys, two L2 entries")
		c.Purge()
		v, _ := c.Get(bg, [2]string{"a b", "c"})
		require.Equal(t, "first", v)
	})
}

func TestNamespaceIsMatchedExactly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := memstore.New()
		v1 := cache.New[string, int](&cache.Options{Store: store, Namespace: "v1"})
		v10 := cache.New[string, int](&cache.Options{Store: store, Namespace: "v10"})
		defer v1.Close()
		defer v10.Close()
		v1.Set(bg, "0:k", 1, time.Hour) // L2 key "v10:k" in namespace "v1"
		v10.Set(bg, ":k", 2, time.Hour) // L2 key "v10:k" too, in namespace "v10"
		require.Zero(t, v1.Stats().Invalidations, "a message for namespace v10 is not for v1")
	})
}
