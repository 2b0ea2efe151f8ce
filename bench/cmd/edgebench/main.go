// Command edgebench compares v100's gateway with the HTTP caches a user
// would put in front of an HLS origin instead, nginx and Varnish, and with
// a plain [net/http/httputil.ReverseProxy] as the baseline, each a separate
// process on loopback in front of one origin, in one run. It prints a
// Markdown table:
//
//	(a) 1,000 concurrent GETs on one uncached, cacheable (max-age=60) playlist:
//	    origin hits and p50 latency — does the server coalesce a miss, and
//	    how soon does it release the waiters?
//	(b) wrk -t2 -c64 on a cached 2 KB playlist: requests per second and
//	    peak memory.
//	(c) wrk on a max-age=1 live playlist: origin fetches, which should be
//	    one a second (10±1 in 10 s), and p99 and max latency and the
//	    requests that took as long as the origin (50 ms) or longer, which
//	    show whether clients wait on a refresh. Stalls of the machine make
//	    such requests too: the same count for (b), where nothing is
//	    refreshed, is the reference.
//	(d) wrk on a cached 200 KB segment: requests per second and peak memory.
//	(e) 1,000 concurrent GETs on a no-store playlist: p50 latency (the
//	    target is twice the origin's delay plus 20 ms) and origin hits —
//	    does a herd on an uncacheable URL wait behind a lock?
//
// Usage, from the bench module (make bench-edge installs nginx, Varnish and
// wrk first, with scripts/setup bench-edge):
//
//	go run ./cmd/edgebench [-duration 10s] [-contenders v100,nginx,varnish,revproxy]
//
// It takes about three minutes with the four contenders. -phases and
// -contenders run a part; -keep keeps the generated configurations and the
// servers' logs.
//
// # The origin
//
// The origin runs in the harness: /vod.m3u8 (2 KB, max-age=60),
// /live.m3u8 (2 KB, max-age=1, its media sequence advancing every
// second), /seg.m4s (200 KB, max-age=31536000, immutable) and
// /nostore.m3u8 (no-store). It answers every request 50 ms late and
// counts requests per URI.
//
// # The contenders
//
//   - v100: cmd/v100 built as make build does, running
//     v100 gateway --listen 127.0.0.1:0 --upstream ORIGIN. It is skipped,
//     with the reason, when it does not build or has no gateway command.
//   - nginx, as Debian packages it, with the configuration in
//     contenders.go: two worker processes (one per core), proxy_cache with
//     proxy_cache_lock, proxy_cache_use_stale updating and
//     proxy_cache_background_update, lifetimes from the origin's
//     Cache-Control (no proxy_cache_valid), keepalive to the origin
//     (keepalive 64, HTTP/1.1), sendfile.
//   - varnish, as Debian packages it: varnishd -F with the built-in VCL
//     (-b ORIGIN), so its default coalescing (the waiting list),
//     hit-for-miss on uncacheable responses and 10 s of grace, and
//     -s malloc,256m.
//   - revproxy: a plain httputil.ReverseProxy (../revproxy), no cache.
//
// Each runs alone, and each phase on a freshly started server (stopped by
// its process id afterwards), so that no phase inherits another's cache,
// threads or memory. Each phase also asks for a URL of its own (the query
// string names the contender and the phase), so that its origin count is
// its own. (b), (c) and (d) first fetch their URL once so that it is cached
// when wrk starts, and (c) counts the origin fetches made while wrk runs.
//
// # Measuring
//
// The herd in (a) and (e) opens its 1,000 connections first, then sends
// every request at once, each on its own connection, written and read
// without an http.Client to keep the tool's own cost low; a latency runs
// from a request's send to the end of its body. Before the contenders, the
// same herd goes straight to the origin; its p50, printed above the table,
// is the floor that the origin's delay, the tool and the machine set.
//
// wrk runs with --latency and its report is parsed. Peak memory is sampled
// every 200 ms during (b) and (d): the sum, over the contender's processes
// (nginx's master and workers, Varnish's manager and child), of their
// proportional set size (PSS), so that memory the processes share counts
// once. For a single process, PSS is its resident set size. Varnish's
// includes the part of its shared-memory log (80 MB by default) that the
// run has written.
//
// Everything shares the machine: wrk, the origin and the contender. On two
// cores, wrk takes about one of them, so the request rates are those of a
// server with about one core, and on a shared machine they move a lot
// from run to run: compare the contenders within one run.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// config is the command line.
type config struct {
	duration    time.Duration // of each wrk run
	herdSize    int
	threads     int // wrk's
	connections int // wrk's
	delay       time.Duration
	contenders  []string
	phases      string // which of a…e to run
	keep        bool   // the temporary directory, with configurations and logs
}

func main() {
	var cfg config
	var names string
	flag.DurationVar(&cfg.duration, "duration", 10*time.Second, "how long each wrk phase, (b) to (d), runs (whole seconds)")
	flag.IntVar(&cfg.herdSize, "herd", 1000, "concurrent GETs in (a) and (e)")
	flag.IntVar(&cfg.threads, "threads", 2, "wrk threads")
	flag.IntVar(&cfg.connections, "connections", 64, "wrk connections")
	flag.DurationVar(&cfg.delay, "origin-delay", 50*time.Millisecond, "what the origin adds to every response")
	flag.StringVar(&cfg.phases, "phases", "abcde", "which phases to run")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the temporary directory (configurations, logs) and print its name")
	flag.StringVar(&names, "contenders", "v100,nginx,varnish,revproxy", "comma-separated contenders to run, in order")
	flag.Parse()
	cfg.contenders = strings.Split(names, ",")

	// Piped into head, the harness must still stop its servers and remove
	// its files: a write to a closed standard output then fails instead.
	signal.Ignore(syscall.SIGPIPE)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, cfg, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "edgebench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	if cfg.duration < time.Second || cfg.herdSize < 1 || cfg.threads < 1 || cfg.connections < cfg.threads {
		return fmt.Errorf("bad flags: need -duration ≥ 1s, -herd ≥ 1, -connections ≥ -threads ≥ 1")
	}
	if strings.Trim(cfg.phases, "abcde") != "" {
		return fmt.Errorf("bad -phases %q: want letters from abcde", cfg.phases)
	}
	var run []contender
	for _, n := range cfg.contenders {
		c, ok := lookup(strings.TrimSpace(n))
		if !ok {
			return fmt.Errorf("unknown contender %q (want v100, nginx, varnish or revproxy)", n)
		}
		run = append(run, c)
	}
	if _, err := exec.LookPath("wrk"); err != nil {
		return fmt.Errorf("wrk is not installed: run scripts/setup bench-edge")
	}
	if err := raiseFileLimit(4*cfg.herdSize + 1024); err != nil {
		return err
	}
	// Bound the whole run: each contender takes about 50 s.
	ctx, cancel := context.WithTimeout(ctx, time.Duration(len(run))*(3*cfg.duration+3*time.Minute))
	defer cancel()

	dir, err := os.MkdirTemp("", "edgebench-")
	if err != nil {
		return err
	}
	if cfg.keep {
		defer fmt.Fprintf(stderr, "edgebench: configurations and logs are in %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	// Workers that drop root (nginx's, Varnish's) must reach their files.
	if err := os.Chmod(dir, 0o755); err != nil {
		return err
	}

	o, err := startOrigin(cfg.delay)
	if err != nil {
		return err
	}
	defer o.close()
	e := &env{dir: dir, originURL: o.url, originAddr: strings.TrimPrefix(o.url, "http://")}

	// The herd straight to the origin, without a proxy: what the machine
	// and the tool add to the origin's delay, for reading (a) and (e).
	floor, err := herd(ctx, o.url+pathNoStore+"?c=none", cfg.herdSize, time.Minute)
	if err == nil && floor.errors > 0 {
		err = fmt.Errorf("%d requests failed, the first with: %v", floor.errors, floor.firstErr)
	}
	if err != nil {
		return fmt.Errorf("herd straight to the origin: %w", err)
	}
	fmt.Fprintf(stderr, "edgebench: %d GETs straight to the origin: p50 %s, p99 %s, max %s\n",
		cfg.herdSize, ms(floor.p50), ms(floor.p99), ms(floor.max))

	var results []*result
	for _, c := range run {
		fmt.Fprintf(stderr, "edgebench: %s\n", c.name)
		results = append(results, runContender(ctx, cfg, c, e, o, stderr))
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}

	var versions []string
	for _, c := range run {
		versions = append(versions, c.version(ctx))
	}
	versions = append(versions, wrkVersion(ctx))
	fmt.Fprintf(stdout, "\nEdge benchmark: every contender on 127.0.0.1 in front of one origin that adds %v to each response; %d CPUs, %s/%s, %s.\n",
		cfg.delay, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	fmt.Fprintf(stdout, "Versions: %s.\n", strings.Join(versions, "; "))
	fmt.Fprintf(stdout, "The same herd straight to the origin, without a proxy: p50 %s, p99 %s (the origin's %v plus what the machine and the tool add).\n\n",
		ms(floor.p50), ms(floor.p99), cfg.delay)
	printTable(stdout, cfg, results)
	return nil
}

func lookup(name string) (contender, bool) {
	for _, c := range contenders {
		if c.name == name {
			return c, true
		}
	}
	return contender{}, false
}

// phase is what one phase measured.
type phase struct {
	err  error
	hits int        // origin requests for the phase's URL during the phase
	herd herdResult // (a), (e)
	wrk  wrkResult  // (b), (c), (d)
	mem  int64      // peak PSS in bytes, (b) and (d)
}

// result is one contender's run.
type result struct {
	name   string
	skip   error // why it did not run
	phases map[string]*phase
}

// runContender runs the five phases against c, each on a freshly started
// server, so that no phase inherits another's cache, threads or memory.
func runContender(ctx context.Context, cfg config, c contender, e *env, o *origin, log io.Writer) *result {
	r := &result{name: c.name, phases: map[string]*phase{}}
	if err := c.setup(ctx, e); err != nil {
		r.skip = err
		fmt.Fprintf(log, "  skipped: %v\n", err)
		return r
	}
	for _, ph := range []struct {
		name, path string
		wrk        bool // or the herd
		memory     bool
	}{
		{"a", pathVOD, false, false},
		{"b", pathVOD, true, true},
		{"c", pathLive, true, false},
		{"d", pathSegment, true, true},
		{"e", pathNoStore, false, false},
	} {
		if ctx.Err() != nil {
			break
		}
		if !strings.Contains(cfg.phases, ph.name) {
			continue
		}
		dir := filepath.Join(e.dir, c.name+"-"+ph.name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			r.phases[ph.name] = &phase{err: err}
			continue
		}
		p, err := c.start(ctx, e, dir)
		if err != nil {
			if len(r.phases) == 0 { // it does not start at all
				r.skip = err
				fmt.Fprintf(log, "  skipped: %v\n", err)
				return r
			}
			r.phases[ph.name] = &phase{err: err}
			fmt.Fprintf(log, "  (%s) %v\n", ph.name, err)
			continue
		}
		// Each phase asks for a URL of its own, so that its origin count
		// is its own even if something outlives a restart.
		u := ph.path + "?c=" + url.QueryEscape(c.name) + "&p=" + ph.name
		if ph.wrk {
			r.phases[ph.name] = wrkPhase(ctx, cfg, dir, p, o, u, ph.memory, log)
		} else {
			r.phases[ph.name] = herdPhase(ctx, cfg, p, o, u, log)
		}
		p.stop()
	}
	return r
}

// herdPhase sends the herd for u and counts the origin's hits.
func herdPhase(ctx context.Context, cfg config, p *proc, o *origin, u string, log io.Writer) *phase {
	ph := &phase{}
	ph.herd, ph.err = herd(ctx, p.url+u, cfg.herdSize, time.Minute)
	ph.hits = o.hitsFor(u)
	if ph.err == nil && ph.herd.errors > 0 {
		ph.err = fmt.Errorf("%d of %d requests failed, the first with: %v", ph.herd.errors, cfg.herdSize, ph.herd.firstErr)
	}
	h := ph.herd
	fmt.Fprintf(log, "  %d GETs on %s: %d origin hits; p50 %s, p99 %s, max %s%s\n",
		cfg.herdSize, u, ph.hits, ms(h.p50), ms(h.p99), ms(h.max), errSuffix(ph.err))
	return ph
}

// wrkPhase fetches u once, so that it is cached, then runs wrk on it,
// counting the origin's fetches meanwhile and, if memory, sampling the
// server's memory.
func wrkPhase(ctx context.Context, cfg config, dir string, p *proc, o *origin, u string, memory bool, log io.Writer) *phase {
	ph := &phase{}
	if ph.err = prime(ctx, p.url+u); ph.err != nil {
		fmt.Fprintf(log, "  wrk on %s%s\n", u, errSuffix(ph.err))
		return ph
	}
	before := o.hitsFor(u)
	var m *memSampler
	if memory {
		m = sampleMemory(p.cmd.Process.Pid, 200*time.Millisecond)
	}
	ph.wrk, ph.err = runWrk(ctx, dir, p.url+u, cfg.threads, cfg.connections, cfg.duration, cfg.delay)
	if memory {
		ph.mem = m.finish()
	}
	ph.hits = o.hitsFor(u) - before
	w := ph.wrk
	if ph.err == nil && w.errors() != "" {
		ph.err = fmt.Errorf("wrk: %s", w.errors())
	}
	mem := ""
	if memory {
		mem = "; peak memory " + mb(ph.mem)
	}
	fmt.Fprintf(log, "  wrk on %s: %.0f req/s, %d origin fetches; p50 %s, p99 %s, max %s, %d of %d requests ≥ %v%s%s\n",
		u, w.reqPerSec, ph.hits, ms(w.p50), ms(w.p99), ms(w.max), w.slow, w.slowOf, cfg.delay, mem, errSuffix(ph.err))
	return ph
}

// prime fetches url once, so that it is cached.
func prime(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("priming the cache: %w", err)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return fmt.Errorf("priming the cache: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("priming the cache: status %s", resp.Status)
	}
	return nil
}

// raiseFileLimit raises the soft limit on open files to at least want
// (the herd's connections and the origin's), up to the hard limit. The
// contenders inherit it.
func raiseFileLimit(want int) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return err
	}
	if lim.Cur >= uint64(want) {
		return nil
	}
	if lim.Max < uint64(want) {
		return fmt.Errorf("the hard limit on open files is %d; the benchmark needs %d (ulimit -Hn)", lim.Max, want)
	}
	lim.Cur = lim.Max
	return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
}

func errSuffix(err error) string {
	if err == nil {
		return ""
	}
	return " — " + err.Error()
}
