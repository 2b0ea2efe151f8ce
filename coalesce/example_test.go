package coalesce_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/v100video/v100/coalesce"
)

// Ten concurrent requests for one playlist share a single origin fetch.
func ExampleGroup() {
	var g coalesce.Group[string, string]
	var fetches atomic.Int32
	fetch := func(ctx context.Context) (string, error) {
		fetches.Add(1)
		time.Sleep(50 * time.Millisecond) // a slow origin
		return "#EXTM3U", nil
	}

	var wg sync.WaitGroup
	var shared atomic.Int32
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, sh, err := g.Do(context.Background(), "video/42/master.m3u8", fetch)
			if err == nil && sh {
				shared.Add(1)
			}
		}()
	}
	wg.Wait()
	fmt.Println("origin fetches:", fetches.Load())
	fmt.Println("callers given a shared result:", shared.Load())
	// Output:
	// origin fetches: 1
	// callers given a shared result: 10
}

// With a result window, a caller arriving just after the fetch finished
// still gets its result instead of starting another.
func ExampleGroup_window() {
	g := coalesce.Group[string, int]{Window: time.Second}
	var fetches int
	fetch := func(context.Context) (int, error) { fetches++; return 200, nil }

	g.Do(context.Background(), "k", fetch)
	status, shared, _ := g.Do(context.Background(), "k", fetch) // within the window
	fmt.Println(status, shared, "fetches:", fetches)
	// Output: 200 true fetches: 1
}
