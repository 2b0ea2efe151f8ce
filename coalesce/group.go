package coalesce

import (
	"context"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// Group runs at most one function per key at a time and shares its result
// with every caller that asks for the same key meanwhile. The zero Group is
// ready to use. A Group must not be copied after first use.
type Group[K comparable, V any] struct {
	// Window is how long a successful result stays shared after its function
	// returns. If zero, a result is shared only with callers that arrived
	// while the function ran. Set it before first use.
	Window time.Duration

	mu         sync.Mutex // protects the fields below and the bookkeeping of every call in m
	m          map[K]*call[V]
	calls      uint64
	executions uint64

	shared atomic.Uint64
}

// Stats are a Group's counters since it was created.
type Stats struct {
	Calls      uint64 // calls to Do
	Executions uint64 // functions run
	Shared     uint64 // calls answered with another call's execution
	InFlight   int    // keys with a running execution or a live result window
}

// Stats returns the Group's counters.
func (g *Group[K, V]) Stats() Stats {
	g.mu.Lock()
	defer g.mu.Unlock()
	return Stats{
		Calls:      g.calls,
		Executions: g.executions,
		Shared:     g.shared.Load(),
		InFlight:   len(g.m),
	}
}

// Do runs fn for key unless an execution for key is already running (or its
// result window is open), in which case it waits for that execution and
// returns its result. shared reports whether the result was given to more
// than one caller.
//
// ctx bounds only this caller's wait: if it ends first, Do returns ctx.Err()
// and the execution goes on for the other callers. fn receives a context that
// carries ctx's values but not its cancellation; that context is cancelled
// when every caller has stopped waiting, and after fn returns.
//
// If fn panics, Do panics with a [*PanicError] in every caller. If fn calls
// [runtime.Goexit], every caller receives [ErrGoexit].
func (g *Group[K, V]) Do(ctx context.Context, key K, fn func(context.Context) (V, error)) (v V, shared bool, err error) {
	if err := ctx.Err(); err != nil {
		return v, false, err // never start work for a caller that has gone
	}
	g.mu.Lock()
	g.calls++
	if c, ok := g.m[key]; ok {
		if c.finished { // inside its result window
			g.mu.Unlock()
			g.shared.Add(1)
			return c.val, true, nil
		}
		c.dups++
		c.waiters++
		if c.ready == nil {
			c.ready = make(chan struct{})
		}
		g.mu.Unlock()
		return g.wait(ctx, key, c, true)
	}
	if g.m == nil {
		g.m = make(map[K]*call[V])
	}
	c := &call[V]{parent: ctx, waiters: 1}
	g.m[key] = c
	g.executions++
	inline := ctx.Done() == nil
	if !inline {
		c.ready = make(chan struct{})
	}
	g.mu.Unlock()

	if inline {
		// This caller can never stop waiting: run fn on its goroutine and
		// save a goroutine and a channel.
		g.run(key, c, fn)
		return c.result(false)
	}
	go g.run(key, c, fn)
	return g.wait(ctx, key, c, false)
}

// Forget makes the next Do for key start a new execution even if one is
// running or a result window is open. Callers already waiting still receive
// the running execution's result.
func (g *Group[K, V]) Forget(key K) {
	g.mu.Lock()
	delete(g.m, key)
	g.mu.Unlock()
}

func (g *Group[K, V]) wait(ctx context.Context, key K, c *call[V], joined bool) (V, bool, error) {
	done := ctx.Done()
	if done == nil {
		// A plain receive: a woken select re-locks the channel, which
		// serialises the release of a large herd.
		<-c.ready
		if joined {
			g.shared.Add(1)
		}
		return c.result(joined)
	}
	select {
	case <-c.ready:
		if joined {
			g.shared.Add(1)
		}
		return c.result(joined)
	case <-done:
	}
	g.mu.Lock()
	if c.finished {
		g.mu.Unlock()
		if joined {
			g.shared.Add(1)
		}
		return c.result(joined)
	}
	c.waiters--
	last := c.waiters == 0
	if last && g.m[key] == c {
		delete(g.m, key)
	}
	g.mu.Unlock()
	if last {
		c.cancel()
	}
	var zero V
	return zero, false, ctx.Err()
}

func (g *Group[K, V]) run(key K, c *call[V], fn func(context.Context) (V, error)) {
	normalReturn, recovered := false, false
	defer func() {
		if !normalReturn && !recovered {
			c.err = ErrGoexit
		}
		g.finish(key, c)
	}()
	func() {
		defer func() {
			if !normalReturn {
				// recover returns nil only for runtime.Goexit, which then
				// goes on unwinding past the assignment below.
				if r := recover(); r != nil {
					c.err = &PanicError{Value: r, Stack: debug.Stack()}
					c.panicked = true
				}
			}
		}()
		c.val, c.err = fn(c)
		normalReturn = true
	}()
	if !normalReturn {
		recovered = true
	}
}

func (g *Group[K, V]) finish(key K, c *call[V]) {
	keep := g.Window > 0 && c.err == nil
	g.mu.Lock()
	c.finished = true
	if !keep && g.m[key] == c {
		delete(g.m, key)
	}
	if c.ready != nil {
		close(c.ready)
	}
	g.mu.Unlock()
	c.cancel()
	if keep {
		time.AfterFunc(g.Window, func() {
			g.mu.Lock()
			if g.m[key] == c {
				delete(g.m, key)
			}
			g.mu.Unlock()
		})
	}
}
