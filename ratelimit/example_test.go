package ratelimit_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"time"

	"github.com/v100video/v100/ratelimit"
)

func ExampleLimiter_AllowN() {
	l, _ := ratelimit.New(ratelimit.Options{Limit: ratelimit.PerSecond(10, 3)})
	defer l.Close()
	now := time.Now()
	for range 4 {
		d := l.AllowN(now, "client-1", 1)
		fmt.Println(d.Allowed, d.Remaining, d.RetryAfter)
	}
	// Output:
	// true 2 0s
	// true 1 0s
	// true 0 0s
	// false 0 100ms
}

// Per-IP and per-API-key limits in one middleware, behind a trusted proxy.
func ExampleMiddleware() {
	m, err := ratelimit.NewMiddleware(ratelimit.MiddlewareOptions{Rules: []ratelimit.Rule{
		{Name: "ip", Limit: ratelimit.PerSecond(20, 40), Key: ratelimit.ByIP(netip.MustParsePrefix("10.0.0.0/8"))},
		{Name: "apikey", Limit: ratelimit.PerMinute(600, 100), Key: ratelimit.ByHeader("X-API-Key")},
	}})
	if err != nil {
		panic(err)
	}
	defer m.Close()
	srv := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello")
	})))
	defer srv.Close()

	req, _ := http.NewRequest("GET", srv.URL, nil)
	req.Header.Set("X-API-Key", "k-123")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode)
	fmt.Println(resp.Header.Get("RateLimit-Policy"))
	fmt.Println(resp.Header.Get("RateLimit"))
	// Output:
	// 200
	// "ip";q=20;w=1, "apikey";q=600;w=60
	// "ip";r=39;t=1, "apikey";r=99;t=1
}
