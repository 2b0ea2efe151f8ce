// Package events carries the status and progress changes of assets from the
// job workers to whoever watches them (the API's server-sent events), in
// process.
//
// # Slow subscribers
//
// A [Broker] never blocks its publisher. Each subscription holds a bounded
// queue: when it is full, a new event replaces the newest queued one, so a
// slow reader loses intermediate progress but always receives the latest
// state, and a final event (ready or failed) is kept apart and never dropped.
package events

import (
	"sync"
	"time"

	"github.com/v100video/v100/internal/platform/store"
)

// Event is a change of an asset's status or progress.
type Event struct {
	Asset    string       `json:"id"`
	Status   store.Status `json:"status"`
	Progress float64      `json:"progress"`
	// Reason is why it failed, or a note (a retry) while it has not.
	Reason string    `json:"reason,omitempty"`
	Time   time.Time `json:"time"`
}

// Final reports whether e ends the asset's processing.
func (e Event) Final() bool { return e.Status == store.Ready || e.Status == store.Failed }

// DefaultBuffer is a subscription's queue length when Broker.Buffer is zero.
const DefaultBuffer = 16

// Broker fans events out to subscribers by asset. The zero Broker is ready
// to use; a nil *Broker drops every event.
type Broker struct {
	// Buffer bounds each subscription's queue; if zero, DefaultBuffer.
	Buffer int

	mu   sync.Mutex                        // guards subs
	subs map[string]map[*Subscription]bool // by asset ID
}

// Subscription receives the events of one asset. Wait on C, then Take.
type Subscription struct {
	// C receives a value when events are waiting.
	C <-chan struct{}

	b     *Broker
	asset string
	max   int
	ready chan struct{}

	mu    sync.Mutex // guards queue and final
	queue []Event
	final *Event
}

// Subscribe returns a subscription to the events of asset; Close it.
func (b *Broker) Subscribe(asset string) *Subscription {
	n := b.Buffer
	if n <= 0 {
		n = DefaultBuffer
	}
	ready := make(chan struct{}, 1)
	s := &Subscription{C: ready, b: b, asset: asset, max: n, ready: ready}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.subs == nil {
		b.subs = map[string]map[*Subscription]bool{}
	}
	if b.subs[asset] == nil {
		b.subs[asset] = map[*Subscription]bool{}
	}
	b.subs[asset][s] = true
	return s
}

// Publish delivers e to the subscribers of its asset without blocking.
func (b *Broker) Publish(e Event) {
	if b == nil {
		return
	}
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	b.mu.Lock()
	subs := make([]*Subscription, 0, len(b.subs[e.Asset]))
	for s := range b.subs[e.Asset] {
		subs = append(subs, s)
	}
	b.mu.Unlock()
	for _, s := range subs {
		s.put(e)
	}
}

func (s *Subscription) put(e Event) {
	s.mu.Lock()
	switch {
	case e.Final():
		s.final = &e
	case len(s.queue) < s.max:
		s.queue = append(s.queue, e)
	default:
		s.queue[len(s.queue)-1] = e // drop an intermediate event
	}
	s.mu.Unlock()
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

// Take returns the waiting events, oldest first, the final one last.
func (s *Subscription) Take() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.queue
	s.queue = nil
	if s.final != nil {
		out = append(out, *s.final)
		s.final = nil
	}
	return out
}

// Close ends the subscription.
func (s *Subscription) Close() {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	delete(s.b.subs[s.asset], s)
	if len(s.b.subs[s.asset]) == 0 {
		delete(s.b.subs, s.asset)
	}
}
