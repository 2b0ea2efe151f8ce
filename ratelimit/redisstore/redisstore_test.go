package redisstore_test

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/internal/redistest"
	"github.com/v100video/v100/ratelimit"
	"github.com/v100video/v100/ratelimit/redisstore"
)

var bg = context.Background()

func open(t *testing.T, srv *redistest.Server) *redisstore.Store {
	t.Helper()
	s, err := redisstore.Open(srv.URL(), nil)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func TestLease(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, srv)
	l := ratelimit.PerSecond(10, 5)
	n, _, err := s.Lease(bg, "k", l, 3)
	require.NoError(t, err)
	require.Equal(t, 3, n)
	n, _, err = s.Lease(bg, "k", l, 3)
	require.NoError(t, err)
	require.Equal(t, 2, n, "the rest of the burst")
	n, retry, err := s.Lease(bg, "k", l, 3)
	require.NoError(t, err)
	require.Zero(t, n)
	require.Greater(t, retry, 50*time.Millisecond)
	require.LessOrEqual(t, retry, 100*time.Millisecond)

	_, _, err = s.Lease(bg, "k", ratelimit.Limit{Rate: 0}, 1)
	require.ErrorContains(t, err, "redisstore: invalid limit")
}

func TestLeaseSurvivesGarbageAndKeepsPrecision(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, srv)
	client := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer client.Close()
	l := ratelimit.PerSecond(10, 5)
	for _, v := range []string{"nan", "inf", "1e300", "-5", "not a number"} {
		require.NoError(t, client.Set(bg, "v100:ratelimit:g", v, 0).Err())
		n, _, err := s.Lease(bg, "g", l, 5)
		require.NoError(t, err, "value %q", v)
		require.Equal(t, 5, n, "value %q is no state: a full burst", v)
	}
	require.NoError(t, client.LPush(bg, "v100:ratelimit:list", "x").Err())
	_, _, err := s.Lease(bg, "list", l, 1)
	require.ErrorIs(t, err, ratelimit.ErrKey, "a key of the wrong type is that key's error")

	// 3 events per millisecond: an interval of 333.3 µs must not round down.
	fast := ratelimit.Limit{Rate: 3, Per: time.Millisecond, Burst: 3}
	granted := 0
	deadline := time.Now().Add(100 * time.Millisecond)
	for time.Now().Before(deadline) {
		n, _, err := s.Lease(bg, "fast", fast, 10)
		require.NoError(t, err)
		granted += n
	}
	require.LessOrEqual(t, granted, 3+300+3*5, "at most the burst plus 100 ms at 3 per ms (plus clock slack)")
}

// replicaRun drives replicas Global limiters, each with its own Redis
// client, on one key at offered requests per second in all, for d.
func replicaRun(t *testing.T, srv *redistest.Server, key string, limit ratelimit.Limit, replicas, offered int, d time.Duration) (admitted []time.Time, stats ratelimit.GlobalStats, sent int) {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	gs := make([]*ratelimit.Global, replicas)
	for i := range gs {
		g, err := ratelimit.NewGlobal(ratelimit.GlobalOptions{Limit: limit, Store: open(t, srv), Replicas: replicas, Timeout: 200 * time.Millisecond})
		require.NoError(t, err)
		gs[i] = g
	}
	every := time.Duration(int64(time.Second) * int64(replicas) / int64(offered))
	for _, g := range gs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(every)
			defer tick.Stop()
			end := time.Now().Add(d)
			var mine []time.Time
			n := 0
			for now := range tick.C {
				if now.After(end) {
					break
				}
				n++
				if g.Allow(bg, key).Allowed {
					mine = append(mine, time.Now())
				}
			}
			mu.Lock()
			admitted = append(admitted, mine...)
			sent += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	for _, g := range gs {
		g.Close()
		s := g.Stats()
		stats.Allowed += s.Allowed
		stats.Denied += s.Denied
		stats.Local += s.Local
		stats.Remote += s.Remote
		stats.Fallback += s.Fallback
		stats.StoreErrors += s.StoreErrors
	}
	sort.Slice(admitted, func(i, j int) bool { return admitted[i].Before(admitted[j]) })
	return admitted, stats, sent
}

// maxInWindow is the most admissions in any window of length w.
func maxInWindow(ts []time.Time, w time.Duration) int {
	best, j := 0, 0
	for i := range ts {
		for ts[i].Sub(ts[j]) >= w {
			j++
		}
		best = max(best, i-j+1)
	}
	return best
}

func TestFourReplicasShareOneLimit(t *testing.T) {
	srv := redistest.Start(t)
	const replicas = 4
	limit := ratelimit.PerSecond(400, 40) // batch: 10 tokens per replica
	const batch = 10
	bound := limit.Rate + limit.Burst + replicas*2*batch // any one-second window: see the Global doc

	for _, tc := range []struct {
		name    string
		offered int
	}{
		{"half the limit", limit.Rate / 2},
		{"twice the limit", limit.Rate * 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := 3 * time.Second
			admitted, st, sent := replicaRun(t, srv, "video-api:"+tc.name, limit, replicas, tc.offered, d)
			decisions := st.Local + st.Remote + st.Fallback
			local := 100 * float64(st.Local) / float64(decisions)
			peak := maxInWindow(admitted, time.Second)
			t.Logf("%s: %d sent, %d admitted (%.0f/s against a limit of %d/s), %.1f%% decided locally, %d store calls waited on, peak %d in any 1 s window (bound %d)",
				tc.name, sent, len(admitted), float64(len(admitted))/d.Seconds(), limit.Rate, local, st.Remote, peak, bound)
			require.LessOrEqual(t, st.Fallback, decisions/100, "the store stayed up (a stall on a loaded machine may cost a few)")
			require.LessOrEqual(t, peak, bound, "admissions in a one-second window")
			require.LessOrEqual(t, len(admitted), int(d.Seconds())*limit.Rate+limit.Burst+replicas*2*batch, "admissions over the run")
			if tc.offered < limit.Rate {
				require.GreaterOrEqual(t, local, 95.0, "share of decisions made in-process")
				require.GreaterOrEqual(t, len(admitted), sent*99/100, "under the limit nearly everything is admitted")
			} else {
				require.GreaterOrEqual(t, len(admitted), int(d.Seconds())*limit.Rate*8/10, "the limit is used, not starved")
			}
		})
	}
}

func TestStoreOutageFallsBackAndRecovers(t *testing.T) {
	srv := redistest.Start(t)
	g, err := ratelimit.NewGlobal(ratelimit.GlobalOptions{Limit: ratelimit.PerSecond(100, 20), Store: open(t, srv), Replicas: 2, Retry: 200 * time.Millisecond, Timeout: 200 * time.Millisecond})
	require.NoError(t, err)
	defer g.Close()
	require.True(t, g.Allow(bg, "k").Allowed)
	srv.Stop()
	allowed := 0
	for range 30 {
		if g.Allow(bg, "k").Allowed {
			allowed++
		}
	}
	st := g.Stats()
	require.Positive(t, st.StoreErrors)
	require.Positive(t, st.Fallback)
	require.LessOrEqual(t, allowed, 10+20, "local fallback at limit ÷ replicas (burst 10), plus tokens already leased")
	srv.Restart()
	require.Eventually(t, func() bool {
		before := g.Stats().Remote
		g.Allow(bg, "fresh-key")
		return g.Stats().Remote > before
	}, 5*time.Second, 50*time.Millisecond, "the store is used again once it is back")
}
