package coalesce

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// call is one execution. It is also the context its function runs on:
// detached from the callers' cancellation, cancelled when the last waiter
// leaves or the function returns. Being its own context saves the
// allocations of context.WithoutCancel and context.WithCancel per execution.
// Its fields are ordered to fit the 80-byte size class for small V.
type call[V any] struct {
	// Written by the executing goroutine before finished is set; read by
	// callers after ready is closed or finished is seen under Group.mu.
	// When panicked, err is the *PanicError.
	val V
	err error

	ready chan struct{} // closed when finished; nil if nobody can wait on it; set under Group.mu

	// parent is the first caller's context, for its values. The first
	// Value call replaces it with context.WithoutCancel(parent).
	parent context.Context // protected by cmu
	done   chan struct{}   // protected by cmu
	cmu    sync.Mutex

	waiters int32 // callers still waiting; protected by Group.mu
	dups    int32 // callers that joined the execution; protected by Group.mu

	state    atomic.Uint32 // ctxCancelled | ctxDoneMade
	finished bool          // fn has returned; protected by Group.mu
	panicked bool          // written before finished
	detached bool          // parent is already detached; protected by cmu
}

const (
	ctxCancelled = 1 << iota
	ctxDoneMade
)

func (c *call[V]) result(joined bool) (V, bool, error) {
	if c.panicked {
		panic(c.err)
	}
	return c.val, joined || c.dups > 0, c.err
}

// cancel cancels the execution's context. It takes no lock unless someone
// asked for Done; then the channel is closed and the state set under cmu,
// so that Err and Done always agree.
func (c *call[V]) cancel() {
	if c.state.CompareAndSwap(0, ctxCancelled) {
		return // no Done channel yet: Done will make a closed one
	}
	c.cmu.Lock()
	if st := c.state.Load(); st&ctxCancelled == 0 {
		close(c.done) // st has ctxDoneMade: a channel exists
		c.state.Or(ctxCancelled)
	}
	c.cmu.Unlock()
}

// Deadline implements context.Context: the shared execution has none.
func (c *call[V]) Deadline() (time.Time, bool) { return time.Time{}, false }

// Done implements context.Context.
func (c *call[V]) Done() <-chan struct{} {
	c.cmu.Lock()
	defer c.cmu.Unlock()
	if c.done == nil {
		c.done = make(chan struct{})
		if c.state.Or(ctxDoneMade)&ctxCancelled != 0 {
			close(c.done) // cancelled before anyone asked
		}
	}
	return c.done
}

// Err implements context.Context: non-nil exactly when Done is closed.
func (c *call[V]) Err() error {
	st := c.state.Load()
	if st&ctxCancelled != 0 {
		return context.Canceled
	}
	if st&ctxDoneMade == 0 {
		return nil
	}
	c.cmu.Lock() // cancel closes done and sets the state under cmu
	st = c.state.Load()
	c.cmu.Unlock()
	if st&ctxCancelled != 0 {
		return context.Canceled
	}
	return nil
}

// Value implements context.Context with the first caller's values. It goes
// through context.WithoutCancel so that the caller's own cancellation (and
// its cause) never shows through.
func (c *call[V]) Value(key any) any {
	c.cmu.Lock()
	if !c.detached {
		c.parent = context.WithoutCancel(c.parent)
		c.detached = true
	}
	p := c.parent
	c.cmu.Unlock()
	return p.Value(key)
}

func (c *call[V]) String() string { return "coalesce.Group execution context" }
