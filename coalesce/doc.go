// Package coalesce collapses many identical concurrent calls into one
// execution whose result every caller shares.
//
// A [Group] keyed by K runs at most one function per key at a time. Callers
// that arrive while it runs wait for it and receive its result, with
// shared reported as true. The zero Group is ready to use.
//
// # Contexts
//
// Each caller's context bounds only that caller's wait: when it ends, that
// caller returns ctx.Err() and the execution goes on for the others. The
// function itself runs on a context detached from every caller's
// cancellation (it keeps the first caller's values), which is cancelled only
// when every waiter has gone. If the first caller's context can never be
// cancelled (such as [context.Background]), the function runs on that
// caller's goroutine, as with [golang.org/x/sync/singleflight]; otherwise it
// runs on a new goroutine, so that the caller can stop waiting.
//
// # Result window
//
// With [Group.Window] set, a successful result stays shared for that long
// after the function returns, so callers arriving just after completion get
// it without a new execution. Errors and panics are never kept.
//
// # Panics and Goexit
//
// A panic in the function is recovered and re-raised in every waiting caller
// as a [*PanicError], which carries the value and the stack. If the function
// calls [runtime.Goexit], every waiting caller receives [ErrGoexit].
//
// # Metrics
//
// [Group.Stats] returns counters of calls, executions and shared results,
// cheap enough to read on every scrape.
package coalesce
