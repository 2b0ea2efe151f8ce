package cache

import "github.com/prometheus/client_golang/prometheus"

// Stats are a Cache's counters since it was created.
type Stats struct {
	L1Hits      uint64 // fresh L1 answers
	L1Misses    uint64 // L1 lookups with no fresh entry
	L1Evictions uint64 // entries pushed out by capacity
	L1Entries   int    // entries held now

	L2Hits   uint64 // fresh L2 answers
	L2Misses uint64 // L2 lookups with no fresh entry
	L2Errors uint64 // failed or undecodable L2 operations
	L2Down   bool   // L2 is being skipped after a failure

	Loads          uint64 // loader calls
	LoadErrors     uint64 // loader calls that failed (not counting ErrNotFound)
	Coalesced      uint64 // GetOrLoad callers that shared another caller's fill
	StaleServed    uint64 // stale answers (while revalidating or on error)
	Refreshes      uint64 // background refreshes started
	NotFoundServed uint64 // cached not-found answers

	Invalidations     uint64 // invalidation messages from other instances
	InvalidationLosts uint64 // times the invalidation subscription dropped
	Resyncs           uint64 // L1 flushes when the subscription came back
}

// Stats returns the cache's counters. It locks each L1 shard briefly.
func (c *Cache[K, V]) Stats() Stats {
	var s Stats
	for _, sh := range c.shards {
		sh.mu.RLock()
		s.L1Evictions += sh.evictions
		s.L1Entries += sh.lru.Len()
		sh.mu.RUnlock()
		s.L1Misses += sh.misses.Load()
	}
	s.L1Hits = c.hits.load()
	s.L2Hits = c.ctr.l2Hits.Load()
	s.L2Misses = c.ctr.l2Misses.Load()
	s.L2Errors = c.ctr.l2Errors.Load()
	s.L2Down = c.opt.Store != nil && c.l2DownUntil.Load() != 0
	s.Loads = c.ctr.loads.Load()
	s.LoadErrors = c.ctr.loadErrors.Load()
	s.Coalesced = c.group.Stats().Shared
	s.StaleServed = c.ctr.staleServed.Load()
	s.Refreshes = c.ctr.refreshes.Load()
	s.NotFoundServed = c.ctr.notFoundServed.Load()
	s.Invalidations = c.ctr.invalidations.Load()
	s.InvalidationLosts = c.ctr.invalidationLost.Load()
	s.Resyncs = c.ctr.l2Flushes.Load()
	return s
}

// collector exports Stats to Prometheus at scrape time, so the hot path
// pays nothing for metrics.
type collector struct {
	stats func() Stats
	descs []*prometheus.Desc
}

type metricDef struct {
	name, help string
	kind       prometheus.ValueType
	value      func(Stats) float64
}

var metricDefs = []metricDef{
	{"l1_hits_total", "Fresh answers from L1.", prometheus.CounterValue, func(s Stats) float64 { return float64(s.L1Hits) }},
	{"l1_misses_total", "L1 lookups without a fresh entry.", prometheus.CounterValue, func(s Stats) float64 { return float64(s.L1Misses) }},
	{"l1_evictions_total", "L1 entries evicted by capacity.", prometheus.CounterValue, func(s Stats) float64 { return float64(s.L1Evictions) }},
	{"l1_entries", "Entries held in L1.", prometheus.GaugeValue, func(s Stats) float64 { return float64(s.L1Entries) }},
	{"l2_hits_total", "Fresh answers from L2.", prometheus.CounterValue, func(s Stats) float64 { return float64(s.L2Hits) }},
	{"l2_misses_total", "L2 lookups without a fresh entry.", prometheus.CounterValue, func(s Stats) float64 { return float64(s.L2Misses) }},
	{"l2_errors_total", "Failed or undecodable L2 operations.", prometheus.CounterValue, func(s Stats) float64 { return float64(s.L2Errors) }},
	{"l2_down", "1 while L2 is skipped after a failure.", prometheus.GaugeValue, func(s Stats) float64 { return b2f(s.L2Down) }},
	{"loads_total", "Loader calls.", prometheus.CounterValue, func(s Stats) float64 { return float64(s.Loads) }},
	{"load_errors_total", "Loader calls that failed.", prometheus.CounterValue, func(s Stats) float64 { return float64(s.LoadErrors) }},
	{"coalesced_total", "Callers that shared another caller's load.", prometheus.CounterValue, func(s Stats) float64 { return float64(s.Coalesced) }},
	{"stale_served_total", "Stale answers served.", prometheus.CounterValue, func(s Stats) float64 { return float64(s.StaleServed) }},
	{"refreshes_total", "Background refreshes started.", prometheus.CounterValue, func(s Stats) float64 { return float64(s.Refreshes) }},
	{"not_found_served_total", "Cached not-found answers served.", prometheus.CounterValue, func(s Stats) float64 { return float64(s.NotFoundServed) }},
	{"invalidations_total", "Invalidations received from other instances.", prometheus.CounterValue, func(s Stats) float64 { return float64(s.Invalidations) }},
	{"invalidation_losses_total", "Times the invalidation subscription dropped.", prometheus.CounterValue, func(s Stats) float64 { return float64(s.InvalidationLosts) }},
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func newCollector[K comparable, V any](c *Cache[K, V]) *collector {
	col := &collector{stats: c.Stats}
	labels := prometheus.Labels{"cache": c.opt.Name}
	for _, d := range metricDefs {
		col.descs = append(col.descs, prometheus.NewDesc("v100_cache_"+d.name, d.help, nil, labels))
	}
	return col
}

func (col *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range col.descs {
		ch <- d
	}
}

func (col *collector) Collect(ch chan<- prometheus.Metric) {
	s := col.stats()
	for i, d := range metricDefs {
		ch <- prometheus.MustNewConstMetric(col.descs[i], d.kind, d.value(s))
	}
}
