package gateway

import (
	"context"
	"encoding/binary"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/v100video/v100/cache"
)

// L2Store is a shared second tier for a Cache: bytes under string keys,
// each with a time to live, usually shared by the gateway's replicas. It is
// the repository's cache.Store, so cache/redisstore and cache/memstore
// satisfy it; gateway/redisl2 adds prefix deletion to Redis.
// Implementations must be safe for concurrent use.
type L2Store = cache.Store

// L2PrefixDeleter is implemented by an L2Store that can delete every key
// that starts with a prefix. Cache.Purge and Cache.PurgePrefix use it to
// remove from L2 what other replicas stored, which this one does not know
// of.
type L2PrefixDeleter interface {
	DeletePrefix(ctx context.Context, prefix string) error
}

// l2 is a Cache's second tier.
type l2 struct {
	store     L2Store
	prefix    string
	timeout   time.Duration // bounds a lookup
	maxTTL    time.Duration // bounds how long L2 keeps a response
	writes    chan struct{} // semaphore of background writes
	downUntil atomic.Int64  // Unix ns: after a failure, L2 is left alone until then
}

// l2MaxWrites bounds the background writes to L2 running at once.
const l2MaxWrites = 64

// l2Backoff is how long L2 is left alone after an error or a timeout, so
// that an L2 that is down or slow costs one timeout a second, not one per
// request.
const l2Backoff = time.Second

// l2WriteTimeoutFactor: a write may take this many times L2Timeout.
const l2WriteTimeoutFactor = 4

// errL2Corrupt reports an L2 value that is not a stored response.
var errL2Corrupt = errors.New("gateway: L2 value is not a stored response")

// L2 value kinds.
const (
	l2Version = 1
	l2Object  = 1
	l2Vary    = 2
)

// l2Key maps a store key (primary, or primary and a variant's secondary
// key) to its L2 key: the prefix, the target, 0x01, the host, then the
// secondary key without its marker generation. Targets come first so that
// a purge of a target or a target prefix on every host is a prefix of L2
// keys.
func (c *Cache) l2Key(key string) string {
	i := strings.IndexAny(key, "/?\x00")
	if i < 0 {
		i = len(key)
	}
	host, rest := key[:i], key[i:]
	target, variant := rest, ""
	if j := strings.IndexByte(rest, 0); j >= 0 {
		target, variant = rest[:j], rest[j:]
		// "\x00v" and the generation's digits.
		k := 2
		for k < len(variant) && variant[k] >= '0' && variant[k] <= '9' {
			k++
		}
		variant = "\x00v" + variant[k:]
	}
	return c.l2.prefix + target + "\x01" + host + variant
}

// l2Usable reports whether L2 may be asked now.
func (c *Cache) l2Usable() bool {
	return c.l2 != nil && !c.closing.Load() && c.now().UnixNano() >= c.l2.downUntil.Load()
}

func (c *Cache) l2Failed(err error) {
	c.stats.l2Errors.Add(1)
	c.l2.downUntil.Store(c.now().Add(l2Backoff).UnixNano())
	c.log.Debug("gateway: L2 unavailable", "err", err)
}

// l2Lookup looks up f's request in L2: a fresh object, or nil. One that is
// stale but revalidatable becomes f's stale object, to revalidate.
func (c *Cache) l2Lookup(f *flight) *object {
	ctx, cancel := context.WithTimeout(f.ctx, c.l2.timeout)
	defer cancel()
	b, found, err := c.l2Get(ctx, c.l2Key(f.primary))
	if err != nil || !found {
		return nil
	}
	if len(b) >= 2 && b[1] == l2Vary {
		names, err := decodeVary(b)
		if err != nil {
			c.stats.l2Errors.Add(1)
			return nil
		}
		var kb [keyBufSize]byte
		key := appendVariant(append(kb[:0], f.primary...), &varyMarker{names: names}, f.req.Header)
		if b, found, err = c.l2Get(ctx, c.l2Key(string(key))); err != nil || !found {
			return nil
		}
	}
	obj, err := c.decodeObject(b)
	if err != nil {
		c.stats.l2Errors.Add(1)
		return nil
	}
	if obj.fresh(obj.age(c.now())) {
		return obj
	}
	if obj.fr.etag != "" || obj.fr.lastMod != "" {
		f.stale = obj
		f.req = originRequest(f.ctx, f.req, obj)
	}
	return nil
}

func (c *Cache) l2Get(ctx context.Context, key string) ([]byte, bool, error) {
	b, _, found, err := c.l2.store.Get(ctx, key)
	if err != nil {
		c.l2Failed(err)
		return nil, false, err
	}
	return b, found, nil
}

// l2Put writes obj, stored in L1 by f, to L2 in the background, unless a
// purge since f started matches it. The purge log is checked before the
// write and again after it, not held during it (a slow L2 would hold up
// every purge and, behind it, every store): a purge that lands while the
// write runs may delete from L2 before the write does, so the write is
// undone if the second check finds one. At most l2MaxWrites writes run at
// once; beyond that, a response is not written to L2.
func (c *Cache) l2Put(f *flight, obj *object) {
	if !c.l2Usable() {
		return
	}
	ttl := min(l2TTL(obj), c.l2.maxTTL)
	if ttl <= 0 {
		return
	}
	primary, hdr, gen := f.primary, f.req.Header, f.gen
	select {
	case c.l2.writes <- struct{}{}:
	default:
		c.stats.l2Skipped.Add(1)
		return
	}
	c.fmu.Lock()
	if c.closed {
		c.fmu.Unlock()
		<-c.l2.writes
		return
	}
	c.wg.Add(1)
	c.fmu.Unlock()
	go func() {
		defer c.wg.Done()
		defer func() { <-c.l2.writes }()
		ctx, cancel := context.WithTimeout(c.ctx, l2WriteTimeoutFactor*c.l2.timeout)
		defer cancel()
		key := primary
		if names := obj.fr.varyNames; names != nil {
			var kb [keyBufSize]byte
			key = string(appendVariant(append(kb[:0], primary...), &varyMarker{names: names}, hdr))
		}
		if !c.purges.mayStore(gen, key) {
			return
		}
		if obj.fr.varyNames != nil {
			if err := c.l2.store.Set(ctx, c.l2Key(primary), encodeVary(obj.fr.varyNames), ttl); err != nil {
				c.l2Failed(err)
				return
			}
		}
		if err := c.l2.store.Set(ctx, c.l2Key(key), encodeObject(obj), ttl); err != nil {
			c.l2Failed(err)
			return
		}
		if !c.purges.mayStore(gen, key) {
			if err := c.l2.store.Delete(ctx, c.l2Key(key)); err != nil {
				c.l2Failed(err)
			}
			return
		}
		c.stats.l2Writes.Add(1)
	}()
}

// l2TTL is how long L2 keeps obj: while it is fresh or usable stale, and
// as long again if it can be revalidated.
func l2TTL(obj *object) time.Duration {
	left := obj.fr.lifetime - obj.fr.initAge + max(obj.fr.swr, obj.fr.sie)
	if obj.fr.etag != "" || obj.fr.lastMod != "" {
		left = max(left, 0) + max(obj.fr.lifetime, time.Minute)
	}
	return left
}

// purgeL2 removes from L2 the keys removed from L1, and what the purge
// matches on other replicas if L2 can delete by prefix. A prefix purge on
// one host removes the prefix on every host from L2.
func (c *Cache) purgeL2(p purgeRecord, removed []string) {
	if c.l2 == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), l2WriteTimeoutFactor*c.l2.timeout)
	defer cancel()
	if pd, ok := c.l2.store.(L2PrefixDeleter); ok {
		var err error
		switch {
		case p.prefix:
			err = pd.DeletePrefix(ctx, c.l2.prefix+p.target)
		case p.host == "":
			err = pd.DeletePrefix(ctx, c.l2.prefix+p.target+"\x01")
		default:
			k := c.l2Key(p.host + p.target)
			if err = c.l2.store.Delete(ctx, k); err == nil {
				err = pd.DeletePrefix(ctx, k+"\x00")
			}
		}
		if err != nil {
			c.l2Failed(err)
		}
		return
	}
	for _, k := range removed {
		if err := c.l2.store.Delete(ctx, c.l2Key(k)); err != nil {
			c.l2Failed(err)
			return
		}
		if i := strings.IndexByte(k, 0); i >= 0 {
			c.l2.store.Delete(ctx, c.l2Key(k[:i])) // the Vary record
		}
	}
	if !p.prefix && p.host != "" {
		c.l2.store.Delete(ctx, c.l2Key(p.host+p.target))
	}
}

// encodeObject is obj's L2 form: version, kind, status, request and
// response times, the stored fields, the body.
func encodeObject(obj *object) []byte {
	n := 32 + len(obj.body)
	for _, f := range obj.fields {
		n += len(f.name) + 4
		for _, v := range f.values {
			n += len(v) + 4
		}
	}
	b := make([]byte, 0, n)
	b = append(b, l2Version, l2Object)
	b = binary.AppendUvarint(b, uint64(obj.status))
	b = binary.AppendVarint(b, obj.respTime.UnixNano())
	b = binary.AppendVarint(b, int64(obj.reqDelay))
	b = binary.AppendVarint(b, int64(obj.fr.initAge))
	b = binary.AppendUvarint(b, uint64(len(obj.fields)))
	for _, f := range obj.fields {
		b = appendString(b, f.name)
		b = binary.AppendUvarint(b, uint64(len(f.values)))
		for _, v := range f.values {
			b = appendString(b, v)
		}
	}
	b = binary.AppendUvarint(b, uint64(len(obj.body)))
	return append(b, obj.body...)
}

func encodeVary(names []string) []byte {
	b := []byte{l2Version, l2Vary}
	b = binary.AppendUvarint(b, uint64(len(names)))
	for _, n := range names {
		b = appendString(b, n)
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// l2Reader reads an L2 value; the first error sticks.
type l2Reader struct {
	b   []byte
	err bool
}

func (r *l2Reader) uvarint(limit uint64) uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 || v > limit {
		r.err, r.b = true, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *l2Reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err, r.b = true, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *l2Reader) bytes() []byte {
	n := r.uvarint(uint64(len(r.b)))
	if r.err || n > uint64(len(r.b)) {
		r.err, r.b = true, nil
		return nil
	}
	s := r.b[:n:n]
	r.b = r.b[n:]
	return s
}

func decodeVary(b []byte) ([]string, error) {
	if len(b) < 2 || b[0] != l2Version || b[1] != l2Vary {
		return nil, errL2Corrupt
	}
	r := &l2Reader{b: b[2:]}
	n := r.uvarint(64)
	names := make([]string, 0, n)
	for range n {
		names = append(names, http.CanonicalHeaderKey(string(r.bytes())))
	}
	if r.err || len(r.b) != 0 || n == 0 {
		return nil, errL2Corrupt
	}
	return names, nil
}

// decodeObject rebuilds a stored response from its L2 form, judging its
// freshness again as when it was received. It refuses anything that would
// not have been stored.
func (c *Cache) decodeObject(b []byte) (*object, error) {
	if len(b) < 2 || b[0] != l2Version || b[1] != l2Object {
		return nil, errL2Corrupt
	}
	r := &l2Reader{b: b[2:]}
	status := int(r.uvarint(999))
	respTime := time.Unix(0, r.varint())
	delay := time.Duration(r.varint())
	initAge := time.Duration(r.varint())
	nf := r.uvarint(1024)
	h := make(http.Header, nf)
	fields := make([]hfield, 0, nf)
	for range nf {
		name := http.CanonicalHeaderKey(string(r.bytes()))
		nv := r.uvarint(1024)
		values := make([]string, 0, nv)
		for range nv {
			values = append(values, string(r.bytes()))
		}
		if r.err {
			break
		}
		fields = append(fields, hfield{name, values[:len(values):len(values)]})
		h[name] = values
	}
	body := r.bytes()
	if r.err || len(r.b) != 0 || status < 100 || delay < 0 || initAge < 0 || int64(len(body)) > c.maxObject {
		return nil, errL2Corrupt
	}
	fr := analyse(status, h, respTime.Add(-delay), respTime, false, c.maxObject)
	if fr.verdict != verdictStore {
		return nil, errL2Corrupt
	}
	fr.initAge = initAge // with the Age the origin sent, which is not stored
	if cl := fieldValue(h, "Content-Length"); cl != "" && status != http.StatusNoContent && status != http.StatusNotModified && cl != strconv.Itoa(len(body)) {
		return nil, errL2Corrupt
	}
	obj := &object{status: status, fields: fields, body: body, fr: fr, respTime: respTime, reqDelay: delay,
		size: int64(len(body)) + fieldsSize(fields) + entryOverhead}
	c.planRefresh(obj, delay)
	return obj, nil
}

// tryL2 answers the flight from L2 if it holds a fresh response for it:
// the response is stored in L1 and served to the flight's consumers. It
// reports whether it did; if not, the origin is asked (conditionally, if
// L2 held a stale response with validators).
func (f *flight) tryL2() bool {
	c := f.c
	if f.stale != nil || f.background || f.auth || f.req.Header["Cache-Control"] != nil || f.req.Header["Pragma"] != nil || !c.l2Usable() {
		return false
	}
	obj := c.l2Lookup(f)
	if obj == nil {
		return false
	}
	c.stats.l2Hits.Add(1)
	c.stats.originFetches.Add(^uint64(0)) // counted when the fetch started
	c.storeObject(f, obj)
	c.unmapFlight(f)
	f.publish(&flightResult{status: obj.status, fr: obj.fr, respTime: obj.respTime, obj: obj, fromL2: true})
	f.mu.Lock()
	f.done = true
	f.broadcast()
	f.mu.Unlock()
	if f.stopClose != nil {
		f.stopClose()
	}
	f.cancel()
	return true
}
