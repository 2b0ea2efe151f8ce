package cache

import (
	"context"
	"errors"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/v100video/v100/coalesce"
	"github.com/v100video/v100/internal/clock"
	"github.com/v100video/v100/internal/stripe"
)

// Cache is a two-tier cache from K to V. Create one with New; it is safe for
// concurrent use. Call Close to stop its goroutines.
type Cache[K comparable, V any] struct {
	opt    Options
	shards []*shard[K, V]
	mask   uint64
	keys   keyFuncs[K]
	clock  *clock.Clock
	group  coalesce.Group[K, fillResult[K, V]]
	bc     Broadcaster // opt.Store as a Broadcaster, or nil
	id     string      // this instance, in invalidation messages

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	bgMu   sync.Mutex // protects closed and bg.Add
	closed bool
	bg     sync.WaitGroup // background refreshes
	unsub  func()

	l2DownUntil atomic.Int64 // clock time before which L2 is skipped
	unsynced    atomic.Bool  // the invalidation subscription is down
	everSynced  atomic.Bool  // it has been up at least once
	ctr         counters
	hits        *stripe.Counter // L1 hits, shared by the shards
}

type counters struct {
	l2Hits, l2Misses, l2Errors           atomic.Uint64
	loads, loadErrors, staleServed       atomic.Uint64
	invalidations, invalidationLost      atomic.Uint64
	refreshes, notFoundServed, l2Flushes atomic.Uint64
}

type fillResult[K comparable, V any] struct {
	e      *entry[K, V]
	stale  bool // an old entry served because the load failed
	stored bool // e was stored in L1 (not so for "do not cache", or when a write overtook the load)
}

// New returns a Cache configured by opts; nil means all defaults.
func New[K comparable, V any](opts *Options) *Cache[K, V] {
	o := opts.withDefaults()
	// Each shard may hold twice its even share; the global bound keeps the
	// total at Capacity.
	share := (o.Capacity + o.Shards - 1) / o.Shards
	per := min(o.Capacity, 2*share)
	c := &Cache[K, V]{
		opt:    o,
		shards: make([]*shard[K, V], o.Shards),
		mask:   uint64(o.Shards - 1),
		keys:   newKeyFuncs[K](),
		clock:  clock.New(o.Resolution),
		id:     newInstanceID(),
	}
	b := &bound{capacity: int64(o.Capacity)}
	c.hits = new(stripe.Counter)
	for i := range c.shards {
		c.shards[i] = newShard[K, V](per, share, b, c.hits)
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	if b, ok := o.Store.(Broadcaster); ok {
		c.bc = b
		// Until the subscription is up, invalidations can be missed.
		c.unsynced.Store(true)
		c.unsub = b.Subscribe(c.onInvalidation, c.onSubscription)
	}
	// A cache dropped without Close still stops its clock.
	runtime.AddCleanup(c, (*clock.Clock).Signal, c.clock)
	return c
}

// Close stops background refreshes, the invalidation subscription and the
// clock, and waits for them. The cache still answers afterwards, from L1,
// L2 and loads, without background work.
func (c *Cache[K, V]) Close() error {
	c.bgMu.Lock()
	already := c.closed
	c.closed = true
	c.bgMu.Unlock()
	if already {
		return nil
	}
	c.cancel()
	if c.unsub != nil {
		c.unsub()
	}
	c.bg.Wait()
	c.clock.Close()
	return nil
}

// locate returns k's shard and hash.
func (c *Cache[K, V]) locate(k K) (*shard[K, V], uint64) {
	h := c.keys.hash(k)
	return c.shards[h&c.mask], h
}

func (c *Cache[K, V]) shard(k K) *shard[K, V] {
	s, _ := c.locate(k)
	return s
}

func (c *Cache[K, V]) lookup(k K, now int64) *entry[K, V] {
	s, h := c.locate(k)
	return s.lookup(k, h, now)
}

// Get returns the fresh value for key from L1, or else from L2. It never
// loads. A cached not-found answer is reported as not found.
func (c *Cache[K, V]) Get(ctx context.Context, key K) (V, bool) {
	var zero V
	now := c.clock.Coarse()
	s, h := c.locate(key)
	if e := s.lookup(key, h, now); e != nil && now < e.expire {
		if e.negative {
			return zero, false
		}
		return e.val, true
	}
	if c.opt.Store == nil {
		return zero, false
	}
	e, _ := c.l2Get(ctx, key, s.gen.Load())
	if e == nil || e.negative || c.clock.Precise() >= e.expire {
		return zero, false
	}
	return e.val, true
}

// Set stores v under key for ttl (zero or negative means Options.TTL) in L1
// and L2, and tells other instances to drop their L1 copies. A load of key
// already running does not overwrite it. L2 failures are counted and
// logged, not returned: L1 is always updated, and Set tries L2 even while
// reads skip it.
func (c *Cache[K, V]) Set(ctx context.Context, key K, v V, ttl time.Duration) {
	if ttl <= 0 {
		ttl = c.opt.TTL
	}
	s, h := c.locate(key)
	e := c.newEntry(key, h, v, false, c.clock.Coarse(), ttl)
	s.put(key, e)
	if c.opt.Store != nil {
		// Writes go to L2 even while reads skip it after a failure: a
		// skipped write or invalidation would let old values come back.
		c.l2Set(ctx, key, e, ttl, true)
		c.broadcast(ctx, c.keys.format(key))
	}
}

// Delete removes key from L1 and L2 and tells other instances to drop their
// L1 copies. A load already running for key is not stopped, but its result
// is neither stored nor shared with new callers.
func (c *Cache[K, V]) Delete(ctx context.Context, key K) {
	c.shard(key).remove(key)
	c.group.Forget(key)
	if c.opt.Store != nil {
		sctx, cancel := context.WithTimeout(ctx, c.opt.StoreTimeout)
		err := c.opt.Store.Delete(sctx, c.l2Key(key))
		cancel()
		if err == nil || ctx.Err() == nil {
			c.l2Result(err)
		}
		c.broadcast(ctx, c.keys.format(key))
	}
}

// Purge empties this instance's L1. L2 is untouched.
func (c *Cache[K, V]) Purge() {
	for _, s := range c.shards {
		s.purge()
	}
}

// GetOrLoad returns the value for key: fresh from L1 or L2 if there is one,
// stale from L1 while a background refresh runs (within
// StaleWhileRevalidate), or else from load, which runs once for all
// concurrent callers of one key. load returns the value and its TTL (zero:
// Options.TTL; negative: do not cache). A load error is returned unless a
// stale value within StaleIfError can be served instead; ErrNotFound from
// load is cached for NegativeTTL.
//
// ctx bounds this caller's wait; the load runs until every caller waiting on
// it has gone.
func (c *Cache[K, V]) GetOrLoad(ctx context.Context, key K, load func(context.Context) (V, time.Duration, error)) (V, error) {
	now := c.clock.Coarse()
	if e := c.lookup(key, now); e != nil {
		if now < e.expire {
			if e.negative {
				c.ctr.notFoundServed.Add(1)
			}
			return e.value()
		}
		if now < e.swrEnd {
			c.ctr.staleServed.Add(1)
			c.refresh(key, e, load)
			return e.value()
		}
	}
	r, _, err := c.group.Do(ctx, key, func(ctx context.Context) (fillResult[K, V], error) {
		return c.fill(ctx, key, load)
	})
	if err != nil {
		var zero V
		return zero, err
	}
	if r.stale {
		c.ctr.staleServed.Add(1)
	}
	if r.e.negative {
		c.ctr.notFoundServed.Add(1)
	}
	return r.e.value()
}

// fill answers a miss from L2 or the loader, and stores the answer in L1
// before any waiter sees it.
func (c *Cache[K, V]) fill(ctx context.Context, key K, load func(context.Context) (V, time.Duration, error)) (fillResult[K, V], error) {
	s, h := c.locate(key)
	gen := s.gen.Load() // a write after this wins over what this fill finds
	stale := s.peek(key)
	if c.opt.Store != nil {
		l2e, err := c.l2Get(ctx, key, gen)
		if err == nil && l2e != nil {
			if c.clock.Precise() < l2e.expire {
				return fillResult[K, V]{e: l2e, stored: true}, nil
			}
			if stale == nil || l2e.sieEnd > stale.sieEnd {
				stale = l2e
			}
		}
	}
	c.ctr.loads.Add(1)
	v, ttl, err := load(ctx)
	now := c.clock.Precise()
	switch {
	case err == nil && ttl < 0: // do not cache
		return fillResult[K, V]{e: &entry[K, V]{val: v}}, nil
	case err == nil:
		if ttl == 0 {
			ttl = c.opt.TTL
		}
		ttl = c.jitter(ttl)
		e := c.newEntry(key, h, v, false, now, ttl)
		stored := s.putIf(key, e, gen)
		if stored {
			c.l2Set(ctx, key, e, ttl, false)
		}
		return fillResult[K, V]{e: e, stored: stored}, nil
	case errors.Is(err, ErrNotFound):
		if c.opt.NegativeTTL < 0 {
			return fillResult[K, V]{}, err
		}
		var zero V
		e := c.newEntry(key, h, zero, true, now, c.opt.NegativeTTL)
		stored := s.putIf(key, e, gen)
		if stored {
			c.l2Set(ctx, key, e, c.opt.NegativeTTL, false)
		}
		return fillResult[K, V]{e: e, stored: stored}, nil
	}
	c.ctr.loadErrors.Add(1)
	if stale != nil && now < stale.sieEnd {
		return fillResult[K, V]{e: stale, stale: true}, nil
	}
	return fillResult[K, V]{}, err
}

// refresh reloads key in the background unless a refresh of e already runs.
func (c *Cache[K, V]) refresh(key K, e *entry[K, V], load func(context.Context) (V, time.Duration, error)) {
	if !e.refreshing.CompareAndSwap(false, true) {
		return
	}
	if !c.track() {
		e.refreshing.Store(false)
		return
	}
	c.ctr.refreshes.Add(1)
	go func() {
		defer c.bg.Done()
		// Waiting on c.ctx lets Close end this wait even when the refresh
		// joined a load someone else started. A load the refresh leads runs
		// on the Group's goroutine; track makes Close wait for it, and it is
		// cancelled once its last waiter (this one, at Close) has gone.
		r, _, err := c.group.Do(c.ctx, key, func(ctx context.Context) (fillResult[K, V], error) {
			if !c.track() {
				return fillResult[K, V]{}, errClosed
			}
			defer c.bg.Done()
			return c.fill(ctx, key, load)
		})
		if err != nil || r.stale || !r.stored {
			e.refreshing.Store(false) // let a later hit try again
			c.opt.Logger.Debug("cache: background refresh did not replace the entry", "cache", c.opt.Name, "err", err)
		}
	}()
}

// track adds one to the background work Close waits for, unless the cache
// is closed.
func (c *Cache[K, V]) track() bool {
	c.bgMu.Lock()
	defer c.bgMu.Unlock()
	if c.closed {
		return false
	}
	c.bg.Add(1)
	return true
}

func (c *Cache[K, V]) newEntry(key K, h uint64, v V, negative bool, now int64, ttl time.Duration) *entry[K, V] {
	e := &entry[K, V]{key: key, hash: h, val: v, negative: negative, expire: now + int64(ttl)}
	e.swrEnd = e.expire + int64(c.opt.StaleWhileRevalidate)
	e.sieEnd = e.expire + int64(c.opt.StaleIfError)
	e.keep = max(e.swrEnd, e.sieEnd)
	return e
}

func (c *Cache[K, V]) jitter(ttl time.Duration) time.Duration {
	if c.opt.Jitter == 0 {
		return ttl
	}
	cut := time.Duration(rand.Float64() * c.opt.Jitter * float64(ttl))
	return max(ttl-cut, 1)
}

func newInstanceID() string {
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	var b strings.Builder
	for range 12 {
		b.WriteByte(digits[rand.IntN(len(digits))])
	}
	return b.String()
}
