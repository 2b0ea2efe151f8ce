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
	negative bool  // a cached not-found answer
	expire   int64 // clock time at which it stops being fresh
	swrEnd   int64 // served stale while revalidating until then
	sieEnd   int64 // served stale on load error until then
	keep     int64 // dropped from L1 after then: max(expire, swrEnd, sieEnd)

	refreshing atomic.Bool // a background refresh is running
}

func (e *entry[V]) value() (V, error) {
	if e.negative {
		var zero V
		return zero, ErrNotFound
	}
	return e.val, nil
}

// shard is one lock's worth of the L1.
type shard[K comparable, V any] struct {
	mu        sync.Mutex
	lru       *simplelru.LRU[K, *entry[V]] // protected by mu
	hits      uint64                       // protected by mu
	misses    uint64                       // protected by mu
	evictions uint64                       // protected by mu
	_         [64]byte                     // keep shards on separate cache lines
}

func newShard[K comparable, V any](size int) *shard[K, V] {
	l, err := simplelru.NewLRU[K, *entry[V]](size, nil)
	if err != nil {
		panic(err) // size is always positive
	}
	return &shard[K, V]{lru: l}
}

// lookup returns the entry for k if L1 still holds it, fresh or stale,
// counting a hit only for a fresh one. Entries past every stale window are
// dropped.
func (s *shard[K, V]) lookup(k K, now int64) *entry[V] {
	s.mu.Lock()
	e, ok := s.lru.Get(k)
	switch {
	case !ok:
		s.misses++
	case now < e.expire:
		s.hits++
	case now >= e.keep:
		s.lru.Remove(k)
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
	if s.lru.Add(k, e) {
		s.evictions++
	}
	s.mu.Unlock()
}

func (s *shard[K, V]) remove(k K) {
	s.mu.Lock()
	s.lru.Remove(k)
	s.mu.Unlock()
}

func (s *shard[K, V]) purge() {
	s.mu.Lock()
	s.lru.Purge()
	s.mu.Unlock()
}
