// Command two-tier-cache runs two cache instances (two replicas of a
// service) over one shared L2 and prints what each step does: a herd of
// misses coalesced into one origin load, L1 and L2 hits, cross-instance
// invalidation, stale-while-revalidate and stale-if-error.
//
// Without flags the L2 is in-process (memstore); with -redis it is a Redis
// or Valkey server, as two real replicas would share:
//
//	go run ./examples/two-tier-cache
//	go run ./examples/two-tier-cache -redis redis://127.0.0.1:6379
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/v100video/v100/cache"
	"github.com/v100video/v100/cache/memstore"
	"github.com/v100video/v100/cache/redisstore"
)

func main() {
	redisURL := flag.String("redis", "", "redis:// URL of a shared L2 (default: in-process)")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "two-tier-cache: unexpected arguments %q\nusage: two-tier-cache [-redis redis://host:port]\n", flag.Args())
		os.Exit(2)
	}
	if err := run(context.Background(), os.Stdout, *redisURL); err != nil {
		fmt.Fprintln(os.Stderr, "two-tier-cache:", err)
		os.Exit(1)
	}
}

// origin stands in for blob storage: slow, countable, and able to fail.
type origin struct {
	calls   atomic.Int32
	version atomic.Int32
	down    atomic.Bool
}

var errOriginDown = errors.New("origin unreachable")

func (o *origin) load(ctx context.Context) (string, time.Duration, error) {
	o.calls.Add(1)
	select {
	case <-time.After(30 * time.Millisecond):
	case <-ctx.Done():
		return "", 0, ctx.Err()
	}
	if o.down.Load() {
		return "", 0, errOriginDown
	}
	return fmt.Sprintf("#EXTM3U playlist v%d", o.version.Load()), 300 * time.Millisecond, nil
}

func run(ctx context.Context, w io.Writer, redisURL string) error {
	storeA, storeB, closeStores, err := stores(redisURL)
	if err != nil {
		return err
	}
	defer closeStores()
	opts := func(s cache.Store) *cache.Options {
		return &cache.Options{
			Store:                s,
			Namespace:            fmt.Sprintf("example:%d:", time.Now().UnixNano()),
			StaleWhileRevalidate: 5 * time.Second,
			StaleIfError:         time.Minute,
			Jitter:               -1, // exact TTLs, so the walk-through is repeatable
		}
	}
	o := opts(storeA)
	ob := opts(storeB)
	ob.Namespace = o.Namespace
	a := cache.New[string, string](o)
	b := cache.New[string, string](ob)
	defer a.Close()
	defer b.Close()
	const key = "video/42/master.m3u8"
	src := &origin{}
	src.version.Store(1)

	fmt.Fprintf(w, "L2: %s\n\n", describe(redisURL))

	fmt.Fprintln(w, "1. 1,000 concurrent misses on instance A")
	var wg sync.WaitGroup
	var failed atomic.Int32
	for range 1000 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := a.GetOrLoad(ctx, key, src.load); err != nil {
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	if failed.Load() > 0 {
		return fmt.Errorf("%d requests failed", failed.Load())
	}
	st := a.Stats()
	fmt.Fprintf(w, "   origin loads: %d; the other %d callers were answered without one (%d shared the load, %d found it in L1)\n",
		src.calls.Load(), 1000-int(src.calls.Load()), st.Coalesced, st.L1Hits)

	hits := a.Stats().L1Hits
	v, _ := a.GetOrLoad(ctx, key, src.load)
	fmt.Fprintf(w, "2. instance A again: %q from L1 (L1 hits +%d, origin loads %d)\n", v, a.Stats().L1Hits-hits, src.calls.Load())

	v, _ = b.GetOrLoad(ctx, key, src.load)
	fmt.Fprintf(w, "3. instance B: %q from L2 (B's L2 hits %d, origin loads %d)\n", v, b.Stats().L2Hits, src.calls.Load())

	src.version.Store(2)
	a.Set(ctx, key, "#EXTM3U playlist v2 (published)", time.Minute)
	var seen string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if seen, _ = b.Get(ctx, key); seen == "#EXTM3U playlist v2 (published)" {
			break
		}
	}
	fmt.Fprintf(w, "4. A publishes v2; B's L1 copy is invalidated and B now reads %q\n", seen)

	a.Delete(ctx, key)
	v, _ = a.GetOrLoad(ctx, key, src.load)
	loads := src.calls.Load()
	fmt.Fprintf(w, "5. A deletes the key and loads it again from the origin: %q (origin loads %d), TTL 300ms\n", v, loads)
	time.Sleep(350 * time.Millisecond) // past the 300 ms TTL, inside stale-while-revalidate
	start := time.Now()
	v, _ = a.GetOrLoad(ctx, key, src.load)
	took := time.Since(start)
	fmt.Fprintf(w, "   after expiry A answers %q stale in %v, without waiting for the origin\n", v, roundLatency(took))
	for deadline := time.Now().Add(5 * time.Second); src.calls.Load() == loads && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	if src.calls.Load() == loads {
		return errors.New("no background refresh reached the origin")
	}
	fmt.Fprintf(w, "   one background refresh reached the origin (loads %d -> %d)\n", loads, src.calls.Load())

	src.down.Store(true)
	time.Sleep(350 * time.Millisecond)
	a.Purge() // drop L1 so the stale copy must come from L2's stale window
	v, err = a.GetOrLoad(ctx, key, src.load)
	if err != nil {
		return fmt.Errorf("stale-if-error did not answer: %w", err)
	}
	fmt.Fprintf(w, "6. origin down and the entry expired: A still answers %q, stale, with no error (stale-if-error)\n\n", v)

	sa, sb := a.Stats(), b.Stats()
	fmt.Fprintf(w, "A: L1 hits %d misses %d, L2 hits %d, loads %d, coalesced %d, stale served %d, refreshes %d\n",
		sa.L1Hits, sa.L1Misses, sa.L2Hits, sa.Loads, sa.Coalesced, sa.StaleServed, sa.Refreshes)
	fmt.Fprintf(w, "B: L1 hits %d misses %d, L2 hits %d, loads %d, invalidations received %d (a's Set and Delete)\n",
		sb.L1Hits, sb.L1Misses, sb.L2Hits, sb.Loads, sb.Invalidations)
	return nil
}

func roundLatency(d time.Duration) string {
	if d < time.Millisecond {
		return "under 1ms"
	}
	return d.Round(time.Millisecond).String()
}

func describe(redisURL string) string {
	if redisURL == "" {
		return "in-process memstore shared by both instances (pass -redis redis://host:port for Redis)"
	}
	return "Redis at " + redisURL + ", one client per instance"
}

// stores returns one L2 handle per instance: the same memstore, or two
// Redis clients on one server.
func stores(redisURL string) (cache.Store, cache.Store, func(), error) {
	if redisURL == "" {
		s := memstore.New()
		return s, s, func() {}, nil
	}
	a, err := redisstore.Open(redisURL, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	b, err := redisstore.Open(redisURL, nil)
	if err != nil {
		a.Close()
		return nil, nil, nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, _, _, err := a.Get(ctx, "v100:example:ping"); err != nil {
		a.Close()
		b.Close()
		return nil, nil, nil, fmt.Errorf("redis at %s: %w", redisURL, err)
	}
	return a, b, func() { a.Close(); b.Close() }, nil
}
