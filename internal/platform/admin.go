package platform

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// admin is the second listener of Config.Admin: the runtime profiles of
// net/http/pprof under /debug/pprof/, apart from the public listener so
// that they are never exposed by accident.
type admin struct {
	srv    *http.Server
	served chan struct{}
}

// startAdmin serves the admin endpoints on addr; with addr empty it does
// nothing and returns nil, whose stop is a no-op.
func startAdmin(addr string, log *slog.Logger, started func(net.Addr)) (*admin, error) {
	if addr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	if ip, ok := ln.Addr().(*net.TCPAddr); ok && !ip.IP.IsLoopback() {
		log.Warn("the admin listener (pprof) is not on a loopback address: anyone who reaches it can profile the server", "addr", ln.Addr())
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("POST /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	a := &admin{
		srv: &http.Server{
			Handler:           mux,
			ReadHeaderTimeout: 10 * time.Second,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		},
		served: make(chan struct{}),
	}
	go func() {
		defer close(a.served)
		a.srv.Serve(ln)
	}()
	log.Info("admin listener", "addr", ln.Addr())
	if started != nil {
		started(ln.Addr())
	}
	return a, nil
}

// stop ends the admin listener, letting requests finish for a moment:
// a CPU profile or trace in progress is cut short.
func (a *admin) stop() {
	if a == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := a.srv.Shutdown(ctx); err != nil {
		a.srv.Close()
	}
	<-a.served
}
