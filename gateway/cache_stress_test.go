package gateway_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/gateway"
)

// Many clients, through a real server and a reverse proxy, ask for keys
// that are cacheable, private, varying, streamed, failing; some give up
// half way. Nobody may ever receive another client's private response or
// another variant, and every complete response must be whole.
func TestCacheStress(t *testing.T) {
	if testing.Short() {
		t.Skip("stress")
	}
	originSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nonce := r.Header.Get("X-Nonce")
		switch r.URL.Path {
		case "/public":
			w.Header().Set("Cache-Control", "max-age=1")
			fmt.Fprint(w, "public")
		case "/private":
			w.Header().Set("Cache-Control", "private, max-age=60")
			fmt.Fprint(w, "private:"+nonce)
		case "/vary":
			w.Header().Set("Cache-Control", "max-age=1")
			w.Header().Set("Vary", "X-Tier")
			fmt.Fprint(w, "tier:"+r.Header.Get("X-Tier"))
		case "/stream":
			w.Header().Set("Cache-Control", "max-age=1, stale-while-revalidate=1")
			for i := range 8 {
				fmt.Fprint(w, strings.Repeat(string(rune('a'+i)), 1000))
				w.(http.Flusher).Flush()
			}
		case "/flaky":
			if rand.IntN(2) == 0 {
				http.Error(w, "down", http.StatusServiceUnavailable)
				return
			}
			w.Header().Set("Cache-Control", "max-age=1, stale-if-error=5")
			w.Header().Set("Etag", `"f"`)
			fmt.Fprint(w, "flaky")
		}
	}))
	defer originSrv.Close()
	u, _ := url.Parse(originSrv.URL)
	c := gateway.NewCache(httputil.NewSingleHostReverseProxy(u), &gateway.CacheOptions{MaxBytes: 64 << 10, MaxObjectSize: 8 << 10})
	defer c.Close()
	edge := httptest.NewServer(c)
	defer edge.Close()
	client := edge.Client()

	paths := []string{"/public", "/private", "/vary", "/stream", "/flaky"}
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 40 {
				path := paths[rand.IntN(len(paths))]
				nonce := fmt.Sprintf("%d-%d", g, i)
				tier := []string{"gold", "free", ""}[rand.IntN(3)]
				ctx, cancel := context.WithCancel(context.Background())
				req, _ := http.NewRequestWithContext(ctx, "GET", edge.URL+path, nil)
				req.Header.Set("X-Nonce", nonce)
				if tier != "" {
					req.Header.Set("X-Tier", tier)
				}
				res, err := client.Do(req)
				if err != nil {
					cancel()
					t.Errorf("%s: %v", path, err)
					return
				}
				if rand.IntN(8) == 0 { // give up half way
					io.CopyN(io.Discard, res.Body, 10)
					cancel()
					res.Body.Close()
					continue
				}
				b, err := io.ReadAll(res.Body)
				res.Body.Close()
				cancel()
				if err != nil {
					t.Errorf("%s: %v", path, err)
					return
				}
				body := string(b)
				switch path {
				case "/public":
					assert.Equal(t, "public", body)
				case "/private":
					assert.Equal(t, "private:"+nonce, body, "a private response went to another client")
				case "/vary":
					assert.Equal(t, "tier:"+tier, body, "the wrong variant")
				case "/stream":
					assert.Len(t, body, 8000)
					assert.Equal(t, strings.Repeat("h", 1000), body[7000:])
				case "/flaky":
					if res.StatusCode == 200 {
						assert.Equal(t, "flaky", body)
					} else {
						assert.Equal(t, 503, res.StatusCode)
					}
				}
			}
		})
	}
	wg.Wait()
	s := c.Stats()
	require.LessOrEqual(t, s.Bytes, int64(64<<10))
	t.Logf("%+v", s)
}
