package ratelimit

import (
	"context"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/v100video/v100/internal/clock"
	"github.com/v100video/v100/internal/stripe"
)

// Store is the shared state of a global limit: a GCRA bucket per key,
// decided by the store's own clock, from which replicas lease tokens in
// batches. The ratelimit/redisstore package implements it on Redis.
type Store interface {
	// Lease takes up to n tokens for key under limit, all that the bucket
	// holds now, at most n. When it grants none, retryAfter is how long
	// until one is free.
	Lease(ctx context.Context, key string, limit Limit, n int) (granted int, retryAfter time.Duration, err error)
}

// GlobalOptions configure a Global limiter.
type GlobalOptions struct {
	// Limit is the limit over all replicas together.
	Limit Limit
	// Store holds the shared buckets. It must not be nil.
	Store Store
	// Replicas is how many replicas are expected to share the limit. While
	// the store is unreachable each replica limits on its own to Limit ÷
	// Replicas. If zero, 1.
	Replicas int
	// Batch is how many tokens a replica leases at a time. If zero, a
	// tenth of a second of the replica's share of the rate, at least 1
	// and at most its share of the burst.
	Batch int
	// Timeout bounds each store call. If zero, 20 ms.
	Timeout time.Duration
	// Retry is how long the store is left alone after it fails. If zero,
	// one second.
	Retry time.Duration
	// FailClosed denies every request while the store is unreachable,
	// instead of limiting locally at Limit ÷ Replicas.
	FailClosed bool
	// MaxKeys bounds the keys tracked locally; keys unused for a minute are
	// dropped too. If zero, 1,000,000.
	MaxKeys int
}

// Global enforces one limit across replicas: it leases tokens from a Store
// in batches, spends them locally, fetches the next batch in the background
// before the current one runs out, and remembers a denial until its
// retry-after, so that most decisions never leave the process.
//
// Admissions over any window can never exceed what the store granted in it
// (the limit's rate over the window plus its burst) plus what replicas held
// when it began: at most two batches per replica and key, one being spent
// and one prefetched. Tokens a replica holds but does not spend are lost
// capacity, never extra admissions.
type Global struct {
	opt      GlobalOptions
	limit    Limit
	batch    int
	fallback *Limiter
	clock    *clock.Clock

	keys    sync.Map // string → *bucket
	count   atomic.Int64
	maxKeys int64
	sweeper *periodic

	storeDownUntil atomic.Int64
	bg             sync.WaitGroup
	bgMu           sync.Mutex
	closed         bool

	local, remote, fallbackN, storeErrors, allowedN, deniedN stripe.Counter
}

// bucket is one key's leased tokens. Spending a token or meeting a
// remembered denial takes no lock; mu only makes one goroutine at a time
// wait on the store for the key.
type bucket struct {
	tokens      atomic.Int64 // leased, unspent
	used        atomic.Int64 // clock time of the last decision, for the sweep
	deniedUntil atomic.Int64 // the store said no until then
	fetching    atomic.Bool  // a background lease is in flight
	mu          sync.Mutex   // held while waiting on the store
}

// NewGlobal returns a Global limiter, or an error for invalid options.
func NewGlobal(opts GlobalOptions) (*Global, error) {
	lim, err := opts.Limit.normal()
	if err != nil {
		return nil, err
	}
	if opts.Store == nil {
		return nil, errNoStore
	}
	if opts.Replicas <= 0 {
		opts.Replicas = 1
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 20 * time.Millisecond
	}
	if opts.Retry <= 0 {
		opts.Retry = time.Second
	}
	share := Limit{
		Rate:  max(1, lim.Rate/opts.Replicas),
		Per:   lim.Per,
		Burst: max(1, lim.Burst/opts.Replicas),
	}
	if opts.Batch <= 0 {
		perTenth := int(float64(share.Rate) * float64(100*time.Millisecond) / float64(share.Per))
		opts.Batch = min(max(1, perTenth), share.Burst)
	}
	fb, err := New(Options{Limit: share, MaxKeys: opts.MaxKeys})
	if err != nil {
		return nil, err
	}
	if opts.MaxKeys <= 0 {
		opts.MaxKeys = 1_000_000
	}
	g := &Global{opt: opts, limit: lim, batch: opts.Batch, fallback: fb, clock: clock.New(time.Millisecond),
		maxKeys: int64(opts.MaxKeys)}
	g.sweeper = every(10*time.Second, func() { g.sweep(g.clock.Coarse(), false) })
	return g, nil
}

// Close waits for background leases and stops the clocks.
func (g *Global) Close() error {
	g.bgMu.Lock()
	already := g.closed
	g.closed = true
	g.bgMu.Unlock()
	if already {
		return nil
	}
	g.sweeper.stop()
	g.bg.Wait()
	g.fallback.Close()
	g.clock.Close()
	return nil
}

// Allow decides one event for key. It calls the store only when it holds
// no token for key and has no denial to remember; ctx bounds that call.
func (g *Global) Allow(ctx context.Context, key string) Decision {
	d, _ := g.allow(ctx, key)
	return d
}

func (g *Global) allow(ctx context.Context, key string) (Decision, origin) {
	now := g.clock.Coarse()
	if g.storeDown(now) {
		return g.degraded(key), fromFallback
	}
	b := g.bucket(key, now)
	if d, o, ok := g.spend(b, key, now); ok {
		g.local.Add()
		return d, o
	}

	// No token and no denial on record: one goroutine per key asks the
	// store; the others wait for its answer and spend from it.
	b.mu.Lock()
	defer b.mu.Unlock()
	now = g.clock.Coarse()
	if g.storeDown(now) { // failed while this goroutine waited
		return g.degraded(key), fromFallback
	}
	if d, o, ok := g.spend(b, key, now); ok {
		g.local.Add()
		return d, o
	}
	granted, retry, err := g.lease(ctx, key)
	if err != nil {
		return g.degraded(key), fromFallback
	}
	g.remote.Add()
	now = g.clock.Coarse()
	if granted < g.batch {
		// The bucket is (nearly) empty: do not come back for every token,
		// but once a batch would be free. Tokens granted are still spent.
		b.deniedUntil.Store(now + g.denyFor(retry))
	}
	if granted == 0 {
		g.deniedN.Add()
		return Decision{RetryAfter: retry, ResetAfter: retry}, fromStore
	}
	left := b.tokens.Add(int64(granted - 1))
	g.allowedN.Add()
	return Decision{Allowed: true, Remaining: int(max(left, 0))}, fromLease
}

// spend decides from what the bucket holds: a leased token, or else a
// remembered denial. ok is false when neither is there.
func (g *Global) spend(b *bucket, key string, now int64) (Decision, origin, bool) {
	b.used.Store(now)
	left := b.tokens.Add(-1)
	if left >= 0 {
		if left <= int64(g.batch/2) && b.fetching.CompareAndSwap(false, true) {
			g.prefetch(key, b)
		}
		g.allowedN.Add()
		return Decision{Allowed: true, Remaining: int(left)}, fromLease, true
	}
	b.tokens.Add(1)
	if until := b.deniedUntil.Load(); now < until {
		g.deniedN.Add()
		wait := time.Duration(until - now)
		return Decision{RetryAfter: wait, ResetAfter: wait}, fromStore, true
	}
	return Decision{}, fromLocal, false
}

// refund gives back an event allowed for key, as when another rule denied
// the request it was for: to the bucket it came from.
func (g *Global) refund(key string, o origin) {
	switch o {
	case fromLease:
		if v, ok := g.keys.Load(key); ok {
			v.(*bucket).tokens.Add(1)
		}
	case fromFallback:
		g.fallback.refund(key, 1)
	}
}

// prefetch leases the next batch in the background.
func (g *Global) prefetch(key string, b *bucket) {
	g.bgMu.Lock()
	if g.closed {
		g.bgMu.Unlock()
		b.fetching.Store(false)
		return
	}
	g.bg.Add(1)
	g.bgMu.Unlock()
	go func() {
		defer g.bg.Done()
		defer b.fetching.Store(false)
		granted, retry, err := g.lease(context.Background(), key)
		if err != nil {
			return
		}
		if granted < g.batch { // nearly empty: come back when a batch is free
			b.deniedUntil.Store(g.clock.Coarse() + g.denyFor(retry))
		}
		b.tokens.Add(int64(granted))
	}()
}

func (g *Global) lease(ctx context.Context, key string) (int, time.Duration, error) {
	// The caller going away must not look like a store failure: the lease
	// is bounded by Timeout alone.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), g.opt.Timeout)
	defer cancel()
	granted, retry, err := g.opt.Store.Lease(ctx, key, g.limit, g.batch)
	if err != nil {
		g.storeErrors.Add()
		if !errors.Is(err, ErrKey) { // a key's own trouble says nothing of the store
			g.storeDownUntil.Store(g.clock.Precise() + int64(g.opt.Retry))
		}
		return 0, 0, err
	}
	g.storeDownUntil.Store(0)
	return granted, retry, nil
}

// denyFor is how long to remember a denial: until a whole batch would be
// free for this replica, not just one token, so that a replica over its
// share asks the store once per batch rather than once per token. Requests meanwhile are denied
// in-process; the bucket refills all the same, so the limit is still used.
func (g *Global) denyFor(retry time.Duration) int64 {
	// At this replica's share of the rate (the others draw on the same
	// refill), a batch takes batch × replicas emission intervals.
	interval := int64(g.limit.Per) / int64(g.limit.Rate)
	return int64(retry) + int64(g.batch*g.opt.Replicas-1)*interval
}

func (g *Global) storeDown(now int64) bool {
	until := g.storeDownUntil.Load()
	return until != 0 && now < until
}

// degraded decides while the store is unreachable.
func (g *Global) degraded(key string) Decision {
	g.fallbackN.Add()
	if g.opt.FailClosed {
		g.deniedN.Add()
		return Decision{RetryAfter: g.opt.Retry}
	}
	d := g.fallback.Allow(key)
	if d.Allowed {
		g.allowedN.Add()
	} else {
		g.deniedN.Add()
	}
	return d
}

func (g *Global) bucket(key string, now int64) *bucket {
	if v, ok := g.keys.Load(key); ok {
		return v.(*bucket)
	}
	nb := new(bucket)
	nb.used.Store(now)
	v, loaded := g.keys.LoadOrStore(key, nb)
	if !loaded && g.count.Add(1) > g.maxKeys {
		g.sweep(now, true)
	}
	return v.(*bucket)
}

// sweep drops keys unused for a minute (their leased tokens are lost
// capacity, never extra admissions); with full, also the least recently used
// of a sample until the count is within MaxKeys.
func (g *Global) sweep(now int64, full bool) {
	const idle = int64(time.Minute)
	var oldestKey string
	oldest := int64(math.MaxInt64)
	seen := 0
	g.keys.Range(func(k, v any) bool {
		b := v.(*bucket)
		used := b.used.Load()
		if now-used > idle && !b.fetching.Load() {
			if g.keys.CompareAndDelete(k, v) {
				g.count.Add(-1)
			}
			return true
		}
		if used < oldest {
			oldestKey, oldest = k.(string), used
		}
		seen++
		return !full || seen < 64
	})
	if full && g.count.Load() > g.maxKeys && oldest != math.MaxInt64 {
		if v, ok := g.keys.Load(oldestKey); ok && g.keys.CompareAndDelete(oldestKey, v) {
			g.count.Add(-1)
		}
	}
}

// GlobalStats are a Global limiter's counters.
type GlobalStats struct {
	Allowed, Denied uint64
	// Local decisions used leased tokens or a remembered denial; Remote
	// ones waited for the store; Fallback ones were made while the store
	// was unreachable.
	Local, Remote, Fallback uint64
	StoreErrors             uint64
	Keys                    int
}

// Stats returns the Global limiter's counters.
func (g *Global) Stats() GlobalStats {
	return GlobalStats{
		Allowed: g.allowedN.Load(), Denied: g.deniedN.Load(),
		Local: g.local.Load(), Remote: g.remote.Load(), Fallback: g.fallbackN.Load(),
		StoreErrors: g.storeErrors.Load(), Keys: int(g.count.Load()),
	}
}
