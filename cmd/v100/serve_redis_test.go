package main

import (
	"context"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/internal/mediatest"
	"github.com/v100video/v100/internal/platform/store"
	"github.com/v100video/v100/internal/redistest"
)

// TestServeRedisPlaybackLimit runs two servers sharing a real redis-server
// (one given it by -redis, one by $V100_REDIS): the playback limit of one
// client holds across both, and when Redis goes down each server goes on
// limiting alone instead of failing.
func TestServeRedisPlaybackLimit(t *testing.T) {
	rs := redistest.Start(t)
	limit := []string{"-no-captions", "-playback-rate", "1", "-playback-burst", "10"}
	a := startServe(t, t.TempDir(), append(limit, "-redis", rs.URL())...)
	t.Setenv("V100_REDIS", rs.URL())
	b := startServe(t, t.TempDir(), limit...)

	// The limit comes before the lookup: an allowed request for a playback
	// ID that does not exist is a 404, a denied one a 429.
	path := "/v1/playback/" + store.NewID() + "/master.m3u8"
	play := func(s *server) int {
		t.Helper()
		code, _, body := s.get(t, path, nil)
		require.Contains(t, []int{http.StatusNotFound, http.StatusTooManyRequests}, code, "%s", body)
		return code
	}
	start := time.Now()
	allowed := 0
	for i := range 20 {
		if play([]*server{a, b}[i%2]) == http.StatusNotFound {
			allowed++
		}
	}
	// Alone, each server would allow its burst of 10: 20 in all. Shared,
	// the store grants the burst and 1 a second, and each server may hold
	// two batches (of 1) beyond what it spent.
	bound := 10 + int(time.Since(start).Seconds()) + 1 + 2*2
	require.Less(t, allowed, 20, "the servers do not share the limit")
	require.LessOrEqual(t, allowed, bound)

	c := redis.NewClient(&redis.Options{Addr: rs.Addr})
	defer c.Close()
	keys, err := c.Keys(context.Background(), "v100:ratelimit:*").Result()
	require.NoError(t, err)
	require.NotEmpty(t, keys, "no limit state in Redis")

	// Redis down: the servers answer, and limit alone. (A server first
	// honours the denial Redis last gave, for up to its retry-after.)
	rs.Stop()
	for _, s := range []*server{a, b} {
		for i := 0; play(s) != http.StatusNotFound; i++ {
			require.Less(t, i, 100, "still denied long after Redis went down")
			time.Sleep(100 * time.Millisecond)
		}
		codes := map[int]int{}
		for range 12 {
			codes[play(s)]++
		}
		require.Positive(t, codes[http.StatusTooManyRequests], "%v: no local limit", codes)
	}
	code, _, _ := a.get(t, "/readyz", nil)
	require.Equal(t, http.StatusOK, code)
}

// TestServeBadEngineURLs checks that a -redis or -db URL that cannot be used
// stops the server with an error that does not show the password.
func TestServeBadEngineURLs(t *testing.T) {
	for _, args := range [][]string{
		{"-redis", "redis://u:hunter22@127.0.0.1:%zz"},
		{"-redis", "mysql://u:hunter22@127.0.0.1"},
		{"-db", "postgres://u:hunter22@127.0.0.1:%zz/x"},
		{"-db", "postgres://u:hunter22@127.0.0.1:1/x?sslmode=disable&connect_timeout=2"},
	} {
		_, stderr, err := runArgs(t, append([]string{"serve", "-listen", "127.0.0.1:0", "-data", t.TempDir()}, args...)...)
		require.Error(t, err, "%v", args)
		require.NotContains(t, err.Error(), "hunter22", "%v", args)
		require.NotContains(t, stderr, "hunter22", "%v", args)
	}
}

// TestServeRedisPlaybackCache checks that -redis gives the playback cache a
// second tier in Redis: after a restart, which empties the server's memory,
// a file read before is served from Redis, not from storage, and a caption
// upload purges the master playlist from Redis as well.
func TestServeRedisPlaybackCache(t *testing.T) {
	rs := redistest.Start(t)
	data := t.TempDir()
	srv := startServe(t, data, "-no-captions", "-redis", rs.URL())
	clip, err := os.ReadFile(mediatest.Clip(t, mediatest.Spec{Width: 320, Height: 180, Seconds: 4}))
	require.NoError(t, err)
	code, v, body := srv.multipartUpload(t, "clip.mp4", clip)
	require.Equal(t, http.StatusCreated, code, body)
	v = srv.waitFor(t, v.ID)
	require.Equal(t, "ready", v.Status, v.Error)
	master := "/v1/playback/" + v.PlaybackID + "/master.m3u8"
	code, h, first := srv.get(t, master, nil)
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "MISS", h.Get("X-Cache"))

	c := redis.NewClient(&redis.Options{Addr: rs.Addr})
	defer c.Close()
	ctx := context.Background()
	stored := func() []string {
		t.Helper()
		var keys []string
		for range 50 { // L2 writes are in the background
			var err error
			keys, err = c.Keys(ctx, "v100:playback:*master.m3u8*").Result()
			require.NoError(t, err)
			if len(keys) > 0 {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		return keys
	}
	require.NotEmpty(t, stored(), "the master playlist is not in Redis")

	srv.stop(t)
	srv = startServe(t, data, "-no-captions", "-redis", rs.URL())
	code, h, again := srv.get(t, master, nil)
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "HIT", h.Get("X-Cache"), "a restarted server did not find the playlist in Redis")
	require.Equal(t, string(first), string(again))

	code, body = srv.putCaptions(t, v.ID, "fr", "text/vtt", []byte("WEBVTT\n\n00:01.000 --> 00:02.000\nSalut\n"))
	require.Equal(t, http.StatusCreated, code, body)
	keys, err := c.Keys(ctx, "v100:playback:*master.m3u8*").Result()
	require.NoError(t, err)
	require.Empty(t, keys, "the caption upload left the old master playlist in Redis")
	code, _, now := srv.get(t, master, nil)
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, string(now), `LANGUAGE="fr"`)
}
