// Command ratelimit-http runs an HTTP API on loopback with two limits, per
// client IP and per API key, sends it traffic from three clients, and
// prints what each got back: 200s, 429s with Retry-After, and the
// RateLimit headers.
//
// The server trusts 127.0.0.1 as its reverse proxy, so the clients can play
// different addresses through X-Forwarded-For, as they would behind one.
//
//	go run ./examples/ratelimit-http
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"

	"github.com/v100video/v100/ratelimit"
)

func main() {
	if _, err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "ratelimit-http:", err)
		os.Exit(1)
	}
}

// tally is what one client got.
type tally struct{ OK, Limited int }

func run(ctx context.Context, w io.Writer) (map[string]tally, error) {
	m, err := ratelimit.NewMiddleware(ratelimit.MiddlewareOptions{Rules: []ratelimit.Rule{
		// 5 requests per second per client address, bursts of 10.
		{Name: "ip", Limit: ratelimit.PerSecond(5, 10), Key: ratelimit.ByIP(netip.MustParsePrefix("127.0.0.1/32"))},
		// 60 requests per minute per API key, bursts of 15, across addresses.
		{Name: "apikey", Limit: ratelimit.PerMinute(60, 15), Key: ratelimit.ByHeader("X-API-Key")},
	}})
	if err != nil {
		return nil, err
	}
	defer m.Close()
	api := http.NewServeMux()
	api.HandleFunc("GET /v1/videos", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"videos":[]}`)
	})
	srv := httptest.NewServer(m.Handler(api))
	defer srv.Close()

	clients := []struct{ name, ip, key string }{
		{"anonymous 198.51.100.7", "198.51.100.7", ""},
		{"key k-1 from 198.51.100.8", "198.51.100.8", "k-1"},
		{"key k-1 from 198.51.100.9", "198.51.100.9", "k-1"},
	}
	got := map[string]tally{}
	for _, c := range clients {
		var t tally
		var last *http.Response
		for range 12 {
			req, err := http.NewRequestWithContext(ctx, "GET", srv.URL+"/v1/videos", nil)
			if err != nil {
				return nil, err
			}
			req.Header.Set("X-Forwarded-For", c.ip)
			if c.key != "" {
				req.Header.Set("X-API-Key", c.key)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				return nil, err
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			switch resp.StatusCode {
			case http.StatusOK:
				t.OK++
			case http.StatusTooManyRequests:
				t.Limited++
			default:
				return nil, fmt.Errorf("unexpected status %s", resp.Status)
			}
			last = resp
		}
		got[c.name] = t
		fmt.Fprintf(w, "%-28s 12 requests: %2d × 200, %2d × 429", c.name, t.OK, t.Limited)
		if ra := last.Header.Get("Retry-After"); ra != "" {
			fmt.Fprintf(w, " (Retry-After: %s s)", ra)
		}
		fmt.Fprintf(w, "\n%28s RateLimit: %s\n", "", last.Header.Get("RateLimit"))
	}
	fmt.Fprintf(w, "\nRateLimit-Policy: %s\n", `"ip";q=5;w=1, "apikey";q=60;w=60`)
	st := m.Stats()
	fmt.Fprintf(w, "middleware: %d allowed, %d denied; %d addresses and %d keys tracked\n",
		st.Allowed, st.Denied, st.Rules["ip"].Keys, st.Rules["apikey"].Keys)
	return got, nil
}
