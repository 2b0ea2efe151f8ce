// Command benchtable reads the output of go test -bench on standard input
// and prints one Markdown table per benchmark family (the top-level
// benchmark), with a row per implementation (sub-benchmark) and CPU count.
//
// Usage:
//
//	go test -run '^$' -bench . -cpu 1,2 ./... | go run ./cmd/benchtable
//
// The columns are ns/op, B/op and allocs/op when the family has them, every
// metric the benchmarks report with b.ReportMetric (such as executions/herd,
// release-ms or hit-%), and "vs v100": the row's ns/op divided by the ns/op
// of the v100 row with the same CPU count, so "2.87×" means the row takes
// 2.87 times as long as v100. Rows repeated with -count are averaged.
//
// A CPU count is read from the "-N" suffix go test adds to a benchmark's
// name when GOMAXPROCS is not 1; a name without one ran on one CPU.
//
// benchtable exits with status 1 if the input reports a failure, after
// printing the tables of what passed, so that a pipeline ending in it still
// fails.
package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

// baseline is the implementation the "vs v100" column compares with.
const baseline = "v100"

// standardUnits are the units go test reports itself, in column order.
var standardUnits = []string{"ns/op", "B/op", "allocs/op"}

// row is one implementation at one CPU count.
type row struct {
	impl    string
	cpu     int
	runs    int                // lines merged into this row
	metrics map[string]float64 // unit → sum over runs
}

// value returns the row's mean for unit.
func (r *row) value(unit string) (float64, bool) {
	v, ok := r.metrics[unit]
	return v / float64(r.runs), ok
}

type rowKey struct {
	impl string
	cpu  int
}

// family is one top-level benchmark.
type family struct {
	name   string
	units  []string // every unit seen, in first-seen order
	impls  []string // implementations, in first-seen order
	rows   map[rowKey]*row
	unitOK map[string]bool
}

// report is everything parse read.
type report struct {
	families []*family
	context  []string // goos, goarch, pkg and cpu lines
	failures []string // lines reporting a failure
}

func (rp *report) family(name string) *family {
	for _, f := range rp.families {
		if f.name == name {
			return f
		}
	}
	f := &family{name: name, rows: map[rowKey]*row{}, unitOK: map[string]bool{}}
	rp.families = append(rp.families, f)
	return f
}

// parse reads go test -bench output.
func parse(r io.Reader) (*report, error) {
	rp := &report{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "--- FAIL"), strings.HasPrefix(trimmed, "FAIL"), strings.HasPrefix(trimmed, "panic:"):
			rp.failures = append(rp.failures, trimmed)
			continue
		case strings.HasPrefix(line, "goos:"), strings.HasPrefix(line, "goarch:"),
			strings.HasPrefix(line, "pkg:"), strings.HasPrefix(line, "cpu:"):
			if !slices.Contains(rp.context, line) {
				rp.context = append(rp.context, line)
			}
			continue
		}
		fam, impl, cpu, metrics, ok := parseLine(line)
		if !ok {
			continue
		}
		f := rp.family(fam)
		k := rowKey{impl, cpu}
		rw := f.rows[k]
		if rw == nil {
			rw = &row{impl: impl, cpu: cpu, metrics: map[string]float64{}}
			f.rows[k] = rw
			if !slices.Contains(f.impls, impl) {
				f.impls = append(f.impls, impl)
			}
		}
		rw.runs++
		for _, m := range metrics {
			rw.metrics[m.unit] += m.value
			if !f.unitOK[m.unit] {
				f.unitOK[m.unit] = true
				f.units = append(f.units, m.unit)
			}
		}
	}
	return rp, sc.Err()
}

type metric struct {
	value float64
	unit  string
}

// parseLine parses one result line such as
//
//	BenchmarkCacheGet/otter-2   1000000   45.3 ns/op   0 B/op   0 allocs/op
//
// into its family (BenchmarkCacheGet), implementation (otter), CPU count (2)
// and metrics. ok is false for any other line.
func parseLine(line string) (fam, impl string, cpu int, metrics []metric, ok bool) {
	fields := strings.Fields(line)
	if len(fields) < 4 || len(fields)%2 != 0 || !strings.HasPrefix(fields[0], "Benchmark") {
		return "", "", 0, nil, false
	}
	if _, err := strconv.ParseUint(fields[1], 10, 64); err != nil {
		return "", "", 0, nil, false
	}
	name := fields[0]
	cpu = 1
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		if n, err := strconv.Atoi(name[i+1:]); err == nil && n > 0 {
			name, cpu = name[:i], n
		}
	}
	fam, impl, _ = strings.Cut(name, "/")
	for i := 2; i < len(fields); i += 2 {
		v, err := strconv.ParseFloat(fields[i], 64)
		if err != nil {
			return "", "", 0, nil, false
		}
		metrics = append(metrics, metric{v, fields[i+1]})
	}
	return fam, impl, cpu, metrics, true
}

// sortedRows returns f's rows by CPU count, then by implementation in the
// order they first appeared.
func (f *family) sortedRows() []*row {
	rows := make([]*row, 0, len(f.rows))
	for _, r := range f.rows {
		rows = append(rows, r)
	}
	slices.SortFunc(rows, func(a, b *row) int {
		if a.cpu != b.cpu {
			return a.cpu - b.cpu
		}
		return slices.Index(f.impls, a.impl) - slices.Index(f.impls, b.impl)
	})
	return rows
}

// ratio returns r's ns/op over that of the baseline at r's CPU count.
func (f *family) ratio(r *row) (float64, bool) {
	base := f.rows[rowKey{baseline, r.cpu}]
	if base == nil {
		return 0, false
	}
	b, ok1 := base.value("ns/op")
	v, ok2 := r.value("ns/op")
	if !ok1 || !ok2 || b == 0 {
		return 0, false
	}
	return v / b, true
}

// columns returns the units f's table shows: the standard ones it has, then
// the others in first-seen order.
func (f *family) columns() []string {
	var cols []string
	for _, u := range standardUnits {
		if f.unitOK[u] {
			cols = append(cols, u)
		}
	}
	for _, u := range f.units {
		if !slices.Contains(standardUnits, u) {
			cols = append(cols, u)
		}
	}
	return cols
}

// write prints rp as Markdown.
func write(w io.Writer, rp *report) error {
	bw := bufio.NewWriter(w)
	if len(rp.context) > 0 {
		fmt.Fprintf(bw, "%s\n\n", strings.Join(rp.context, ", "))
	}
	for _, f := range rp.families {
		cols := f.columns()
		fmt.Fprintf(bw, "### %s\n\n", f.name)
		fmt.Fprintf(bw, "| implementation | cpu | %s | vs %s |\n", strings.Join(cols, " | "), baseline)
		fmt.Fprintf(bw, "|---|--:|%s--:|\n", strings.Repeat("--:|", len(cols)))
		for _, r := range f.sortedRows() {
			impl := r.impl
			if impl == "" {
				impl = "–"
			}
			cells := []string{impl, strconv.Itoa(r.cpu)}
			for _, u := range cols {
				if v, ok := r.value(u); ok {
					cells = append(cells, formatValue(v))
				} else {
					cells = append(cells, "–")
				}
			}
			if x, ok := f.ratio(r); ok {
				cells = append(cells, formatRatio(x))
			} else {
				cells = append(cells, "–")
			}
			fmt.Fprintf(bw, "| %s |\n", strings.Join(cells, " | "))
		}
		fmt.Fprintln(bw)
	}
	if len(rp.failures) > 0 {
		fmt.Fprintf(bw, "**Failures:**\n\n")
		for _, l := range rp.failures {
			fmt.Fprintf(bw, "    %s\n", l)
		}
	}
	return bw.Flush()
}

// formatValue prints v with four significant digits, and no more decimals
// than it needs: 123456, 45.3, 0.0123.
func formatValue(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	prec := 0
	if a := math.Abs(v); a > 0 {
		prec = max(0, 3-int(math.Floor(math.Log10(a))))
	}
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// formatRatio prints a "vs v100" cell.
func formatRatio(x float64) string {
	return strconv.FormatFloat(x, 'f', 2, 64) + "×"
}

func main() {
	rp, err := parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(2)
	}
	if err := write(os.Stdout, rp); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(2)
	}
	if len(rp.failures) > 0 {
		fmt.Fprintf(os.Stderr, "benchtable: the benchmarks reported %d failure lines\n", len(rp.failures))
		os.Exit(1)
	}
}
