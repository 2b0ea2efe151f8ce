package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/v100video/v100/ratelimit"
)

// Gateway is a Config built into one http.Handler:
//
//	AccessLog → Metrics.Handler → body limit → metrics endpoint or Router
//	  → per route: rate limit → Cache → Pool (or an in-process handler)
//
// Create one with New, serve it with Serve (or any http.Server), and call
// Close when done.
type Gateway struct {
	handler  http.Handler
	metrics  *Metrics
	limits   Limits
	closers  []io.Closer // pools, caches and rate limiters, in build order
	errorLog *log.Logger
}

// New builds a Gateway from cfg, or returns an error for a config that
// does not hold together (see ParseConfig). On an error, whatever it had
// started is stopped again.
func New(cfg *Config) (_ *Gateway, err error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	trusted, _ := parsePrefixes(cfg.TrustedProxies)
	g := &Gateway{metrics: new(Metrics), limits: cfg.Limits, errorLog: log.New(io.Discard, "", 0)}
	if cfg.Logger != nil {
		g.errorLog = slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn)
	}
	defer func() {
		if err != nil {
			g.Close()
		}
	}()
	var routes []Route
	for i := range cfg.Routes {
		rc := &cfg.Routes[i]
		h, err := g.build(cfg, rc, trusted)
		if err != nil {
			return nil, fmt.Errorf("gateway: route %q: %w", rc.name(), err)
		}
		routes = append(routes, Route{Name: rc.name(), Host: rc.Host, PathPrefix: rc.Prefix, StripPrefix: rc.StripPrefix, Handler: h})
	}
	router, err := NewRouter(routes)
	if err != nil {
		return nil, err
	}
	var h http.Handler = router
	if p := cfg.MetricsPath; p != "" {
		next := h
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == p {
				noteRoute(w, "metrics")
				g.metrics.ServeHTTP(w, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	purgeFrom, _ := parsePrefixes(cfg.PurgeFrom)
	h = purgeGate(purgeFrom, h)
	h = limitBody(int64(cmpZero(cfg.Limits.MaxBodyBytes, 10<<20)), h)
	h = g.metrics.Handler(h)
	g.handler = AccessLog(cfg.Logger, h)
	return g, nil
}

// build returns the handler behind one route.
func (g *Gateway) build(cfg *Config, rc *RouteConfig, trusted []netip.Prefix) (http.Handler, error) {
	var h http.Handler
	if rc.Handler != "" {
		h = cfg.Handlers[rc.Handler]
		if h == nil && rc.Handler == "health" {
			h = http.HandlerFunc(health)
		}
		if h == nil {
			return nil, fmt.Errorf("no handler named %q", rc.Handler)
		}
	} else {
		targets, _ := parseUpstreams(rc.Upstreams)
		policy, _ := policyOf(rc.LB)
		pool, err := NewPool(targets, &PoolOptions{
			Name: rc.name(), Policy: policy, HealthCheck: rc.HealthCheck,
			TryTimeout: rc.TryTimeout, Timeout: rc.Timeout, Retries: rc.Retries, PreserveHost: rc.PreserveHost,
			TrustedProxies: trusted, Transport: cfg.Transport, Metrics: g.metrics, Logger: cfg.Logger,
		})
		if err != nil {
			return nil, err
		}
		g.closers = append(g.closers, pool)
		h = pool
	}
	if cc := rc.Cache; cc != nil && cc.Enabled {
		c, closer, err := newRouteCache(h, cc, cfg.Logger, g.metrics, rc.name())
		if err != nil {
			return nil, err
		}
		g.closers = append(g.closers, closer)
		h = c
	}
	if rl := rc.RateLimit; rl != nil {
		m, err := ratelimit.NewMiddleware(ratelimit.MiddlewareOptions{Rules: []ratelimit.Rule{{
			Name: "per-ip", Limit: ratelimit.Limit{Rate: rl.Rate, Per: rl.Per, Burst: rl.Burst}, Key: ratelimit.ByIP(trusted...),
		}}})
		if err != nil {
			return nil, err
		}
		g.closers = append(g.closers, m)
		h = m.Handler(h)
	}
	return h, nil
}

func cmpZero[T ~int64](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

func health(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	io.WriteString(w, "ok\n")
}

// limitBody answers 413 to a request whose declared body is over n bytes,
// and makes a longer body than declared fail to read past n (which a
// Pool then answers with 413).
func limitBody(n int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > n {
			w.Header().Set("Connection", "close")
			http.Error(w, "413 request entity too large", http.StatusRequestEntityTooLarge)
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, n)
		}
		next.ServeHTTP(w, r)
	})
}

// ServeHTTP serves r through the gateway.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) { g.handler.ServeHTTP(w, r) }

// Metrics returns the gateway's metrics.
func (g *Gateway) Metrics() *Metrics { return g.metrics }

// Serve serves the gateway on ln, with the config's Limits, until ctx
// ends; then it stops accepting, waits up to Limits.ShutdownTimeout for
// the requests in flight to finish, and returns nil. It returns an error
// if serving fails or the drain does not finish in time. It does not
// close the gateway.
func (g *Gateway) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           g,
		MaxHeaderBytes:    int(cmpZero(g.limits.MaxHeaderBytes, 64<<10)),
		ReadHeaderTimeout: cmpZero(g.limits.ReadHeaderTimeout, 10*time.Second),
		IdleTimeout:       cmpZero(g.limits.IdleTimeout, 2*time.Minute),
		ErrorLog:          g.errorLog,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("gateway: %w", err)
	case <-ctx.Done():
	}
	drain, cancel := context.WithTimeout(context.Background(), cmpZero(g.limits.ShutdownTimeout, 30*time.Second))
	defer cancel()
	err := srv.Shutdown(drain)
	if err != nil {
		srv.Close()
	}
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
		return fmt.Errorf("gateway: %w", serr)
	}
	if err != nil {
		return fmt.Errorf("gateway: drain: %w", err)
	}
	return nil
}

// Close stops the gateway's health checks, caches and rate limiters.
func (g *Gateway) Close() error {
	var errs []error
	for i := len(g.closers) - 1; i >= 0; i-- {
		errs = append(errs, g.closers[i].Close())
	}
	g.closers = nil
	return errors.Join(errs...)
}
