package gateway

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"
)

// startFlight starts a registered foreground flight for target, as a miss
// would, and returns it with its owner's cursor.
func startFlight(c *Cache, target string) (*flight, *cursor) {
	r := httptest.NewRequest("GET", target, nil)
	var kb [keyBufSize]byte
	key := string(appendPrimaryKey(kb[:0], r))
	c.fmu.Lock()
	defer c.fmu.Unlock()
	f := c.newFlight(key, key, r, nil, false, false)
	f.refs = 1
	rd := &cursor{}
	f.readers = append(f.readers, rd)
	c.flights[key] = f
	c.wg.Add(1)
	go f.run()
	return f, rd
}

// A request arriving as a fetch ends must not join it: it looks in the
// store instead (a failed fetch would otherwise cut it short too).
func TestFlightJoinRefusesEndedFlight(t *testing.T) {
	c := NewCache(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=60")
		w.Write([]byte("x"))
	}), nil)
	defer c.Close()
	f, rd := startFlight(c, "http://example.com/a")
	_, err := f.awaitHeaders(context.Background(), 0)
	require.NoError(t, err)
	require.NoError(t, f.stream(context.Background(), httptest.NewRecorder(), rd))
	rd2, full := f.join()
	require.Nil(t, rd2, "an ended flight takes no waiter")
	require.False(t, full)
	f.leave(rd)
}

// blockingWriter is a client that takes a write only when told to.
type blockingWriter struct {
	h     http.Header
	ok    chan struct{}
	bytes atomic.Int64
}

func (w *blockingWriter) Header() http.Header { return w.h }
func (w *blockingWriter) WriteHeader(int)     {}
func (w *blockingWriter) Write(p []byte) (int, error) {
	<-w.ok
	w.bytes.Add(int64(len(p)))
	return len(p), nil
}

// Past MaxObjectSize, a body is streamed through a bounded window: what
// every reader has taken is dropped, and the origin waits for the slowest
// reader.
func TestFlightLargeBodyWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const chunk, chunks, max = 300, 40, 1000
		var written atomic.Int64
		c := NewCache(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "max-age=60")
			for range chunks {
				if _, err := w.Write(make([]byte, chunk)); err != nil {
					return
				}
				written.Add(chunk)
			}
		}), &CacheOptions{MaxObjectSize: max})
		defer c.Close()
		f, rd := startFlight(c, "http://example.com/big")
		_, err := f.awaitHeaders(context.Background(), 0)
		require.NoError(t, err)
		w := &blockingWriter{h: http.Header{}, ok: make(chan struct{})}
		done := make(chan error)
		go func() { done <- f.stream(context.Background(), w, rd) }()
		synctest.Wait()
		require.Less(t, written.Load(), int64(chunk*chunks), "the origin waits for the slow client")
		f.mu.Lock()
		require.LessOrEqual(t, len(f.buf), 2*max+chunk, "memory held while the client is stuck")
		f.mu.Unlock()
		for i := 0; ; i++ {
			select {
			case w.ok <- struct{}{}:
			case err := <-done:
				require.NoError(t, err)
				require.Equal(t, int64(chunk*chunks), w.bytes.Load(), "the whole body arrived")
				require.Equal(t, int64(0), c.Stats().Objects)
				f.leave(rd)
				return
			}
			synctest.Wait()
			f.mu.Lock()
			held := len(f.buf)
			f.mu.Unlock()
			require.LessOrEqual(t, held, 2*max+chunk, "memory held after write %d", i)
		}
	})
}

// A request must not join a fetch that its last consumer is leaving: the
// fetch is about to be cancelled, which would answer the newcomer with the
// origin's error for the cancelled request or cut its body short.
func TestFlightJoinRefusesAbandonedFlight(t *testing.T) {
	c := NewCache(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
		http.Error(w, "cancelled", http.StatusBadGateway)
	}), nil)
	defer c.Close()
	f, rd := startFlight(c, "http://example.com/a")
	// A miss looks for the flight with fmu held, as the last consumer
	// leaves.
	c.fmu.Lock()
	left := make(chan struct{})
	go func() {
		defer close(left)
		f.leave(rd)
	}()
	for {
		f.mu.Lock()
		refs := f.refs
		f.mu.Unlock()
		if refs == 0 {
			break
		}
		runtime.Gosched()
	}
	rd2, full := f.join()
	c.fmu.Unlock()
	<-left
	require.Nil(t, rd2, "a flight being abandoned takes no waiter")
	require.False(t, full)
}
