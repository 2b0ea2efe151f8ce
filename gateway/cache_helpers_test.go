package gateway_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/gateway"
)

// origin is an in-test origin handler that records its requests.
type origin struct {
	mu    sync.Mutex
	reqs  []*http.Request
	serve func(w http.ResponseWriter, r *http.Request, n int) // n counts from 1
}

func (o *origin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	o.reqs = append(o.reqs, r.Clone(r.Context()))
	n := len(o.reqs)
	o.mu.Unlock()
	o.serve(w, r, n)
}

func (o *origin) count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.reqs)
}

func (o *origin) req(i int) *http.Request {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.reqs[i]
}

// static returns an origin that answers every request with body and the
// header fields kv (name, value, name, value…).
func static(body string, kv ...string) *origin {
	return &origin{serve: func(w http.ResponseWriter, r *http.Request, n int) {
		for i := 0; i+1 < len(kv); i += 2 {
			w.Header().Add(kv[i], kv[i+1])
		}
		w.Write([]byte(body))
	}}
}

func newCache(t *testing.T, next http.Handler, opts *gateway.CacheOptions) *gateway.Cache {
	t.Helper()
	c := gateway.NewCache(next, opts)
	t.Cleanup(func() { c.Close() })
	return c
}

// get sends a request through h; kv are request header fields.
func get(h http.Handler, method, target string, kv ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(kv); i += 2 {
		r.Header.Add(kv[i], kv[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func requireResponse(t *testing.T, w *httptest.ResponseRecorder, code int, xcache, body string) {
	t.Helper()
	require.Equal(t, code, w.Code, "status")
	require.Equal(t, xcache, w.Header().Get("X-Cache"), "X-Cache")
	require.Equal(t, body, w.Body.String(), "body")
}

// streamWriter is a ResponseWriter safe to read while it is written, for
// watching a streamed response arrive.
type streamWriter struct {
	mu     sync.Mutex
	h      http.Header
	code   int
	body   []byte
	header http.Header // snapshot at WriteHeader
}

func newStreamWriter() *streamWriter { return &streamWriter{h: http.Header{}} }

func (w *streamWriter) Header() http.Header { return w.h }
func (w *streamWriter) WriteHeader(code int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.code == 0 {
		w.code, w.header = code, w.h.Clone()
	}
}
func (w *streamWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.body = append(w.body, p...)
	return len(p), nil
}
func (w *streamWriter) Flush() {}

func (w *streamWriter) snapshot() (int, http.Header, string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.code, w.header, string(w.body)
}

func readAll(res *http.Response) ([]byte, error) {
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}
