package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Policy is how a Pool chooses the upstream for a request.
type Policy int

const (
	// RoundRobin takes the upstreams in turn.
	RoundRobin Policy = iota
	// LeastConnections takes the upstream with the fewest requests in
	// flight, in turn among equals.
	LeastConnections
)

// PoolOptions configure a Pool. The zero value (or nil) is a round-robin
// pool with one retry, a 30-second per-try timeout and no health checks.
type PoolOptions struct {
	// Name labels the pool in metrics and logs. If empty, "pool".
	Name string
	// Policy chooses the upstream for each try.
	Policy Policy
	// HealthCheck, if not nil, probes every upstream in the background
	// until Close.
	HealthCheck *HealthCheck
	// PassiveDown is how long an upstream that refused a connection (or
	// could not be dialled) is left out, when another is up. If zero, ten
	// seconds; if negative, a refused connection leaves it in.
	PassiveDown time.Duration
	// TryTimeout bounds each try until the upstream's response headers
	// arrive (not the body, which may stream for long). If zero, 30
	// seconds; if negative, none.
	TryTimeout time.Duration
	// Timeout bounds the whole exchange, all tries and the response body
	// included. If zero, none.
	Timeout time.Duration
	// Retries is how many more tries, each on another upstream where
	// there is one, an idempotent request (GET, HEAD, OPTIONS, PUT,
	// DELETE) gets when a try fails before any response arrived: a
	// connection error or TryTimeout. Nothing has been written to the
	// client then. Other methods are never retried. If zero, 1; if
	// negative, none.
	Retries int
	// MaxReplayBody is the largest request body buffered so that the
	// request can be retried; an idempotent request with a larger body or
	// one of unknown length is not retried. If zero, 64 KiB.
	MaxReplayBody int64
	// PreserveHost sends the client's Host header upstream. If false, the
	// upstream's own host, and X-Forwarded-Host carries the client's.
	PreserveHost bool
	// TrustedProxies are the peers whose X-Forwarded-For, Forwarded,
	// X-Forwarded-Host and X-Forwarded-Proto are passed on (with the peer
	// appended). Others' are replaced.
	TrustedProxies []netip.Prefix
	// Transport sends the requests. If nil, a transport for many
	// concurrent HTTP/1.1 requests to few hosts (see Pool).
	Transport http.RoundTripper
	// Metrics, if not nil, gets the pool's upstream latencies, errors,
	// retries and upstream states.
	Metrics *Metrics
	// Logger gets upstream errors and state changes. If nil, none.
	Logger *slog.Logger
}

// Pool is an http.Handler that proxies requests to a set of upstreams,
// with load balancing, retries and health checks. Create one with NewPool
// and call Close when done.
//
// Responses stream through: the body is flushed to the client as each
// read from the upstream returns, so a playlist or segment reaches a
// player (or a cache's coalesced waiters) while it is still arriving.
//
// Unless PoolOptions.Transport says otherwise, a Pool speaks HTTP/1.1 to
// its upstreams and keeps up to 1024 idle connections to each, so that a
// burst of concurrent requests reuses connections instead of dialling.
//
// An upstream is up while the active checks find it healthy and it has not
// refused a connection within PassiveDown. Requests go to upstreams that
// are up; when none is, to all of them, since a wrong verdict is better
// than no answer.
type Pool struct {
	name        string
	targets     []*target
	policy      Policy
	passiveDown time.Duration
	tryTimeout  time.Duration
	timeout     time.Duration
	retries     int
	maxReplay   int64
	logger      *slog.Logger
	base        http.RoundTripper
	ownBase     bool // base was made by NewPool, which closes its connections
	proxy       *httputil.ReverseProxy

	turn atomic.Uint64 // the next round-robin start

	latency          histogram
	errs, retriesRun atomic.Uint64

	stop      context.CancelFunc // stops the health checks
	checks    sync.WaitGroup
	closeOnce sync.Once
}

// target is one upstream of a Pool.
type target struct {
	url       *url.URL
	index     int          // in Pool.targets
	healthy   atomic.Bool  // the active checks' verdict; true at first
	downUntil atomic.Int64 // Unix nanoseconds until which a refusal leaves it out
	active    atomic.Int64 // tries in flight, response bodies included

	fails, passes int // consecutive check results, owned by the health checks
}

// Errors a Pool reports to its ErrorHandler.
var (
	errTryTimeout = errors.New("gateway: upstream try timed out")
	errNoUpstream = errors.New("gateway: pool has no upstream")
)

// NewPool returns a Pool for targets, absolute http or https URLs whose
// paths, if any, are prefixed to the requests' paths. It starts the
// health checks if opts asks for them.
func NewPool(targets []*url.URL, opts *PoolOptions) (*Pool, error) {
	if opts == nil {
		opts = &PoolOptions{}
	}
	if len(targets) == 0 {
		return nil, errNoUpstream
	}
	p := &Pool{
		name:        cmpOr(opts.Name, "pool"),
		policy:      opts.Policy,
		passiveDown: durationOr(opts.PassiveDown, 10*time.Second),
		tryTimeout:  durationOr(opts.TryTimeout, 30*time.Second),
		timeout:     opts.Timeout,
		retries:     opts.Retries,
		maxReplay:   opts.MaxReplayBody,
		logger:      opts.Logger,
		base:        opts.Transport,
	}
	switch {
	case p.retries == 0:
		p.retries = 1
	case p.retries < 0:
		p.retries = 0
	}
	if p.maxReplay <= 0 {
		p.maxReplay = 64 << 10
	}
	if p.policy != RoundRobin && p.policy != LeastConnections {
		return nil, fmt.Errorf("gateway: pool %q: unknown policy %d", p.name, p.policy)
	}
	for _, u := range targets {
		if u == nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("gateway: pool %q: upstream %v is not an http(s)://host[:port][/path] URL", p.name, u)
		}
		t := &target{url: u, index: len(p.targets)}
		t.healthy.Store(true)
		p.targets = append(p.targets, t)
	}
	if p.base == nil {
		p.base, p.ownBase = newTransport(), true
	}
	errorLog := log.New(io.Discard, "", 0)
	if p.logger != nil {
		errorLog = slog.NewLogLogger(p.logger.Handler(), slog.LevelWarn)
	}
	trusted := opts.TrustedProxies
	preserveHost := opts.PreserveHost
	p.proxy = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			forwarded(pr, trusted)
			if !preserveHost {
				pr.Out.Host = ""
			}
		},
		Transport: poolTransport{p},
		// No FlushInterval: a negative one flushes the header at once on
		// a goroutine and timer of its own, apart from the body, on every
		// request. streamWriter flushes instead.
		BufferPool:   bufferPool{},
		ErrorLog:     errorLog,
		ErrorHandler: p.proxyError,
	}
	if hc := opts.HealthCheck; hc != nil {
		ctx, cancel := context.WithCancel(context.Background())
		p.stop = cancel
		p.checks.Go(func() { p.healthLoop(ctx, hc.normal()) })
	}
	if opts.Metrics != nil {
		opts.Metrics.addCollector(p.collect)
	}
	return p, nil
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// durationOr returns d, def if d is zero, and 0 (none) if d is negative.
func durationOr(d, def time.Duration) time.Duration {
	switch {
	case d == 0:
		return def
	case d < 0:
		return 0
	}
	return d
}

// ServeHTTP proxies r to one of the pool's upstreams.
func (p *Pool) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p.timeout > 0 {
		ctx, cancel := context.WithTimeout(r.Context(), p.timeout)
		defer cancel()
		r = r.WithContext(ctx)
	}
	if p.retries > 0 && isIdempotent(r.Method) && r.ContentLength > 0 && r.ContentLength <= p.maxReplay {
		// Read a small body now so that a retry can send it again.
		body, err := io.ReadAll(io.LimitReader(r.Body, r.ContentLength))
		if err != nil {
			p.proxyError(w, r, err)
			return
		}
		r2 := *r
		r2.Body = io.NopCloser(bytes.NewReader(body))
		r2.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		r = &r2
	}
	p.proxy.ServeHTTP(&streamWriter{ResponseWriter: w}, r)
}

// streamWriter is what a Pool's proxy writes to: each body write is
// flushed at once, so that the response streams through as it arrives,
// except the write that completes a body of known length, which the
// server sends with the end of the response (a short response goes out in
// one write, header and body).
type streamWriter struct {
	http.ResponseWriter
	left    int64 // body bytes to come; negative if unknown
	started bool
}

func (w *streamWriter) Write(p []byte) (int, error) {
	if !w.started {
		w.started, w.left = true, -1
		if cl := w.Header()["Content-Length"]; len(cl) == 1 {
			if n, err := strconv.ParseInt(cl[0], 10, 64); err == nil {
				w.left = n
			}
		}
	}
	n, err := w.ResponseWriter.Write(p)
	if w.left >= 0 {
		w.left -= int64(n)
	}
	if err == nil && w.left != 0 {
		http.NewResponseController(w.ResponseWriter).Flush()
	}
	return n, err
}

func (w *streamWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// proxyError answers a request that got no response from upstream: 413
// for a body over the gateway's limit, 504 for a timeout, 502 otherwise.
func (p *Pool) proxyError(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusBadGateway
	switch {
	case errors.As(err, new(*http.MaxBytesError)):
		status = http.StatusRequestEntityTooLarge
	case errors.Is(err, errTryTimeout), errors.Is(err, context.DeadlineExceeded):
		status = http.StatusGatewayTimeout
	}
	if p.logger != nil && r.Context().Err() == nil {
		p.logger.LogAttrs(r.Context(), slog.LevelWarn, "upstream error", slog.String("pool", p.name),
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", status),
			slog.String("err", err.Error()))
	}
	http.Error(w, fmt.Sprintf("%d %s", status, http.StatusText(status)), status)
}

// Close stops the health checks and closes idle upstream connections.
func (p *Pool) Close() error {
	p.closeOnce.Do(func() {
		if p.stop != nil {
			p.stop()
		}
		p.checks.Wait()
		if c, ok := p.base.(interface{ CloseIdleConnections() }); ok && p.ownBase {
			c.CloseIdleConnections()
		}
	})
	return nil
}

// TargetState is the state of one upstream of a Pool.
type TargetState struct {
	URL    string
	Up     bool  // in the rotation
	Active int64 // requests in flight
}

// Targets returns the state of the pool's upstreams, in the order given
// to NewPool.
func (p *Pool) Targets() []TargetState {
	now := time.Now().UnixNano()
	s := make([]TargetState, len(p.targets))
	for i, t := range p.targets {
		s[i] = TargetState{URL: t.url.String(), Up: t.up(now), Active: t.active.Load()}
	}
	return s
}

func (t *target) up(now int64) bool { return t.healthy.Load() && t.downUntil.Load() <= now }

// pick chooses the upstream for a try, preferring one that is up and not
// yet tried, then one not yet tried, then any.
func (p *Pool) pick(tried []*target) *target {
	now := time.Now().UnixNano()
	var start int
	if len(tried) == 0 {
		start = int(p.turn.Add(1) - 1)
	} else {
		// A retry goes on from the upstream just tried, leaving the turn
		// to the next request.
		start = tried[len(tried)-1].index + 1
	}
	n := len(p.targets)
	for level := range 3 {
		var best *target
		for i := range n {
			t := p.targets[(start+i)%n]
			if level < 2 && contains(tried, t) || level == 0 && !t.up(now) {
				continue
			}
			if p.policy == RoundRobin {
				return t
			}
			if best == nil || t.active.Load() < best.active.Load() {
				best = t
			}
		}
		if best != nil {
			return best
		}
	}
	return nil
}

func contains(ts []*target, t *target) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}

// collect adds the pool's metrics to a scrape.
func (p *Pool) collect(s *scrape) {
	s.histogram("v100_gateway_upstream_duration_seconds", "Time from sending a request upstream to its response headers, per try.", &p.latency, "pool", p.name)
	s.counter("v100_gateway_upstream_errors_total", "Tries that got no response from upstream.", p.errs.Load(), "pool", p.name)
	s.counter("v100_gateway_upstream_retries_total", "Tries after the first.", p.retriesRun.Load(), "pool", p.name)
	for _, t := range p.Targets() {
		up := 0.0
		if t.Up {
			up = 1
		}
		s.gauge("v100_gateway_upstream_up", "Whether an upstream is in the rotation.", up, "pool", p.name, "upstream", t.URL)
		s.gauge("v100_gateway_upstream_active", "Requests in flight to an upstream.", float64(t.Active), "pool", p.name, "upstream", t.URL)
	}
}
