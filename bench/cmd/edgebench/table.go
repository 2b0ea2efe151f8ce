package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// printTable prints the results as a Markdown table, a row per metric and
// a column per contender, then a list of what failed. A value marked * was
// measured in a phase that saw errors, listed under the table.
func printTable(w io.Writer, cfg config, results []*result) {
	secs := int(cfg.duration.Round(time.Second) / time.Second)
	wrkDesc := fmt.Sprintf("wrk -t%d -c%d -d%ds", cfg.threads, cfg.connections, secs)
	herdDesc := fmt.Sprintf("%s concurrent GETs", thousands(float64(cfg.herdSize)))
	target := 2*cfg.delay + 20*time.Millisecond
	rows := []struct {
		phase  string // a…e
		what   string // "" on a phase's second row
		metric string
		cell   func(*phase) string
	}{
		{"a", herdDesc + ", uncached max-age=60 playlist", "origin hits", func(p *phase) string { return fmt.Sprint(p.hits) }},
		{"a", "", "p50 latency", func(p *phase) string { return ms(p.herd.p50) }},
		{"b", wrkDesc + ", cached 2 KB playlist", "req/s", func(p *phase) string { return thousands(p.wrk.reqPerSec) }},
		{"b", "", "peak memory (PSS)", func(p *phase) string { return mb(p.mem) }},
		{"b", "", fmt.Sprintf("requests taking ≥ %v (reference for (c): nothing to refresh)", cfg.delay), func(p *phase) string { return share(p.wrk.slow, p.wrk.slowOf) }},
		{"c", fmt.Sprintf("max-age=1 playlist under wrk for %d s", secs), fmt.Sprintf("origin fetches (target %d±1)", secs),
			func(p *phase) string { return fmt.Sprint(p.hits) }},
		{"c", "", "p99 / max latency", func(p *phase) string { return ms(p.wrk.p99) + " / " + ms(p.wrk.max) }},
		{"c", "", fmt.Sprintf("requests taking ≥ %v", cfg.delay), func(p *phase) string { return share(p.wrk.slow, p.wrk.slowOf) }},
		{"d", wrkDesc + ", cached 200 KB segment", "req/s", func(p *phase) string { return thousands(p.wrk.reqPerSec) }},
		{"d", "", "peak memory (PSS)", func(p *phase) string { return mb(p.mem) }},
		{"e", herdDesc + ", no-store playlist", fmt.Sprintf("p50 latency (target ≤ %s)", ms(target)),
			func(p *phase) string { return ms(p.herd.p50) }},
		{"e", "", "origin hits", func(p *phase) string { return fmt.Sprint(p.hits) }},
	}

	fmt.Fprint(w, "| phase | what | metric |")
	for _, r := range results {
		fmt.Fprintf(w, " %s |", r.name)
	}
	fmt.Fprint(w, "\n|---|---|---|", strings.Repeat("---:|", len(results)), "\n")
	for _, row := range rows {
		label := ""
		if row.what != "" {
			label = "(" + row.phase + ")"
		}
		fmt.Fprintf(w, "| %s | %s | %s |", label, row.what, row.metric)
		for _, r := range results {
			fmt.Fprintf(w, " %s |", cell(r, row.phase, row.cell))
		}
		fmt.Fprintln(w)
	}

	var notes []string
	for _, r := range results {
		if r.skip != nil {
			notes = append(notes, fmt.Sprintf("%s: skipped: %s", r.name, oneLine(r.skip)))
			continue
		}
		for _, name := range []string{"a", "b", "c", "d", "e"} {
			if p := r.phases[name]; p != nil && p.err != nil {
				notes = append(notes, fmt.Sprintf("%s (%s): %s", r.name, name, oneLine(p.err)))
			}
		}
	}
	if len(notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range notes {
			fmt.Fprintln(w, "- "+n)
		}
	}
}

// cell formats one contender's value for one row.
func cell(r *result, name string, value func(*phase) string) string {
	if r.skip != nil {
		return "skipped"
	}
	p := r.phases[name]
	switch {
	case p == nil:
		return "–"
	case p.err == nil:
		return value(p)
	case p.herd.n > 0 || p.wrk.requests > 0: // measured, with errors
		return value(p) + "*"
	default:
		return "failed"
	}
}

// ms formats a latency with three significant digits, in milliseconds
// below a second and in seconds from there.
func ms(d time.Duration) string {
	m := float64(d) / float64(time.Millisecond)
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case m >= 100:
		return fmt.Sprintf("%.0f ms", m)
	case m >= 10:
		return fmt.Sprintf("%.1f ms", m)
	default:
		return fmt.Sprintf("%.2f ms", m)
	}
}

// mb formats bytes in MiB.
func mb(b int64) string {
	return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
}

// thousands formats v rounded to a whole number with thousands separators.
func thousands(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// oneLine returns err's message on one line, cut to 300 bytes.
func oneLine(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// share formats n of total as "n (p%)".
func share(n, total int64) string {
	if n < 0 || total <= 0 {
		return "?"
	}
	return fmt.Sprintf("%s (%.2f%%)", thousands(float64(n)), 100*float64(n)/float64(total))
}
