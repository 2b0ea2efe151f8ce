package gateway

import (
	"context"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync"
	"time"
)

// flightResult is what a flight's consumers learn when the origin's
// headers arrive: how to answer their clients.
type flightResult struct {
	status   int
	fields   []hfield // the response's fields, hop-by-hop removed
	fr       freshness
	respTime time.Time
	// obj is set when a 304 refreshed the stored object: serve it.
	obj *object
	// ownerOnly: the response may go only to the request that caused the
	// fetch; waiters fetch on their own.
	ownerOnly bool
	// fromL2: obj came from L2, not from the origin.
	fromL2 bool
	// synthetic: the origin failed before sending headers; answer 502.
	synthetic bool
	// variant is the store key of a response that varies, for waiters to
	// compare with their own; empty if it does not vary.
	variant string
	marker  *varyMarker
}

// cursor is one consumer's position in a flight's body.
type cursor struct {
	off      int64
	idx      int  // index in flight.readers; protected by flight.mu
	waiter   bool // joined a flight another request started
	released bool // detached by publish: leave does nothing; protected by flight.mu
}

// flight is one origin fetch and the requests it answers. Its body is
// appended to buf as it arrives; each consumer copies from its own offset
// and waits on wake for more. The fetch runs on its own goroutine, on a
// context detached from every client's, which is cancelled when the last
// consumer leaves (unless it is a background refresh) or the fetch ends.
type flight struct {
	c          *Cache
	key        string // the flight's key in Cache.flights; "" if unregistered
	primary    string
	req        *http.Request // the origin request
	stale      *object       // the stored object being revalidated, or nil
	auth       bool          // the request carried Authorization
	personal   bool          // the request carried fields that may make its response its own (see personalRequest)
	background bool          // a stale-while-revalidate refresh: no owner
	ctx        context.Context
	cancel     context.CancelFunc
	stopClose  func() bool // unregisters the cancellation of a foreground fetch by Close
	reqTime    time.Time
	gen        uint64 // the purge generation when the fetch started

	headerReady chan struct{} // closed once res is set
	res         *flightResult // written once before headerReady is closed

	mu      sync.Mutex // protects the fields below
	refs    int        // consumers attached
	joined  int        // waiters that ever joined (the owner is not one)
	waiting int        // waiters attached now
	readers []*cursor
	buf     []byte
	base    int64         // offset in the body of buf[0]; above zero once a large body is trimmed
	done    bool          // the fetch has ended
	failed  bool          // the body is incomplete
	large   bool          // the body outgrew MaxObjectSize: streamed, trimmed, never stored
	keep    bool          // finish the fetch (to store it) even if every consumer leaves
	wake    chan struct{} // closed when buf grows or the fetch ends; nil if nobody waits
	space   chan struct{} // closed when a reader advances or leaves; nil if the writer does not wait
}

// originRequest returns the request a flight sends to the origin: a GET
// for r's target with r's header, without the client's conditionals and
// ranges, with the stored object's validators if it has any.
func originRequest(ctx context.Context, r *http.Request, stale *object) *http.Request {
	o := r.Clone(ctx)
	o.Method = http.MethodGet
	o.Body, o.ContentLength, o.GetBody = http.NoBody, 0, nil
	for _, name := range [...]string{"If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since", "If-Range", "Range"} {
		delete(o.Header, name)
	}
	if stale != nil {
		if stale.fr.etag != "" {
			o.Header["If-None-Match"] = []string{stale.fr.etag}
		}
		if stale.fr.lastMod != "" {
			o.Header["If-Modified-Since"] = []string{stale.fr.lastMod}
		}
	}
	return o
}

// run fetches from the origin. It owns the flight's context.
func (f *flight) run() {
	defer f.c.wg.Done()
	if f.c.l2 != nil && f.tryL2() {
		return
	}
	w := &flightWriter{f: f, h: make(http.Header)}
	ok := false
	defer func() {
		p := recover()
		if p != nil && p != http.ErrAbortHandler {
			f.c.log.Error("gateway: cache origin handler panicked", "key", f.primary, "panic", p, "stack", string(debug.Stack()))
		}
		f.finish(w, ok && p == nil)
	}()
	f.c.next.ServeHTTP(w, f.req)
	ok = true
}

// flightWriter is the ResponseWriter the origin handler writes to.
type flightWriter struct {
	f     *flight
	h     http.Header
	sent  http.Header // h as WriteHeader found it: what decide judged, and what is stored
	wrote bool
	err   error // the first write error: the body is incomplete
}

func (w *flightWriter) Header() http.Header { return w.h }

func (w *flightWriter) WriteHeader(code int) {
	if w.wrote || code < 200 {
		return // informational responses are not forwarded
	}
	w.wrote = true
	// Later changes to h (such as trailers a proxy adds after the body)
	// are not part of the response's header.
	w.sent = w.h.Clone()
	w.f.decide(code, w.sent)
}

func (w *flightWriter) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	if w.err != nil {
		return 0, w.err
	}
	n, err := w.f.write(p)
	if err != nil {
		w.err = err
	}
	return n, err
}

// Flush implements http.Flusher: every write already reaches the waiters.
func (w *flightWriter) Flush() {}

// decide settles, when the origin's headers arrive, who gets the response
// and whether it will be stored, and releases the waiters.
func (f *flight) decide(code int, h http.Header) {
	c := f.c
	respTime := c.now()
	res := &flightResult{status: code, respTime: respTime}
	if code == http.StatusNotModified && f.stale != nil {
		if h["Date"] == nil {
			// Otherwise the stored Date would age the refreshed response.
			h["Date"] = []string{respTime.UTC().Format(http.TimeFormat)}
		}
		merged := mergeFields(f.stale.fields, h)
		fr := analyse(f.stale.status, merged, f.reqTime, respTime, f.auth, c.maxObject)
		obj := c.newObject(f.stale.status, merged, f.stale.body, fr, respTime, respTime.Sub(f.reqTime))
		res.obj, res.fr = obj, fr
		c.stats.revalidations.Add(1)
		if fr.verdict == verdictStore {
			if c.storeObject(f, obj) && c.l2 != nil {
				c.l2Put(f, obj)
			}
		} else {
			res.ownerOnly = true
			c.stats.uncacheable.Add(1)
			c.forget(f.primary, f.personal)
		}
		c.unmapFlight(f)
		f.publish(res)
		return
	}

	fr := analyse(code, h, f.reqTime, respTime, f.auth, c.maxObject)
	res.fr = fr
	res.fields = storedFields(h, -1)
	switch fr.verdict {
	case verdictStore:
		if fr.varyNames != nil {
			res.marker = c.varyMarkerFor(f.primary, fr.varyNames)
			res.variant = string(appendVariant([]byte(f.primary), res.marker, f.req.Header))
		}
		if n, err := strconv.ParseInt(fieldValue(h, "Content-Length"), 10, 64); err == nil && n > 0 && n <= c.maxObject {
			f.buf = make([]byte, 0, n)
		}
	case verdictError:
		if fr.reason != "" {
			res.ownerOnly = true
			c.unmapFlight(f)
		} else if fr.varyNames != nil {
			// Not stored, so no stored marker: waiters compare the fields.
			res.marker = &varyMarker{names: fr.varyNames}
			res.variant = string(appendVariant([]byte(f.primary), res.marker, f.req.Header))
		}
	case verdictPass:
		res.ownerOnly = true
		c.stats.uncacheable.Add(1)
		c.log.Debug("gateway: response not cached", "key", f.primary, "reason", fr.reason)
		c.forget(f.primary, f.personal)
		c.unmapFlight(f)
	}
	f.publish(res)
}

func (f *flight) publish(res *flightResult) {
	f.mu.Lock()
	f.res = res
	if res.ownerOnly && f.waiting > 0 {
		// Detach every waiter here, at once, rather than have each take
		// f.mu to leave: a thousand released waiters queueing on the
		// lock would reach the origin one after another.
		kept := f.readers[:0]
		for _, rd := range f.readers {
			if rd.waiter {
				rd.released = true
			} else {
				rd.idx = len(kept)
				kept = append(kept, rd)
			}
		}
		clear(f.readers[len(kept):])
		f.readers = kept
		f.refs -= f.waiting
		f.waiting = 0
		if f.refs == 0 && !f.background && !f.keep {
			f.cancel() // the owner has gone too
		}
	}
	f.mu.Unlock()
	close(f.headerReady)
}

// write appends p to the body and wakes the readers. Once the body has
// outgrown MaxObjectSize, the bytes every reader has taken are dropped, and
// the writer waits while the slowest reader is more than MaxObjectSize
// behind.
func (f *flight) write(p []byte) (int, error) {
	f.mu.Lock()
	if err := f.ctx.Err(); err != nil {
		f.mu.Unlock()
		return 0, err
	}
	outgrew := false
	if !f.large && f.base+int64(len(f.buf)+len(p)) > f.c.maxObject {
		f.large, outgrew = true, true
	}
	if f.large && f.refs == 0 {
		// Nobody reads it and it cannot be stored: stop.
		f.mu.Unlock()
		return 0, errBodyAborted
	}
	f.buf = append(f.buf, p...)
	f.broadcast()
	var err error
	if f.large {
		err = f.trimLocked()
	}
	f.mu.Unlock()
	if outgrew && !f.res.ownerOnly && f.res.fr.verdict == verdictStore {
		f.c.stats.uncacheable.Add(1)
		f.c.forget(f.primary, f.personal)
		f.c.unmapFlight(f)
	}
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

// trimLocked drops what every reader has taken and waits while the window
// is wider than MaxObjectSize. f.mu is held.
func (f *flight) trimLocked() error {
	for {
		end := f.base + int64(len(f.buf))
		low := end
		for _, r := range f.readers {
			low = min(low, r.off)
		}
		if low-f.base >= int64(len(f.buf))/2 && low > f.base {
			// A new array: readers may still be writing slices of the old one.
			nb := make([]byte, end-low, max(int64(cap(f.buf))/2, end-low))
			copy(nb, f.buf[low-f.base:])
			f.buf, f.base = nb, low
		}
		if end-low <= f.c.maxObject {
			return nil
		}
		if f.space == nil {
			f.space = make(chan struct{})
		}
		ch := f.space
		f.mu.Unlock()
		select {
		case <-ch:
		case <-f.ctx.Done():
		}
		f.mu.Lock()
		if err := f.ctx.Err(); err != nil {
			return err
		}
	}
}

func (f *flight) broadcast() {
	if f.wake != nil {
		close(f.wake)
		f.wake = nil
	}
}

// finish ends the fetch: it answers 502 if the origin sent nothing, stores
// a complete storable body, and unregisters the flight.
func (f *flight) finish(w *flightWriter, ok bool) {
	c := f.c
	if f.stopClose != nil {
		f.stopClose()
	}
	if !w.wrote {
		if ok && f.ctx.Err() == nil {
			w.WriteHeader(http.StatusOK) // as net/http does for a handler that writes nothing
		} else {
			c.unmapFlight(f)
			f.publish(&flightResult{status: http.StatusBadGateway, synthetic: true, respTime: c.now(),
				fr: freshness{verdict: verdictError}})
		}
	}
	// Only this goroutine writes buf: it can be read without the lock.
	f.mu.Lock()
	body, large := f.buf, f.large
	f.mu.Unlock()
	// A cancelled fetch is incomplete even if the origin handler returned
	// quietly.
	failed := !ok || w.err != nil || f.ctx.Err() != nil

	// Store before the flight is seen done: a request that finds it done
	// looks in the store instead.
	res := f.res
	if !failed && !large && res.obj == nil && !res.ownerOnly && !res.synthetic && res.fr.verdict == verdictStore {
		if cl := fieldValue(w.sent, "Content-Length"); cl == "" || cl == strconv.Itoa(len(body)) {
			if cap(body)-len(body) > len(body)/8 {
				body = append(make([]byte, 0, len(body)), body...)
			}
			obj := c.newObject(res.status, w.sent, body[:len(body):len(body)], res.fr, res.respTime, res.respTime.Sub(f.reqTime))
			if c.storeObject(f, obj) && c.l2 != nil {
				c.l2Put(f, obj)
			}
		}
	}
	f.mu.Lock()
	f.done, f.failed = true, failed
	f.broadcast()
	f.mu.Unlock()
	c.unmapFlight(f)
	f.cancel()
}

// join attaches a waiter, or returns nil if the flight cannot take one:
// it has ended or is being cancelled, its body is too large to join
// mid-stream, or it has MaxWaiters waiters (full is then true).
func (f *flight) join() (rd *cursor, full bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.done || f.ctx.Err() != nil || f.large {
		return nil, false
	}
	if f.waiting >= f.c.maxWaiters {
		return nil, true
	}
	f.joined++
	f.waiting++
	f.refs++
	rd = &cursor{waiter: true}
	rd.idx = len(f.readers)
	f.readers = append(f.readers, rd)
	return rd, false
}

// leave detaches a consumer. When the last one leaves a foreground fetch
// that has not ended, the fetch is cancelled.
func (f *flight) leave(rd *cursor) {
	f.mu.Lock()
	if rd.released {
		f.mu.Unlock()
		return // detached by publish
	}
	tail := f.readers[len(f.readers)-1]
	f.readers[rd.idx], tail.idx = tail, rd.idx
	f.readers[len(f.readers)-1] = nil
	f.readers = f.readers[:len(f.readers)-1]
	f.refs--
	if rd.waiter {
		f.waiting--
	}
	last := f.refs == 0 && !f.done && !f.background && !f.keep
	if f.space != nil {
		close(f.space)
		f.space = nil
	}
	if last {
		// Cancel before unlocking, so that join refuses the flight from
		// now on, though it stays in Cache.flights until unmapFlight.
		f.cancel()
	}
	f.mu.Unlock()
	if last {
		f.c.unmapFlight(f)
	}
}

// keepFetching lets the fetch run to its end, to be stored, when every
// consumer has left: a HEAD request needs only the headers of the GET it
// fetched.
func (f *flight) keepFetching() {
	f.mu.Lock()
	f.keep = true
	f.mu.Unlock()
}

// awaitHeaders waits for the origin's headers, for ctx to end, or (if
// timeout is positive) for timeout.
func (f *flight) awaitHeaders(ctx context.Context, timeout time.Duration) (*flightResult, error) {
	select {
	case <-f.headerReady:
		return f.res, nil
	default:
	}
	var expired <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		expired = t.C
	}
	select {
	case <-f.headerReady:
		return f.res, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-expired:
		return nil, errWaitTimeout
	}
}

// stream copies the body to w from rd's offset as it arrives, flushing
// after each piece, until the fetch ends. It returns errBodyAborted if the
// origin's body was cut short.
func (f *flight) stream(ctx context.Context, w http.ResponseWriter, rd *cursor) error {
	flusher, _ := w.(http.Flusher)
	for {
		f.mu.Lock()
		end := f.base + int64(len(f.buf))
		for rd.off >= end && !f.done {
			if f.wake == nil {
				f.wake = make(chan struct{})
			}
			ch := f.wake
			f.mu.Unlock()
			select {
			case <-ch:
			case <-ctx.Done():
				return ctx.Err()
			}
			f.mu.Lock()
			end = f.base + int64(len(f.buf))
		}
		chunk := f.buf[rd.off-f.base:]
		done, failed := f.done, f.failed
		rd.off = end
		if f.space != nil {
			close(f.space)
			f.space = nil
		}
		f.mu.Unlock()
		if len(chunk) > 0 {
			if _, err := w.Write(chunk); err != nil {
				return err
			}
			if !done && flusher != nil {
				flusher.Flush()
			}
		}
		if done {
			if failed {
				return errBodyAborted
			}
			return nil
		}
	}
}
