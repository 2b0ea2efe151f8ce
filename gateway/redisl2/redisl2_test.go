package redisl2_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/gateway"
	"github.com/v100video/v100/gateway/redisl2"
	"github.com/v100video/v100/internal/redistest"
)

// origin counts its requests and answers with the current version,
// max-age=60, varying by Accept-Language.
type origin struct {
	n       atomic.Int64
	version atomic.Int64
	header  func(h http.Header)
}

func (o *origin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.n.Add(1)
	w.Header().Set("Cache-Control", "max-age=60")
	w.Header().Set("Vary", "Accept-Language")
	w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
	if o.header != nil {
		o.header(w.Header())
	}
	w.Write([]byte("v" + strconv.FormatInt(o.version.Load(), 10) + " " + r.Header.Get("Accept-Language")))
}

func get(h http.Handler, target string, kv ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", target, nil)
	for i := 0; i+1 < len(kv); i += 2 {
		r.Header.Set(kv[i], kv[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func requireResponse(t *testing.T, w *httptest.ResponseRecorder, xcache, body string) {
	t.Helper()
	require.Equal(t, 200, w.Code)
	require.Equal(t, xcache, w.Header().Get("X-Cache"), "X-Cache")
	require.Equal(t, body, w.Body.String())
}

func newReplica(t *testing.T, o http.Handler, l2 gateway.L2Store) *gateway.Cache {
	c := gateway.NewCache(o, &gateway.CacheOptions{L2: l2, L2Timeout: time.Second})
	t.Cleanup(func() { c.Close() })
	return c
}

// waitWrites waits until c has written n responses to L2.
func waitWrites(t *testing.T, c *gateway.Cache, n uint64) {
	t.Helper()
	require.Eventually(t, func() bool { return c.Stats().L2Writes >= n }, 10*time.Second, time.Millisecond)
}

func newStore(t *testing.T, srv *redistest.Server) *redisl2.Store {
	client := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1})
	t.Cleanup(func() { client.Close() })
	return redisl2.New(client)
}

// Replicas share what they fetched through Redis, variants included, and
// a purge on one removes it from Redis for all.
func TestReplicasShareThroughRedis(t *testing.T) {
	srv := redistest.Start(t)
	store := newStore(t, srv)
	o := &origin{}
	o.version.Store(1)
	a, b := newReplica(t, o, store), newReplica(t, o, store)
	const u = "http://cdn.example/v1/playback/p1/master.m3u8"

	requireResponse(t, get(a, u, "Accept-Language", "en"), "MISS", "v1 en")
	requireResponse(t, get(a, u, "Accept-Language", "fr"), "MISS", "v1 fr")
	waitWrites(t, a, 2)
	requireResponse(t, get(b, u, "Accept-Language", "fr"), "HIT", "v1 fr")
	requireResponse(t, get(b, u, "Accept-Language", "en"), "HIT", "v1 en")
	requireResponse(t, get(b, u, "Accept-Language", "de"), "MISS", "v1 de")
	require.Equal(t, int64(3), o.n.Load())
	w := get(b, u, "Accept-Language", "en")
	requireResponse(t, w, "HIT", "v1 en")
	require.Equal(t, "application/vnd.apple.mpegurl", w.Header().Get("Content-Type"))
	require.Equal(t, uint64(2), b.Stats().L2Hits)
	waitWrites(t, b, 1) // the "de" variant (L2 hits are not written back)

	// Purging one target on one host, from the replica that never
	// fetched the "de" variant, removes every variant from Redis.
	o.version.Store(2)
	require.Equal(t, 2, a.Purge("cdn.example", "/v1/playback/p1/master.m3u8"))
	c := newReplica(t, o, store)
	for _, lang := range []string{"en", "fr", "de"} {
		requireResponse(t, get(c, u, "Accept-Language", lang), "MISS", "v2 "+lang)
	}
	waitWrites(t, c, 3)

	// A prefix purge on every host.
	o.version.Store(3)
	other := "http://cdn.example/v1/playback/p2/master.m3u8"
	requireResponse(t, get(c, other, "Accept-Language", "en"), "MISS", "v3 en")
	waitWrites(t, c, 4)
	c.PurgePrefix("", "/v1/playback/p1/")
	d := newReplica(t, o, store)
	requireResponse(t, get(d, u, "Accept-Language", "fr"), "MISS", "v3 fr")
	requireResponse(t, get(d, other, "Accept-Language", "en"), "HIT", "v3 en")
	require.Zero(t, d.Stats().L2Errors)
}

// Responses that may not be shared never reach Redis.
func TestUnshareableNotWrittenToRedis(t *testing.T) {
	srv := redistest.Start(t)
	store := newStore(t, srv)
	o := &origin{header: func(h http.Header) { h.Set("Cache-Control", "private, max-age=60") }}
	a := newReplica(t, o, store)
	get(a, "http://cdn.example/a", "Accept-Language", "en")
	client := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer client.Close()
	keys, err := client.Keys(context.Background(), "*").Result()
	require.NoError(t, err)
	require.Empty(t, keys)
	require.Zero(t, a.Stats().L2Writes)
}

// With Redis down, requests are answered from L1 and the origin, without
// errors, and L2 is used again once it is back.
func TestRedisDown(t *testing.T) {
	srv := redistest.Start(t)
	store := newStore(t, srv)
	o := &origin{}
	a := newReplica(t, o, store)
	srv.Stop()
	for i := range 20 {
		requireResponse(t, get(a, "http://cdn.example/"+strconv.Itoa(i), "Accept-Language", "en"), "MISS", "v0 en")
		requireResponse(t, get(a, "http://cdn.example/"+strconv.Itoa(i), "Accept-Language", "en"), "HIT", "v0 en")
	}
	require.NotZero(t, a.Stats().L2Errors)
	a.Purge("", "/0") // does not fail either

	srv.Restart()
	require.Eventually(t, func() bool {
		get(a, "http://cdn.example/back"+strconv.FormatInt(time.Now().UnixNano(), 10), "Accept-Language", "en")
		return a.Stats().L2Writes > 0
	}, 10*time.Second, 10*time.Millisecond)
}

// slowStore is an L2 that never answers: each call waits for its
// context.
type slowStore struct{ calls atomic.Int64 }

func (s *slowStore) Get(ctx context.Context, key string) ([]byte, time.Duration, bool, error) {
	s.calls.Add(1)
	<-ctx.Done()
	return nil, 0, false, ctx.Err()
}

func (s *slowStore) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	s.calls.Add(1)
	<-ctx.Done()
	return ctx.Err()
}

func (s *slowStore) Delete(ctx context.Context, key string) error {
	s.calls.Add(1)
	<-ctx.Done()
	return ctx.Err()
}

// An L2 that hangs costs at most one bounded wait, then is left alone:
// concurrent requests are all answered.
func TestSlowL2IsBounded(t *testing.T) {
	s := &slowStore{}
	o := &origin{}
	c := gateway.NewCache(o, &gateway.CacheOptions{L2: s, L2Timeout: 20 * time.Millisecond})
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			w := get(c, "http://cdn.example/"+strconv.Itoa(i), "Accept-Language", "en")
			require.Equal(t, 200, w.Code)
		})
	}
	wg.Wait()
	require.Equal(t, int64(50), o.n.Load())
	require.NotZero(t, c.Stats().L2Errors)
	require.NoError(t, c.Close()) // writes are bounded too
}
