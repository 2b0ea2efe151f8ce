package ratelimit

import (
	"errors"
	"fmt"
	"time"
)

// Limit is a rate of Rate events per Per, with bursts of up to Burst events
// at once.
type Limit struct {
	// Rate is the number of events allowed per Per, on average. It must be
	// positive.
	Rate int
	// Per is the period of Rate. If zero, one second.
	Per time.Duration
	// Burst is the most events allowed at once after an idle period. If
	// zero, Rate.
	Burst int
}

// PerSecond returns a Limit of rate events per second with bursts of burst.
func PerSecond(rate, burst int) Limit { return Limit{Rate: rate, Per: time.Second, Burst: burst} }

// PerMinute returns a Limit of rate events per minute with bursts of burst.
func PerMinute(rate, burst int) Limit { return Limit{Rate: rate, Per: time.Minute, Burst: burst} }

func (l Limit) normal() (Limit, error) {
	if l.Per == 0 {
		l.Per = time.Second
	}
	if l.Burst == 0 {
		l.Burst = l.Rate
	}
	switch {
	case l.Rate <= 0:
		return l, fmt.Errorf("ratelimit: rate %d is not positive", l.Rate)
	case l.Per < 0:
		return l, fmt.Errorf("ratelimit: period %v is negative", l.Per)
	case l.Burst < 0:
		return l, fmt.Errorf("ratelimit: burst %d is negative", l.Burst)
	case int64(l.Per)/int64(l.Rate) == 0:
		return l, fmt.Errorf("ratelimit: %d per %v is more than one event per nanosecond", l.Rate, l.Per)
	}
	return l, nil
}

func (l Limit) String() string { return fmt.Sprintf("%d per %v, burst %d", l.Rate, l.Per, l.Burst) }

// Decision is the outcome of one request to a limiter.
type Decision struct {
	// Allowed reports whether the request may go ahead.
	Allowed bool
	// Remaining is how many more events would be allowed right now.
	Remaining int
	// RetryAfter is how long to wait before the same request would be
	// allowed; zero when allowed, and when the request asks for more than
	// Burst events at once (waiting does not help then).
	RetryAfter time.Duration
	// ResetAfter is how long until the key is back to a full burst (for a
	// global limit, as far as this replica knows).
	ResetAfter time.Duration
}

// origin says where a Global decision came from, so that a refund goes
// back there. (Not a Decision field: a fifth field would stop the compiler
// from passing Decision in registers, which doubled a decision's cost.)
type origin uint8

const (
	fromLocal origin = iota
	fromLease
	fromStore
	fromFallback
)

// gcra is the generic cell rate algorithm for one Limit, in nanoseconds. A
// key's state is its theoretical arrival time (TAT): the time at which it
// would be back to a full burst. A TAT in the past is the same as no state.
type gcra struct {
	interval int64 // nanoseconds between events at the steady rate
	burst    int64 // burst × interval
	burstN   int
}

func newGCRA(l Limit) gcra {
	t := int64(l.Per) / int64(l.Rate)
	return gcra{interval: t, burst: int64(l.Burst) * t, burstN: l.Burst}
}

// decide returns the decision for n events at now given the stored TAT, and
// the TAT to store if allowed.
func (g gcra) decide(tat, now int64, n int) (Decision, int64) {
	if n > g.burstN {
		return Decision{ResetAfter: time.Duration(max(tat-now, 0))}, tat
	}
	if tat < now {
		tat = now
	}
	newTAT := tat + int64(n)*g.interval
	allowAt := newTAT - g.burst
	if now < allowAt {
		return Decision{
			RetryAfter: time.Duration(allowAt - now),
			ResetAfter: time.Duration(tat - now),
		}, tat
	}
	return Decision{
		Allowed:    true,
		Remaining:  int((now + g.burst - newTAT) / g.interval),
		ResetAfter: time.Duration(newTAT - now),
	}, newTAT
}

var (
	// ErrKey is wrapped by a Store's error that concerns one key only (a
	// value it cannot read, say), not the store's health: the Global
	// limiter then decides that key locally without suspending the store.
	ErrKey = errors.New("ratelimit: store cannot use this key")

	errNoStore = errors.New("ratelimit: global limiter needs a Store")
)

// lease grants up to n events at once, as many as the bucket holds now, for
// a store that leases tokens in batches. It returns the grant, the wait for
// one token when it grants none, and the TAT to store.
func (g gcra) lease(tat, now int64, n int) (granted int, retry time.Duration, newTAT int64) {
	if tat < now {
		tat = now
	}
	avail := (now + g.burst - tat) / g.interval
	k := min(int64(n), avail)
	if k <= 0 {
		return 0, time.Duration(tat + g.interval - g.burst - now), tat
	}
	return int(k), 0, tat + k*g.interval
}
