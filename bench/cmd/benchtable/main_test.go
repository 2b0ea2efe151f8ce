// Tests of benchtable's parser, "vs v100" ratios and table.

package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sample = `goos: linux
goarch: amd64
pkg: github.com/v100video/v100/bench
cpu: AMD EPYC
BenchmarkCacheGet/v100         	30000000	        40.00 ns/op	       100.0 hit-%	       0 B/op	       0 allocs/op
BenchmarkCacheGet/v100-2       	50000000	        25.00 ns/op	       100.0 hit-%	       0 B/op	       0 allocs/op
BenchmarkCacheGet/golang-lru-expirable         	10000000	       114.8 ns/op	       100.0 hit-%	       0 B/op	       0 allocs/op
BenchmarkCacheGet/golang-lru-expirable-2       	10000000	       100.0 ns/op	       100.0 hit-%	       0 B/op	       0 allocs/op
BenchmarkCacheGet/otter-2      	90000000	        12.50 ns/op	       100.0 hit-%	       0 B/op	       0 allocs/op
BenchmarkCoalesceHerd/v100-2   	      50	  25000000 ns/op	         1.000 executions/herd	         2.000 release-ms	 7155376 B/op	   39930 allocs/op
BenchmarkCoalesceHerd/v100-2   	      50	  27000000 ns/op	         1.000 executions/herd	         4.000 release-ms	 7155376 B/op	   39930 allocs/op
BenchmarkCoalesceHerd/singleflight-2   	      50	  52000000 ns/op	         1.000 executions/herd	        10.37 release-ms	 1911520 B/op	   19862 allocs/op
BenchmarkCoalesceHerd/v100-cancellable-ctx
BenchmarkNoSubs-2	1000	5.5 ns/op
PASS
ok  	github.com/v100video/v100/bench	12.3s
`

func TestParseLine(t *testing.T) {
	tests := []struct {
		name     string
		line     string
		wantOK   bool
		wantFam  string
		wantImpl string
		wantCPU  int
		wantNs   float64
	}{
		{"one cpu", "BenchmarkCacheGet/v100 \t 100 \t 40.5 ns/op", true, "BenchmarkCacheGet", "v100", 1, 40.5},
		{"two cpus", "BenchmarkCacheGet/v100-2 \t 100 \t 25 ns/op", true, "BenchmarkCacheGet", "v100", 2, 25},
		{"dash in name", "BenchmarkCoalesceUniqueKey/v100-cancellable-ctx-8 1 3 ns/op", true, "BenchmarkCoalesceUniqueKey", "v100-cancellable-ctx", 8, 3},
		{"dash in name, one cpu", "BenchmarkCoalesceUniqueKey/v100-cancellable-ctx 1 3 ns/op", true, "BenchmarkCoalesceUniqueKey", "v100-cancellable-ctx", 1, 3},
		{"no sub-benchmark", "BenchmarkNoSubs-2 1000 5.5 ns/op", true, "BenchmarkNoSubs", "", 2, 5.5},
		{"name alone", "BenchmarkCoalesceHerd/v100", false, "", "", 0, 0},
		{"ok line", "ok  \tgithub.com/v100video/v100/bench\t12.3s", false, "", "", 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fam, impl, cpu, metrics, ok := parseLine(tc.line)
			require.Equal(t, tc.wantOK, ok, "ok")
			if !ok {
				return
			}
			assert.Equal(t, tc.wantFam, fam, "family")
			assert.Equal(t, tc.wantImpl, impl, "implementation")
			assert.Equal(t, tc.wantCPU, cpu, "cpu")
			require.NotEmpty(t, metrics)
			assert.Equal(t, metric{tc.wantNs, "ns/op"}, metrics[0])
		})
	}
}

func TestRatio(t *testing.T) {
	rp, err := parse(strings.NewReader(sample))
	require.NoError(t, err)
	tests := []struct {
		name   string
		family string
		impl   string
		cpu    int
		want   string // "" when there is no ratio
	}{
		{"baseline", "BenchmarkCacheGet", "v100", 1, "1.00×"},
		{"slower peer, one cpu", "BenchmarkCacheGet", "golang-lru-expirable", 1, "2.87×"},
		{"slower peer, two cpus", "BenchmarkCacheGet", "golang-lru-expirable", 2, "4.00×"},
		{"faster peer", "BenchmarkCacheGet", "otter", 2, "0.50×"},
		{"repeated rows averaged", "BenchmarkCoalesceHerd", "singleflight", 2, "2.00×"},
		{"no baseline", "BenchmarkNoSubs", "", 2, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var f *family
			for _, g := range rp.families {
				if g.name == tc.family {
					f = g
				}
			}
			require.NotNil(t, f, "family %s", tc.family)
			r := f.rows[rowKey{tc.impl, tc.cpu}]
			require.NotNil(t, r, "row %s-%d", tc.impl, tc.cpu)
			x, ok := f.ratio(r)
			got := ""
			if ok {
				got = formatRatio(x)
			}
			assert.Equal(t, tc.want, got, "got %s, want %s", got, tc.want)
		})
	}
}

func TestWrite(t *testing.T) {
	rp, err := parse(strings.NewReader(sample))
	require.NoError(t, err)
	var b strings.Builder
	require.NoError(t, write(&b, rp))
	got := b.String()
	for _, want := range []string{
		"| implementation | cpu | ns/op | B/op | allocs/op | hit-% | vs v100 |",
		"| golang-lru-expirable | 1 | 114.8 | 0 | 0 | 100 | 2.87× |",
		"| implementation | cpu | ns/op | B/op | allocs/op | executions/herd | release-ms | vs v100 |",
		"| v100 | 2 | 26000000 | 7155376 | 39930 | 1 | 3 | 1.00× |",
	} {
		assert.Contains(t, got, want)
	}
	assert.Empty(t, rp.failures)
}

func TestFailures(t *testing.T) {
	rp, err := parse(strings.NewReader("--- FAIL: BenchmarkCacheGet/v100\nFAIL\n"))
	require.NoError(t, err)
	assert.Equal(t, []string{"--- FAIL: BenchmarkCacheGet/v100", "FAIL"}, rp.failures)
}
