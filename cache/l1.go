package cache

import (
	"sync"
	"sync/atomic"

	"github.com/hashicorp/golang-lru/v2/simplelru"

	"github.com/v100video/v100/internal/stripe"
)

// entry is one cached answer. Its fields never change after it is stored,
// except seq and refreshing.
type entry[K comparable, V any] struct {
	key      K // the key it is stored under, for the read table's check
	val      V
	negative bool   // a cached not-found answer
	hash     uint64 // of key
	expire   int64  // clock time at which it stops being fresh
	swrEnd   int64  // served stale while revalidating until then
	sieEnd   int64  // served stale on load error until then
	keep     int64  // dropped from L1 after then: max(expire, swrEnd, sieEnd)

	seq        atomic.Uint64 // shard.seq when last moved to the LRU front
	refreshing atomic.Bool   // a background refresh is running
}

func (e *entry[K, V]) value() (V, error) {
	if e.negative {
		var zero V
		return zero, ErrNotFound
	}
	return e.val, nil
}

// bound is the L1's global entry limit, shared by its shards. Shards may
// hold up to twice their even share, so that uneven hashing does not evict
// while the cache as a whole has room; the global count, touched only on
// insert and removal (never on a hit), keeps the total at capacity.
type bound struct {
	capacity int64
	count    atomic.Int64
}

// shard is one lock's worth of the L1: a golang-lru list, which decides
// recency and eviction, and in front of it a read table.
//
// The read table is a direct-mapped array of pointers to immutable entries.
// A hit found there reads no lock and writes no shared memory, so cores
// reading the same hot keys do not pass cache lines back and forth. The
// table only ever holds entries that the list holds: slots are filled under
// the read lock (so no writer is between its list update and its table
// update) and cleared by the list's eviction callback under the write lock.
type shard[K comparable, V any] struct {
	mu        sync.RWMutex
	lru       *simplelru.LRU[K, *entry[K, V]] // protected by mu
	evictions uint64                          // protected by mu
	seq       atomic.Uint64                   // moves to the front so far; written under mu
	gen       atomic.Uint64                   // writes (Set, Delete, invalidations) so far; written under mu
	lazy      uint64                          // entries within this many moves of the front are not moved
	misses    atomic.Uint64
	table     []atomic.Pointer[entry[K, V]]
	tmask     uint64
	bound     *bound
	hits      *stripe.Counter
}

func newShard[K comparable, V any](size, share int, b *bound, hits *stripe.Counter) *shard[K, V] {
	n := 8
	for n < share {
		n <<= 1
	}
	s := &shard[K, V]{
		bound: b,
		hits:  hits,
		lazy:  uint64(share / 4),
		table: make([]atomic.Pointer[entry[K, V]], n),
		tmask: uint64(n - 1),
	}
	l, err := simplelru.NewLRU[K, *entry[K, V]](size, s.onRemove)
	if err != nil {
		panic(err) // size is always positive
	}
	s.lru = l
	return s
}

func (s *shard[K, V]) slot(h uint64) *atomic.Pointer[entry[K, V]] {
	return &s.table[(h>>32)&s.tmask]
}

// onRemove is the list's eviction callback (evictions, removals, purges),
// run under the write lock.
func (s *shard[K, V]) onRemove(_ K, e *entry[K, V]) {
	s.slot(e.hash).CompareAndSwap(e, nil)
}

// lookup returns the entry L1 holds for k (hash h), fresh or stale, or nil,
// counting a hit only for a fresh answer. Entries past every stale window
// are dropped.
//
// A hit moves the entry to the front of the LRU list only if more than
// lazy entries have been moved there since it last was: an entry that near
// the front cannot be evicted soon.
func (s *shard[K, V]) lookup(k K, h uint64, now int64) *entry[K, V] {
	if e := s.slot(h).Load(); e != nil && e.hash == h && now < e.expire && e.key == k &&
		s.seq.Load()-e.seq.Load() <= s.lazy {
		s.hits.Add()
		return e
	}
	s.mu.RLock()
	e, ok := s.lru.Peek(k)
	if ok {
		s.slot(h).Store(e)
	}
	s.mu.RUnlock()
	switch {
	case !ok:
		s.misses.Add(1)
		return nil
	case now < e.expire:
		s.hits.Add()
		if s.seq.Load()-e.seq.Load() > s.lazy {
			s.promote(k, e)
		}
	case now >= e.keep:
		s.mu.Lock()
		if cur, found := s.lru.Peek(k); found && cur == e {
			s.lru.Remove(k)
			s.bound.count.Add(-1)
		}
		s.mu.Unlock()
		s.misses.Add(1)
		return nil
	default:
		s.misses.Add(1)
	}
	return e
}

// promote moves k to the front if it still holds e.
func (s *shard[K, V]) promote(k K, e *entry[K, V]) {
	s.mu.Lock()
	if cur, ok := s.lru.Peek(k); ok && cur == e {
		s.lru.Get(k) // moves it to the front
		e.seq.Store(s.seq.Add(1))
	}
	s.mu.Unlock()
}

// peek returns the entry for k without counting or promoting it.
func (s *shard[K, V]) peek(k K) *entry[K, V] {
	s.mu.RLock()
	e, _ := s.lru.Peek(k)
	s.mu.RUnlock()
	return e
}

// put stores e for k as a write: it counts in gen, so that fills that
// started earlier do not overwrite it.
func (s *shard[K, V]) put(k K, e *entry[K, V]) {
	s.mu.Lock()
	s.gen.Add(1)
	s.store(k, e)
	s.mu.Unlock()
}

// putIf stores e for k as a fill, unless a write has happened in this shard
// since gen was read.
func (s *shard[K, V]) putIf(k K, e *entry[K, V], gen uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gen.Load() != gen {
		return false
	}
	s.store(k, e)
	return true
}

// store needs the write lock.
func (s *shard[K, V]) store(k K, e *entry[K, V]) {
	e.seq.Store(s.seq.Add(1))
	before := s.lru.Len()
	switch {
	case s.lru.Add(k, e):
		s.evictions++ // the shard was at its own limit: net count unchanged
	case s.lru.Len() == before:
		// replaced in place (no callback): the table store below covers it
	case s.bound.count.Add(1) > s.bound.capacity && s.lru.Len() > 1:
		// Over the global limit: drop this shard's least recently used.
		s.lru.RemoveOldest()
		s.bound.count.Add(-1)
		s.evictions++
	}
	// Safe under the write lock: the list holds e, and no reader is
	// installing at the same time.
	s.slot(e.hash).Store(e)
}

func (s *shard[K, V]) remove(k K) {
	s.mu.Lock()
	s.gen.Add(1)
	if s.lru.Remove(k) {
		s.bound.count.Add(-1)
	}
	s.mu.Unlock()
}

// purge drops every entry. It is not a write (no value changed), so fills
// in flight still store what they found.
func (s *shard[K, V]) purge() {
	s.mu.Lock()
	s.bound.count.Add(-int64(s.lru.Len()))
	s.lru.Purge()
	s.mu.Unlock()
}
