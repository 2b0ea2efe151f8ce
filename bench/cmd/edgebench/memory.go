package main

import (
	"cmp"
	"time"

	"github.com/v100video/v100/bench/internal/procfs"
)

// memSampler records the peak memory of a process and its descendants
// (nginx's master and workers, Varnish's manager and cache child) while it
// runs: every interval it sums the proportional set size (Pss in
// /proc/PID/smaps_rollup) of the tree. PSS is the resident set with each
// shared page divided among the processes that map it, so the sum counts
// once what nginx's workers or Varnish's two processes share (the cache
// zone, the shared log, the binary); for a single process it equals the
// resident set size, VmRSS.
type memSampler struct {
	stop chan struct{}
	done chan struct{}
	peak int64 // bytes; written by the sampling goroutine before done closes
}

// sampleMemory starts sampling the tree rooted at pid.
func sampleMemory(pid int, interval time.Duration) *memSampler {
	m := &memSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(m.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			m.peak = max(m.peak, treeMemory(pid))
			select {
			case <-m.stop:
				return
			case <-t.C:
			}
		}
	}()
	return m
}

// finish stops sampling and returns the peak in bytes.
func (m *memSampler) finish() int64 {
	close(m.stop)
	<-m.done
	return m.peak
}

// treeMemory returns the summed memory of pid and its descendants in
// bytes: each one's PSS, or its VmRSS where the kernel has no
// smaps_rollup.
func treeMemory(pid int) int64 {
	var sum int64
	for _, p := range append([]int{pid}, descendantPIDs(pid)...) {
		if m, ok := procfs.ReadMem(p); ok {
			sum += cmp.Or(m.PSS, m.RSS)
		}
	}
	return sum
}

// descendantPIDs returns the pids of the processes below pid.
func descendantPIDs(pid int) []int {
	var out []int
	for _, p := range procfs.Descendants(pid) {
		out = append(out, p.PID)
	}
	return out
}
