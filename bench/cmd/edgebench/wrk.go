package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// wrkResult is what one run of wrk reported.
type wrkResult struct {
	requests  int64   // "N requests in …"
	reqPerSec float64 // "Requests/sec:"
	// Latency: p50…p99 from the distribution --latency prints, max from
	// the thread stats.
	p50, p75, p90, p99, max time.Duration
	non2xx                  int64  // "Non-2xx or 3xx responses:"
	socketErrors            string // "connect 0, read 1, …" when wrk printed the line
	// slow counts the requests that took at least the threshold given to
	// runWrk, of slowOf in wrk's latency histogram, from the line
	// slowScript adds; -1 if there was none.
	slow, slowOf int64
}

// slowScript is a wrk script that, at the end, prints how many requests
// took at least %d µs, of how many in the latency histogram (which can
// hold a few more than the request count wrk prints). It defines only done, so wrk keeps its fast path
// (no Lua per request). latency(i) is the i-th distinct latency recorded,
// in µs, and how many requests took it.
const slowScript = `done = function(summary, latency, requests)
  local slow, all = 0, 0
  for i = 1, #latency do
    local v, n = latency(i)
    all = all + n
    if v >= %d then slow = slow + n end
  end
  io.write(string.format("  Slow requests: %%d of %%d\n", slow, all))
end
`

// errors describes the failures wrk reported, or "" if none.
func (r wrkResult) errors() string {
	var s []string
	if r.non2xx > 0 {
		s = append(s, fmt.Sprintf("%d non-2xx/3xx responses", r.non2xx))
	}
	if r.socketErrors != "" {
		s = append(s, "socket errors: "+r.socketErrors)
	}
	return strings.Join(s, "; ")
}

// runWrk runs wrk against url with threads threads, conns connections for
// d, and parses its report, counting the requests that took slow or more.
// wrk stops by itself after d; ctx bounds it in case it does not. dir is
// where the script goes.
func runWrk(ctx context.Context, dir, url string, threads, conns int, d, slow time.Duration) (wrkResult, error) {
	ctx, cancel := context.WithTimeout(ctx, d+30*time.Second)
	defer cancel()
	script := filepath.Join(dir, "slow.lua")
	if err := os.WriteFile(script, fmt.Appendf(nil, slowScript, slow.Microseconds()), 0o644); err != nil {
		return wrkResult{}, err
	}
	cmd := exec.CommandContext(ctx, "wrk",
		"-t"+strconv.Itoa(threads), "-c"+strconv.Itoa(conns),
		"-d"+strconv.Itoa(int(d.Round(time.Second)/time.Second))+"s",
		"--latency", "--timeout", "5s", "-s", script, url)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk: %w: %s", err, tail(string(out), 5))
	}
	return parseWrk(string(out))
}

// parseWrk reads the report wrk --latency prints:
//
//	Running 10s test @ http://127.0.0.1:8080/
//	  2 threads and 64 connections
//	  Thread Stats   Avg      Stdev     Max   +/- Stdev
//	    Latency   635.91us    0.89ms  12.92ms   93.69%
//	    Req/Sec    56.20k     8.07k   62.00k    86.54%
//	  Latency Distribution
//	     50%  291.00us
//	     75%  597.00us
//	     90%    1.25ms
//	     99%    4.43ms
//	  1117565 requests in 10.10s, 1.06GB read
//	  Socket errors: connect 0, read 0, write 0, timeout 3
//	  Non-2xx or 3xx responses: 12
//	Requests/sec: 110654.37
//	Transfer/sec:    107.76MB
//	  Slow requests: 17 of 1117570
//
// The socket errors and non-2xx lines are printed only when there were
// errors; the last line comes from slowScript.
func parseWrk(out string) (wrkResult, error) {
	r := wrkResult{slow: -1}
	var haveRate, haveRequests, haveMax bool
	dist := map[string]*time.Duration{"50%": &r.p50, "75%": &r.p75, "90%": &r.p90, "99%": &r.p99}
	seen := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		var err error
		switch {
		case f[0] == "Requests/sec:" && len(f) == 2:
			r.reqPerSec, err = strconv.ParseFloat(f[1], 64)
			haveRate = true
		case f[0] == "Latency" && len(f) == 5: // thread stats: avg, stdev, max, ±
			r.max, err = parseWrkDuration(f[3])
			haveMax = true
		case dist[f[0]] != nil && len(f) == 2:
			*dist[f[0]], err = parseWrkDuration(f[1])
			seen[f[0]] = true
		case len(f) >= 3 && f[1] == "requests" && f[2] == "in":
			r.requests, err = strconv.ParseInt(f[0], 10, 64)
			haveRequests = true
		case strings.HasPrefix(line, "Socket errors:"):
			r.socketErrors = strings.TrimSpace(strings.TrimPrefix(line, "Socket errors:"))
		case strings.HasPrefix(line, "Non-2xx or 3xx responses:"):
			r.non2xx, err = strconv.ParseInt(f[len(f)-1], 10, 64)
		case strings.HasPrefix(line, "Slow requests:") && len(f) == 5 && f[3] == "of":
			r.slow, err = strconv.ParseInt(f[2], 10, 64)
			if err == nil {
				r.slowOf, err = strconv.ParseInt(f[4], 10, 64)
			}
		}
		if err != nil {
			return wrkResult{}, fmt.Errorf("wrk: parsing %q: %w", line, err)
		}
	}
	switch {
	case !haveRate:
		return wrkResult{}, errors.New("wrk: no Requests/sec line in the output")
	case !haveRequests:
		return wrkResult{}, errors.New("wrk: no request count in the output")
	case !haveMax:
		return wrkResult{}, errors.New("wrk: no latency line in the output")
	case len(seen) != len(dist):
		return wrkResult{}, errors.New("wrk: incomplete latency distribution (was --latency given?)")
	}
	return r, nil
}

// parseWrkDuration parses a duration as wrk prints it: a number followed
// by us, ms, s, m or h ("291.00us", "1.25ms", "2.00s", "1.50m").
func parseWrkDuration(s string) (time.Duration, error) {
	units := []struct {
		suffix string
		unit   time.Duration
	}{ // "ms" and "us" before "s"
		{"us", time.Microsecond}, {"ms", time.Millisecond},
		{"s", time.Second}, {"m", time.Minute}, {"h", time.Hour},
	}
	for _, u := range units {
		num, ok := strings.CutSuffix(s, u.suffix)
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(num, 64)
		if err != nil || v < 0 {
			return 0, fmt.Errorf("bad duration %q", s)
		}
		return time.Duration(v * float64(u.unit)), nil
	}
	return 0, fmt.Errorf("bad duration %q: no unit", s)
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
