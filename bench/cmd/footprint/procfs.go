package main

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// memInfo is what /proc says about a process's memory, in bytes.
type memInfo struct {
	RSS     int64 // VmRSS: resident set now
	HWM     int64 // VmHWM: the largest VmRSS the process has had
	PSS     int64 // Pss of smaps_rollup: shared pages divided among their users
	Threads int
}

// readMem reads pid's memory figures; ok is false if it has exited.
func readMem(pid int) (m memInfo, ok bool) {
	dir := "/proc/" + strconv.Itoa(pid)
	b, err := os.ReadFile(dir + "/status")
	if err != nil {
		return m, false
	}
	f := parseKV(b)
	m.RSS, m.HWM = f["VmRSS"]<<10, f["VmHWM"]<<10
	m.Threads = int(f["Threads"])
	if b, err := os.ReadFile(dir + "/smaps_rollup"); err == nil {
		m.PSS = parseKV(b)["Pss"] << 10
	}
	return m, true
}

// rss returns pid's VmRSS in bytes, or 0 if it has exited.
func rss(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	return parseKV(b)["VmRSS"] << 10
}

// parseKV parses the "Name:   123 kB" lines of /proc/PID/status or
// smaps_rollup into name → number (in kB where the file says kB). Lines
// whose value is not a number are left out.
func parseKV(b []byte) map[string]int64 {
	out := map[string]int64{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			continue
		}
		if n, err := strconv.ParseInt(fields[0], 10, 64); err == nil {
			out[name] = n
		}
	}
	return out
}

// proc is a process seen in /proc.
type proc struct {
	pid, ppid int
	comm      string
}

// parseStat reads the pid, command and parent pid in /proc/PID/stat, whose
// second field, the command in parentheses, may hold spaces and
// parentheses.
func parseStat(b []byte) (proc, bool) {
	lp, rp := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if lp < 0 || rp < lp {
		return proc{}, false
	}
	f := strings.Fields(string(b[rp+1:])) // state, ppid, …
	if len(f) < 2 {
		return proc{}, false
	}
	pid, err1 := strconv.Atoi(strings.TrimSpace(string(b[:lp])))
	ppid, err2 := strconv.Atoi(f[1])
	return proc{pid: pid, ppid: ppid, comm: string(b[lp+1 : rp])}, err1 == nil && err2 == nil
}

// descendants returns the processes below pid (not pid itself).
func descendants(pid int) []proc {
	children := map[int][]proc{}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // it exited
		}
		if p, ok := parseStat(b); ok {
			children[p.ppid] = append(children[p.ppid], p)
		}
	}
	var out []proc
	queue := []int{pid}
	for len(queue) > 0 {
		for _, c := range children[queue[0]] {
			out = append(out, c)
			queue = append(queue, c.pid)
		}
		queue = queue[1:]
	}
	return out
}

// sampler records, every interval, the server's VmRSS and the summed
// VmRSS of its descendants, split into ffmpeg processes and the others.
type sampler struct {
	stop chan struct{}
	done chan struct{}
	// Peaks in bytes, written by the sampling goroutine before done
	// closes.
	server, ffmpeg, others int64
	samples                int
	names                  map[string]bool // commands of the other children
}

// sample starts sampling pid; with tree, its descendants too.
func sample(pid int, interval time.Duration, tree bool) *sampler {
	s := &sampler{stop: make(chan struct{}), done: make(chan struct{}), names: map[string]bool{}}
	go func() {
		defer close(s.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			s.server = max(s.server, rss(pid))
			if tree {
				var ff, other int64
				for _, c := range descendants(pid) {
					if c.comm == "ffmpeg" {
						ff += rss(c.pid)
					} else {
						other += rss(c.pid)
						s.names[commandName(c)] = true
					}
				}
				s.ffmpeg, s.others = max(s.ffmpeg, ff), max(s.others, other)
			}
			s.samples++
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// finish stops sampling.
func (s *sampler) finish() {
	close(s.stop)
	<-s.done
}

// loadAverage returns the first three fields of /proc/loadavg.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// commandName is the base name of p's program from its command line; the
// kernel's comm is cut at 15 bytes.
func commandName(p proc) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(p.pid) + "/cmdline")
	if argv0, _, _ := bytes.Cut(b, []byte{0}); err == nil && len(argv0) > 0 {
		return filepath.Base(string(argv0))
	}
	return p.comm
}
