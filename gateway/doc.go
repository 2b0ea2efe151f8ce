// Package gateway is v100's HTTP edge: it routes requests by host and path
// to upstream pools or in-process handlers, and puts rate limiting and a
// coalescing response cache in front of them, as ordinary http.Handler
// middleware.
//
// # Composition
//
// [New] builds a [Gateway] from a [Config] (in Go, or read from YAML by
// [LoadConfig]):
//
//	AccessLog → Metrics.Handler → body limit → metrics endpoint or Router
//	  → per route: rate limit (ratelimit.Middleware) → Cache → Pool
//
// Each piece is usable alone: [Router] ([Route]), [NewPool] ([Pool],
// [PoolOptions], [HealthCheck]), [NewCache] ([Cache]), [AccessLog] and
// [Metrics].
//
// # Paths
//
// A [Router] answers 400 to a path that is not canonical (dot segments,
// empty segments, encoded slashes, backslashes, control characters)
// instead of cleaning it, so that the gateway and the handler behind it
// cannot disagree on which resource a path names.
//
// # Upstreams
//
// A [Pool] balances round-robin or by least connections, probes its
// upstreams when [PoolOptions.HealthCheck] is set, leaves out for a while
// an upstream that refused a connection, and retries idempotent requests
// on another upstream when a try got no response. It sets X-Forwarded-For,
// X-Forwarded-Host, X-Forwarded-Proto and Forwarded (RFC 7239), believing
// what the client sent in them only from [PoolOptions.TrustedProxies], and
// streams responses through as they arrive.
//
// # Caching
//
// [NewCache] puts an in-memory shared HTTP cache (RFC 9111, RFC 5861) in
// front of a route's origin. It stores complete GET responses, bounded by
// bytes ([CacheOptions.MaxBytes], LRU-like CLOCK eviction) and per object
// ([CacheOptions.MaxObjectSize]), serves HEAD from them, and never stores
// no-store, private, Set-Cookie or Vary: * responses, 5xx responses, or
// responses to requests with Authorization unless public, s-maxage or
// must-revalidate allow it. Freshness comes from s-maxage, max-age,
// Expires − Date, or 10% of the time since Last-Modified (at most a day),
// kept to the nanosecond; Age is RFC 9111's current age in whole seconds.
// Stale responses are revalidated with If-None-Match/If-Modified-Since (a
// 304 refreshes them), served at once within stale-while-revalidate while
// one background refresh runs, and served when the origin fails within
// stale-if-error. A fresh response hit shortly before it expires (within
// twice the origin's fetch time, at most a sixteenth of its lifetime) is
// refreshed ahead by one background fetch, so that under steady traffic
// it is replaced before it goes stale and no client waits for the origin
// ([CacheOptions.RefreshAhead]). Clients' conditional requests get 304
// from the cache.
// Every response carries X-Cache: HIT, MISS, STALE, REVALIDATED, COALESCED
// or BYPASS; [Cache.Stats] counts the same.
//
// # Coalescing
//
// Identical concurrent misses (same key, Vary included) share one origin
// fetch, run on a context detached from the clients' and cancelled only
// when the last of them leaves. Waiters get the status and fields as soon
// as the origin sends them, and the body as it arrives, each from its own
// offset in a shared buffer. If the response may not be shared, every
// waiter is released at once to fetch on its own, and the key goes
// straight to the origin for [CacheOptions.UncacheableTTL]. Waiters are
// bounded per key ([CacheOptions.MaxWaiters]) and in how long they wait
// for headers ([CacheOptions.WaitTimeout]); beyond either they fetch
// alone. Origin errors are shared rather than retried by every waiter.
//
// # Observability
//
// [Metrics] writes the Prometheus text format by hand, so that the package
// carries no Prometheus client: requests by route and status class,
// upstream latency histograms, errors, retries and states per pool, and
// each cache's counters. [AccessLog] writes one log/slog record per
// request, with the cache's verdict from the X-Cache header.
//
// # Concurrency
//
// Routers, Pools, Caches, Metrics and Gateways are safe for concurrent
// use. Pools (their health checks), Caches and Gateways have a Close
// method that stops what they started.
package gateway
