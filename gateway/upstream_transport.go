package gateway

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// poolTransport is the RoundTripper a Pool's ReverseProxy uses: each try
// picks an upstream, and a try that got no response is retried when the
// request allows it. Since the proxy writes nothing to the client before
// RoundTrip returns a response, a retry never follows bytes already sent.
type poolTransport struct{ p *Pool }

func (pt poolTransport) RoundTrip(out *http.Request) (*http.Response, error) {
	p := pt.p
	tries := 1
	if isIdempotent(out.Method) && (out.Body == nil || out.Body == http.NoBody || out.GetBody != nil) {
		tries += p.retries
	}
	var buf [4]*target
	tried := buf[:0]
	var err error
	for try := range tries {
		if try > 0 {
			if out.Context().Err() != nil {
				break // the client left, or the pool's Timeout passed
			}
			if out.GetBody != nil {
				body, gerr := out.GetBody()
				if gerr != nil {
					break
				}
				r2 := *out
				r2.Body = body
				out = &r2
			}
			p.retriesRun.Add(1)
		}
		t := p.pick(tried)
		tried = append(tried, t)
		var resp *http.Response
		if resp, err = p.try(out, t); err == nil {
			return resp, nil
		}
	}
	return nil, err
}

// try sends out to t once.
func (p *Pool) try(out *http.Request, t *target) (*http.Response, error) {
	ctx, cancel := context.WithCancelCause(out.Context())
	var timer *time.Timer
	if p.tryTimeout > 0 {
		timer = time.AfterFunc(p.tryTimeout, func() { cancel(errTryTimeout) })
	}
	o := out.WithContext(ctx)
	o.URL = t.join(out.URL)
	t.active.Add(1)
	start := time.Now()
	resp, err := p.base.RoundTrip(o)
	p.latency.observe(time.Since(start))
	if timer != nil && !timer.Stop() {
		if err == nil {
			resp.Body.Close()
			resp = nil
		}
		err = errTryTimeout
	}
	if err != nil {
		t.active.Add(-1)
		cancel(nil)
		p.errs.Add(1)
		if isDialError(err) {
			p.markRefused(t)
		}
		return nil, err
	}
	done := func() { t.active.Add(-1); cancel(nil) }
	if rwc, ok := resp.Body.(io.ReadWriteCloser); ok && resp.StatusCode == http.StatusSwitchingProtocols {
		// The proxy needs an upgraded connection's body to stay an
		// io.ReadWriteCloser.
		resp.Body = &trackedConn{ReadWriteCloser: rwc, done: done}
		return resp, nil
	}
	resp.Body = &trackedBody{ReadCloser: resp.Body, done: done}
	return resp, nil
}

// join returns u sent to t: t's scheme and host, t's path in front of u's.
func (t *target) join(u *url.URL) *url.URL {
	v := *u
	v.Scheme, v.Host = t.url.Scheme, t.url.Host
	if base := strings.TrimSuffix(t.url.Path, "/"); base != "" {
		v.Path = base + u.Path
		if u.RawPath != "" {
			v.RawPath = strings.TrimSuffix(t.url.EscapedPath(), "/") + u.RawPath
		}
	}
	return &v
}

// markRefused takes t out of the rotation for PassiveDown.
func (p *Pool) markRefused(t *target) {
	if p.passiveDown <= 0 {
		return
	}
	now := time.Now()
	was := t.up(now.UnixNano())
	t.downUntil.Store(now.Add(p.passiveDown).UnixNano())
	if was && p.logger != nil {
		p.logger.LogAttrs(context.Background(), slog.LevelWarn, "upstream down", slog.String("pool", p.name),
			slog.String("upstream", t.url.String()), slog.String("reason", "connection refused"), slog.Duration("for", p.passiveDown))
	}
}

// isDialError reports whether err means no connection could be made, as
// opposed to a failure on a connection.
func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// trackedBody calls done once when the response body is closed.
type trackedBody struct {
	io.ReadCloser
	once sync.Once
	done func()
}

func (b *trackedBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.done)
	return err
}

// trackedConn is trackedBody for an upgraded connection.
type trackedConn struct {
	io.ReadWriteCloser
	once sync.Once
	done func()
}

func (c *trackedConn) Close() error {
	err := c.ReadWriteCloser.Close()
	c.once.Do(c.done)
	return err
}

// newTransport returns the transport of a Pool: HTTP/1.1, no proxy from
// the environment, and many idle connections per upstream.
func newTransport() *http.Transport {
	return &http.Transport{
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          0, // no limit over all hosts
		MaxIdleConnsPerHost:   1024,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     false,
	}
}

// bufferPool lends the proxy its 32 KiB copy buffers.
type bufferPool struct{}

var copyBuffers = sync.Pool{New: func() any { return new([32 << 10]byte) }}

func (bufferPool) Get() []byte  { return copyBuffers.Get().(*[32 << 10]byte)[:] }
func (bufferPool) Put(b []byte) { copyBuffers.Put((*[32 << 10]byte)(b)) }
