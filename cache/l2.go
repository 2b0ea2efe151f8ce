package cache

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
)

var errL2Skipped = errors.New("cache: L2 skipped after a failure")

func (c *Cache[K, V]) l2Key(key K) string { return c.opt.Namespace + c.keys.format(key) }

// l2Usable reports whether L2 may be tried: it is skipped for StoreRetry
// after a failure so that requests do not each wait out its timeout.
func (c *Cache[K, V]) l2Usable() bool {
	return c.opt.Store != nil && c.clock.Coarse() >= c.l2DownUntil.Load()
}

// l2Result records the outcome of an L2 operation. ctx is the caller's: an
// operation cut short by the caller going away says nothing about L2.
func (c *Cache[K, V]) l2Result(err error) {
	if err == nil {
		if c.l2DownUntil.Swap(0) != 0 {
			c.opt.Logger.Info("cache: L2 store is back", "cache", c.opt.Name)
		}
		return
	}
	c.ctr.l2Errors.Add(1)
	prev := c.l2DownUntil.Swap(c.clock.Precise() + int64(c.opt.StoreRetry))
	if prev == 0 {
		c.opt.Logger.Warn("cache: L2 store failed; serving from L1 and loads", "cache", c.opt.Name, "retry", c.opt.StoreRetry, "err", err)
	}
}

// l2Get reads key from L2, stores what it finds in L1 (bounded by the L2
// entry's remaining TTL) and returns it, fresh or stale; nil if L2 has no
// usable entry.
//
// gen is the shard's write count when the caller started: the copy is not
// stored in L1 if a write has happened since.
func (c *Cache[K, V]) l2Get(ctx context.Context, key K, gen uint64) (*entry[K, V], error) {
	if !c.l2Usable() {
		return nil, errL2Skipped
	}
	sctx, cancel := context.WithTimeout(ctx, c.opt.StoreTimeout)
	data, ttl, found, err := c.opt.Store.Get(sctx, c.l2Key(key))
	cancel()
	if err != nil {
		if ctx.Err() == nil {
			c.l2Result(err)
		}
		return nil, err
	}
	c.l2Result(nil)
	if !found {
		c.ctr.l2Misses.Add(1)
		return nil, nil
	}
	negative, staleWin, payload, ok := parseEnvelope(data)
	var v V
	if ok && !negative {
		if err := c.opt.Codec.Unmarshal(payload, &v); err != nil {
			ok = false
		}
	}
	if !ok {
		c.ctr.l2Errors.Add(1)
		c.ctr.l2Misses.Add(1)
		c.opt.Logger.Warn("cache: undecodable L2 entry ignored", "cache", c.opt.Name, "key", c.l2Key(key))
		return nil, nil
	}
	now := c.clock.Precise()
	if ttl <= 0 { // stored without expiry by someone else
		ttl = c.opt.TTL + staleWin
	}
	// Subtract one clock tick: L1 expiry is checked against a clock up to a
	// tick behind, and the copy must not outlive the L2 entry.
	end := now + int64(ttl) - int64(c.opt.Resolution)
	e := &entry[K, V]{key: key, hash: c.keys.hash(key), val: v, negative: negative}
	e.expire = min(end-int64(staleWin), end)
	e.swrEnd = min(e.expire+int64(c.opt.StaleWhileRevalidate), end)
	e.sieEnd = min(e.expire+int64(c.opt.StaleIfError), end)
	e.keep = max(e.expire, e.swrEnd, e.sieEnd)
	if e.keep <= now {
		c.ctr.l2Misses.Add(1)
		return nil, nil
	}
	if now < e.expire {
		c.ctr.l2Hits.Add(1)
	} else {
		c.ctr.l2Misses.Add(1)
	}
	c.shard(key).putIf(key, e, gen)
	return e, nil
}

// l2Set writes e to L2 for ttl plus the stale windows, so that other
// instances can serve it stale too. Fills (force false) skip L2 while it is
// down; Set writes anyway.
func (c *Cache[K, V]) l2Set(ctx context.Context, key K, e *entry[K, V], ttl time.Duration, force bool) {
	if !force && !c.l2Usable() {
		return
	}
	staleWin := max(c.opt.StaleWhileRevalidate, c.opt.StaleIfError)
	data := appendEnvelope(make([]byte, 0, 16), e.negative, staleWin)
	if !e.negative {
		payload, err := c.opt.Codec.Marshal(e.val)
		if err != nil {
			c.ctr.l2Errors.Add(1)
			c.opt.Logger.Warn("cache: value not encodable for L2", "cache", c.opt.Name, "err", err)
			return
		}
		data = append(data, payload...)
	}
	sctx, cancel := context.WithTimeout(ctx, c.opt.StoreTimeout)
	err := c.opt.Store.Set(sctx, c.l2Key(key), data, ttl+staleWin)
	cancel()
	if err == nil || ctx.Err() == nil {
		c.l2Result(err)
	}
}

// broadcast tells other instances that key changed, even while L2 reads
// are being skipped. Messages are "<instance id> <len(namespace)>:<namespace><key>",
// so that a namespace is matched exactly, not as a prefix of another.
func (c *Cache[K, V]) broadcast(ctx context.Context, key string) {
	if c.bc == nil {
		return
	}
	sctx, cancel := context.WithTimeout(ctx, c.opt.StoreTimeout)
	err := c.bc.Broadcast(sctx, c.id+" "+strconv.Itoa(len(c.opt.Namespace))+":"+c.opt.Namespace+key)
	cancel()
	if err == nil || ctx.Err() == nil {
		c.l2Result(err)
	}
}

// onInvalidation handles a message from the subscription. Messages that
// are malformed, from this instance, or for another namespace are ignored.
func (c *Cache[K, V]) onInvalidation(msg string) {
	id, rest, ok := strings.Cut(msg, " ")
	if !ok || id == c.id {
		return
	}
	n, rest, ok := strings.Cut(rest, ":")
	if !ok || n != strconv.Itoa(len(c.opt.Namespace)) || !strings.HasPrefix(rest, c.opt.Namespace) {
		return
	}
	c.ctr.invalidations.Add(1)
	if c.keys.parse == nil {
		c.Purge() // keys of this type cannot be read back: drop everything
		return
	}
	key, ok := c.keys.parse(rest[len(c.opt.Namespace):])
	if !ok {
		return // not a key this cache could hold
	}
	c.shard(key).remove(key)
}

func (c *Cache[K, V]) onSubscription(connected bool) {
	if !connected {
		if !c.unsynced.Swap(true) {
			c.Purge()
			c.ctr.invalidationLost.Add(1)
			c.opt.Logger.Warn("cache: invalidation subscription lost; L1 flushed", "cache", c.opt.Name)
		}
		return
	}
	if c.unsynced.Swap(false) {
		// Invalidations sent while we were away are lost: start clean.
		c.Purge()
		if c.everSynced.Swap(true) {
			c.ctr.l2Flushes.Add(1)
			c.opt.Logger.Info("cache: invalidation subscription back; L1 flushed", "cache", c.opt.Name)
		}
	}
}
