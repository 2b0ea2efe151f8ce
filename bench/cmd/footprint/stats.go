package main

import (
	"fmt"
	"slices"
	"time"
)

// percentile returns the p-quantile (0 ≤ p ≤ 1) of sorted by the
// nearest-rank method, or 0 if it is empty.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// spread is the median and the extremes of a few timings.
type spread struct {
	N                int
	Median, Min, Max time.Duration
}

// spreadOf summarises ds (which it sorts). The median of an even count is
// the mean of the middle two.
func spreadOf(ds []time.Duration) spread {
	if len(ds) == 0 {
		return spread{}
	}
	slices.Sort(ds)
	n := len(ds)
	med := ds[n/2]
	if n%2 == 0 {
		med = (ds[n/2-1] + ds[n/2]) / 2
	}
	return spread{N: n, Median: med, Min: ds[0], Max: ds[n-1]}
}

// mb formats bytes in megabytes (10^6 bytes).
func mb(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/1e6) }

// ms formats a duration in milliseconds.
func ms(d time.Duration) string {
	if d < 10*time.Millisecond {
		return fmt.Sprintf("%.1f ms", float64(d)/1e6)
	}
	return fmt.Sprintf("%.0f ms", float64(d)/1e6)
}
