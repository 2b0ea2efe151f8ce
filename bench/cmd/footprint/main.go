// Command footprint measures what the reference server, v100 serve, costs
// to run on this machine, and prints a Markdown table:
//
//   - the size of the v100 binary, stripped (-trimpath -ldflags='-s -w', as
//     make build does) and not;
//   - the time from exec to GET /readyz answering 200, over several starts
//     on a fresh, empty data directory each, and on a data directory that
//     already holds a ready video (median, min and max);
//   - idle memory: VmRSS, VmHWM (its peak) and PSS of the server after it is
//     ready and has been left alone a few seconds;
//   - memory with 1,000 idle keep-alive connections (each has made one
//     request), and per connection;
//   - memory while 1,000 keep-alive clients each fetch a cached master
//     playlist, one request after another, for 10 s: the peak VmRSS
//     (sampled every 50 ms) and VmHWM, with the requests per second, the
//     errors and the latency;
//   - the bytes per second, and the peak VmRSS, of 100 clients fetching a
//     cached media segment for 5 s;
//   - memory while a generated 1080p clip is transcoded into the default
//     ladder: the peak VmRSS of the server and, separately, the peak of the
//     summed VmRSS of its ffmpeg child processes and of its other children
//     (pocketsphinx).
//
// Usage, from the bench module (make bench-footprint):
//
//	go run ./cmd/footprint [-runs 10] [-clients 1000] [-duration 10s] [-clip 20] [-phases ...]
//
// -v100 measures a given binary instead of building one, -server-args adds
// flags to every v100 serve (e.g. "--admin 127.0.0.1:6060" to take heap
// profiles while it runs; GODEBUG=gctrace=1 in the environment reaches the
// server too, and -keep keeps its log).
//
// It takes two to four minutes on two cores, most of it the 1080p
// transcode. Every process it starts is the v100 binary it has just built
// (never go run), which it stops by its process id, killing by pid any
// child that outlives it; every file it writes is under one temporary
// directory, removed at the end (unless -keep).
//
// # Method
//
// The server runs as v100 serve --listen 127.0.0.1:PORT --data DIR with the
// default flags, except in the load phase: the playback rate limit is per
// client IP and every client here is 127.0.0.1, so that phase runs with
// --playback-rate 0 (no limit). Its video, a 4 s 640x360 clip of ffmpeg's
// testsrc2 pattern and a 440 Hz tone, is uploaded by multipart and
// transcoded before the phase, by a server that is then stopped, so that
// the server under load has only started and served: its VmHWM is the
// peak of the load. The playlist is fetched once before the clients start,
// so that it is cached.
//
// Readiness is polled every millisecond with a new connection each time;
// the clock starts just before exec. The load generator runs in this
// process, on the same cores as the server, and writes its requests and
// reads the responses on raw connections (no http.Client); its requests
// per second are therefore a floor set by both. It raises its open-file
// limit to the hard limit if it needs to.
//
// Memory: VmRSS is the resident set; VmHWM the largest resident set the
// process has had; PSS (from smaps_rollup) divides each shared page among
// the processes that map it. MB means 10^6 bytes.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/v100video/v100/bench/internal/procfs"
)

// config is the command line.
type config struct {
	runs, warmRuns int
	idle           time.Duration
	clients        int
	duration       time.Duration
	clip           int // seconds of the 1080p clip
	phases         map[string]bool
	keep           bool
	serverArgs     []string // added to every v100 serve
	bin            string   // a v100 binary to measure instead of building one
}

var allPhases = []string{"size", "startup", "load", "transcode"}

func main() {
	var cfg config
	flag.IntVar(&cfg.runs, "runs", 10, "starts on a fresh data directory")
	flag.IntVar(&cfg.warmRuns, "warm-runs", 5, "starts on a data directory holding a video")
	flag.DurationVar(&cfg.idle, "idle", 5*time.Second, "how long the server idles before its idle memory is read")
	flag.IntVar(&cfg.clients, "clients", 1000, "concurrent keep-alive clients in the load phase")
	flag.DurationVar(&cfg.duration, "duration", 10*time.Second, "length of the load phase")
	flag.IntVar(&cfg.clip, "clip", 20, "seconds of the 1080p clip transcoded in the transcode phase")
	phases := flag.String("phases", strings.Join(allPhases, ","), "phases to run")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the temporary directory (binaries, clips, data, server logs)")
	flag.StringVar(&cfg.bin, "v100", "", "measure this v100 binary instead of building cmd/v100 (the size phase then reports its size only)")
	serverArgs := flag.String("server-args", "", "flags added to every v100 serve, space-separated, e.g. \"--admin 127.0.0.1:6060\"")
	flag.Parse()
	cfg.serverArgs = strings.Fields(*serverArgs)
	cfg.phases = map[string]bool{}
	for _, p := range strings.Split(*phases, ",") {
		cfg.phases[strings.TrimSpace(p)] = true
	}
	cfg.runs, cfg.warmRuns = max(cfg.runs, 1), max(cfg.warmRuns, 1)
	cfg.clients = min(max(cfg.clients, 1), 10000)
	cfg.duration = min(max(cfg.duration, time.Second), 2*time.Minute)
	cfg.clip = min(max(cfg.clip, 2), 120)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := bench(ctx, cfg, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "footprint:", err)
		os.Exit(1)
	}
}

// bench runs the phases, writing progress to logw and the table to out.
func bench(ctx context.Context, cfg config, out, logw io.Writer) error {
	tmp, err := os.MkdirTemp("", "v100-footprint-")
	if err != nil {
		return err
	}
	if cfg.keep {
		fmt.Fprintln(logw, "keeping", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	logf := func(format string, args ...any) { fmt.Fprintf(logw, "footprint: "+format+"\n", args...) }
	t := &table{}
	t.note("machine: %s/%s, %d CPUs, %s; load average at the start %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), kernel(), procfs.LoadAverage())

	bins := []struct{ name, path string }{{"binary " + cfg.bin, cfg.bin}}
	if cfg.bin == "" {
		logf("building cmd/v100")
		bin, full, err := buildV100(ctx, tmp)
		if err != nil {
			return err
		}
		bins = []struct{ name, path string }{
			{"binary, stripped (-trimpath -ldflags='-s -w')", bin},
			{"binary, not stripped (go build)", full},
		}
	}
	bin := bins[0].path
	if cfg.phases["size"] {
		for _, b := range bins {
			fi, err := os.Stat(b.path)
			if err != nil {
				return err
			}
			t.row("size", b.name, mb(fi.Size()), "")
		}
	}

	// The data directory of the warm starts and of the load phase, with
	// one ready video.
	var warm string
	var master string
	if cfg.phases["startup"] || cfg.phases["load"] {
		warm = filepath.Join(tmp, "warm")
		clip := filepath.Join(tmp, "clip360.mp4")
		logf("making a 4 s 640x360 clip and transcoding it")
		if err := makeClip(ctx, clip, 640, 360, 4); err != nil {
			return err
		}
		srv, err := startServer(ctx, bin, warm, tmp, cfg.serverArgs...)
		if err != nil {
			return err
		}
		v, err := upload(ctx, srv.url, clip)
		if err == nil {
			v, err = waitReady(ctx, srv.url, v.ID, 3*time.Minute)
		}
		srv.stop()
		if err != nil {
			return err
		}
		master = v.Playback.HLS
	}

	if cfg.phases["startup"] {
		if err := startup(ctx, cfg, t, logf, bin, tmp, warm); err != nil {
			return err
		}
	}
	if cfg.phases["load"] {
		if err := load(ctx, cfg, t, logf, bin, tmp, warm, master); err != nil {
			return err
		}
	}
	if cfg.phases["transcode"] {
		if err := transcodeLoad(ctx, cfg, t, logf, bin, tmp); err != nil {
			return err
		}
	}
	t.note("load average at the end %s", procfs.LoadAverage())
	t.write(out)
	return nil
}

// startup measures the time to ready over cfg.runs starts on fresh data
// directories and cfg.warmRuns on warm, and the idle memory after the last
// start of each.
func startup(ctx context.Context, cfg config, t *table, logf func(string, ...any), bin, tmp, warm string) error {
	for _, kind := range []struct {
		name string
		runs int
		dir  func(i int) (string, error)
	}{
		{"fresh data dir", cfg.runs, func(i int) (string, error) { return os.MkdirTemp(tmp, "fresh-") }},
		{"data dir with a video", cfg.warmRuns, func(int) (string, error) { return warm, nil }},
	} {
		logf("%d starts on a %s", kind.runs, kind.name)
		var ds []time.Duration
		for i := range kind.runs {
			dir, err := kind.dir(i)
			if err != nil {
				return err
			}
			srv, err := startServer(ctx, bin, dir, tmp, cfg.serverArgs...)
			if err != nil {
				return err
			}
			ds = append(ds, srv.ready)
			if i == kind.runs-1 {
				if err := sleep(ctx, cfg.idle); err != nil {
					srv.stop()
					return err
				}
				m, _ := procfs.ReadMem(srv.pid())
				t.row("idle", fmt.Sprintf("idle %s, %s: VmRSS", cfg.idle, kind.name), mb(m.RSS), verdict(m.RSS, 30e6, "≤ 30 MB"))
				t.row("idle", fmt.Sprintf("idle %s, %s: VmHWM / PSS / threads", cfg.idle, kind.name), fmt.Sprintf("%s / %s / %d", mb(m.HWM), mb(m.PSS), m.Threads), "")
			}
			srv.stop()
			if dir != warm {
				os.RemoveAll(dir)
			}
		}
		s := spreadOf(ds)
		t.row("startup", fmt.Sprintf("exec → /readyz 200, %s (%d runs): median (min–max)", kind.name, s.N),
			fmt.Sprintf("%s (%s–%s)", ms(s.Median), ms(s.Min), ms(s.Max)), verdict(int64(s.Max), int64(200*time.Millisecond), "≤ 200 ms"))
	}
	return nil
}

// load measures memory while cfg.clients poll the cached master playlist.
func load(ctx context.Context, cfg config, t *table, logf func(string, ...any), bin, tmp, warm, master string) error {
	if err := raiseFileLimit(uint64(cfg.clients) + 256); err != nil {
		return err
	}
	srv, err := startServer(ctx, bin, warm, tmp, append([]string{"--playback-rate", "0"}, cfg.serverArgs...)...)
	if err != nil {
		return err
	}
	defer srv.stop()
	if err := get(ctx, srv.url+master); err != nil { // now cached
		return err
	}
	if err := sleep(ctx, time.Second); err != nil {
		return err
	}
	before, _ := procfs.ReadMem(srv.pid())
	addr := strings.TrimPrefix(srv.url, "http://")

	// Idle keep-alive connections, as players between two requests.
	logf("%d idle keep-alive connections", cfg.clients)
	conns, err := hold(ctx, addr, master, cfg.clients)
	if err != nil {
		return err
	}
	err = sleep(ctx, 2*time.Second)
	idle, _ := procfs.ReadMem(srv.pid())
	closeAll(conns)
	if err != nil {
		return err
	}

	logf("%d clients polling %s for %s", cfg.clients, master, cfg.duration)
	s := sample(srv.pid(), 50*time.Millisecond, false)
	r := poll(ctx, addr, master, cfg.clients, cfg.duration)
	s.finish()
	during, _ := procfs.ReadMem(srv.pid())

	// Segments: bytes per second of a cached segment.
	seg, size, err := firstSegment(ctx, srv.url, master)
	if err != nil {
		return err
	}
	const segClients, segTime = 100, 5 * time.Second
	logf("%d clients fetching %s (%s) for %s", segClients, seg, mb(int64(size)), segTime)
	ss := sample(srv.pid(), 50*time.Millisecond, false)
	sr := poll(ctx, addr, seg, segClients, segTime)
	ss.finish()

	if err := sleep(ctx, cfg.idle); err != nil {
		return err
	}
	after, _ := procfs.ReadMem(srv.pid())
	if err := ctx.Err(); err != nil {
		return err
	}

	name := fmt.Sprintf("%d clients, %s (--playback-rate 0)", cfg.clients, cfg.duration)
	t.row("load", "before the load: VmRSS", mb(before.RSS), "")
	t.row("load", fmt.Sprintf("%d idle keep-alive connections: VmRSS (per connection)", cfg.clients),
		fmt.Sprintf("%s (%.1f kB)", mb(idle.RSS), float64(idle.RSS-before.RSS)/float64(cfg.clients)/1e3), "")
	target := func(b int64) string { // the target is for 1,000 clients
		if cfg.clients != 1000 {
			return ""
		}
		return verdict(b, 64e6, "≤ 64 MB")
	}
	t.row("load", name+": peak VmRSS (every 50 ms, "+fmt.Sprint(s.samples)+" samples)", mb(s.server), target(s.server))
	t.row("load", name+": VmHWM / threads at the end", fmt.Sprintf("%s / %d", mb(during.HWM), during.Threads), target(during.HWM))
	t.row("load", name+": requests/s, errors", fmt.Sprintf("%.0f, %d (%d of %d connected)", float64(r.Requests)/r.Elapsed.Seconds(), r.Errors, r.Connected, cfg.clients), "")
	t.row("load", name+": latency p50 / p99 / max", fmt.Sprintf("%s / %s / %s", ms(r.P50), ms(r.P99), ms(r.Max)), "")
	segName := fmt.Sprintf("%d clients, %s, cached %s segment", segClients, segTime, mb(int64(size)))
	t.row("load", segName+": requests/s, Gb/s, errors", fmt.Sprintf("%.0f, %.2f Gb/s, %d",
		float64(sr.Requests)/sr.Elapsed.Seconds(), float64(sr.Requests)*float64(size)*8/sr.Elapsed.Seconds()/1e9, sr.Errors), "")
	t.row("load", segName+": peak VmRSS", mb(ss.server), "")
	t.row("load", fmt.Sprintf("after the load, idle %s: VmRSS / PSS", cfg.idle), fmt.Sprintf("%s / %s", mb(after.RSS), mb(after.PSS)), "")
	return nil
}

// transcodeLoad measures memory while a 1080p clip is transcoded.
func transcodeLoad(ctx context.Context, cfg config, t *table, logf func(string, ...any), bin, tmp string) error {
	clip := filepath.Join(tmp, "clip1080.mp4")
	logf("making a %d s 1920x1080 clip", cfg.clip)
	if err := makeClip(ctx, clip, 1920, 1080, cfg.clip); err != nil {
		return err
	}
	fi, err := os.Stat(clip)
	if err != nil {
		return err
	}
	srv, err := startServer(ctx, bin, filepath.Join(tmp, "transcode"), tmp, cfg.serverArgs...)
	if err != nil {
		return err
	}
	defer srv.stop()
	logf("uploading and transcoding it (%s)", mb(fi.Size()))
	s := sample(srv.pid(), 50*time.Millisecond, true)
	start := time.Now()
	v, err := upload(ctx, srv.url, clip)
	if err == nil {
		v, err = waitReady(ctx, srv.url, v.ID, 10*time.Minute)
	}
	took := time.Since(start)
	s.finish()
	if err != nil {
		return err
	}
	m, _ := procfs.ReadMem(srv.pid())
	others := make([]string, 0, len(s.names))
	for n := range s.names {
		others = append(others, n)
	}
	name := fmt.Sprintf("%d s 1080p clip (%s), default ladder", cfg.clip, mb(fi.Size()))
	t.row("transcode", name+": upload to ready", fmt.Sprintf("%.1f s", took.Seconds()), "")
	t.row("transcode", name+": server peak VmRSS / VmHWM", fmt.Sprintf("%s / %s", mb(s.server), mb(m.HWM)), "")
	t.row("transcode", name+": ffmpeg children, peak of summed VmRSS", mb(s.ffmpeg), "")
	t.row("transcode", name+": other children ("+strings.Join(others, ", ")+"), peak of summed VmRSS", mb(s.others), "")
	return nil
}

// raiseFileLimit raises the soft limit on open files to at least n (up to
// the hard limit). Go raises it to the hard limit at start already; this
// is a check with a clear error.
func raiseFileLimit(n uint64) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return err
	}
	if lim.Cur >= n {
		return nil
	}
	if lim.Max < n {
		return fmt.Errorf("the open-file limit is %d, and %d clients need %d: raise it (ulimit -n) or use fewer -clients", lim.Max, n-256, n)
	}
	lim.Cur = n
	return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// kernel returns the kernel release.
func kernel() string {
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return "kernel ?"
	}
	return "Linux " + strings.TrimSpace(string(b))
}

// verdict compares got with a target and says whether it is met.
func verdict(got, limit int64, target string) string {
	if got <= limit {
		return target + ": met"
	}
	return target + ": MISSED"
}
