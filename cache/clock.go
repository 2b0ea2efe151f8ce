package cache

import (
	"sync/atomic"
	"time"
)

// clock is a coarse monotonic clock: reading the system clock costs 30–60 ns
// on common virtual machines, more than an L1 hit, so L1 expiry is checked
// against a value a goroutine refreshes every tick.
type clock struct {
	base    time.Time
	now     atomic.Int64 // nanoseconds since base, at the last tick
	stopped atomic.Bool  // stop is closed
	stop    chan struct{}
	done    chan struct{}
}

func newClock(tick time.Duration) *clock {
	c := &clock{base: time.Now(), stop: make(chan struct{}), done: make(chan struct{})}
	go c.run(tick)
	return c
}

func (c *clock) run(tick time.Duration) {
	defer close(c.done)
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			c.precise()
		}
	}
}

// coarse returns the time at the last tick, in nanoseconds since base; once
// the clock is stopped, the system clock's time.
func (c *clock) coarse() int64 {
	if c.stopped.Load() {
		return c.precise()
	}
	return c.now.Load()
}

// precise reads the system clock and advances the coarse one to it.
func (c *clock) precise() int64 {
	n := int64(time.Since(c.base))
	for {
		old := c.now.Load()
		if n <= old || c.now.CompareAndSwap(old, n) {
			return n
		}
	}
}

// close stops the clock and waits for its goroutine.
func (c *clock) close() {
	c.signal()
	<-c.done
}

// signal stops the clock without waiting; it is the cleanup of a Cache
// dropped without Close.
func (c *clock) signal() {
	if c.stopped.CompareAndSwap(false, true) {
		close(c.stop)
	}
}
