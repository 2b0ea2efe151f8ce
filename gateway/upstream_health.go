package gateway

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// HealthCheck configures a Pool's active health checks: every Interval,
// a GET of Path on each upstream, healthy when it answers 2xx or 3xx
// within Timeout.
type HealthCheck struct {
	// Path is requested on each upstream. If empty, "/".
	Path string
	// Interval is the time between checks. If zero, ten seconds.
	Interval time.Duration
	// Timeout bounds each check. If zero, five seconds or Interval,
	// whichever is shorter.
	Timeout time.Duration
	// Fails is how many checks in a row must fail to take a healthy
	// upstream out. If zero, 3.
	Fails int
	// Passes is how many checks in a row must pass to bring an unhealthy
	// upstream back. If zero, 2.
	Passes int
}

func (hc *HealthCheck) normal() HealthCheck {
	h := *hc
	if h.Path == "" {
		h.Path = "/"
	}
	if h.Interval <= 0 {
		h.Interval = 10 * time.Second
	}
	if h.Timeout <= 0 {
		h.Timeout = min(5*time.Second, h.Interval)
	}
	if h.Fails <= 0 {
		h.Fails = 3
	}
	if h.Passes <= 0 {
		h.Passes = 2
	}
	return h
}

// healthLoop checks every upstream each interval until ctx is done.
func (p *Pool) healthLoop(ctx context.Context, hc HealthCheck) {
	tick := time.NewTicker(hc.Interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		var wg sync.WaitGroup
		for _, t := range p.targets {
			wg.Go(func() { p.judge(t, p.check(ctx, t, hc), hc) })
		}
		wg.Wait()
	}
}

// check reports whether one GET of t's health path succeeded.
func (p *Pool) check(ctx context.Context, t *target, hc HealthCheck) bool {
	ctx, cancel := context.WithTimeout(ctx, hc.Timeout)
	defer cancel()
	u := *t.url
	u.Path = ""
	u.RawPath = ""
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String()+hc.Path, nil)
	if err != nil {
		return false
	}
	req.Header.Set("User-Agent", "v100-gateway-health")
	resp, err := p.base.RoundTrip(req)
	if err != nil {
		return false
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return resp.StatusCode >= 200 && resp.StatusCode < 400
}

// judge counts one check result and changes t's state when the count
// says so.
func (p *Pool) judge(t *target, ok bool, hc HealthCheck) {
	if ok {
		t.fails = 0
		t.passes++
		if !t.healthy.Load() && t.passes >= hc.Passes {
			t.healthy.Store(true)
			t.downUntil.Store(0) // the checks speak for it again
			p.logState(t, "upstream up")
		}
		return
	}
	t.passes = 0
	t.fails++
	if t.healthy.Load() && t.fails >= hc.Fails {
		t.healthy.Store(false)
		p.logState(t, "upstream down")
	}
}

func (p *Pool) logState(t *target, msg string) {
	if p.logger != nil {
		p.logger.LogAttrs(context.Background(), slog.LevelWarn, msg, slog.String("pool", p.name),
			slog.String("upstream", t.url.String()), slog.String("reason", "health check"))
	}
}
