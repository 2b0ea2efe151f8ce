// Package ratelimitprom exports a [ratelimit.Middleware]'s counters to
// Prometheus.
//
// It is a package of its own so that importing ratelimit does not pull the
// Prometheus client into a program that does not use it. Counters are read
// from Stats at scrape time: the decision path pays nothing for them.
package ratelimitprom

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/v100video/v100/ratelimit"
)

// Register registers a collector of stats' counters with reg, labelled
// limiter=name.
func Register(reg prometheus.Registerer, name string, stats func() ratelimit.MiddlewareStats) error {
	return reg.Register(NewCollector(name, stats))
}

// NewCollector returns a prometheus.Collector of stats' counters, labelled
// limiter=name and, per rule, rule=<rule name>.
func NewCollector(name string, stats func() ratelimit.MiddlewareStats) prometheus.Collector {
	l := prometheus.Labels{"limiter": name}
	return &collector{
		stats:    stats,
		requests: prometheus.NewDesc("v100_ratelimit_requests_total", "Requests by outcome.", []string{"outcome"}, l),
		keys:     prometheus.NewDesc("v100_ratelimit_keys", "Keys tracked per rule.", []string{"rule"}, l),
		evicted:  prometheus.NewDesc("v100_ratelimit_evicted_keys_total", "Keys dropped to stay within MaxKeys, per rule.", []string{"rule"}, l),
		denied:   prometheus.NewDesc("v100_ratelimit_rule_denied_total", "Events denied per rule.", []string{"rule"}, l),
		decided:  prometheus.NewDesc("v100_ratelimit_decisions_total", "Decisions per rule by where they were made: local (in-process), store (waited on the shared store), fallback (store unreachable).", []string{"rule", "where"}, l),
		storeErr: prometheus.NewDesc("v100_ratelimit_store_errors_total", "Failed or timed-out store calls per rule.", []string{"rule"}, l),
	}
}

type collector struct {
	stats                                              func() ratelimit.MiddlewareStats
	requests, keys, evicted, denied, decided, storeErr *prometheus.Desc
}

// Describe implements prometheus.Collector.
func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.requests
	ch <- c.keys
	ch <- c.evicted
	ch <- c.denied
	ch <- c.decided
	ch <- c.storeErr
}

// Collect implements prometheus.Collector.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	s := c.stats()
	ch <- prometheus.MustNewConstMetric(c.requests, prometheus.CounterValue, float64(s.Allowed), "allowed")
	ch <- prometheus.MustNewConstMetric(c.requests, prometheus.CounterValue, float64(s.Denied), "denied")
	for rule, rs := range s.Rules {
		ch <- prometheus.MustNewConstMetric(c.keys, prometheus.GaugeValue, float64(rs.Keys), rule)
		ch <- prometheus.MustNewConstMetric(c.evicted, prometheus.CounterValue, float64(rs.Evicted), rule)
		ch <- prometheus.MustNewConstMetric(c.denied, prometheus.CounterValue, float64(rs.Denied), rule)
		ch <- prometheus.MustNewConstMetric(c.decided, prometheus.CounterValue, float64(rs.Local), rule, "local")
		ch <- prometheus.MustNewConstMetric(c.decided, prometheus.CounterValue, float64(rs.Remote), rule, "store")
		ch <- prometheus.MustNewConstMetric(c.decided, prometheus.CounterValue, float64(rs.Fallback), rule, "fallback")
		ch <- prometheus.MustNewConstMetric(c.storeErr, prometheus.CounterValue, float64(rs.StoreErrors), rule)
	}
}
