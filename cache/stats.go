package cache

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
	s.L1Hits = c.hits.Load()
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
