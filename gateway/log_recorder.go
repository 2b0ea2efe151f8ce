package gateway

import (
	"net/http"
	"sync"
)

// recorder is the ResponseWriter that AccessLog and Metrics share: it
// notes the status, the body bytes and the route the Router chose. It
// keeps http.Flusher and, through Unwrap, what http.ResponseController
// can reach.
type recorder struct {
	http.ResponseWriter
	status int // 0 until the handler writes a header or body
	bytes  int64
	route  string
}

// recorders recycles recorders: one per request would be the only
// allocation Metrics and AccessLog make.
var recorders = sync.Pool{New: func() any { return new(recorder) }}

// record returns the recorder already wrapping w, or a new one (owned
// true) that the caller must pass on in place of w, and release once the
// handler it was passed to has returned and it has been read.
func record(w http.ResponseWriter) (rec *recorder, owned bool) {
	if rec := findRecorder(w); rec != nil {
		return rec, false
	}
	rec = recorders.Get().(*recorder)
	rec.ResponseWriter = w
	return rec, true
}

// release returns an owned recorder to the pool.
func (r *recorder) release() {
	*r = recorder{}
	recorders.Put(r)
}

func findRecorder(w http.ResponseWriter) *recorder {
	for {
		switch x := w.(type) {
		case *recorder:
			return x
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			return nil
		}
	}
}

// noteRoute tells the recorder under w, if any, which route serves the
// request.
func noteRoute(w http.ResponseWriter, name string) {
	if rec := findRecorder(w); rec != nil {
		rec.route = name
	}
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 && code >= 200 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(p)
	r.bytes += int64(n)
	return n, err
}

func (r *recorder) Flush() {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	http.NewResponseController(r.ResponseWriter).Flush()
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
