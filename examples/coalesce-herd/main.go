// Command coalesce-herd sends 1,000 concurrent requests for one playlist
// through a coalesce.Group in front of a slow origin on loopback, and prints
// how many reached the origin (one).
//
//	go run ./examples/coalesce-herd [-n 1000] [-origin-delay 50ms]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/v100video/v100/coalesce"
)

func main() {
	n := flag.Int("n", 1000, "concurrent requests")
	delay := flag.Duration("origin-delay", 50*time.Millisecond, "time the origin takes to answer")
	flag.Parse()
	if _, err := run(context.Background(), os.Stdout, *n, *delay); err != nil {
		fmt.Fprintln(os.Stderr, "coalesce-herd:", err)
		os.Exit(1)
	}
}

// result is what run observed.
type result struct {
	Requests, OriginCalls, Shared int
}

func run(ctx context.Context, w io.Writer, n int, delay time.Duration) (result, error) {
	var originCalls atomic.Int32
	origin := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		originCalls.Add(1)
		time.Sleep(delay)
		rw.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
		io.WriteString(rw, "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\n360p.m3u8\n")
	}))
	defer origin.Close()

	// The result window shares a finished fetch with callers that arrive
	// just after it, so even a herd that trickles in makes one call.
	g := coalesce.Group[string, []byte]{Window: time.Second}
	fetch := func(ctx context.Context) ([]byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, origin.URL+"/video/42/master.m3u8", nil)
		if err != nil {
			return nil, err
		}
		resp, err := origin.Client().Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		return io.ReadAll(resp.Body)
	}

	fmt.Fprintf(w, "%d concurrent requests for video/42/master.m3u8 (origin takes %v, result window 1s)\n", n, delay)
	gate := make(chan struct{}) // release the herd at once
	var wg sync.WaitGroup
	var shared, failed atomic.Int32
	var firstErr atomic.Value
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			body, sh, err := g.Do(ctx, "video/42/master.m3u8", fetch)
			if err != nil || len(body) == 0 {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, fmt.Errorf("request failed: %v", err))
				return
			}
			if sh {
				shared.Add(1)
			}
		}()
	}
	start := time.Now()
	close(gate)
	wg.Wait()
	res := result{Requests: n, OriginCalls: int(originCalls.Load()), Shared: int(shared.Load())}
	if err, _ := firstErr.Load().(error); err != nil {
		return res, err
	}
	st := g.Stats()
	fmt.Fprintf(w, "origin calls:   %d\n", res.OriginCalls)
	fmt.Fprintf(w, "shared results: %d of %d callers\n", res.Shared, n)
	fmt.Fprintf(w, "executions:     %d (group stats: %d calls)\n", st.Executions, st.Calls)
	fmt.Fprintf(w, "all answered in %v\n", time.Since(start).Round(time.Millisecond))
	return res, nil
}
