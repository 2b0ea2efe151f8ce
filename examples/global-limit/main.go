// Command global-limit runs two replicas of a service that share one rate
// limit, offers them twice the limit for two seconds, and prints how many
// requests each admitted and how few decisions needed the shared store.
//
// Without flags the replicas share an in-process store; with -redis they
// share a Redis or Valkey server, each through its own client, as replicas
// on different machines would:
//
//	go run ./examples/global-limit
//	go run ./examples/global-limit -redis redis://127.0.0.1:6379
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/v100video/v100/ratelimit"
	"github.com/v100video/v100/ratelimit/redisstore"
)

func main() {
	redisURL := flag.String("redis", "", "redis:// URL of the shared store (default: in-process)")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "global-limit: unexpected arguments %q\nusage: global-limit [-redis redis://host:port]\n", flag.Args())
		os.Exit(2)
	}
	if _, err := run(context.Background(), os.Stdout, *redisURL, 2*time.Second); err != nil {
		fmt.Fprintln(os.Stderr, "global-limit:", err)
		os.Exit(1)
	}
}

// result is what run observed.
type result struct {
	Sent, Admitted   int
	Local, Remote    uint64
	Limit, PerSecond int
}

func run(ctx context.Context, w io.Writer, redisURL string, d time.Duration) (result, error) {
	const replicas = 2
	limit := ratelimit.PerSecond(200, 20) // for the whole service
	stores := make([]ratelimit.Store, replicas)
	var mem ratelimit.MemoryStore
	prefix := fmt.Sprintf("v100:example:%d:", time.Now().UnixNano()) // one bucket for both replicas
	for i := range stores {
		if redisURL == "" {
			stores[i] = &mem
			continue
		}
		s, err := redisstore.Open(redisURL, &redisstore.Options{Prefix: prefix})
		if err != nil {
			return result{}, err
		}
		defer s.Close()
		if _, _, err := s.Lease(ctx, "ping", ratelimit.PerSecond(1, 1), 1); err != nil {
			return result{}, fmt.Errorf("redis at %s: %w", redisURL, err)
		}
		stores[i] = s
	}
	if redisURL == "" {
		fmt.Fprintln(w, "store: in-process (pass -redis redis://host:port to share a Redis)")
	} else {
		fmt.Fprintf(w, "store: Redis at %s, one client per replica\n", redisURL)
	}
	fmt.Fprintf(w, "limit: %d requests/s for the whole service, burst %d; %d replicas each offered %d requests/s for %v\n\n",
		limit.Rate, limit.Burst, replicas, limit.Rate, d)

	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		res = result{Limit: limit.Rate}
	)
	for i, store := range stores {
		g, err := ratelimit.NewGlobal(ratelimit.GlobalOptions{Limit: limit, Store: store, Replicas: replicas, Timeout: 200 * time.Millisecond})
		if err != nil {
			return result{}, err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer g.Close()
			tick := time.NewTicker(time.Second / time.Duration(limit.Rate))
			defer tick.Stop()
			end := time.Now().Add(d)
			sent, admitted := 0, 0
			for now := range tick.C {
				if now.After(end) {
					break
				}
				sent++
				if g.Allow(ctx, "api-key-42").Allowed {
					admitted++
				}
			}
			st := g.Stats()
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(w, "replica %d: %4d sent, %4d admitted; %d decisions in-process, %d waited on the store\n",
				i+1, sent, admitted, st.Local, st.Remote)
			res.Sent += sent
			res.Admitted += admitted
			res.Local += st.Local
			res.Remote += st.Remote
		}()
	}
	wg.Wait()
	res.PerSecond = int(float64(res.Admitted) / d.Seconds())
	fmt.Fprintf(w, "\nservice: %d admitted of %d sent, %d/s against the limit of %d/s; %.1f%% of decisions made in-process\n",
		res.Admitted, res.Sent, res.PerSecond, limit.Rate, 100*float64(res.Local)/float64(res.Local+res.Remote))
	return res, nil
}
