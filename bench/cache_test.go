// Benchmarks of cache.Cache's L1 against golang-lru, otter and ristretto.

package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dgraph-io/ristretto/v2"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/maypok86/otter/v2"

	"github.com/v100video/v100/cache"
)

const (
	// warmKeys is the key space of BenchmarkCacheGet and BenchmarkCacheMixed,
	// and warmCapacity the capacity of every cache there, so that a warm
	// cache holds every key and all gets hit. warm checks that it does: a
	// cache whose shards each hold only an even share of the capacity (as
	// v100's L1 did at first) evicts a few hundred of these keys, because
	// keys do not hash evenly over the shards.
	warmKeys     = 100_000
	warmCapacity = 100_000

	// ratioKeys is the key space of BenchmarkCacheHitRatio, ratioCapacity
	// the capacity of every cache there and ratioAccesses the length of its
	// trace.
	ratioKeys     = 1_000_000
	ratioCapacity = 10_000
	ratioAccesses = 1_000_000

	// traceLen is the length of the trace the parallel benchmarks replay.
	traceLen = 1 << 20

	// zipfS is the Zipf exponent of every trace.
	zipfS = 1.01
)

// value is what every entry holds.
var value = []byte("a small cached value")

// makeKeys returns n keys "key-00000", "key-00001", … padded to digits.
func makeKeys(n, digits int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("key-%0*d", digits, i)
	}
	return keys
}

// zipfTrace returns n keys drawn from keys with a Zipf distribution whose
// most frequent key is keys[0]. The seed is fixed, so every implementation
// and every run sees the same trace.
func zipfTrace(keys []string, n int) []string {
	r := rand.New(rand.NewPCG(1, 2))
	z := rand.NewZipf(r, zipfS, 1, uint64(len(keys)-1))
	trace := make([]string, n)
	for i := range trace {
		trace[i] = keys[z.Uint64()]
	}
	return trace
}

var (
	warmKeySpace = sync.OnceValue(func() []string { return makeKeys(warmKeys, 5) })
	warmTrace    = sync.OnceValue(func() []string { return zipfTrace(warmKeySpace(), traceLen) })
	ratioTrace   = sync.OnceValue(func() []string { return zipfTrace(makeKeys(ratioKeys, 7), ratioAccesses) })
)

// store is what the benchmarks need of a cache. Every implementation is
// called through it, so each pays the same indirect call.
type store interface {
	get(key string) ([]byte, bool)
	set(key string, v []byte)
	// settle waits until the sets made so far are visible (ristretto
	// applies them asynchronously).
	settle()
	close()
}

// impl is one cache under test.
type impl struct {
	name string
	new  func(capacity int) store
}

// impls are the caches under test, v100 first. expirable is left out of the
// hit-ratio benchmark: it is golang-lru's LRU with a TTL, so it has the same
// hit ratio.
var impls = []impl{
	{"v100", newV100},
	{"golang-lru", newLRU},
	{"golang-lru-expirable", newExpirable},
	{"otter", newOtter},
	{"ristretto", newRistretto},
}

type v100Store struct{ c *cache.Cache[string, []byte] }

func newV100(capacity int) store {
	return v100Store{cache.New[string, []byte](&cache.Options{Capacity: capacity})}
}

func (s v100Store) get(k string) ([]byte, bool) { return s.c.Get(context.Background(), k) }
func (s v100Store) set(k string, v []byte)      { s.c.Set(context.Background(), k, v, 0) }
func (s v100Store) settle()                     {}
func (s v100Store) close()                      { s.c.Close() }

type lruStore struct{ c *lru.Cache[string, []byte] }

func newLRU(capacity int) store {
	c, err := lru.New[string, []byte](capacity)
	if err != nil {
		panic(err)
	}
	return lruStore{c}
}

func (s lruStore) get(k string) ([]byte, bool) { return s.c.Get(k) }
func (s lruStore) set(k string, v []byte)      { s.c.Add(k, v) }
func (s lruStore) settle()                     {}
func (s lruStore) close()                      {}

type expirableStore struct {
	c *expirable.LRU[string, []byte]
}

func newExpirable(capacity int) store {
	return expirableStore{expirable.NewLRU[string, []byte](capacity, nil, time.Hour)}
}

func (s expirableStore) get(k string) ([]byte, bool) { return s.c.Get(k) }
func (s expirableStore) set(k string, v []byte)      { s.c.Add(k, v) }
func (s expirableStore) settle()                     {}

// close empties the cache: expirable v2.0.7 cannot stop the goroutine that
// expires its entries, which keeps the cache reachable.
func (s expirableStore) close() { s.c.Purge() }

type otterStore struct{ c *otter.Cache[string, []byte] }

func newOtter(capacity int) store {
	return otterStore{otter.Must(&otter.Options[string, []byte]{MaximumSize: capacity})}
}

func (s otterStore) get(k string) ([]byte, bool) { return s.c.GetIfPresent(k) }
func (s otterStore) set(k string, v []byte)      { s.c.Set(k, v) }
func (s otterStore) settle()                     {}
func (s otterStore) close()                      {}

type ristrettoStore struct {
	c *ristretto.Cache[string, []byte]
}

// newRistretto follows ristretto's advice: ten counters per entry. Every
// entry costs 1 and the internal cost is ignored, so MaxCost is the number
// of entries, as with the other caches.
func newRistretto(capacity int) store {
	c, err := ristretto.NewCache(&ristretto.Config[string, []byte]{
		NumCounters:        10 * int64(capacity),
		MaxCost:            int64(capacity),
		BufferItems:        64,
		IgnoreInternalCost: true,
	})
	if err != nil {
		panic(err)
	}
	return ristrettoStore{c}
}

func (s ristrettoStore) get(k string) ([]byte, bool) { return s.c.Get(k) }
func (s ristrettoStore) set(k string, v []byte)      { s.c.Set(k, v, 1) }
func (s ristrettoStore) settle()                     { s.c.Wait() }
func (s ristrettoStore) close()                      { s.c.Close() }

// warm stores every key in c and fails b unless c then holds all of them,
// so that a benchmark of hits cannot silently measure misses. Ristretto may
// drop sets when its buffers are full; those keys are set again.
func warm(b *testing.B, name string, c store, keys []string) {
	b.Helper()
	// Coldest first, so that a cache that must evict drops cold keys.
	for i := len(keys) - 1; i >= 0; i-- {
		c.set(keys[i], value)
	}
	c.settle()
	var missing []string
	for range 10 {
		missing = missing[:0]
		for _, k := range keys {
			if _, ok := c.get(k); !ok {
				missing = append(missing, k)
			}
		}
		if len(missing) == 0 {
			return
		}
		for _, k := range missing {
			c.set(k, value)
		}
		c.settle()
	}
	b.Fatalf("%s: %d of %d warm keys miss (first: %s) with capacity %d", name, len(missing), len(keys), missing[0], warmCapacity)
}

// goroutineOffset spreads the goroutines of RunParallel over the trace.
func goroutineOffset(id uint64) uint64 {
	return id * 0x9e3779b97f4a7c15
}

// BenchmarkCacheGet measures hits on every CPU: the cache holds the whole key
// space and each goroutine reads keys from the Zipf trace, starting at its
// own offset. hit-% must be 100. With 1M accesses over 100k keys, most of
// the key space is touched and each hit is bound by memory latency.
func BenchmarkCacheGet(b *testing.B) {
	benchGet(b, warmTrace())
}

// BenchmarkCacheGetHot is BenchmarkCacheGet over the first 4,096 accesses of
// the same trace, replayed: the same warm 100k-key cache, but a working set
// (the few thousand most requested keys) that fits in the CPU caches, as the
// hot playlists and segments of a video platform do.
func BenchmarkCacheGetHot(b *testing.B) {
	benchGet(b, warmTrace()[:4096])
}

func benchGet(b *testing.B, trace []string) {
	mask := uint64(len(trace) - 1)
	for _, im := range impls {
		b.Run(im.name, func(b *testing.B) {
			c := im.new(warmCapacity)
			defer c.close()
			warm(b, im.name, c, warmKeySpace())
			var ids atomic.Uint64
			var misses atomic.Int64
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := goroutineOffset(ids.Add(1))
				var miss int64
				for pb.Next() {
					if _, ok := c.get(trace[i&mask]); !ok {
						miss++
					}
					i++
				}
				misses.Add(miss)
			})
			b.StopTimer()
			b.ReportMetric(100*(1-float64(misses.Load())/float64(b.N)), "hit-%")
			if im.name == "v100" && misses.Load() > 0 {
				b.Fatalf("v100: %d of %d warm gets missed", misses.Load(), b.N)
			}
		})
	}
}

// BenchmarkCacheMixed is BenchmarkCacheGet with one operation in ten a Set
// of the key at that point of the trace, so sets follow the same Zipf
// distribution and replace entries rather than add them.
func BenchmarkCacheMixed(b *testing.B) {
	trace := warmTrace()
	mask := uint64(len(trace) - 1)
	for _, im := range impls {
		b.Run(im.name, func(b *testing.B) {
			c := im.new(warmCapacity)
			defer c.close()
			warm(b, im.name, c, warmKeySpace())
			var ids atomic.Uint64
			var misses, gets atomic.Int64
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := goroutineOffset(ids.Add(1))
				var miss, get int64
				n := 0
				for pb.Next() {
					k := trace[i&mask]
					i++
					if n++; n == 10 {
						n = 0
						c.set(k, value)
						continue
					}
					get++
					if _, ok := c.get(k); !ok {
						miss++
					}
				}
				misses.Add(miss)
				gets.Add(get)
			})
			b.StopTimer()
			if gets.Load() > 0 {
				b.ReportMetric(100*(1-float64(misses.Load())/float64(gets.Load())), "hit-%")
			}
		})
	}
}

// BenchmarkCacheHitRatio replays a Zipf trace of ratioAccesses keys from a
// space of ratioKeys on one goroutine, through a cache of ratioCapacity
// entries that starts empty, setting every key that misses. One op is the
// whole trace; ns/access is ns/op over its length.
//
// Ristretto applies sets asynchronously and may drop them when its buffers
// are full or its admission policy refuses them; that is how it is used,
// so the benchmark does not wait for its sets, and a key read again soon
// after a set can still miss.
func BenchmarkCacheHitRatio(b *testing.B) {
	trace := ratioTrace()
	for _, im := range impls {
		if im.name == "golang-lru-expirable" {
			continue
		}
		b.Run(im.name, func(b *testing.B) {
			b.ReportAllocs()
			var hits, elapsed int64
			for range b.N {
				b.StopTimer()
				c := im.new(ratioCapacity)
				runtime.GC()
				b.StartTimer()
				start := time.Now()
				for _, k := range trace {
					if _, ok := c.get(k); ok {
						hits++
						continue
					}
					c.set(k, value)
				}
				elapsed += int64(time.Since(start))
				b.StopTimer()
				c.close()
				b.StartTimer()
			}
			b.ReportMetric(100*float64(hits)/float64(b.N*len(trace)), "hit-%")
			b.ReportMetric(float64(elapsed)/float64(b.N*len(trace)), "ns/access")
		})
	}
}
