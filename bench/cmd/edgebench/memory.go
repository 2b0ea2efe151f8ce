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

// treeMemory returns the summed PSS of pid and its descendants in bytes.
func treeMemory(pid int) int64 {
	var sum int64
	for _, p := range processTree(pid) {
		sum += processMemory(p)
	}
	return sum
}

// processTree returns pid and the pids of all its descendants.
func processTree(pid int) []int {
	children := map[int][]int{}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // it exited
		}
		p, ppid, ok := parseStat(b)
		if ok {
			children[ppid] = append(children[ppid], p)
		}
	}
	tree := []int{pid}
	for i := 0; i < len(tree); i++ {
		tree = append(tree, children[tree[i]]...)
	}
	return tree
}

// parseStat returns the pid and parent pid in /proc/PID/stat, whose second
// field, the command in parentheses, may hold spaces and parentheses.
func parseStat(b []byte) (pid, ppid int, ok bool) {
	lp, rp := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if lp < 0 || rp < lp {
		return 0, 0, false
	}
	f := strings.Fields(string(b[rp+1:])) // state, ppid, …
	if len(f) < 2 {
		return 0, 0, false
	}
	pid, err1 := strconv.Atoi(strings.TrimSpace(string(b[:lp])))
	ppid, err2 := strconv.Atoi(f[1])
	return pid, ppid, err1 == nil && err2 == nil
}

// processMemory returns a process's PSS in bytes, or its VmRSS where the
// kernel has no smaps_rollup, or 0 if it has exited.
func processMemory(pid int) int64 {
	dir := "/proc/" + strconv.Itoa(pid)
	if kb, ok := fieldKB(dir+"/smaps_rollup", "Pss:"); ok {
		return kb << 10
	}
	kb, _ := fieldKB(dir+"/status", "VmRSS:")
	return kb << 10
}

// fieldKB reads the "Name:   123 kB" line of a /proc file.
func fieldKB(path, name string) (int64, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == name {
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			return kb, err == nil
		}
	}
	return 0, false
}
