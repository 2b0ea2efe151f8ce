package gateway_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"

	"github.com/v100video/v100/gateway"
)

func ExampleNew() {
	// An origin that counts its requests.
	var fetches atomic.Int64
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		w.Header().Set("Cache-Control", "public, max-age=60")
		fmt.Fprint(w, "#EXTM3U\n")
	}))
	defer origin.Close()

	g, err := gateway.New(&gateway.Config{
		MetricsPath: "/metrics",
		Routes: []gateway.RouteConfig{
			{Prefix: "/v", Upstreams: []string{origin.URL}, Cache: &gateway.CacheConfig{Enabled: true}},
			{Prefix: "/healthz", Handler: "health"},
		},
	})
	if err != nil {
		panic(err)
	}
	defer g.Close()
	front := httptest.NewServer(g)
	defer front.Close()

	for _, path := range []string{"/v/master.m3u8", "/v/master.m3u8", "/v/../admin", "/healthz"} {
		resp, err := http.Get(front.URL + path)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("%s: %d %q X-Cache=%s\n", path, resp.StatusCode, body, resp.Header.Get("X-Cache"))
	}
	fmt.Println("origin fetches:", fetches.Load())
	// Output:
	// /v/master.m3u8: 200 "#EXTM3U\n" X-Cache=MISS
	// /v/master.m3u8: 200 "#EXTM3U\n" X-Cache=HIT
	// /v/../admin: 400 "400 bad request: path is not canonical\n" X-Cache=
	// /healthz: 200 "ok\n" X-Cache=
	// origin fetches: 1
}
