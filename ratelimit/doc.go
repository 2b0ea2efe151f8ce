// Package ratelimit decides in-process whether a request may go ahead, per
// key, with the generic cell rate algorithm (GCRA), and puts the decisions
// behind HTTP middleware with the standard headers.
//
// # Limiter
//
// A [Limiter] applies one [Limit] (a rate and a burst) to any number of
// keys. [Limiter.Allow] decides for now and [Limiter.AllowN] for an explicit
// time, which tests use. A key's whole state is one 8-byte time (when it
// would be back to a full burst), updated with a compare-and-swap: there is
// no global lock, and a decision on a key already tracked allocates nothing.
//
// Memory is bounded: a key whose time is in the past carries no
// information, and a background sweep drops such keys every
// [Options.SweepInterval]. At most [Options.MaxKeys] keys are tracked; when
// a new key would exceed that, keys are evicted, preferring idle ones and
// then those nearest to idle. A tracked key costs about 135 bytes besides
// the key's own bytes (measured by TestBytesPerKeyIsAsDocumented).
//
// Time is read from a coarse clock that ticks every [Options.Resolution]
// (1 ms by default), because reading the system clock costs as much as a
// decision. Call [Limiter.Close] to stop the clock and the sweep.
//
// # Global mode
//
// A [Global] limiter enforces one limit across many replicas without a
// network round trip per request. Each replica leases a batch of tokens
// from a shared [Store] (an atomic server-side script in
// ratelimit/redisstore, judged by the store's own clock), spends them
// in-process, leases the next batch in the background before the current
// one runs out, and remembers a denial until a batch would be free again.
// Admissions in any window can never exceed what the store granted — the
// rate over the window plus the burst — plus the tokens replicas held when
// the window began (at most two batches per replica: one being spent and
// one prefetched). When the store fails or
// takes longer than [GlobalOptions.Timeout], each replica limits alone at
// Limit ÷ Replicas (or denies, with FailClosed), counts it, and tries the
// store again after [GlobalOptions.Retry]. [MemoryStore] is the in-process
// reference store.
//
// # Middleware
//
// [Middleware] composes several named [Rule]s (per client IP, per API key,
// per route, or any key function) in one [http.Handler] wrapper. A request
// denied by any rule gets 429 Too Many Requests with Retry-After; every
// response carries the IETF draft RateLimit-Policy and RateLimit fields
// (draft-ietf-httpapi-ratelimit-headers), and optionally the legacy
// X-RateLimit-* fields. [ClientIP] honours X-Forwarded-For only from
// trusted proxies.
//
// # Metrics
//
// [Limiter.Stats] and [Middleware.Stats] count allowed and denied requests
// and tracked keys. The sub-package ratelimitprom exports them to
// Prometheus, so that programs without Prometheus do not carry its client.
package ratelimit
