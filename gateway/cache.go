package gateway

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// X-Cache values: the diagnostic field a Cache sets on every response it
// answers, saying how.
const (
	// XCacheHit: served from a fresh stored response (or a 304 from it).
	XCacheHit = "HIT"
	// XCacheMiss: this request's origin fetch answered it, and other
	// requests could have shared it.
	XCacheMiss = "MISS"
	// XCacheStale: served from a stale stored response, within its
	// stale-while-revalidate window (a background refresh runs) or its
	// stale-if-error window (the origin failed).
	XCacheStale = "STALE"
	// XCacheRevalidated: the stored response was revalidated with the
	// origin (a 304) by this request's fetch, then served.
	XCacheRevalidated = "REVALIDATED"
	// XCacheCoalesced: answered by another request's origin fetch, which
	// this request waited for.
	XCacheCoalesced = "COALESCED"
	// XCacheBypass: the origin answered this request on its own, outside
	// the cache: an unsafe method, a Range request, an upgrade or a request
	// whose Connection field names another of its fields, a request with
	// Cache-Control: no-store, a key remembered as uncacheable, a waiter
	// released by a response it may not share or after WaitTimeout or
	// beyond MaxWaiters, or a closed Cache.
	XCacheBypass = "BYPASS"
)

// CacheOptions configure NewCache. A nil *CacheOptions means all defaults.
type CacheOptions struct {
	// MaxObjectSize is the largest body stored. If zero, 8 MiB. Larger
	// responses stream through uncached. It is at most MaxBytes.
	MaxObjectSize int64
	// MaxBytes bounds the stored entries: keys, header fields and bodies,
	// plus 256 bytes each. If zero, 256 MiB.
	MaxBytes int64
	// MaxWaiters is the most requests that wait on one origin fetch;
	// beyond it, requests go to the origin on their own. If zero, 10,000.
	MaxWaiters int
	// WaitTimeout is the longest a request waits for another request's
	// fetch to receive the origin's headers; then it fetches on its own. If
	// zero, 30 s.
	WaitTimeout time.Duration
	// UncacheableTTL is how long a key whose response was not shareable is
	// remembered, so that requests for it go straight to the origin
	// instead of waiting on each other. If zero, 5 s.
	UncacheableTTL time.Duration
	// RefreshAhead turns on refresh-ahead, and is the least lead it takes.
	// A fresh response hit when less than its lead is left of its
	// freshness is refreshed by one background fetch per key (as within
	// stale-while-revalidate, but never serving it stale), so that under
	// steady traffic the new response replaces it before it expires and
	// no client waits for the origin. The lead is twice the time the
	// origin took to send the response's headers, at least RefreshAhead,
	// at most a sixteenth of the freshness lifetime: refreshing ahead adds
	// at most one origin fetch in sixteen. If zero, 10 ms; if negative,
	// off: responses are fetched again once stale.
	RefreshAhead time.Duration
	// L2, if set, is a second tier, usually shared by replicas (such as
	// Redis, through gateway/redisl2). On an L1 miss, the fetch looks in
	// L2 before asking the origin, and a response from L2 is stored in L1
	// (X-Cache: HIT); every response stored in L1 is written to L2 in the
	// background. An L2 that fails or is slower than L2Timeout is left
	// alone for a second; requests never fail because of it. Purge and
	// PurgePrefix remove from L2 too. Requests with Authorization,
	// Cache-Control or Pragma do not look in L2.
	L2 L2Store
	// L2Timeout bounds an L2 lookup; writes get four times as long. If
	// zero, 50 ms.
	L2Timeout time.Duration
	// L2Prefix starts every L2 key. If empty, "v100:gw:".
	L2Prefix string
	// L2MaxTTL bounds how long L2 keeps a response, whatever its
	// freshness: L2 is not bounded in bytes as the memory tier is, and a
	// year-long max-age would otherwise keep every response ever stored.
	// If zero, 24 hours.
	L2MaxTTL time.Duration
	// Logger receives origin panics and, at debug level, why responses
	// were not cached. If nil, nothing is logged.
	Logger *slog.Logger
	// Now is the clock. If nil, time.Now.
	Now func() time.Time
}

// Cache is an HTTP middleware that answers GET and HEAD requests from an
// in-memory shared cache (RFC 9111, RFC 5861) in front of an origin
// handler, and coalesces identical concurrent misses into one origin fetch
// whose body streams to every waiting request as it arrives.
//
// Create one with NewCache and call Close when done; after Close, requests
// pass straight to the origin. A Cache is safe for concurrent use.
//
// # Keys
//
// A response is stored under the request's host and target (escaped path
// and query; not the scheme). A response with Vary is stored under a
// secondary key made of the named request fields, normalised (lines
// combined, list members trimmed of whitespace and joined by commas, case
// kept; an absent field differs from an empty one). GET and HEAD share
// keys: a HEAD is answered from a stored GET, and a HEAD miss fetches the
// GET (and stores it). Requests with Range, upgrades (WebSocket), requests
// whose Connection field names another of their fields (which a proxy
// removes, so it must not select a variant), and unsafe methods go to the
// origin (BYPASS); an unsafe method that the origin answers with a
// non-error status also drops what is stored for its target.
//
// # Storing
//
// The cache is shared (RFC 9111 §3): it stores a complete 200, 203, 204,
// 300, 301, 308, 404, 405, 410 or 414 response, or a 302, 307, 403 or 451
// with explicit freshness, unless it has no-store, private (with or
// without field names), Set-Cookie (never stored, to be safe, whatever
// else it says), or Vary: *, or answers a request with Authorization
// without public, s-maxage or must-revalidate. A response must be worth
// keeping: fresh for some time, revalidatable (ETag or Last-Modified), or
// usable stale (stale-while-revalidate, stale-if-error). 5xx responses are
// never stored and never replace a stored one. Hop-by-hop fields (and
// those named by Connection), Age and X-Cache are not stored. Bodies
// larger than MaxObjectSize are passed on, not stored.
//
// # Freshness
//
// Freshness lifetime is s-maxage, else max-age, else Expires − Date, else,
// for the statuses above that are cacheable by default and a Last-Modified,
// 10% of Date − Last-Modified, at most a day. Invalid or conflicting
// values count restrictively: a non-numeric, negative or empty max-age is
// 0, a repeated directive takes its smallest value, values beyond 2^31 s
// are 2^31 s, an invalid Expires is in the past. Times are kept to the
// nanosecond: a max-age=1 response is refetched every second. Age is RFC
// 9111's current age (corrected initial age, with the response delay, plus
// resident time); the apparent age is floored to whole seconds, Date's
// resolution. The Age field is sent in whole seconds, floored.
//
// no-cache responses are stored and revalidated before every reuse.
// must-revalidate and proxy-revalidate forbid serving stale; s-maxage does
// not forbid the stale-while-revalidate and stale-if-error windows the
// response grants explicitly.
//
// # Revalidation and stale responses
//
// A stale response with validators is revalidated with a conditional GET
// (If-None-Match, If-Modified-Since); a 304 updates its stored fields and
// freshness, and the stored body is served (REVALIDATED). Client
// conditional requests are answered 304 from the cache. Within
// stale-while-revalidate, a stale response is served at once (STALE) and
// one background refresh per key runs; no client waits on it. Within
// stale-if-error, a stale response is served when the origin answers 5xx
// or fails.
//
// Refresh-ahead (CacheOptions.RefreshAhead, on unless negative) keeps a
// busy response from going stale at all: a hit on a fresh response with
// less than its lead left of its freshness starts one background refresh
// for the key (the same conditional GET as stale-while-revalidate's), and
// the client is served the fresh response at once. The lead is twice the
// time the origin took to send the response, within bounds (see
// CacheOptions.RefreshAhead), so that the new response is stored before
// the old one expires: under steady traffic a max-age=1 playlist is
// fetched about once a second and no client waits for it. Nothing stale
// is served: if the refresh is late, requests join it as they would any
// fetch.
//
// Clients' Cache-Control: no-cache or max-age=0 make the cache revalidate
// (joining a fetch already running for the key, so that reloads cannot
// stampede the origin); max-age=N refuses responses older than N seconds;
// only-if-cached gets 504 on a miss; no-store is served from the cache if
// it can be, and otherwise goes to the origin without storing. max-stale,
// min-fresh and Pragma are ignored.
//
// # Coalescing
//
// Identical misses (the same key, Vary included) share one origin fetch,
// run on its own goroutine on a context detached from every client's. The
// origin's status and fields reach the waiters as soon as they arrive, and
// its body is appended to a shared buffer from which each waiter copies at
// its own pace, flushing as it goes; a request joining mid-stream first
// gets what is already there. A client that leaves does not disturb the
// others; the fetch is cancelled when the last one has left (a HEAD leaves
// it running, to be stored).
//
// When the response may not be shared (no-store, private, Set-Cookie,
// Vary: *, too large by Content-Length, an uncacheable status, no
// freshness), the request that caused the fetch gets it, and every waiter
// is released at once to fetch on its own, concurrently; the key is
// remembered as uncacheable for UncacheableTTL, during which requests go
// straight to the origin (BYPASS); then the next request leads a fetch
// again. It is not remembered when the request that caused the fetch had
// fields that may have made the response its own (Authorization, Cookie,
// Cache-Control, Pragma, conditionals): otherwise any client could turn
// the cache off for a key. Waiters that wanted another variant than the response's look
// again and share a fetch of their own. A body that outgrows MaxObjectSize
// mid-stream still streams to those who joined, through a window of
// MaxObjectSize bytes (the origin is paced by the slowest of them), and is
// not stored. A 5xx response, or a 502 if the origin handler panics
// before sending headers, is shared with the waiters (each serving a stale
// response instead, within its stale-if-error) rather than letting them
// all retry a failing origin; it is not remembered. A body the origin cuts
// short is cut short for every client, with http.ErrAbortHandler.
//
// At most MaxWaiters requests wait on one fetch, and each waits at most
// WaitTimeout for the origin's headers; beyond either, a request fetches
// on its own (BYPASS). Requests with Authorization never share a fetch.
//
// # Storage
//
// Entries are kept in memory, bounded by MaxBytes (keys, fields and
// bodies, plus 256 bytes each), in up to 16 shards with CLOCK eviction (an
// approximation of LRU that lets a hit take only a read lock). The
// repository's cache package is not used: it bounds entries by count, not
// bytes. CacheOptions.L2 adds a shared second tier (such as Redis, through
// gateway/redisl2): L1 misses look there before asking the origin, and
// stored responses are written there.
//
// # Purging
//
// [Cache.Purge] removes what is stored for one target (every Vary
// variant), [Cache.PurgePrefix] everything under a path prefix, from L1
// and L2. A fetch that started before a purge still answers its requests
// but stores nothing the purge matches, and later requests do not join
// it. A Gateway also accepts PURGE requests from Config.PurgeFrom (see
// MethodPurge). A body is one []byte, written in one Write on a hit; stored fields
// are shared by every response that sends them (their slices are full, so
// that an append further out copies).
//
// # Diagnostics
//
// Every response the Cache answers carries X-Cache: HIT, MISS, STALE,
// REVALIDATED, COALESCED or BYPASS (see the XCache constants), and, unless
// it bypassed the cache, Age. [Cache.Stats] counts the same outcomes.
type Cache struct {
	next        http.Handler
	store       *store
	l2          *l2 // nil without CacheOptions.L2
	maxObject   int64
	maxWaiters  int
	waitTimeout time.Duration
	uncacheTTL  time.Duration
	refreshLead time.Duration // the least refresh-ahead lead; negative: off
	log         *slog.Logger
	now         func() time.Time

	ctx    context.Context // cancelled by Close: ends background refreshes
	cancel context.CancelFunc
	wg     sync.WaitGroup // fetch goroutines; Add under fmu while !closed

	fmu     sync.Mutex // protects flights and closed, and serialises Vary marker updates
	flights map[string]*flight
	closed  bool
	closing atomic.Bool // closed, readable without fmu

	gen    atomic.Uint64 // Vary marker generations
	stats  cacheCounters
	purges purgeLog

	// The X-Cache values, one slice each, shared by every response.
	xHit, xMiss, xStale, xRevalidated, xCoalesced, xBypass []string
}

type cacheCounters struct {
	hits, misses, stale, revalidations, originFetches atomic.Uint64
	coalesced, uncacheable, bypass, refreshesAhead    atomic.Uint64
	l2Hits, l2Writes, l2Errors, l2Skipped             atomic.Uint64
}

// CacheStats are a Cache's counters since it was made.
type CacheStats struct {
	Hits             uint64 // answered from a fresh stored response
	Misses           uint64 // answered by their own shareable origin fetch
	Stale            uint64 // answered from a stale stored response
	Revalidations    uint64 // 304s from the origin that refreshed a stored response
	OriginFetches    uint64 // requests made to the origin, background refreshes included
	CoalescedWaiters uint64 // answered by another request's origin fetch
	Uncacheable      uint64 // origin responses found not shareable or not storable
	Bypass           uint64 // answered by the origin outside the cache (see XCacheBypass)
	RefreshesAhead   uint64 // background refreshes of fresh responses near expiry (see CacheOptions.RefreshAhead)
	L2Hits           uint64 // L1 misses answered from L2 (also counted in Hits)
	L2Writes         uint64 // responses written to L2
	L2Errors         uint64 // failed or timed-out L2 requests, and L2 values that were not stored responses
	L2Skipped        uint64 // responses not written to L2 because too many writes were running
	Evictions        uint64 // entries evicted to stay within MaxBytes
	Objects          int64  // stored responses now
	Bytes            int64  // bytes accounted to stored entries now
}

// NewCache returns a Cache in front of next, the origin.
func NewCache(next http.Handler, opts *CacheOptions) *Cache {
	var o CacheOptions
	if opts != nil {
		o = *opts
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 256 << 20
	}
	if o.MaxObjectSize <= 0 {
		o.MaxObjectSize = 8 << 20
	}
	o.MaxObjectSize = min(o.MaxObjectSize, o.MaxBytes)
	if o.MaxWaiters <= 0 {
		o.MaxWaiters = 10_000
	}
	if o.WaitTimeout <= 0 {
		o.WaitTimeout = 30 * time.Second
	}
	if o.UncacheableTTL <= 0 {
		o.UncacheableTTL = 5 * time.Second
	}
	if o.RefreshAhead == 0 {
		o.RefreshAhead = 10 * time.Millisecond
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.L2Timeout <= 0 {
		o.L2Timeout = 50 * time.Millisecond
	}
	if o.L2MaxTTL <= 0 {
		o.L2MaxTTL = 24 * time.Hour
	}
	if o.L2Prefix == "" {
		o.L2Prefix = "v100:gw:"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	c := &Cache{
		next:        next,
		store:       newStore(o.MaxBytes, o.MaxObjectSize),
		maxWaiters:  o.MaxWaiters,
		waitTimeout: o.WaitTimeout,
		uncacheTTL:  o.UncacheableTTL,
		refreshLead: o.RefreshAhead,
		log:         o.Logger,
		now:         o.Now,
		flights:     make(map[string]*flight),

		xHit: []string{XCacheHit}, xMiss: []string{XCacheMiss}, xStale: []string{XCacheStale},
		xRevalidated: []string{XCacheRevalidated}, xCoalesced: []string{XCacheCoalesced}, xBypass: []string{XCacheBypass},
	}
	c.maxObject = min(o.MaxObjectSize, c.store.shardMax)
	if o.L2 != nil {
		c.l2 = &l2{store: o.L2, prefix: o.L2Prefix, timeout: o.L2Timeout, maxTTL: o.L2MaxTTL, writes: make(chan struct{}, l2MaxWrites)}
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	return c
}

// Stats returns the Cache's counters.
func (c *Cache) Stats() CacheStats {
	s := &c.stats
	return CacheStats{
		Hits: s.hits.Load(), Misses: s.misses.Load(), Stale: s.stale.Load(),
		Revalidations: s.revalidations.Load(), OriginFetches: s.originFetches.Load(),
		CoalescedWaiters: s.coalesced.Load(), Uncacheable: s.uncacheable.Load(),
		Bypass: s.bypass.Load(), RefreshesAhead: s.refreshesAhead.Load(), Evictions: c.store.evictions.Load(),
		L2Hits: s.l2Hits.Load(), L2Writes: s.l2Writes.Load(), L2Errors: s.l2Errors.Load(), L2Skipped: s.l2Skipped.Load(),
		Objects: c.store.objects.Load(), Bytes: c.store.bytes.Load(),
	}
}

// Close cancels every origin fetch the Cache started, background
// refreshes and L2 writes included, and waits for them to end: a client
// still waiting for a fetch's headers gets 502, one receiving its body has
// it cut short. It does not wait for an origin that honours its request's
// context. Later requests pass straight to the origin.
func (c *Cache) Close() error {
	c.fmu.Lock()
	c.closed = true
	c.closing.Store(true)
	c.fmu.Unlock()
	c.cancel()
	c.wg.Wait()
	return nil
}

// keyBufSize is the stack buffer for a key: longer keys spill to the heap.
const keyBufSize = 256

// ServeHTTP answers r from the cache, from an origin fetch it shares with
// identical requests, or from the origin.
func (c *Cache) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.serve(w, r, 0)
}

func (c *Cache) serve(w http.ResponseWriter, r *http.Request, depth int) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		if r.Method == MethodPurge && c.servePurge(w, r) {
			return
		}
		if !safeForCache(r.Method) {
			iw := &invalidator{ResponseWriter: w, c: c, r: r}
			c.bypassTo(iw, r)
			iw.status(http.StatusOK) // a handler that wrote nothing sent a 200
			return
		}
		c.bypassTo(w, r)
		return
	}
	if c.closing.Load() || r.Header["Range"] != nil || connectionNamesField(r.Header) {
		c.bypassTo(w, r)
		return
	}
	var rcc cacheControl
	hasRCC := r.Header["Cache-Control"] != nil
	if hasRCC {
		rcc = parseCacheControl(r.Header["Cache-Control"])
	}

	var kb [keyBufSize]byte
	key := appendPrimaryKey(kb[:0], r)
	primaryLen := len(key)
	now := c.now()
	key, e := c.lookup(key, primaryLen, r)
	var stale *object
	if e != nil {
		if e.obj == nil { // an uncacheable marker
			if now.Before(e.until) {
				c.bypassTo(w, r)
				return
			}
		} else {
			obj := e.obj
			age := obj.age(now)
			// A client's no-cache or max-age=0 makes the cache revalidate
			// (coalesced with any fetch for the key already running).
			forced := hasRCC && (rcc.noCache || rcc.maxAge == 0 || (rcc.maxAge != noDelta && age > time.Duration(rcc.maxAge)*time.Second))
			if !forced && obj.fresh(age) {
				c.stats.hits.Add(1)
				if !obj.refreshAt.IsZero() && !now.Before(obj.refreshAt) {
					c.refreshAhead(obj, key, primaryLen, r)
				}
				c.serveObject(w, r, obj, age, c.xHit)
				return
			}
			if !forced && !obj.fr.noCache && !obj.fr.noStale && age < obj.fr.lifetime+obj.fr.swr {
				c.stats.stale.Add(1)
				c.refresh(key, primaryLen, r)
				c.serveObject(w, r, obj, age, c.xStale)
				return
			}
			stale = obj
		}
	}
	if hasRCC && rcc.onlyIfCached {
		http.Error(w, "504 gateway timeout: not cached", http.StatusGatewayTimeout)
		return
	}
	if hasRCC && rcc.noStore {
		c.bypassTo(w, r)
		return
	}
	c.miss(w, r, key, primaryLen, stale, depth)
}

// lookup finds the entry for r, given its primary key in key[:primaryLen],
// following a Vary marker to the variant's key, which it returns.
func (c *Cache) lookup(key []byte, primaryLen int, r *http.Request) ([]byte, *slot) {
	e := c.store.get(key)
	if e != nil && e.vary != nil {
		key = appendVariant(key[:primaryLen], e.vary, r.Header)
		e = c.store.get(key)
		if e != nil && e.obj == nil {
			e = nil // only objects live under variant keys
		}
	}
	return key, e
}

// miss answers r by an origin fetch: it joins the flight for key, if there
// is one it can join, or starts one.
func (c *Cache) miss(w http.ResponseWriter, r *http.Request, key []byte, primaryLen int, stale *object, depth int) {
	auth := r.Header["Authorization"] != nil
	c.fmu.Lock()
	if c.closed {
		c.fmu.Unlock()
		c.bypassTo(w, r)
		return
	}
	if !auth {
		if f := c.flights[string(key)]; f != nil {
			rd, full := f.join()
			if rd != nil {
				c.fmu.Unlock()
				c.consume(w, r, f, rd, false, stale, depth)
				return
			}
			if full {
				c.fmu.Unlock()
				c.bypassTo(w, r)
				return
			}
		}
		// Look again now that no flight can finish unseen: one may have
		// stored its response (or an uncacheable marker) since the lookup.
		now := c.now()
		var e *slot
		key, e = c.lookup(key, primaryLen, r)
		if e != nil && e.obj == nil && now.Before(e.until) {
			c.fmu.Unlock()
			c.bypassTo(w, r)
			return
		}
		if e != nil && e.obj != nil && e.obj != stale {
			if age := e.obj.age(now); e.obj.fresh(age) {
				c.fmu.Unlock()
				c.stats.hits.Add(1)
				c.serveObject(w, r, e.obj, age, c.xHit)
				return
			}
			stale = e.obj
		}
	}
	ks := string(key)
	f := c.newFlight(ks, ks[:primaryLen], r, stale, auth, false)
	f.refs = 1
	rd := &cursor{}
	f.readers = append(f.readers, rd)
	if !auth {
		c.flights[ks] = f
	}
	c.wg.Add(1)
	c.fmu.Unlock()
	c.stats.originFetches.Add(1)
	go f.run()
	c.consume(w, r, f, rd, true, stale, depth)
}

// newFlight makes a flight; c.fmu is held. A background flight runs on
// the Cache's context, a foreground one on a context detached from r's.
func (c *Cache) newFlight(key, primary string, r *http.Request, stale *object, auth, background bool) *flight {
	f := &flight{c: c, key: key, primary: primary, stale: stale, auth: auth, background: background,
		personal:    auth || personalRequest(r.Header),
		headerReady: make(chan struct{}), reqTime: c.now(), gen: c.purges.generation()}
	if background {
		f.ctx, f.cancel = context.WithCancel(c.ctx)
	} else {
		f.ctx, f.cancel = context.WithCancel(context.WithoutCancel(r.Context()))
		f.stopClose = context.AfterFunc(c.ctx, f.cancel)
	}
	f.req = originRequest(f.ctx, r, stale)
	return f
}

// refresh starts a background revalidation of what is stored under key,
// on behalf of r, which found it stale, unless a fetch for key is already
// running. A request with Authorization starts none: its credentials are
// not used after it has been answered.
func (c *Cache) refresh(key []byte, primaryLen int, r *http.Request) {
	if r.Header["Authorization"] != nil {
		return
	}
	c.fmu.Lock()
	defer c.fmu.Unlock()
	if c.closed || c.flights[string(key)] != nil {
		return
	}
	ks := string(key)
	// Revalidate what is stored now, which may be newer than what r saw.
	var stale *object
	if e := c.store.get(key); e != nil {
		stale = e.obj
	}
	f := c.newFlight(ks, ks[:primaryLen], r, stale, false, true)
	c.flights[ks] = f
	c.wg.Add(1)
	c.stats.originFetches.Add(1)
	go f.run()
}

// consume answers r from flight f, as its owner (the request that started
// it) or as a waiter. stale is the stored object the request found stale,
// or nil.
func (c *Cache) consume(w http.ResponseWriter, r *http.Request, f *flight, rd *cursor, owner bool, stale *object, depth int) {
	timeout := c.waitTimeout
	if owner {
		timeout = 0
	}
	res, err := f.awaitHeaders(r.Context(), timeout)
	if err != nil {
		f.leave(rd)
		if err == errWaitTimeout {
			c.bypassTo(w, r)
		}
		return // the client has gone
	}
	if !owner && (res.ownerOnly || (res.variant != "" && res.variant != c.variantKey(f.primary, res.marker, r))) {
		f.leave(rd)
		if res.ownerOnly || depth > 0 {
			c.bypassTo(w, r)
			return
		}
		c.serve(w, r, depth+1) // another variant: look it up again
		return
	}
	x := c.xMiss
	if !owner {
		x = c.xCoalesced
	}
	if res.fr.verdict == verdictError && stale != nil && stale.fr.sie > 0 && !stale.fr.noStale {
		now := c.now()
		if age := stale.age(now); age < stale.fr.lifetime+stale.fr.sie {
			f.leave(rd)
			c.stats.stale.Add(1)
			c.serveObject(w, r, stale, age, c.xStale)
			return
		}
	}
	switch {
	case res.obj != nil:
		f.leave(rd)
		switch {
		case owner && res.fromL2:
			x = c.xHit
			c.stats.hits.Add(1)
		case owner:
			x = c.xRevalidated
			c.count(owner)
		default:
			c.count(owner)
		}
		c.serveObject(w, r, res.obj, res.obj.age(c.now()), x)
		return
	case res.synthetic:
		f.leave(rd)
		c.count(owner)
		http.Error(w, "502 bad gateway", http.StatusBadGateway)
		return
	}
	defer f.leave(rd)
	c.count(owner)
	h := w.Header()
	if res.status == http.StatusOK && notModified(r, res.fr.etag, res.fr.lastMod, res.fr.date) {
		if !res.ownerOnly && res.fr.verdict == verdictStore {
			f.keepFetching() // to store the body this client does not need
		}
		writeNotModified(h, res.fields)
		h["X-Cache"] = x
		w.WriteHeader(http.StatusNotModified)
		return
	}
	for _, fl := range res.fields {
		h[fl.name] = fl.values
	}
	h["Age"] = []string{ageString(res.fr.initAge + max(0, c.now().Sub(res.respTime)))}
	h["X-Cache"] = x
	w.WriteHeader(res.status)
	if r.Method == http.MethodHead {
		if !res.ownerOnly && res.fr.verdict == verdictStore {
			f.keepFetching()
		}
		return
	}
	if err := f.stream(r.Context(), w, rd); err == errBodyAborted {
		// Cut the client's response short too, rather than end it as if
		// it were whole: send what there is, then break the connection.
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		panic(http.ErrAbortHandler)
	}
}

func (c *Cache) count(owner bool) {
	if owner {
		c.stats.misses.Add(1)
	} else {
		c.stats.coalesced.Add(1)
	}
}

// variantKey returns r's store key under marker m.
func (c *Cache) variantKey(primary string, m *varyMarker, r *http.Request) string {
	var kb [keyBufSize]byte
	return string(appendVariant(append(kb[:0], primary...), m, r.Header))
}

// bypassTo sends r to the origin outside the cache.
func (c *Cache) bypassTo(w http.ResponseWriter, r *http.Request) {
	c.stats.bypass.Add(1)
	c.stats.originFetches.Add(1)
	w.Header()["X-Cache"] = c.xBypass
	c.next.ServeHTTP(w, r)
}

// invalidator passes on the origin's answer to an unsafe request, and
// invalidates the request's target once the status is known to be a
// non-error one (RFC 9111 §4.4).
type invalidator struct {
	http.ResponseWriter
	c    *Cache
	r    *http.Request
	seen bool
}

func (w *invalidator) status(code int) {
	if w.seen || code < 200 {
		return
	}
	w.seen = true
	if code < 400 {
		w.c.invalidate(w.r)
	}
}

func (w *invalidator) WriteHeader(code int) {
	w.status(code)
	w.ResponseWriter.WriteHeader(code)
}

func (w *invalidator) Write(p []byte) (int, error) {
	w.status(http.StatusOK)
	return w.ResponseWriter.Write(p)
}

func (w *invalidator) Flush() {
	w.status(http.StatusOK)
	http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *invalidator) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// invalidate drops what is stored for an unsafe request's target (RFC 9111
// §4.4). Variants become unreachable with their Vary marker.
func (c *Cache) invalidate(r *http.Request) {
	var kb [keyBufSize]byte
	c.store.remove(string(appendPrimaryKey(kb[:0], r)), nil)
}

// forget replaces what is stored under primary with an uncacheable marker
// for UncacheableTTL, unless personal is set: an unshareable response to a
// request with fields that may have made it so (see personalRequest) says
// nothing about other requests, and remembering it would let any client
// turn the cache off for a key.
func (c *Cache) forget(primary string, personal bool) {
	if personal {
		return
	}
	c.store.set(&slot{key: primary, until: c.now().Add(c.uncacheTTL), size: int64(len(primary)) + entryOverhead})
}

// varyMarkerFor returns the Vary marker for names under primary, storing a
// new one unless the stored one has the same names.
func (c *Cache) varyMarkerFor(primary string, names []string) *varyMarker {
	c.fmu.Lock()
	defer c.fmu.Unlock()
	var kb [keyBufSize]byte
	if e := c.store.get(append(kb[:0], primary...)); e != nil && e.vary != nil && equalNames(e.vary.names, names) {
		return e.vary
	}
	m := &varyMarker{names: names, gen: c.gen.Add(1)}
	size := int64(len(primary)) + entryOverhead
	for _, n := range names {
		size += int64(len(n))
	}
	c.store.set(&slot{key: primary, vary: m, size: size})
	return m
}

func equalNames(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// newObject makes a storable object of a complete response.
// fetch is how long the origin took to send the response's headers.
func (c *Cache) newObject(status int, h http.Header, body []byte, fr freshness, respTime time.Time, fetch time.Duration) *object {
	cl := int64(len(body))
	if status == http.StatusNoContent || status == http.StatusNotModified {
		cl = -1
	}
	fields := storedFields(h, cl)
	if h["Date"] == nil {
		fields = append(fields, hfield{"Date", []string{respTime.UTC().Format(http.TimeFormat)}})
	}
	obj := &object{status: status, fields: fields, body: body, fr: fr, respTime: respTime, reqDelay: fetch,
		size: int64(len(body)) + fieldsSize(fields) + entryOverhead}
	c.planRefresh(obj, fetch)
	return obj
}

// planRefresh sets when a hit starts refreshing obj, which the origin
// took fetch to send, ahead of its expiry: lead before it, where lead is
// twice fetch, at least RefreshAhead and at most a sixteenth of the
// freshness lifetime (so that refreshing ahead adds at most one fetch in
// sixteen: a max-age=1 response from a 50 ms origin is fetched every
// 937.5 ms). A response that arrives with less than twice the lead left
// is not refreshed ahead: it would be refetched at once, again and again.
func (c *Cache) planRefresh(obj *object, fetch time.Duration) {
	if c.refreshLead < 0 || obj.fr.noCache {
		return
	}
	lead := min(max(2*fetch, c.refreshLead), obj.fr.lifetime/16)
	left := obj.fr.lifetime - obj.fr.initAge
	if lead <= 0 || left < 2*lead {
		return
	}
	obj.refreshAt = obj.respTime.Add(left - lead)
}

// refreshAhead starts a background refresh of obj, stored under key and
// hit by r while fresh but within its refresh-ahead lead, unless one has
// started already. Requests with Authorization start none (see refresh).
func (c *Cache) refreshAhead(obj *object, key []byte, primaryLen int, r *http.Request) {
	if r.Header["Authorization"] != nil || !obj.refreshing.CompareAndSwap(false, true) {
		return
	}
	c.stats.refreshesAhead.Add(1)
	c.refresh(key, primaryLen, r)
}

// storeObject stores obj, fetched by f, under f's primary key or, if it
// varies, under its variant key, unless a purge since f started matches
// it. It reports whether it stored obj.
func (c *Cache) storeObject(f *flight, obj *object) bool {
	key := f.primary
	if obj.fr.varyNames != nil {
		m := c.varyMarkerFor(f.primary, obj.fr.varyNames)
		key = string(appendVariant([]byte(f.primary), m, f.req.Header))
	}
	pl := &c.purges
	pl.mu.RLock()
	defer pl.mu.RUnlock()
	if !pl.mayStoreLocked(f.gen, key) {
		return false
	}
	c.store.set(&slot{key: key, obj: obj, size: obj.size + int64(len(key))})
	return true
}

// unmapFlight unregisters f, if it is registered.
func (c *Cache) unmapFlight(f *flight) {
	if f.key == "" || f.auth {
		return
	}
	c.fmu.Lock()
	if c.flights[f.key] == f {
		delete(c.flights, f.key)
	}
	c.fmu.Unlock()
}

// connectionNamesField reports whether h's Connection field names a field
// that h has, other than the hop-by-hop ones it need not name: an upgrade
// (Connection: Upgrade), or a field that a proxy removes before the origin
// sees it, so that it must not select a variant. Either way the request
// goes to the origin outside the cache.
func connectionNamesField(h http.Header) bool {
	for _, v := range h["Connection"] {
		for v != "" {
			tok := v
			if i := strings.IndexByte(v, ','); i >= 0 {
				tok, v = v[:i], v[i+1:]
			} else {
				v = ""
			}
			tok = trimOWS(tok)
			if tok == "" || strings.EqualFold(tok, "close") || strings.EqualFold(tok, "keep-alive") {
				continue
			}
			if h[http.CanonicalHeaderKey(tok)] != nil {
				return true
			}
		}
	}
	return false
}

// personalRequest reports whether a request has fields that may make the
// origin's response to it its own, unshareable when it would otherwise be
// shared: credentials, cookies, the client's cache directives, or
// conditionals.
func personalRequest(h http.Header) bool {
	for _, name := range [...]string{"Authorization", "Cookie", "Cache-Control", "Pragma",
		"If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since", "If-Range"} {
		if h[name] != nil {
			return true
		}
	}
	return false
}

func safeForCache(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}
