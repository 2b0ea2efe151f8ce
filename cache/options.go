package cache

import (
	"log/slog"
	"runtime"
	"time"
)

// Options configure a Cache. A nil *Options means all defaults.
type Options struct {
	// Capacity is the most entries the L1 holds. If zero, 10,000.
	Capacity int
	// Shards is the number of L1 shards, rounded up to a power of two. If
	// zero, four per CPU, at least 16, and never so many that a shard holds
	// fewer than 64 entries.
	Shards int

	// TTL is used when a loader returns a zero TTL and by Set with a zero
	// TTL. If zero, one minute.
	TTL time.Duration
	// NegativeTTL is how long a not-found answer is cached. If zero, five
	// seconds; if negative, not-found answers are not cached.
	NegativeTTL time.Duration
	// StaleWhileRevalidate is how long after expiry an entry is still
	// served while one background refresh runs. Zero turns it off.
	StaleWhileRevalidate time.Duration
	// StaleIfError is how long after expiry an entry is still served when
	// its load fails. Zero turns it off.
	StaleIfError time.Duration
	// Jitter is the largest fraction by which a loaded TTL is randomly
	// shortened. If zero, 0.1; if negative, no jitter.
	Jitter float64
	// Resolution is the tick of the clock that L1 expiry is checked against.
	// If zero, one millisecond.
	Resolution time.Duration

	// Store is the L2 tier. If nil, the cache is L1 only.
	Store Store
	// Codec encodes values for the Store. If nil, []byte and string values
	// are stored as they are and other values as JSON.
	Codec Codec
	// Namespace prefixes every L2 key, so several caches can share a store.
	Namespace string
	// StoreTimeout bounds each L2 operation. If zero, 100 ms.
	StoreTimeout time.Duration
	// StoreRetry is how long L2 is skipped after it fails. If zero, one
	// second.
	StoreRetry time.Duration

	// Name labels the cache's log lines. If empty, "default".
	Name string
	// Logger receives L2 failures and recoveries. If nil, nothing is logged.
	Logger *slog.Logger
}

func (o *Options) withDefaults() Options {
	var r Options
	if o != nil {
		r = *o
	}
	if r.Capacity <= 0 {
		r.Capacity = 10_000
	}
	if r.TTL <= 0 {
		r.TTL = time.Minute
	}
	if r.NegativeTTL == 0 {
		r.NegativeTTL = 5 * time.Second
	}
	if r.StaleWhileRevalidate < 0 {
		r.StaleWhileRevalidate = 0
	}
	if r.StaleIfError < 0 {
		r.StaleIfError = 0
	}
	if r.Jitter == 0 {
		r.Jitter = 0.1
	}
	if r.Jitter < 0 {
		r.Jitter = 0
	}
	if r.Jitter > 1 {
		r.Jitter = 1
	}
	if r.Resolution <= 0 {
		r.Resolution = time.Millisecond
	}
	if r.Codec == nil {
		r.Codec = defaultCodec{}
	}
	if r.StoreTimeout <= 0 {
		r.StoreTimeout = 100 * time.Millisecond
	}
	if r.StoreRetry <= 0 {
		r.StoreRetry = time.Second
	}
	if r.Name == "" {
		r.Name = "default"
	}
	if r.Logger == nil {
		r.Logger = slog.New(slog.DiscardHandler)
	}
	r.Shards = shardCount(r.Shards, r.Capacity)
	return r
}

func shardCount(want, capacity int) int {
	if want <= 0 {
		want = max(16, 4*runtime.GOMAXPROCS(0))
		want = min(want, max(1, capacity/64))
	}
	n := 1
	for n < want {
		n <<= 1
	}
	return n
}
