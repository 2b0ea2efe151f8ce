package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// herdResult is what one herd saw.
type herdResult struct {
	latencies
	errors   int   // requests that failed or were not 200
	firstErr error // the first of them
}

// herd sends n concurrent GETs for rawURL, each on a connection of its
// own (Connection: close), and returns their latencies. It opens every connection first, then
// releases all the requests at once (a barrier), so that they reach the
// server together and what is measured is the server's handling of the
// herd, not the kernel's accept queue. Each latency runs from the moment
// its request is sent to the end of its body. timeout bounds the whole
// herd.
func herd(ctx context.Context, rawURL string, n int, timeout time.Duration) (herdResult, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	u, err := url.Parse(rawURL)
	if err != nil {
		return herdResult{}, err
	}

	conns, err := dialAll(ctx, u.Host, n)
	if err != nil {
		return herdResult{}, err
	}

	// The request as bytes on a raw connection: an http.Client (a
	// Transport per connection, with its goroutines) costs the harness
	// tens of milliseconds of CPU per thousand requests on two cores,
	// which would be measured as the servers' latency.
	req := []byte("GET " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host +
		"\r\nUser-Agent: edgebench\r\nConnection: close\r\n\r\n")
	deadline, _ := ctx.Deadline()
	var (
		start = make(chan struct{})
		ready sync.WaitGroup
		done  sync.WaitGroup
		mu    sync.Mutex
		lats  = make([]time.Duration, 0, n)
		res   herdResult
	)
	ready.Add(n)
	done.Add(n)
	for _, c := range conns {
		go func() {
			defer done.Done()
			defer c.Close()
			c.SetDeadline(deadline)
			br := bufio.NewReaderSize(c, 4<<10)
			ready.Done()
			<-start
			t0 := time.Now()
			err := roundTrip(c, br, req)
			d := time.Since(t0)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				res.errors++
				if res.firstErr == nil {
					res.firstErr = err
				}
				return
			}
			lats = append(lats, d)
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
	res.latencies = summarize(lats)
	return res, nil
}

// roundTrip writes req on c and reads the response to the end of its
// body; it fails unless the status is 200.
func roundTrip(c net.Conn, br *bufio.Reader, req []byte) error {
	if _, err := c.Write(req); err != nil {
		return err
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %s", resp.Status)
	}
	return nil
}

// dialAll opens n TCP connections to addr, at most 64 at a time so that
// the listener's accept queue never overflows (an overflow costs a
// connection a one-second SYN retransmission).
func dialAll(ctx context.Context, addr string, n int) ([]net.Conn, error) {
	conns := make([]net.Conn, n)
	errs := make([]error, n)
	sem := make(chan struct{}, 64)
	var wg sync.WaitGroup
	var d net.Dialer
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			conns[i], errs[i] = d.DialContext(ctx, "tcp", addr)
		}()
	}
	wg.Wait()
	if err := firstError(errs); err != nil {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
		return nil, fmt.Errorf("herd: opening %d connections: %w", n, err)
	}
	return conns, nil
}

func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
