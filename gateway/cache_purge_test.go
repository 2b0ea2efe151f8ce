package gateway_test

import (
	"context"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/gateway"
)

// versioned returns an origin whose body is "v" followed by *version, for
// max-age=60 responses that vary by Accept-Language.
func versioned(version *atomic.Int64) *origin {
	return &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Cache-Control", "max-age=60")
		w.Header().Set("Vary", "Accept-Language")
		w.Write([]byte("v" + strconv.FormatInt(version.Load(), 10) + r.Header.Get("Accept-Language")))
	}}
}

func TestCachePurge(t *testing.T) {
	var version atomic.Int64
	version.Store(1)
	o := versioned(&version)
	c := newCache(t, o, nil)
	const pl = "http://a.example/v1/playback/p1/"
	for _, target := range []string{pl + "master.m3u8", pl + "master.m3u8?x=1", pl + "720p/index.m3u8", "http://a.example/v1/playback/p2/master.m3u8", "http://b.example/v1/playback/p1/master.m3u8"} {
		for _, lang := range []string{"en", "fr"} {
			requireResponse(t, get(c, "GET", target, "Accept-Language", lang), 200, "MISS", "v1"+lang)
			requireResponse(t, get(c, "GET", target, "Accept-Language", lang), 200, "HIT", "v1"+lang)
		}
	}
	version.Store(2)

	// One target on one host: both variants, and nothing else.
	require.Equal(t, 2, c.Purge("a.example", "/v1/playback/p1/master.m3u8"))
	requireResponse(t, get(c, "GET", pl+"master.m3u8", "Accept-Language", "en"), 200, "MISS", "v2en")
	requireResponse(t, get(c, "GET", pl+"master.m3u8", "Accept-Language", "fr"), 200, "MISS", "v2fr")
	requireResponse(t, get(c, "GET", pl+"master.m3u8?x=1", "Accept-Language", "en"), 200, "HIT", "v1en")
	requireResponse(t, get(c, "GET", "http://b.example/v1/playback/p1/master.m3u8", "Accept-Language", "en"), 200, "HIT", "v1en")

	// A prefix on every host.
	require.Equal(t, 2, c.PurgePrefix("", "/v1/playback/p1/720p/"))
	requireResponse(t, get(c, "GET", pl+"720p/index.m3u8", "Accept-Language", "en"), 200, "MISS", "v2en")
	require.Equal(t, 7, c.PurgePrefix("", "/v1/playback/p1/"))
	requireResponse(t, get(c, "GET", "http://b.example/v1/playback/p1/master.m3u8", "Accept-Language", "fr"), 200, "MISS", "v2fr")
	requireResponse(t, get(c, "GET", pl+"master.m3u8?x=1", "Accept-Language", "fr"), 200, "MISS", "v2fr")
	requireResponse(t, get(c, "GET", "http://a.example/v1/playback/p2/master.m3u8", "Accept-Language", "fr"), 200, "HIT", "v1fr")

	// Hostile or foreign keys match nothing.
	for _, tc := range []struct{ host, target string }{
		{"a.example/v1", "/playback"}, {"", "\x00v"}, {"a.example\x00", ""}, {"c.example", "/"}, {"", "v1/playback/p2/master.m3u8"},
	} {
		require.Zero(t, c.Purge(tc.host, tc.target), "%q %q", tc.host, tc.target)
		require.Zero(t, c.PurgePrefix(tc.host, tc.target), "%q %q", tc.host, tc.target)
	}
	require.Equal(t, 4, c.PurgePrefix("", ""), "the empty prefix purges everything left")
	require.Zero(t, c.Stats().Objects)
}

// A fetch that started before a purge answers its requests but does not
// store what it fetched, and requests after the purge do not join it.
func TestCachePurgeRacesFetch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var version atomic.Int64
		version.Store(1)
		release := make(chan struct{})
		o := &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
			v := version.Load() // read when the request reaches the origin
			if n == 1 {
				<-release
			}
			w.Header().Set("Cache-Control", "max-age=60")
			w.Write([]byte("v" + strconv.FormatInt(v, 10)))
		}}
		c := newCache(t, o, nil)
		const u = "http://a.example/v1/playback/p1/master.m3u8"
		before, beforeDone := serveAsync(c, context.Background(), u)
		synctest.Wait() // the fetch has read version 1 and is blocked

		version.Store(2)
		require.Zero(t, c.PurgePrefix("", "/v1/playback/p1/"))
		after := get(c, "GET", u)
		requireResponse(t, after, 200, "MISS", "v2")

		close(release)
		<-beforeDone
		_, h, body := before.snapshot()
		require.Equal(t, "v1", body, "the request before the purge gets what its fetch got")
		require.Equal(t, "MISS", h.Get("X-Cache"))
		requireResponse(t, get(c, "GET", u), 200, "HIT", "v2")
		require.Equal(t, 2, o.count())
	})
}

// A revalidation that started before a purge does not store the purged
// body when the origin answers 304.
func TestCachePurgeRacesRevalidation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		var version atomic.Int64
		version.Store(1)
		o := &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
			w.Header().Set("Cache-Control", "max-age=1")
			w.Header().Set("Etag", `"e"`)
			if n == 2 {
				<-release
			}
			if r.Header.Get("If-None-Match") == `"e"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Write([]byte("v" + strconv.FormatInt(version.Load(), 10)))
		}}
		c := newCache(t, o, &gateway.CacheOptions{RefreshAhead: -1})
		const u = "http://a.example/p/master.m3u8"
		requireResponse(t, get(c, "GET", u), 200, "MISS", "v1")
		synctest.Wait()
		time.Sleep(2 * time.Second) // stale
		w, done := serveAsync(c, context.Background(), u)
		synctest.Wait() // revalidating, blocked
		version.Store(2)
		require.Equal(t, 1, c.Purge("", "/p/master.m3u8"))
		close(release)
		<-done
		_, h, body := w.snapshot()
		require.Equal(t, "v1", body)
		require.Equal(t, "REVALIDATED", h.Get("X-Cache"))
		requireResponse(t, get(c, "GET", u), 200, "MISS", "v2")
	})
}
