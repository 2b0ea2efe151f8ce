package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"

	"github.com/v100video/v100/gateway"
)

func runGateway(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("gateway", "(-upstream URL... | -config gateway.yaml) [flags]", stderr)
	listen := fs.String("listen", "", "`address` to listen on (default 127.0.0.1:8081, or the config's listen)")
	config := fs.String("config", "", "gateway config `file` (YAML)")
	var upstreams []string
	fs.Func("upstream", "origin `URL` to proxy to, caching and coalescing; repeat for a pool", func(s string) error {
		upstreams = append(upstreams, s)
		return nil
	})
	lb := fs.String("lb", "round_robin", "with -upstream: round_robin or least_conn")
	noCache := fs.Bool("no-cache", false, "with -upstream: proxy without the response cache")
	metrics := fs.String("metrics", "", "serve Prometheus metrics at this `path` (such as /metrics)")
	accessLog := fs.Bool("access-log", false, "log every request to stderr")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := exactly("gateway", pos, 0, "no arguments"); err != nil {
		return err
	}
	var cfg *gateway.Config
	switch {
	case *config != "" && len(upstreams) > 0:
		return usageError("gateway: -config and -upstream do not go together; put the upstreams in the config")
	case *config != "":
		if cfg, err = gateway.LoadConfig(*config); err != nil {
			return err
		}
	case len(upstreams) > 0:
		cfg = &gateway.Config{Routes: []gateway.RouteConfig{{
			Name: "upstream", Upstreams: upstreams, LB: *lb,
			Cache: &gateway.CacheConfig{Enabled: !*noCache},
		}}}
	default:
		return usageError("gateway: -upstream <URL> or -config <file> is required")
	}
	if flagSet(fs, "lb") && *config != "" {
		return usageError("gateway: -lb goes with -upstream; set lb in the config")
	}
	if *metrics != "" {
		cfg.MetricsPath = *metrics
	}
	if *accessLog {
		cfg.Logger = slog.New(slog.NewTextHandler(stderr, nil))
	}
	addr := firstOf(*listen, cfg.Listen, "127.0.0.1:8081")
	g, err := gateway.New(cfg)
	if err != nil {
		if *config == "" {
			return usageError(err.Error())
		}
		return err
	}
	defer g.Close()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("gateway: %w", err)
	}
	fmt.Fprintf(stdout, "listening on http://%s\n", ln.Addr())
	return g.Serve(ctx, ln)
}

// firstOf returns the first of ss that is not empty.
func firstOf(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

// flagSet reports whether the command line set the flag name.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
