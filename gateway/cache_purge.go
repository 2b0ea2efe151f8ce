package gateway

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// purgeRecordTTL is how long a purge is remembered for the fetches that
// started before it. A fetch that started before a purge that is no longer
// remembered does not store its response.
const purgeRecordTTL = time.Minute

// maxPurgeRecords bounds the purges remembered; older ones are forgotten
// first (with the same effect as expiring).
const maxPurgeRecords = 1024

// purgeRecord is a purge that fetches which started before it must heed:
// they do not store a response that it matches.
type purgeRecord struct {
	gen    uint64
	at     time.Time
	host   string // "" matches every host
	target string
	prefix bool
}

// purgeLog is the Cache's record of recent purges. Storing a response and
// recording a purge exclude each other (mu), so that a fetch either stores
// before the purge is recorded, and the purge then removes what it stored,
// or sees the purge and does not store.
type purgeLog struct {
	mu      sync.RWMutex  // protects floor and records; read-locked while a fetch stores
	gen     atomic.Uint64 // the last purge's generation; written under mu
	floor   uint64        // the latest generation forgotten: fetches started before it do not store
	records []purgeRecord
}

// Purge removes the responses stored for target, an escaped path with its
// query if it has one (as in "/v1/playback/p1/master.m3u8"), on host, or
// on every host if host is empty: every Vary variant, from L1 and from L2.
// An origin fetch for it already running when Purge is called still
// answers the requests that wait for it, but does not store its response,
// and requests arriving after Purge returns do not join it. It returns the
// number of responses removed from L1.
func (c *Cache) Purge(host, target string) int {
	return c.purge(purgeRecord{host: host, target: target})
}

// PurgePrefix is like Purge for every target that starts with prefix (as
// in "/v1/playback/p1/"), on host or, if host is empty, on every host. An
// empty prefix purges everything. From L2, it removes the keys it finds in
// L1 and, if the L2 store implements L2PrefixDeleter, every key under the
// prefix.
func (c *Cache) PurgePrefix(host, prefix string) int {
	return c.purge(purgeRecord{host: host, target: prefix, prefix: true})
}

func (c *Cache) purge(p purgeRecord) int {
	if strings.IndexByte(p.host, '/') >= 0 || strings.IndexByte(p.target, 0) >= 0 || strings.IndexByte(p.host, 0) >= 0 {
		return 0 // matches no key
	}
	now := c.now()
	pl := &c.purges
	pl.mu.Lock()
	p.gen, p.at = pl.gen.Add(1), now
	// Forget expired records, and the oldest beyond the bound.
	drop := 0
	for drop < len(pl.records) && (now.Sub(pl.records[drop].at) > purgeRecordTTL || len(pl.records)-drop >= maxPurgeRecords) {
		pl.floor = pl.records[drop].gen
		drop++
	}
	pl.records = append(pl.records[drop:], p)
	pl.mu.Unlock()

	// Requests arriving from now on must not join a fetch that started
	// before the purge: unregister the ones it matches.
	c.fmu.Lock()
	for k := range c.flights {
		if p.matches(k) {
			delete(c.flights, k) // unmapFlight leaves a newer flight under k alone
		}
	}
	c.fmu.Unlock()

	removed := c.store.removeIf(p.matches)
	c.purgeL2(p, removed)
	return len(removed)
}

// matches reports whether the store key k (a primary key, or a primary
// key followed by a variant's secondary key) falls under the purge.
func (p *purgeRecord) matches(k string) bool {
	// A primary key is the host, then the target, which starts with '/'
	// or '?' (or is empty); a secondary key starts with a NUL byte.
	i := strings.IndexAny(k, "/?\x00")
	if i < 0 {
		i = len(k)
	}
	if p.host != "" && k[:i] != p.host {
		return false
	}
	t := k[i:]
	if p.prefix {
		return strings.HasPrefix(t, p.target)
	}
	return t == p.target || (strings.HasPrefix(t, p.target) && t[len(p.target)] == 0)
}

// mayStore reports whether a fetch that started at purge generation gen
// may store a response under key.
func (pl *purgeLog) mayStore(gen uint64, key string) bool {
	pl.mu.RLock()
	defer pl.mu.RUnlock()
	return pl.mayStoreLocked(gen, key)
}

// mayStoreLocked is mayStore with pl.mu read-locked.
func (pl *purgeLog) mayStoreLocked(gen uint64, key string) bool {
	if gen < pl.floor {
		return false
	}
	for i := len(pl.records) - 1; i >= 0 && pl.records[i].gen > gen; i-- {
		if pl.records[i].matches(key) {
			return false
		}
	}
	return true
}

// generation returns the current purge generation, for a fetch about to
// start. It takes no lock: a fetch that reads a purge's generation
// started after the purge was recorded.
func (pl *purgeLog) generation() uint64 {
	return pl.gen.Load()
}
