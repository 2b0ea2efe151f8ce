package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/v100video/v100/bench/internal/procfs"
)

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
				for _, c := range procfs.Descendants(pid) {
					if c.Comm == "ffmpeg" {
						ff += rss(c.PID)
					} else {
						other += rss(c.PID)
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

// commandName is the base name of p's program from its command line; the
// kernel's comm is cut at 15 bytes.
func commandName(p procfs.Proc) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(p.PID) + "/cmdline")
	if argv0, _, _ := bytes.Cut(b, []byte{0}); err == nil && len(argv0) > 0 {
		return filepath.Base(string(argv0))
	}
	return p.Comm
}

// rss returns pid's VmRSS in bytes, or 0 if it has exited.
func rss(pid int) int64 {
	m, _ := procfs.ReadMem(pid)
	return m.RSS
}
