package memstore_test

import (
	"context"
	"fmt"
	"time"

	"github.com/v100video/v100/cache/memstore"
)

func ExampleStore() {
	s := memstore.New()
	ctx := context.Background()
	s.Set(ctx, "k", []byte("v"), time.Minute)
	v, ttl, found, _ := s.Get(ctx, "k")
	fmt.Println(string(v), found, ttl > 59*time.Second)
	// Output: v true true
}
