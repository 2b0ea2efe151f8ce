package cache

import (
	"sync"
	"sync/atomic"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// entry is one cached answer. Its fields never change after it is stored,
// except refreshing.
type entry[V any] struct {
	val      V
	negative bool   // a cached not-found answer
	expire   int64  // clock time at which it stops being fresh
	swrEnd   int64  // served stale while revalidating until then
	sieEnd   int64  // served stale on load error until then
	keep     int64  // dropped from L1 after then: max(expire, swrEnd, sieEnd)
	seq      uint64 // shard.seq when last moved to the front; guarded by shard.mu

	refreshing atomic.Bool // a background refresh is running
}

func (e *entry[V]) value() (V, error) {
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

// shard is one lock's worth of the L1.
type shard[K comparable, V any] struct {
	mu        sync.Mutex
	lru       *simplelru.LRU[K, *entry[V]] // protected by mu
	hits      uint64                       // protected by mu
	misses    uint64                       // protected by mu
	evictions uint64                       // protected by mu
	seq       uint64                       // moves to the front so far; protected by mu
	lazy      uint64                       // hits within this many moves of the front are not moved
	bound     *bound
	_         [64]byte // keep shards on separate cache lines
}

func newShard[K comparable, V any](size int, b *bound) *shard[K, V] {
	l, err := simplelru.NewLRU[K, *entry[V]](size, nil)
	if err != nil {
		panic(err) // size is always positive
	}
	return &shard[K, V]{lru: l, bound: b, lazy: uint64(size / 4)}
}

// lookup returns the entry for k if L1 still holds it, fresh or stale,
// counting a hit only for a fresh one. Entries past every stale window are
// dropped.
//
// A hit moves the entry to the front of the LRU list only if more than a
// quarter of the shard's capacity has been moved there since the entry last
// was: an entry nearer the front than that cannot be evicted soon, and not
// touching the list saves most hits two or three cache misses.
func (s *shard[K, V]) lookup(k K, now int64) *entry[V] {
	s.mu.Lock()
	e, ok := s.lru.Peek(k)
	if ok && s.seq-e.seq > s.lazy {
		s.lru.Get(k) // move to front
		s.seq++
		e.seq = s.seq
	}
	switch {
	case !ok:
		s.misses++
	case now < e.expire:
		s.hits++
	case now >= e.keep:
		s.lru.Remove(k)
		s.bound.count.Add(-1)
		s.misses++
		e = nil
	default:
		s.misses++
	}
	s.mu.Unlock()
	return e
}

// peek returns the entry for k without counting or promoting it.
func (s *shard[K, V]) peek(k K) *entry[V] {
	s.mu.Lock()
	e, _ := s.lru.Peek(k)
	s.mu.Unlock()
	return e
}

func (s *shard[K, V]) put(k K, e *entry[V]) {
	s.mu.Lock()
	s.seq++
	e.seq = s.seq
	if s.lru.Contains(k) {
		s.lru.Add(k, e) // replaces in place
		s.mu.Unlock()
		return
	}
	if s.lru.Add(k, e) {
		s.evictions++ // the shard was at its own limit: net count unchanged
	} else if s.bound.count.Add(1) > s.bound.capacity && s.lru.Len() > 1 {
		// Over the global limit: drop this shard's least recently used.
		s.lru.RemoveOldest()
		s.bound.count.Add(-1)
		s.evictions++
	}
	s.mu.Unlock()
}

func (s *shard[K, V]) remove(k K) {
	s.mu.Lock()
	if s.lru.Remove(k) {
		s.bound.count.Add(-1)
	}
	s.mu.Unlock()
}

func (s *shard[K, V]) purge() {
	s.mu.Lock()
	s.bound.count.Add(-int64(s.lru.Len()))
	s.lru.Purge()
	s.mu.Unlock()
}
