package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"
	"time"
)

// loadResult is what a run of pollers measured.
type loadResult struct {
	Requests  int64         // answered 200
	Errors    int64         // other statuses, failed connects, reads and writes
	Connected int           // clients whose first connection succeeded
	Elapsed   time.Duration // from the start signal to the last client's end
	P50, P99  time.Duration // latency from writing a request to its body's end
	Max       time.Duration
}

// poll opens clients keep-alive connections to addr, then, all at once,
// makes each GET path in a loop, one request after another, for d. A
// client whose connection fails counts an error and dials again. The
// requests are written and read without an http.Client to keep the load
// generator's own cost low.
func poll(ctx context.Context, addr, path string, clients int, d time.Duration) loadResult {
	req := []byte("GET " + path + " HTTP/1.1\r\nHost: " + addr + "\r\nUser-Agent: footprint\r\n\r\n")
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	dial := func() (net.Conn, *bufio.Reader, error) {
		c, err := dialer.DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, nil, err
		}
		return c, bufio.NewReaderSize(c, 4096), nil
	}

	type client struct {
		conn net.Conn
		br   *bufio.Reader
		lat  []time.Duration
		ok   int64
		errs int64
	}
	cs := make([]*client, clients)
	var wg sync.WaitGroup
	for i := range cs {
		cs[i] = &client{}
		wg.Add(1)
		go func(c *client) { // connect all first, bounded by the dial timeout
			defer wg.Done()
			var err error
			if c.conn, c.br, err = dial(); err != nil {
				c.errs++
			}
		}(cs[i])
	}
	wg.Wait()
	var res loadResult
	for _, c := range cs {
		if c.conn != nil {
			res.Connected++
		}
	}

	start := make(chan struct{})
	ctx, cancel := context.WithTimeout(ctx, d+5*time.Second) // unblocks stuck reads
	defer cancel()
	var begun time.Time
	for _, c := range cs {
		wg.Add(1)
		go func(c *client) {
			defer wg.Done()
			<-start
			end := begun.Add(d)
			stop := context.AfterFunc(ctx, func() {
				if c.conn != nil {
					c.conn.SetDeadline(time.Now())
				}
			})
			defer stop()
			for time.Now().Before(end) && ctx.Err() == nil {
				if c.conn == nil {
					var err error
					if c.conn, c.br, err = dial(); err != nil {
						c.errs++
						time.Sleep(10 * time.Millisecond)
						continue
					}
				}
				t0 := time.Now()
				ok, closed, err := roundTrip(c.conn, c.br, req)
				switch {
				case err != nil || !ok:
					c.errs++
				default:
					c.ok++
					c.lat = append(c.lat, time.Since(t0))
				}
				if err != nil || closed {
					c.conn.Close()
					c.conn = nil
				}
			}
			if c.conn != nil {
				c.conn.Close()
			}
		}(c)
	}
	begun = time.Now()
	close(start)
	wg.Wait()
	res.Elapsed = time.Since(begun)

	var lat []time.Duration
	for _, c := range cs {
		res.Requests += c.ok
		res.Errors += c.errs
		lat = append(lat, c.lat...)
	}
	slices.Sort(lat)
	res.P50, res.P99 = percentile(lat, 0.50), percentile(lat, 0.99)
	if len(lat) > 0 {
		res.Max = lat[len(lat)-1]
	}
	return res
}

// roundTrip writes req on conn and reads the response: ok is whether it
// was a 200 with a body, closed whether the server closes the connection
// after it.
func roundTrip(conn net.Conn, br *bufio.Reader, req []byte) (ok, closed bool, err error) {
	if _, err := conn.Write(req); err != nil {
		return false, true, err
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return false, true, err
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return false, true, err
	}
	return resp.StatusCode == http.StatusOK && n > 0, resp.Close, nil
}

// hold opens n keep-alive connections to addr and makes one GET path on
// each, and returns them open (idle) for the caller to close; it fails if
// any connection or request does.
func hold(ctx context.Context, addr, path string, n int) ([]net.Conn, error) {
	req := []byte("GET " + path + " HTTP/1.1\r\nHost: " + addr + "\r\nUser-Agent: footprint\r\n\r\n")
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	conns := make([]net.Conn, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range conns {
		wg.Go(func() {
			c, err := dialer.DialContext(ctx, "tcp", addr)
			if err != nil {
				errs[i] = err
				return
			}
			conns[i] = c
			c.SetDeadline(time.Now().Add(30 * time.Second))
			ok, closed, err := roundTrip(c, bufio.NewReader(c), req)
			if err == nil && (!ok || closed) {
				err = fmt.Errorf("GET %s: not a 200 on a kept-alive connection", path)
			}
			errs[i] = err
			c.SetDeadline(time.Time{})
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			closeAll(conns)
			return nil, err
		}
	}
	return conns, nil
}

// closeAll closes the connections that are not nil.
func closeAll(conns []net.Conn) {
	for _, c := range conns {
		if c != nil {
			c.Close()
		}
	}
}

// firstSegment returns the path of the first media segment of the first
// variant of the master playlist at baseURL+master, and its size.
func firstSegment(ctx context.Context, baseURL, master string) (string, int, error) {
	uri := func(playlist string) (string, error) {
		b, err := fetch(ctx, baseURL+playlist)
		if err != nil {
			return "", err
		}
		for _, l := range strings.Split(string(b), "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
				return path.Join(path.Dir(playlist), l), nil
			}
		}
		return "", fmt.Errorf("%s lists no URI", playlist)
	}
	variant, err := uri(master)
	if err != nil {
		return "", 0, err
	}
	seg, err := uri(variant)
	if err != nil {
		return "", 0, err
	}
	b, err := fetch(ctx, baseURL+seg)
	return seg, len(b), err
}

// fetch returns the body of GET url, failing unless it answers 200.
func fetch(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return b, err
}
