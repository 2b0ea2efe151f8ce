package ratelimit

import (
	"cmp"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/v100video/v100/internal/clock"
	"github.com/v100video/v100/internal/stripe"
)

// Options configure a Limiter.
type Options struct {
	// Limit applies to every key. Its Rate must be positive.
	Limit Limit
	// MaxKeys is the most keys tracked at once. If zero, 1,000,000.
	MaxKeys int
	// SweepInterval is how often keys that went idle are dropped. If zero,
	// ten seconds.
	SweepInterval time.Duration
	// Resolution is the tick of the clock decisions read. If zero, one
	// millisecond.
	Resolution time.Duration
}

// Limiter decides, per key, whether events may go ahead under one Limit.
// Create one with New; it is safe for concurrent use. Call Close to stop
// its goroutine.
type Limiter struct {
	limit   Limit
	g       gcra
	maxKeys int64
	clock   *clock.Clock

	keys  sync.Map // string → *state
	count atomic.Int64

	allowed, denied stripe.Counter
	swept, evicted  atomic.Uint64

	sweeper *periodic
	once    sync.Once
}

// state is one key's theoretical arrival time. dead marks a state the
// sweep has taken out of the map: deciders that meet it look the key up
// again.
type state struct{ tat atomic.Int64 }

const dead = math.MinInt64

// New returns a Limiter, or an error if opts.Limit is not valid.
func New(opts Options) (*Limiter, error) {
	lim, err := opts.Limit.normal()
	if err != nil {
		return nil, err
	}
	if opts.MaxKeys <= 0 {
		opts.MaxKeys = 1_000_000
	}
	if opts.SweepInterval <= 0 {
		opts.SweepInterval = 10 * time.Second
	}
	if opts.Resolution <= 0 {
		opts.Resolution = time.Millisecond
	}
	l := &Limiter{
		limit:   lim,
		g:       newGCRA(lim),
		maxKeys: int64(opts.MaxKeys),
		clock:   clock.New(opts.Resolution),
	}
	l.sweeper = every(opts.SweepInterval, l.Sweep)
	return l, nil
}

// Limit returns the limit the Limiter applies.
func (l *Limiter) Limit() Limit { return l.limit }

// Close stops the sweep and the clock. Decisions still work afterwards,
// reading the system clock.
func (l *Limiter) Close() error {
	l.once.Do(func() {
		l.sweeper.stop()
		l.clock.Close()
	})
	return nil
}

// Allow decides one event for key now.
func (l *Limiter) Allow(key string) Decision {
	return l.decide(l.clock.Coarse(), key, 1)
}

// AllowN decides n events for key at time now. Times passed to one Limiter
// should not go backwards by much: a decision at an earlier time than the
// key's state is judged against that state.
func (l *Limiter) AllowN(now time.Time, key string, n int) Decision {
	if n <= 0 {
		return Decision{Allowed: true} // nothing asked, nothing spent
	}
	return l.decide(l.clock.Since(now), key, n)
}

func (l *Limiter) decide(now int64, key string, n int) Decision {
	for {
		st := l.state(key, now)
		old := st.tat.Load()
		if old == dead {
			continue // swept meanwhile: look again
		}
		d, tat := l.g.decide(old, now, n)
		if !d.Allowed {
			l.denied.Add()
			return d
		}
		if st.tat.CompareAndSwap(old, tat) {
			l.allowed.Add()
			return d
		}
	}
}

// refund gives back n events allowed to key, as when another limit denied
// the request they were for.
func (l *Limiter) refund(key string, n int) {
	v, ok := l.keys.Load(key)
	if !ok {
		return
	}
	st := v.(*state)
	for {
		old := st.tat.Load()
		if old == dead {
			return
		}
		if st.tat.CompareAndSwap(old, old-int64(n)*l.g.interval) {
			return
		}
	}
}

func (l *Limiter) state(key string, now int64) *state {
	if v, ok := l.keys.Load(key); ok {
		return v.(*state)
	}
	st := new(state)
	st.tat.Store(now)
	v, loaded := l.keys.LoadOrStore(key, st)
	if !loaded && l.count.Add(1) > l.maxKeys {
		l.evict(key, now)
	}
	return v.(*state)
}

// evict brings the count back within MaxKeys: from a sample of keys it
// drops the idle ones, then the ones nearest to idle. Concurrent evictors
// race for the same candidates, so each tries them in turn and goes on
// until the count fits (or a bounded number of rounds is spent).
func (l *Limiter) evict(keep string, now int64) {
	const sample = 64
	type cand struct {
		key string
		tat int64
	}
	for round := 0; round < 4 && l.count.Load() > l.maxKeys; round++ {
		cands := make([]cand, 0, sample)
		l.keys.Range(func(k, v any) bool {
			key := k.(string)
			tat := v.(*state).tat.Load()
			if key == keep || tat == dead {
				return true
			}
			if tat <= now && l.remove(key, tat) { // idle: no information lost
				l.evicted.Add(1)
				return l.count.Load() > l.maxKeys
			}
			cands = append(cands, cand{key, tat})
			return len(cands) < sample
		})
		slices.SortFunc(cands, func(a, b cand) int { return cmp.Compare(a.tat, b.tat) })
		for _, c := range cands {
			if l.count.Load() <= l.maxKeys {
				return
			}
			if l.remove(c.key, c.tat) {
				l.evicted.Add(1)
			}
		}
	}
}

// remove takes key out if its state still holds tat.
func (l *Limiter) remove(key string, tat int64) bool {
	v, ok := l.keys.Load(key)
	if !ok {
		return false
	}
	st := v.(*state)
	if !st.tat.CompareAndSwap(tat, dead) {
		return false
	}
	l.keys.CompareAndDelete(key, st)
	l.count.Add(-1)
	return true
}

// Sweep drops every key that has gone idle. The background sweep calls it
// every SweepInterval.
func (l *Limiter) Sweep() {
	now := l.clock.Coarse()
	l.keys.Range(func(k, v any) bool {
		if tat := v.(*state).tat.Load(); tat != dead && tat <= now && l.remove(k.(string), tat) {
			l.swept.Add(1)
		}
		return true
	})
}

// LimiterStats are a Limiter's counters.
type LimiterStats struct {
	Allowed uint64 // events allowed
	Denied  uint64 // events denied
	Keys    int    // keys tracked now
	Swept   uint64 // idle keys dropped
	Evicted uint64 // keys dropped to stay within MaxKeys
}

// Stats returns the Limiter's counters.
func (l *Limiter) Stats() LimiterStats {
	return LimiterStats{
		Allowed: l.allowed.Load(),
		Denied:  l.denied.Load(),
		Keys:    int(l.count.Load()),
		Swept:   l.swept.Load(),
		Evicted: l.evicted.Load(),
	}
}
