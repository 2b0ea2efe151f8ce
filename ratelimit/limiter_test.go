package ratelimit_test

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/ratelimit"
)

func newLimiter(t testing.TB, opts ratelimit.Options) *ratelimit.Limiter {
	t.Helper()
	l, err := ratelimit.New(opts)
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	return l
}

func TestBurstThenSteadyRate(t *testing.T) {
	l := newLimiter(t, ratelimit.Options{Limit: ratelimit.PerSecond(10, 5)})
	t0 := time.Now()
	for i := range 5 {
		d := l.AllowN(t0, "k", 1)
		require.True(t, d.Allowed, "burst event %d", i)
		require.Equal(t, 4-i, d.Remaining)
	}
	d := l.AllowN(t0, "k", 1)
	require.False(t, d.Allowed, "the burst is spent")
	require.Equal(t, 100*time.Millisecond, d.RetryAfter)
	require.Equal(t, 500*time.Millisecond, d.ResetAfter)

	// Over the next second exactly 10 more are allowed, one per 100 ms.
	allowed := 0
	for ms := 1; ms <= 1000; ms++ {
		if l.AllowN(t0.Add(time.Duration(ms)*time.Millisecond), "k", 1).Allowed {
			allowed++
		}
	}
	require.Equal(t, 10, allowed)
	require.True(t, l.AllowN(t0, "other", 1).Allowed, "keys are independent")
	st := l.Stats()
	require.Equal(t, uint64(16), st.Allowed)
	require.Equal(t, 2, st.Keys)
}

func TestConcurrentDecisionsNeverExceedTheBurst(t *testing.T) {
	l := newLimiter(t, ratelimit.Options{Limit: ratelimit.PerMinute(60, 50)})
	t0 := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 0
			for range 1000 {
				if l.AllowN(t0, "hot", 1).Allowed {
					n++
				}
			}
			mu.Lock()
			allowed += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	require.Equal(t, 50, allowed, "at one instant exactly the burst is admitted, whatever the interleaving")
	require.Equal(t, uint64(8000-50), l.Stats().Denied)
}

func TestAllowUsesTheClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLimiter(t, ratelimit.Options{Limit: ratelimit.PerSecond(1, 1)})
		require.True(t, l.Allow("k").Allowed)
		require.False(t, l.Allow("k").Allowed)
		time.Sleep(time.Second)
		synctest.Wait()
		require.True(t, l.Allow("k").Allowed, "a second later one more")
		l.Close()
	})
}

func TestIdleKeysAreSwept(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLimiter(t, ratelimit.Options{Limit: ratelimit.PerSecond(1, 10), SweepInterval: time.Minute})
		for i := range 100 {
			l.Allow(fmt.Sprint("ip-", i))
		}
		for range 10 {
			l.Allow("busy") // its TAT is 10 s ahead
		}
		require.Equal(t, 101, l.Stats().Keys)
		time.Sleep(61 * time.Second) // one sweep
		synctest.Wait()
		st := l.Stats()
		require.Equal(t, 0, st.Keys, "every key idle after 61 s is dropped")
		require.Equal(t, uint64(101), st.Swept)

		for range 10 {
			l.Allow("busy")
		}
		time.Sleep(5 * time.Second)
		l.Sweep()
		require.Equal(t, 1, l.Stats().Keys, "a key still refilling is kept")
		require.True(t, l.Allow("ip-1").Allowed, "a swept key starts fresh")
		l.Close()
	})
}

func TestMaxKeys(t *testing.T) {
	l := newLimiter(t, ratelimit.Options{Limit: ratelimit.PerMinute(1, 1), MaxKeys: 10})
	t0 := time.Now()
	for i := range 100 {
		require.True(t, l.AllowN(t0, fmt.Sprint("k", i), 1).Allowed)
	}
	st := l.Stats()
	require.Equal(t, 10, st.Keys)
	require.Equal(t, uint64(90), st.Evicted)
}

func TestNewRejectsBadLimits(t *testing.T) {
	_, err := ratelimit.New(ratelimit.Options{})
	require.ErrorContains(t, err, "ratelimit: rate 0 is not positive")
}

func TestDecisionDoesNotAllocate(t *testing.T) {
	l := newLimiter(t, ratelimit.Options{Limit: ratelimit.PerSecond(1_000_000, 1_000_000)})
	l.Allow("k")
	require.Zero(t, testing.AllocsPerRun(1000, func() { l.Allow("k") }))
}

func TestBytesPerKeyIsAsDocumented(t *testing.T) {
	if testing.Short() {
		t.Skip("measures the heap")
	}
	l := newLimiter(t, ratelimit.Options{Limit: ratelimit.PerMinute(1, 1)})
	keys := make([]string, 100_000)
	for i := range keys {
		keys[i] = fmt.Sprintf("203.0.113.%06d", i) // 16 bytes, like an IP
	}
	t0 := time.Now()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for _, k := range keys {
		l.AllowN(t0, k, 1)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	perKey := float64(after.HeapAlloc-before.HeapAlloc) / float64(len(keys))
	t.Logf("%.0f bytes per tracked key", perKey)
	require.Less(t, perKey, 170.0, "the package doc says about 135 bytes")
	runtime.KeepAlive(keys)
}

func TestMaxKeysHoldsUnderConcurrency(t *testing.T) {
	l := newLimiter(t, ratelimit.Options{Limit: ratelimit.PerMinute(1, 1), MaxKeys: 100})
	t0 := time.Now()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				l.AllowN(t0, fmt.Sprint(g, "-", i), 1) // busy keys: none idle
			}
		}()
	}
	wg.Wait()
	require.LessOrEqual(t, l.Stats().Keys, 100+8, "the cap holds, give or take one insert in flight per goroutine")
}
