package gateway_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/gateway"
)

// A request whose own fields make the origin's response unshareable (a
// session cookie, credentials, a client's no-cache) does not make the key
// be remembered as uncacheable for everyone else.
func TestCachePersonalRequestDoesNotMarkUncacheable(t *testing.T) {
	for _, tc := range []struct{ name, field, value string }{
		{"cookie", "Cookie", "session=1"},
		{"authorization", "Authorization", "Bearer x"},
		{"client no-cache", "Cache-Control", "no-cache"},
		{"pragma", "Pragma", "no-cache"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
				if r.Header.Get(tc.field) != "" {
					w.Header().Set("Cache-Control", "private, no-store")
				} else {
					w.Header().Set("Cache-Control", "max-age=60")
				}
				w.Header().Set("Etag", `"e`+strconv.Itoa(n)+`"`)
				w.Write([]byte("v" + strconv.Itoa(n)))
			}}
			c := newCache(t, o, nil)
			w := get(c, "GET", "http://example.com/master.m3u8", tc.field, tc.value)
			require.Equal(t, "v1", w.Body.String())
			requireResponse(t, get(c, "GET", "http://example.com/master.m3u8"), 200, "MISS", "v2")
			requireResponse(t, get(c, "GET", "http://example.com/master.m3u8"), 200, "HIT", "v2")
		})
	}
}

// A response unshareable whatever the request is still remembered.
func TestCachePlainRequestMarksUncacheable(t *testing.T) {
	o := static("x", "Cache-Control", "no-store")
	c := newCache(t, o, nil)
	requireResponse(t, get(c, "GET", "http://example.com/a"), 200, "MISS", "x")
	requireResponse(t, get(c, "GET", "http://example.com/a"), 200, "BYPASS", "x")
}

// MaxWaiters bounds the requests waiting on a fetch at once, not those
// that have ever joined it.
func TestCacheMaxWaitersCountsConcurrentWaiters(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rest := make(chan struct{})
		o := &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
			w.Header().Set("Cache-Control", "max-age=60")
			w.Write([]byte("part1,"))
			if n == 1 {
				<-rest
			}
			w.Write([]byte("part2"))
		}}
		c := newCache(t, o, &gateway.CacheOptions{MaxWaiters: 1})
		_, leaderDone := serveAsync(c, context.Background(), "http://example.com/seg.ts")
		synctest.Wait()
		// A HEAD joins, takes the headers and leaves.
		requireResponse(t, get(c, "HEAD", "http://example.com/seg.ts"), 200, "COALESCED", "")
		// Its place is free again.
		w, done := serveAsync(c, context.Background(), "http://example.com/seg.ts")
		synctest.Wait()
		close(rest)
		<-done
		<-leaderDone
		_, h, body := w.snapshot()
		require.Equal(t, "COALESCED", h.Get("X-Cache"))
		require.Equal(t, "part1,part2", body)
		require.Equal(t, 1, o.count())
	})
}

// Close does not wait for a slow origin: it cancels the fetches it
// started, and the clients waiting for them get 502.
func TestCacheCloseCancelsSlowFetch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
			<-r.Context().Done() // an origin that never answers, but honours cancellation
		}}
		c := gateway.NewCache(o, nil)
		w, done := serveAsync(c, context.Background(), "http://example.com/a")
		synctest.Wait()
		closed := make(chan struct{})
		go func() {
			c.Close()
			close(closed)
		}()
		synctest.Wait()
		select {
		case <-closed:
		default:
			t.Fatal("Close is blocked on the origin")
		}
		<-done
		code, _, _ := w.snapshot()
		require.Equal(t, http.StatusBadGateway, code)
	})
}
