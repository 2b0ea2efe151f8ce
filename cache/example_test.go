package cache_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/v100video/v100/cache"
	"github.com/v100video/v100/cache/memstore"
)

func ExampleCache_GetOrLoad() {
	c := cache.New[string, string](&cache.Options{Capacity: 1000})
	defer c.Close()
	ctx := context.Background()

	loads := 0
	load := func(ctx context.Context) (string, time.Duration, error) {
		loads++
		return "#EXTM3U", 10 * time.Second, nil // the value and its TTL
	}
	for range 3 {
		v, err := c.GetOrLoad(ctx, "video/42/master.m3u8", load)
		fmt.Println(v, err)
	}
	fmt.Println("loads:", loads)
	// Output:
	// #EXTM3U <nil>
	// #EXTM3U <nil>
	// #EXTM3U <nil>
	// loads: 1
}

// A loader says "no such key" with ErrNotFound; the answer is cached for
// NegativeTTL so that lookups of missing keys do not reach the origin.
func ExampleErrNotFound() {
	c := cache.New[string, []byte](&cache.Options{NegativeTTL: time.Minute})
	defer c.Close()
	loads := 0
	missing := func(context.Context) ([]byte, time.Duration, error) {
		loads++
		return nil, 0, fmt.Errorf("video 404: %w", cache.ErrNotFound)
	}
	for range 2 {
		_, err := c.GetOrLoad(context.Background(), "video/404", missing)
		fmt.Println(errors.Is(err, cache.ErrNotFound))
	}
	fmt.Println("loads:", loads)
	// Output:
	// true
	// true
	// loads: 1
}

// Two instances share an L2. What one loads, the other reads without a load;
// what one changes, the other stops serving from its L1.
func ExampleOptions_store() {
	l2 := memstore.New() // cache/redisstore for instances on several machines
	a := cache.New[string, string](&cache.Options{Store: l2, Namespace: "playlists:"})
	b := cache.New[string, string](&cache.Options{Store: l2, Namespace: "playlists:"})
	defer a.Close()
	defer b.Close()
	ctx := context.Background()

	a.GetOrLoad(ctx, "42", func(context.Context) (string, time.Duration, error) { return "v1", time.Minute, nil })
	v, _ := b.Get(ctx, "42")
	fmt.Println("b reads", v, "from L2")

	a.Set(ctx, "42", "v2", time.Minute)
	v, _ = b.Get(ctx, "42")
	fmt.Println("after a's Set, b reads", v)
	// Output:
	// b reads v1 from L2
	// after a's Set, b reads v2
}

func ExampleCache_Stats() {
	c := cache.New[int, string](nil)
	defer c.Close()
	ctx := context.Background()
	c.Set(ctx, 1, "one", time.Minute)
	c.Get(ctx, 1)
	c.Get(ctx, 2)
	s := c.Stats()
	fmt.Printf("hits %d, misses %d, entries %d\n", s.L1Hits, s.L1Misses, s.L1Entries)
	// Output: hits 1, misses 1, entries 1
}
