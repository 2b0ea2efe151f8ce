package ratelimit

import (
	"sync"
	"time"
)

// periodic runs a function every interval on a goroutine of its own, until
// stopped: the sweeps of Limiter and Global.
type periodic struct {
	stopc chan struct{}
	done  chan struct{}
	once  sync.Once
}

func every(interval time.Duration, fn func()) *periodic {
	p := &periodic{stopc: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-p.stopc:
				return
			case <-t.C:
				fn()
			}
		}
	}()
	return p
}

// stop ends the goroutine and waits for it; it is safe to call twice.
func (p *periodic) stop() {
	p.once.Do(func() { close(p.stopc) })
	<-p.done
}
