package redisstore_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/cache"
	"github.com/v100video/v100/cache/cachetest"
	"github.com/v100video/v100/cache/redisstore"
	"github.com/v100video/v100/internal/redistest"
)

var bg = context.Background()

// open returns a Store with its own client (one per simulated instance).
func open(t *testing.T, srv *redistest.Server, opts *redisstore.Options) *redisstore.Store {
	t.Helper()
	s, err := redisstore.Open(srv.URL(), opts)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	srv := redistest.Start(t)
	cachetest.Run(t, func(t *testing.T) cache.Store { return open(t, srv, nil) })
}

func TestOpenRejectsBadURL(t *testing.T) {
	for _, u := range []string{"", "http://127.0.0.1:6379", "redis://127.0.0.1:6379/notadb"} {
		_, err := redisstore.Open(u, nil)
		require.Error(t, err, "url %q", u)
	}
}

func TestNoExpiryKey(t *testing.T) {
	srv := redistest.Start(t)
	client := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer client.Close()
	s := redisstore.New(client, nil)
	require.NoError(t, client.Set(bg, "plain", "v", 0).Err())
	v, ttl, found, err := s.Get(bg, "plain")
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, "v", string(v))
	require.Zero(t, ttl, "a key without expiry reports ttl 0")
}

func newCache(t *testing.T, s cache.Store) *cache.Cache[string, string] {
	// Generous timeouts: CI machines are small and run tests with -race.
	c := cache.New[string, string](&cache.Options{Store: s, Namespace: "t:", StoreTimeout: time.Second, StoreRetry: 200 * time.Millisecond})
	t.Cleanup(func() { c.Close() })
	return c
}

func waitSubscribed(t *testing.T, s *redisstore.Store, c *cache.Cache[string, string]) {
	t.Helper()
	// A probe message from a throwaway instance proves the subscription is
	// live (Invalidations counts messages from other instances).
	before := c.Stats().Invalidations
	require.Eventually(t, func() bool {
		_ = s.Broadcast(bg, "probe 2:t:__probe__") // the cache's message format: id len(ns):ns key
		return c.Stats().Invalidations > before
	}, 10*time.Second, 20*time.Millisecond, "subscription never came up")
}

func TestCacheAcrossInstances(t *testing.T) {
	srv := redistest.Start(t)
	sa, sb := open(t, srv, nil), open(t, srv, nil)
	a, b := newCache(t, sa), newCache(t, sb)
	waitSubscribed(t, sa, b)

	var loads atomic.Int32
	load := func(v string) func(context.Context) (string, time.Duration, error) {
		return func(context.Context) (string, time.Duration, error) { loads.Add(1); return v, time.Minute, nil }
	}
	v, err := a.GetOrLoad(bg, "video:1", load("manifest-1"))
	require.NoError(t, err)
	require.Equal(t, "manifest-1", v)
	v, err = b.GetOrLoad(bg, "video:1", load("never"))
	require.NoError(t, err)
	require.Equal(t, "manifest-1", v, "b reads a's load from Redis")
	require.Equal(t, int32(1), loads.Load())

	a.Set(bg, "video:1", "manifest-2", time.Minute)
	require.Eventually(t, func() bool {
		v, _ := b.Get(bg, "video:1")
		return v == "manifest-2"
	}, 5*time.Second, 5*time.Millisecond, "a's Set evicts b's L1 copy")

	a.Delete(bg, "video:1")
	require.Eventually(t, func() bool {
		_, ok := b.Get(bg, "video:1")
		return !ok
	}, 5*time.Second, 5*time.Millisecond, "a's Delete reaches b")
}

func TestL1BoundedByRedisTTL(t *testing.T) {
	srv := redistest.Start(t)
	a := newCache(t, open(t, srv, nil))
	b := cache.New[string, string](&cache.Options{Store: open(t, srv, nil), Namespace: "t:", TTL: time.Hour})
	defer b.Close()
	a.Set(bg, "k", "v", 1500*time.Millisecond)
	v, ok := b.Get(bg, "k")
	require.True(t, ok)
	require.Equal(t, "v", v)
	require.Eventually(t, func() bool {
		_, ok := b.Get(bg, "k")
		return !ok
	}, 3*time.Second, 10*time.Millisecond, "b's copy expires with the Redis key, not after b's 1 h TTL")
}

func TestRedisOutage(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, srv, &redisstore.Options{HealthInterval: 500 * time.Millisecond})
	c := newCache(t, s)
	other := newCache(t, open(t, srv, nil))
	waitSubscribed(t, s, c)

	var loads atomic.Int32
	load := func(context.Context) (string, time.Duration, error) { loads.Add(1); return "body", time.Minute, nil }
	_, err := c.GetOrLoad(bg, "before", load)
	require.NoError(t, err)

	srv.Stop()
	require.Eventually(t, func() bool { return c.Stats().InvalidationLosts >= 1 }, 5*time.Second, 10*time.Millisecond,
		"the lost subscription is noticed")
	require.Zero(t, c.Stats().L1Entries, "and L1 is flushed")

	// Redis is down: every call still succeeds, from the loader and then L1.
	for range 3 {
		v, err := c.GetOrLoad(bg, "during", load)
		require.NoError(t, err)
		require.Equal(t, "body", v)
	}
	st := c.Stats()
	require.True(t, st.L2Down, "L2 reported down")
	require.NotZero(t, st.L2Errors)
	require.GreaterOrEqual(t, st.L1Hits, uint64(2), "answers come from L1 meanwhile")
	require.Equal(t, int32(2), loads.Load(), "one load before the outage, one during it")

	srv.Restart()
	waitSubscribed(t, s, c)
	require.GreaterOrEqual(t, c.Stats().Resyncs, uint64(1), "the recovered subscription flushes L1 once more")
	// Another instance changes a key; this instance sees it again.
	other.Set(bg, "after", "new", time.Minute)
	require.Eventually(t, func() bool {
		v, _ := c.Get(bg, "after") // Get never loads: only L2 can answer
		return v == "new"
	}, 5*time.Second, 20*time.Millisecond, "L2 is used again after the outage")
	require.False(t, c.Stats().L2Down)
}
