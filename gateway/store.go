package gateway

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"
)

// entryOverhead is what an entry costs besides its key, header fields and
// body, as accounted against MaxBytes.
const entryOverhead = 256

// entry is one key's slot in the store: a stored response, a Vary marker
// (the primary key of a response that varies: its object is under a
// secondary key), or an uncacheable marker. Entries are never changed once
// stored, except for their list links and reference bit: replacing a key's
// slot stores a new entry.
type slot struct {
	key   string
	obj   *object
	vary  *varyMarker
	until time.Time // an uncacheable marker: requests go to the origin alone until then
	size  int64

	// ref is set by a hit and cleared by the eviction scan (CLOCK).
	ref atomic.Bool
	// prev and next link the shard's ring, newest after the sentinel;
	// protected by the shard's mu.
	prev, next *slot
}

// varyMarker lists the request fields that select a variant. gen makes the
// secondary keys of one marker different from those of any other, so that
// replacing or invalidating a marker makes its old variants unreachable.
type varyMarker struct {
	names []string
	gen   uint64
}

// store is an in-memory cache of entries bounded by bytes (keys, header
// fields and bodies, plus a fixed overhead per entry). It is sharded by key
// hash; each shard keeps its entries in insertion order and evicts with
// CLOCK (second chance): a hit only sets the entry's reference bit under a
// read lock, and eviction moves referenced entries back to the front once
// before evicting. That approximates LRU without a write lock per hit.
type store struct {
	shards   []shard
	mask     uint64
	seed     maphash.Seed
	shardMax int64

	evictions atomic.Uint64
	objects   atomic.Int64
	bytes     atomic.Int64
}

type shard struct {
	mu    sync.RWMutex // protects m, ring and bytes
	m     map[string]*slot
	ring  slot // sentinel: ring.next is the newest entry, ring.prev the oldest
	bytes int64
	_     [40]byte // keep shards on separate cache lines
}

// newStore returns a store of at most maxBytes. It uses up to 16 shards,
// fewer if a shard would hold less than twice maxObject bytes.
func newStore(maxBytes, maxObject int64) *store {
	n := 16
	for n > 1 && maxBytes/int64(n) < 2*maxObject {
		n /= 2
	}
	s := &store{shards: make([]shard, n), mask: uint64(n - 1), seed: maphash.MakeSeed(), shardMax: maxBytes / int64(n)}
	for i := range s.shards {
		sh := &s.shards[i]
		sh.m = make(map[string]*slot)
		sh.ring.next, sh.ring.prev = &sh.ring, &sh.ring
	}
	return s
}

// shardOf returns key's shard.
func (s *store) shardOf(key []byte) *shard {
	if s.mask == 0 {
		return &s.shards[0]
	}
	return &s.shards[maphash.Bytes(s.seed, key)&s.mask]
}

func (s *store) shardOfString(key string) *shard {
	if s.mask == 0 {
		return &s.shards[0]
	}
	return &s.shards[maphash.String(s.seed, key)&s.mask]
}

// get returns the entry under key, or nil, and marks it referenced.
func (s *store) get(key []byte) *slot {
	sh := s.shardOf(key)
	sh.mu.RLock()
	e := sh.m[string(key)]
	sh.mu.RUnlock()
	if e != nil && !e.ref.Load() {
		e.ref.Store(true)
	}
	return e
}

// set stores e under e.key, replacing what was there, and evicts entries
// until the shard fits. An entry larger than a shard is not stored (and
// whatever was under its key is removed).
func (s *store) set(e *slot) {
	sh := s.shardOfString(e.key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if old := sh.m[e.key]; old != nil {
		s.unlink(sh, old)
	}
	if e.size > s.shardMax {
		return
	}
	// CLOCK: at most two passes, since the first clears every bit.
	for sh.bytes+e.size > s.shardMax && sh.ring.prev != &sh.ring {
		victim := sh.ring.prev
		if victim.ref.Load() {
			victim.ref.Store(false)
			victim.prev.next, victim.next.prev = victim.next, victim.prev
			s.pushFront(sh, victim)
			continue
		}
		s.unlink(sh, victim)
		s.evictions.Add(1)
	}
	sh.m[e.key] = e
	s.pushFront(sh, e)
	sh.bytes += e.size
	s.bytes.Add(e.size)
	if e.obj != nil {
		s.objects.Add(1)
	}
}

// remove deletes key's entry if it is e (or any entry, if e is nil).
func (s *store) remove(key string, e *slot) {
	sh := s.shardOfString(key)
	sh.mu.Lock()
	if old := sh.m[key]; old != nil && (e == nil || old == e) {
		s.unlink(sh, old)
	}
	sh.mu.Unlock()
}

func (s *store) pushFront(sh *shard, e *slot) {
	e.prev, e.next = &sh.ring, sh.ring.next
	sh.ring.next.prev = e
	sh.ring.next = e
}

func (s *store) unlink(sh *shard, e *slot) {
	delete(sh.m, e.key)
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
	sh.bytes -= e.size
	s.bytes.Add(-e.size)
	if e.obj != nil {
		s.objects.Add(-1)
	}
}

// removeIf removes every entry whose key match reports true, and returns
// the keys of the objects among them.
func (s *store) removeIf(match func(key string) bool) []string {
	var objects []string
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		for k, e := range sh.m {
			if match(k) {
				if e.obj != nil {
					objects = append(objects, k)
				}
				s.unlink(sh, e)
			}
		}
		sh.mu.Unlock()
	}
	return objects
}
