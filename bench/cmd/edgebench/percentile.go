package main

import (
	"math"
	"slices"
	"time"
)

// latencies summarises one herd's request latencies.
type latencies struct {
	n             int
	p50, p99, max time.Duration
}

// summarize returns the nearest-rank percentiles of ds; it sorts ds.
func summarize(ds []time.Duration) latencies {
	slices.Sort(ds)
	return latencies{
		n:   len(ds),
		p50: percentile(ds, 50),
		p99: percentile(ds, 99),
		max: percentile(ds, 100),
	}
}

// percentile returns the p-th percentile (0 < p ≤ 100) of sorted by the
// nearest-rank method: the smallest value that at least p% of the values
// are less than or equal to. It returns 0 for an empty slice.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	// p×n is exact for whole p, so the division rounds only when the
	// rank is not a whole number, and Ceil then rounds it up as it should.
	n := len(sorted)
	rank := int(math.Ceil(p * float64(n) / 100))
	rank = max(1, min(rank, n))
	return sorted[rank-1]
}
