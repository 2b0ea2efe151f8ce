// Package cacheprom exports a [cache.Cache]'s counters to Prometheus.
//
// It is a package of its own so that importing cache does not pull the
// Prometheus client into a program that does not use it. The counters are
// read from Stats at scrape time, so the cache's hot path pays nothing for
// them.
//
//	c := cache.New[string, []byte](&cache.Options{Name: "playlists"})
//	if err := cacheprom.Register(reg, "playlists", c.Stats); err != nil { … }
package cacheprom

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/v100video/v100/cache"
)

// Register registers a collector of stats' counters with reg, labelled
// cache=name. It fails if reg already has a cache of that name.
func Register(reg prometheus.Registerer, name string, stats func() cache.Stats) error {
	return reg.Register(NewCollector(name, stats))
}

// NewCollector returns a prometheus.Collector of stats' counters, labelled
// cache=name, with metric names prefixed v100_cache_.
func NewCollector(name string, stats func() cache.Stats) prometheus.Collector {
	col := &collector{stats: stats}
	labels := prometheus.Labels{"cache": name}
	for _, d := range metricDefs {
		col.descs = append(col.descs, prometheus.NewDesc("v100_cache_"+d.name, d.help, nil, labels))
	}
	return col
}

type collector struct {
	stats func() cache.Stats
	descs []*prometheus.Desc
}

type metricDef struct {
	name, help string
	kind       prometheus.ValueType
	value      func(cache.Stats) float64
}

func counter(name, help string, v func(cache.Stats) uint64) metricDef {
	return metricDef{name, help, prometheus.CounterValue, func(s cache.Stats) float64 { return float64(v(s)) }}
}

var metricDefs = []metricDef{
	counter("l1_hits_total", "Fresh answers from L1.", func(s cache.Stats) uint64 { return s.L1Hits }),
	counter("l1_misses_total", "L1 lookups without a fresh entry.", func(s cache.Stats) uint64 { return s.L1Misses }),
	counter("l1_evictions_total", "L1 entries evicted by capacity.", func(s cache.Stats) uint64 { return s.L1Evictions }),
	{"l1_entries", "Entries held in L1.", prometheus.GaugeValue, func(s cache.Stats) float64 { return float64(s.L1Entries) }},
	counter("l2_hits_total", "Fresh answers from L2.", func(s cache.Stats) uint64 { return s.L2Hits }),
	counter("l2_misses_total", "L2 lookups without a fresh entry.", func(s cache.Stats) uint64 { return s.L2Misses }),
	counter("l2_errors_total", "Failed or undecodable L2 operations.", func(s cache.Stats) uint64 { return s.L2Errors }),
	{"l2_down", "1 while L2 is skipped after a failure.", prometheus.GaugeValue, func(s cache.Stats) float64 {
		if s.L2Down {
			return 1
		}
		return 0
	}},
	counter("loads_total", "Loader calls.", func(s cache.Stats) uint64 { return s.Loads }),
	counter("load_errors_total", "Loader calls that failed.", func(s cache.Stats) uint64 { return s.LoadErrors }),
	counter("coalesced_total", "Callers that shared another caller's load.", func(s cache.Stats) uint64 { return s.Coalesced }),
	counter("stale_served_total", "Stale answers served.", func(s cache.Stats) uint64 { return s.StaleServed }),
	counter("refreshes_total", "Background refreshes started.", func(s cache.Stats) uint64 { return s.Refreshes }),
	counter("not_found_served_total", "Cached not-found answers served.", func(s cache.Stats) uint64 { return s.NotFoundServed }),
	counter("invalidations_total", "Invalidations received from other instances.", func(s cache.Stats) uint64 { return s.Invalidations }),
	counter("invalidation_losses_total", "Times the invalidation subscription dropped.", func(s cache.Stats) uint64 { return s.InvalidationLosts }),
	counter("resyncs_total", "L1 flushes when the invalidation subscription came back.", func(s cache.Stats) uint64 { return s.Resyncs }),
}

// Describe implements prometheus.Collector.
func (col *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range col.descs {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (col *collector) Collect(ch chan<- prometheus.Metric) {
	s := col.stats()
	for i, d := range metricDefs {
		ch <- prometheus.MustNewConstMetric(col.descs[i], d.kind, d.value(s))
	}
}
