package gateway

// AddCache adds c's counters to the metrics, labelled route=name. They
// are read from [Cache.Stats] at each scrape.
func (m *Metrics) AddCache(name string, c *Cache) {
	m.addCollector(func(s *scrape) {
		st := c.Stats()
		const lookups = "v100_gateway_cache_requests_total"
		const lookupsHelp = "Requests the cache answered, by how: hit (fresh), miss (own origin fetch), stale, coalesced (another request's fetch), bypass (origin, outside the cache)."
		s.counter(lookups, lookupsHelp, st.Hits, "route", name, "result", "hit")
		s.counter(lookups, lookupsHelp, st.Misses, "route", name, "result", "miss")
		s.counter(lookups, lookupsHelp, st.Stale, "route", name, "result", "stale")
		s.counter(lookups, lookupsHelp, st.CoalescedWaiters, "route", name, "result", "coalesced")
		s.counter(lookups, lookupsHelp, st.Bypass, "route", name, "result", "bypass")
		s.counter("v100_gateway_cache_revalidations_total", "Stored responses refreshed by a 304 from the origin.", st.Revalidations, "route", name)
		s.counter("v100_gateway_cache_origin_fetches_total", "Requests the cache made to the origin, background refreshes included.", st.OriginFetches, "route", name)
		s.counter("v100_gateway_cache_refreshes_ahead_total", "Background refreshes of fresh responses close to their expiry.", st.RefreshesAhead, "route", name)
		s.counter("v100_gateway_cache_coalesced_waiters_total", "Requests answered by another request's origin fetch.", st.CoalescedWaiters, "route", name)
		s.counter("v100_gateway_cache_uncacheable_total", "Origin responses that were not shareable or not storable.", st.Uncacheable, "route", name)
		s.counter("v100_gateway_cache_evictions_total", "Stored responses evicted to stay within the cache's size.", st.Evictions, "route", name)
		s.gauge("v100_gateway_cache_objects", "Stored responses.", float64(st.Objects), "route", name)
		s.gauge("v100_gateway_cache_bytes", "Bytes accounted to stored responses.", float64(st.Bytes), "route", name)
	})
}
