package cacheprom_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/cache"
	"github.com/v100video/v100/cache/cacheprom"
)

func TestRegisterExportsStats(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	c := cache.New[string, int](&cache.Options{Name: "playlists"})
	defer c.Close()
	require.NoError(t, cacheprom.Register(reg, "playlists", c.Stats))
	ctx := context.Background()
	c.Set(ctx, "a", 1, time.Minute)
	c.Get(ctx, "a")
	c.Get(ctx, "a")
	c.Get(ctx, "b")

	n, err := testutil.GatherAndCount(reg)
	require.NoError(t, err)
	require.Equal(t, 17, n, "one series per counter")
	want := `
# HELP v100_cache_l1_hits_total Fresh answers from L1.
# TYPE v100_cache_l1_hits_total counter
v100_cache_l1_hits_total{cache="playlists"} 2
# HELP v100_cache_l1_misses_total L1 lookups without a fresh entry.
# TYPE v100_cache_l1_misses_total counter
v100_cache_l1_misses_total{cache="playlists"} 1
# HELP v100_cache_l1_entries Entries held in L1.
# TYPE v100_cache_l1_entries gauge
v100_cache_l1_entries{cache="playlists"} 1
`
	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(want),
		"v100_cache_l1_hits_total", "v100_cache_l1_misses_total", "v100_cache_l1_entries"))

	require.Error(t, cacheprom.Register(reg, "playlists", c.Stats), "a second cache with the same name")
	require.NoError(t, cacheprom.Register(reg, "segments", c.Stats), "another name is fine")
}
