// Package cache is a two-tier cache: an in-process L1 in front of an
// optional shared L2 store, with load-through that coalesces concurrent
// misses, per-entry TTLs, stale-while-revalidate, stale-if-error and
// negative caching.
//
// # L1
//
// The L1 is a sharded LRU (hashicorp/golang-lru/v2's simplelru, one per
// shard under its own lock) bounded by [Options.Capacity] entries in all;
// a shard may hold up to twice its even share, so uneven hashing does not
// evict early. In front of each shard's list sits a lock-free read table of
// pointers to immutable entries: a hit found there takes no lock and writes
// no shared memory (hit counts are striped), so readers on several cores do
// not contend, even on one hot key. A hit moves its entry to the front of the
// list only when the entry has drifted more than a quarter of the shard back
// from it, which keeps the hit ratio of an exact LRU while sparing most hits
// the list update. Expiry is checked against a coarse
// clock that ticks every [Options.Resolution] (1 ms by default), because
// reading the system clock costs more than an L1 hit; an entry can therefore
// be served up to one tick after it expires. The clock is a goroutine owned
// by the Cache: call [Cache.Close] when done.
//
// # Loading
//
// [Cache.GetOrLoad] answers from L1, then from L2, and only then calls the
// loader. Concurrent misses for one key share one load (through
// [github.com/v100video/v100/coalesce]) and the result is stored before any
// waiter is released. The loader returns a TTL: zero means [Options.TTL],
// a negative TTL means "do not cache". Loaded TTLs are shortened by a random
// fraction up to [Options.Jitter] so that entries loaded together do not
// expire together. A loader that returns [ErrNotFound] has that answer cached
// for [Options.NegativeTTL].
//
// Within [Options.StaleWhileRevalidate] after expiry an entry is served
// stale while one background refresh runs per key. Within
// [Options.StaleIfError] after expiry an entry is served stale when the load
// fails.
//
// # L2 and invalidation
//
// An L2 is any [Store]: bytes under string keys with a TTL. Values are
// encoded with [Options.Codec]. The L2 copy is written with the fresh TTL
// plus the stale windows, so an L1 copy made from it never outlives the L2
// entry. If the store also implements [Broadcaster], [Cache.Set] and
// [Cache.Delete] on one instance evict the L1 copies of every other
// instance; an instance that loses its subscription flushes its L1, and
// flushes again when it is back, since it may have missed invalidations.
// Loads that fill a miss do not broadcast.
//
// An L2 that fails or times out ([Options.StoreTimeout]) is skipped for
// [Options.StoreRetry]; the cache keeps working from L1 and the loader, and
// reports the failure in [Stats] and the log. No call fails because of L2.
//
// The driver sub-packages are memstore (in-process, for tests and single
// instances) and redisstore (Redis or Valkey); cachetest is the conformance
// suite every driver passes.
//
// # Errors
//
// [ErrNotFound] is the one sentinel: loaders return it (or wrap it) to say a
// key does not exist, and GetOrLoad returns it for cached not-found answers.
// Other loader errors are returned as they are.
//
// # Metrics
//
// [Cache.Stats] returns per-tier counters, cheap to read on every scrape.
// The sub-package cacheprom exports them to a Prometheus registry; it is
// separate so that programs that do not use Prometheus do not carry its
// client (about 6 MB of a stripped binary).
package cache
