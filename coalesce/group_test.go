package coalesce_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/coalesce"
)

// ctxs are the two kinds of caller context: one that can never end (fn runs
// on the caller's goroutine) and one that can (fn runs on its own).
var ctxs = []struct {
	name string
	make func() (context.Context, context.CancelFunc)
}{
	{"background", func() (context.Context, context.CancelFunc) { return context.Background(), func() {} }},
	{"cancellable", func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }},
}

func TestDoSharesOneExecution(t *testing.T) {
	for _, cc := range ctxs {
		t.Run(cc.name, func(t *testing.T) {
			var g coalesce.Group[string, int]
			var execs atomic.Int32
			release := make(chan struct{})
			started := make(chan struct{})
			const n = 50
			var wg sync.WaitGroup
			results := make([]int, n)
			shareds := make([]bool, n)
			fn := func(context.Context) (int, error) {
				if execs.Add(1) == 1 {
					close(started)
				}
				<-release
				return 42, nil
			}
			ctx, cancel := cc.make()
			defer cancel()
			wg.Add(1)
			go func() { // the leader
				defer wg.Done()
				results[0], shareds[0], _ = g.Do(ctx, "k", fn)
			}()
			<-started
			for i := 1; i < n; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					results[i], shareds[i], _ = g.Do(ctx, "k", fn)
				}()
			}
			require.Eventually(t, func() bool { return g.Stats().Calls == n }, 5*time.Second, time.Millisecond)
			close(release)
			wg.Wait()
			require.Equal(t, int32(1), execs.Load(), "executions")
			for i := range n {
				require.Equal(t, 42, results[i], "result of caller %d", i)
				require.True(t, shareds[i], "shared of caller %d", i)
			}
			st := g.Stats()
			require.Equal(t, coalesce.Stats{Calls: n, Executions: 1, Shared: n - 1}, st)
		})
	}
}

func TestDistinctKeysRunSeparately(t *testing.T) {
	var g coalesce.Group[int, int]
	for i := range 3 {
		v, shared, err := g.Do(context.Background(), i, func(context.Context) (int, error) { return i * 10, nil })
		require.NoError(t, err)
		require.False(t, shared)
		require.Equal(t, i*10, v)
	}
	require.Equal(t, uint64(3), g.Stats().Executions)
}

func TestCallerContextBoundsOnlyItsOwnWait(t *testing.T) {
	var g coalesce.Group[string, string]
	release := make(chan struct{})
	started := make(chan struct{})
	var fnCtxErr atomic.Value
	fn := func(ctx context.Context) (string, error) {
		close(started)
		<-release
		if err := ctx.Err(); err != nil {
			fnCtxErr.Store(err)
		}
		return "v", nil
	}
	leaderCtx, cancelLeader := context.WithCancel(context.Background())
	leaderErr := make(chan error, 1)
	go func() {
		_, _, err := g.Do(leaderCtx, "k", fn)
		leaderErr <- err
	}()
	<-started
	otherDone := make(chan string, 1)
	go func() {
		v, _, err := g.Do(context.Background(), "k", fn)
		require.NoError(t, err)
		otherDone <- v
	}()
	require.Eventually(t, func() bool { return g.Stats().Calls == 2 }, 5*time.Second, time.Millisecond)

	cancelLeader()
	require.ErrorIs(t, <-leaderErr, context.Canceled, "the leader stops waiting when its context ends")
	close(release)
	require.Equal(t, "v", <-otherDone, "the execution goes on for the other caller")
	require.Nil(t, fnCtxErr.Load(), "fn's context must not be cancelled while a waiter remains")
}

func TestLastWaiterLeavingCancelsExecution(t *testing.T) {
	var g coalesce.Group[string, int]
	fnCancelled := make(chan error, 1)
	started := make(chan struct{})
	fn := func(ctx context.Context) (int, error) {
		close(started)
		<-ctx.Done()
		fnCancelled <- ctx.Err()
		return 0, ctx.Err()
	}
	ctx1, cancel1 := context.WithCancel(context.Background())
	ctx2, cancel2 := context.WithCancel(context.Background())
	errs := make(chan error, 2)
	go func() { _, _, err := g.Do(ctx1, "k", fn); errs <- err }()
	<-started
	go func() { _, _, err := g.Do(ctx2, "k", fn); errs <- err }()
	require.Eventually(t, func() bool { return g.Stats().Calls == 2 }, 5*time.Second, time.Millisecond)

	cancel1()
	require.ErrorIs(t, <-errs, context.Canceled)
	select {
	case <-fnCancelled:
		t.Fatal("fn cancelled while a waiter remains")
	case <-time.After(20 * time.Millisecond):
	}
	cancel2()
	require.ErrorIs(t, <-errs, context.Canceled)
	select {
	case err := <-fnCancelled:
		require.ErrorIs(t, err, context.Canceled, "fn's context ends when the last waiter leaves")
	case <-time.After(5 * time.Second):
		t.Fatal("fn's context was not cancelled after the last waiter left")
	}

	// The abandoned execution is gone: a new call runs afresh.
	v, shared, err := g.Do(context.Background(), "k", func(context.Context) (int, error) { return 7, nil })
	require.NoError(t, err)
	require.False(t, shared)
	require.Equal(t, 7, v)
}

type ctxKey struct{}

func TestFnContextKeepsValuesNotCancellation(t *testing.T) {
	var g coalesce.Group[string, int]
	parent, cancel := context.WithCancelCause(context.WithValue(context.Background(), ctxKey{}, "trace-1"))
	cause := errors.New("caller went away")
	seen := make(chan []any, 1)
	fnCtx := make(chan context.Context, 1)
	leaderDone := make(chan error, 1)
	release := make(chan struct{})
	fn := func(ctx context.Context) (int, error) {
		<-release
		seen <- []any{ctx.Value(ctxKey{}), ctx.Err(), context.Cause(ctx)}
		fnCtx <- ctx
		return 1, nil
	}
	go func() { _, _, err := g.Do(parent, "k", fn); leaderDone <- err }()
	require.Eventually(t, func() bool { return g.Stats().Executions == 1 }, 5*time.Second, time.Millisecond)
	other := make(chan int, 1)
	go func() { v, _, _ := g.Do(context.Background(), "k", fn); other <- v }() // keeps the execution alive
	require.Eventually(t, func() bool { return g.Stats().Calls == 2 }, 5*time.Second, time.Millisecond)

	cancel(cause)
	require.ErrorIs(t, <-leaderDone, context.Canceled, "the first caller stops waiting")
	close(release)
	require.Equal(t, []any{"trace-1", nil, nil}, <-seen,
		"fn keeps the first caller's values but neither its cancellation nor its cause")
	require.Equal(t, 1, <-other)
	// Once the execution is over its context is cancelled, by the Group:
	// its cause must be that, not the first caller's.
	ctx := <-fnCtx
	require.Eventually(t, func() bool { return ctx.Err() != nil }, 5*time.Second, time.Millisecond)
	require.Equal(t, context.Canceled, context.Cause(ctx))
}

func TestPanicReachesEveryWaiter(t *testing.T) {
	for _, cc := range ctxs {
		t.Run(cc.name, func(t *testing.T) {
			var g coalesce.Group[string, int]
			release := make(chan struct{})
			started := make(chan struct{})
			fn := func(context.Context) (int, error) {
				close(started)
				<-release
				panic("boom")
			}
			const n = 5
			got := make(chan any, n)
			call := func(ctx context.Context) {
				defer func() { got <- recover() }()
				_, _, _ = g.Do(ctx, "k", fn)
			}
			ctx, cancel := cc.make()
			defer cancel()
			go call(ctx)
			<-started
			for range n - 1 {
				go call(context.Background())
			}
			require.Eventually(t, func() bool { return g.Stats().Calls == n }, 5*time.Second, time.Millisecond)
			close(release)
			for range n {
				select {
				case r := <-got:
					var pe *coalesce.PanicError
					require.True(t, errors.As(r.(error), &pe), "recovered %T", r)
					require.Equal(t, "boom", pe.Value)
					require.Contains(t, string(pe.Stack), "group_test.go")
				case <-time.After(5 * time.Second):
					t.Fatal("a waiter hangs after a panic")
				}
			}
		})
	}
}

func TestGoexitReleasesEveryWaiter(t *testing.T) {
	for _, cc := range ctxs {
		t.Run(cc.name, func(t *testing.T) {
			var g coalesce.Group[string, int]
			release := make(chan struct{})
			started := make(chan struct{})
			fn := func(context.Context) (int, error) {
				close(started)
				<-release
				runtime.Goexit()
				return 0, nil
			}
			leaderDone := make(chan struct{})
			ctx, cancel := cc.make()
			defer cancel()
			go func() {
				defer close(leaderDone)
				_, _, _ = g.Do(ctx, "k", fn)
			}()
			<-started
			const n = 4
			errs := make(chan error, n)
			for range n {
				go func() {
					_, _, err := g.Do(context.Background(), "k", fn)
					errs <- err
				}()
			}
			require.Eventually(t, func() bool { return g.Stats().Calls == n+1 }, 5*time.Second, time.Millisecond)
			close(release)
			for range n {
				select {
				case err := <-errs:
					require.ErrorIs(t, err, coalesce.ErrGoexit)
				case <-time.After(5 * time.Second):
					t.Fatal("a waiter leaks after Goexit")
				}
			}
			<-leaderDone
			require.Zero(t, g.Stats().InFlight)
		})
	}
}

func TestResultWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := coalesce.Group[string, int]{Window: 100 * time.Millisecond}
		var execs int
		fn := func(context.Context) (int, error) { execs++; return execs, nil }

		v, shared, err := g.Do(context.Background(), "k", fn)
		require.NoError(t, err)
		require.Equal(t, 1, v)
		require.False(t, shared)

		time.Sleep(99 * time.Millisecond)
		v, shared, _ = g.Do(context.Background(), "k", fn)
		require.Equal(t, 1, v, "inside the window the finished result is shared")
		require.True(t, shared)

		time.Sleep(2 * time.Millisecond)
		synctest.Wait()
		v, shared, _ = g.Do(context.Background(), "k", fn)
		require.Equal(t, 2, v, "after the window a new execution runs")
		require.False(t, shared)
		require.Equal(t, 2, execs)

		time.Sleep(time.Second)
		synctest.Wait()
		require.Zero(t, g.Stats().InFlight, "expired windows are removed")
	})
}

func TestResultWindowKeepsNoError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := coalesce.Group[string, int]{Window: time.Minute}
		var execs int
		fail := errors.New("origin down")
		fn := func(context.Context) (int, error) { execs++; return 0, fail }
		for range 3 {
			_, _, err := g.Do(context.Background(), "k", fn)
			require.ErrorIs(t, err, fail)
		}
		require.Equal(t, 3, execs)
	})
}

func TestForget(t *testing.T) {
	var g coalesce.Group[string, int]
	release := make(chan struct{})
	started := make(chan struct{})
	first := make(chan int)
	go func() {
		v, _, _ := g.Do(context.Background(), "k", func(context.Context) (int, error) {
			close(started)
			<-release
			return 1, nil
		})
		first <- v
	}()
	<-started
	g.Forget("k")
	v, shared, err := g.Do(context.Background(), "k", func(context.Context) (int, error) { return 2, nil })
	require.NoError(t, err)
	require.False(t, shared)
	require.Equal(t, 2, v, "after Forget a new execution runs")
	close(release)
	require.Equal(t, 1, <-first, "the forgotten execution still answers its caller")
	require.Zero(t, g.Stats().InFlight)
}

func TestUniqueKeyAllocations(t *testing.T) {
	if testing.CoverMode() != "" || raceEnabled {
		t.Skip("allocation counts differ under coverage and the race detector")
	}
	var g coalesce.Group[int, int]
	fn := func(context.Context) (int, error) { return 1, nil }
	ctx := context.Background()
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		i++
		_, _, _ = g.Do(ctx, i, fn)
	})
	require.LessOrEqual(t, allocs, 1.0, "allocations per unique-key call")
}

func TestCancelledCallerStartsNothing(t *testing.T) {
	var g coalesce.Group[string, int]
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	_, _, err := g.Do(ctx, "k", func(context.Context) (int, error) { ran = true; return 1, nil })
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, ran)
	require.Zero(t, g.Stats().Executions)
}

// TestContextErrMatchesDone checks the context.Context contract on the
// execution's context while it is cancelled concurrently.
func TestContextErrMatchesDone(t *testing.T) {
	for range 200 {
		var g coalesce.Group[string, int]
		ctx, cancel := context.WithCancel(context.Background())
		got := make(chan error, 1)
		started := make(chan struct{})
		go func() {
			_, _, err := g.Do(ctx, "k", func(fctx context.Context) (int, error) {
				close(started)
				done := fctx.Done()
				for {
					err := fctx.Err()
					select {
					case <-done:
						if fctx.Err() == nil {
							got <- errors.New("Done closed but Err nil")
							return 0, nil
						}
						got <- nil
						return 0, nil
					default:
						if err != nil {
							select {
							case <-done:
							default:
								got <- errors.New("Err non-nil before Done closed")
								return 0, nil
							}
						}
					}
				}
			})
			_ = err
		}()
		<-started
		cancel() // the only waiter leaves: the execution's context is cancelled
		select {
		case err := <-got:
			require.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Fatal("the execution's context was never cancelled")
		}
	}
}
