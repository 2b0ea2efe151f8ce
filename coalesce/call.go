package coalesce

import (
	"context"
	"sync"
	"time"
)

// call is one execution. It is also the context its function runs on:
// detached from the callers' cancellation, cancelled when the last waiter
// leaves or the function returns. Being its own context saves the
// allocations of context.WithoutCancel and context.WithCancel per execution.
type call[V any] struct {
	// Written by the executing goroutine before finished is set; read by
	// callers after ready is closed or finished is seen under Group.mu.
	val      V
	err      error
	panicked *PanicError

	// Protected by Group.mu.
	waiters  int           // callers still waiting
	dups     int           // callers that joined the execution
	finished bool          // fn has returned
	ready    chan struct{} // closed when finished; nil if nobody can wait on it

	parent context.Context // the first caller's context, for its values

	cmu      sync.Mutex // protects the fields below
	done     chan struct{}
	cerr     error
	detached context.Context
}

func (c *call[V]) result(joined bool) (V, bool, error) {
	if c.panicked != nil {
		panic(c.panicked)
	}
	return c.val, joined || c.dups > 0, c.err
}

func (c *call[V]) cancel(err error) {
	c.cmu.Lock()
	if c.cerr == nil {
		c.cerr = err
		if c.done != nil {
			close(c.done)
		}
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
		if c.cerr != nil {
			close(c.done)
		}
	}
	return c.done
}

// Err implements context.Context.
func (c *call[V]) Err() error {
	c.cmu.Lock()
	defer c.cmu.Unlock()
	return c.cerr
}

// Value implements context.Context with the first caller's values. It goes
// through context.WithoutCancel so that the caller's own cancellation (and
// its cause) never shows through.
func (c *call[V]) Value(key any) any {
	c.cmu.Lock()
	if c.detached == nil {
		c.detached = context.WithoutCancel(c.parent)
	}
	d := c.detached
	c.cmu.Unlock()
	return d.Value(key)
}

func (c *call[V]) String() string { return "coalesce.Group execution context" }
