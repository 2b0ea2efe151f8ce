package gateway_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/v100video/v100/gateway"
)

// A Cache in front of a reverse proxy: the first request for a playlist
// goes to the origin, the next ones are answered from memory. Requests
// that arrive together while it is fetched share the one origin fetch.
func ExampleNewCache() {
	var fetches atomic.Int32
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		w.Header().Set("Cache-Control", "max-age=60")
		w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
		io.WriteString(w, "#EXTM3U\n")
	}))
	defer origin.Close()
	u, _ := url.Parse(origin.URL)

	cache := gateway.NewCache(httputil.NewSingleHostReverseProxy(u), nil)
	defer cache.Close()
	edge := httptest.NewServer(cache)
	defer edge.Close()

	fetch := func() (xcache, body string) {
		res, err := http.Get(edge.URL + "/v1/videos/42/master.m3u8")
		if err != nil {
			return err.Error(), ""
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.Header.Get("X-Cache"), strings.TrimSpace(string(b))
	}
	fmt.Println(fetch())
	fmt.Println(fetch())

	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() { fetch() })
	}
	wg.Wait()
	fmt.Println("origin fetches:", fetches.Load())
	fmt.Println("hits:", cache.Stats().Hits)
	// Output:
	// MISS #EXTM3U
	// HIT #EXTM3U
	// origin fetches: 1
	// hits: 11
}

// After a caption upload rewrites a video's master playlist, the server
// purges what the cache holds for the video, so that the next request
// fetches the new playlist.
func ExampleCache_PurgePrefix() {
	version := "v1"
	c := gateway.NewCache(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=60")
		io.WriteString(w, "#EXTM3U\n# "+version+"\n")
	}), nil)
	defer c.Close()
	get := func() string {
		w := httptest.NewRecorder()
		c.ServeHTTP(w, httptest.NewRequest("GET", "http://cdn.example/v1/playback/p1/master.m3u8", nil))
		return w.Header().Get("X-Cache") + " " + strings.Split(w.Body.String(), "\n")[1]
	}
	fmt.Println(get())
	version = "v2" // the playlist is rewritten
	fmt.Println(get())
	fmt.Println("purged:", c.PurgePrefix("", "/v1/playback/p1/"))
	fmt.Println(get())
	// Output:
	// MISS # v1
	// HIT # v1
	// purged: 1
	// MISS # v2
}
