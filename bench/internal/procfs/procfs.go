// Package procfs reads what the benchmark commands need of Linux's /proc:
// a process's memory (VmRSS, VmHWM, PSS), its parent and state, and the
// processes below it, so that a benchmark can sample a server and the
// children it starts and end what outlives it.
package procfs

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Proc is a process as /proc/PID/stat shows it.
type Proc struct {
	PID, PPID int
	Comm      string // the command, cut by the kernel at 15 bytes
	State     byte   // R, S, D, Z, …
}

// ParseStat parses /proc/PID/stat, whose second field, the command in
// parentheses, may hold spaces and parentheses.
func ParseStat(b []byte) (Proc, bool) {
	lp, rp := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if lp < 0 || rp < lp {
		return Proc{}, false
	}
	f := strings.Fields(string(b[rp+1:])) // state, ppid, …
	if len(f) < 2 || len(f[0]) != 1 {
		return Proc{}, false
	}
	pid, err1 := strconv.Atoi(strings.TrimSpace(string(b[:lp])))
	ppid, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil {
		return Proc{}, false
	}
	return Proc{PID: pid, PPID: ppid, Comm: string(b[lp+1 : rp]), State: f[0][0]}, true
}

// Stat returns process pid; ok is false if it does not exist.
func Stat(pid int) (p Proc, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return Proc{}, false
	}
	return ParseStat(b)
}

// Alive reports whether pid runs and is not a zombie.
func Alive(pid int) bool {
	p, ok := Stat(pid)
	return ok && p.State != 'Z'
}

// Descendants returns the processes below pid (not pid itself), parents
// before their children.
func Descendants(pid int) []Proc {
	children := map[int][]Proc{}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // it exited
		}
		if p, ok := ParseStat(b); ok {
			children[p.PPID] = append(children[p.PPID], p)
		}
	}
	var out []Proc
	for queue := []int{pid}; len(queue) > 0; queue = queue[1:] {
		for _, c := range children[queue[0]] {
			out = append(out, c)
			queue = append(queue, c.PID)
		}
	}
	return out
}

// Mem is what /proc says about a process's memory, in bytes.
type Mem struct {
	RSS     int64 // VmRSS: resident set now
	HWM     int64 // VmHWM: the largest VmRSS the process has had
	PSS     int64 // Pss of smaps_rollup: shared pages divided among their users; 0 if the kernel has no smaps_rollup
	Threads int
}

// ReadMem reads pid's memory figures; ok is false if it has exited.
func ReadMem(pid int) (m Mem, ok bool) {
	dir := "/proc/" + strconv.Itoa(pid)
	b, err := os.ReadFile(dir + "/status")
	if err != nil {
		return m, false
	}
	f := ParseKV(b)
	m.RSS, m.HWM = f["VmRSS"]<<10, f["VmHWM"]<<10
	m.Threads = int(f["Threads"])
	if b, err := os.ReadFile(dir + "/smaps_rollup"); err == nil {
		m.PSS = ParseKV(b)["Pss"] << 10
	}
	return m, true
}

// ParseKV parses the "Name:   123 kB" lines of /proc/PID/status or
// smaps_rollup into name → number (in kB where the file says kB). Lines
// whose value is not a number are left out.
func ParseKV(b []byte) map[string]int64 {
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

// LoadAverage returns the first three fields of /proc/loadavg, or "?".
func LoadAverage() string {
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
