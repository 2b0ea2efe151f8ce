package cacheprom_test

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/v100video/v100/cache"
	"github.com/v100video/v100/cache/cacheprom"
)

func ExampleRegister() {
	reg := prometheus.NewRegistry()
	c := cache.New[string, []byte](&cache.Options{Name: "playlists"})
	defer c.Close()
	if err := cacheprom.Register(reg, "playlists", c.Stats); err != nil {
		fmt.Println(err)
		return
	}
	mfs, _ := reg.Gather()
	fmt.Println(len(mfs), "metric families, e.g.", mfs[0].GetName())
	// Output: 17 metric families, e.g. v100_cache_coalesced_total
}
