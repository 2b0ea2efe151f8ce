package redisstore_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/v100video/v100/cache"
	"github.com/v100video/v100/cache/redisstore"
)

// Each replica opens its own Store on the shared Redis and gives it to its
// cache. (Not run as a test: it needs a Redis server at that address.)
func ExampleOpen() {
	store, err := redisstore.Open("redis://127.0.0.1:6379/0", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	c := cache.New[string, []byte](&cache.Options{
		Store:        store,
		Namespace:    "playlists:",
		StoreTimeout: 20 * time.Millisecond, // past this, answer from L1 and the origin
	})
	defer c.Close()
	v, err := c.GetOrLoad(context.Background(), "video/42", func(context.Context) ([]byte, time.Duration, error) {
		return []byte("#EXTM3U"), time.Minute, nil
	})
	fmt.Println(string(v), err)
}
