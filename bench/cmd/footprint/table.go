package main

import (
	"fmt"
	"io"
	"strings"
)

// table collects the rows and notes of the report.
type table struct {
	notes []string
	rows  [][4]string // phase, measure, value, target
}

func (t *table) note(format string, args ...any) {
	t.notes = append(t.notes, fmt.Sprintf(format, args...))
}

func (t *table) row(phase, measure, value, target string) {
	t.rows = append(t.rows, [4]string{phase, measure, value, target})
}

// write prints the table in Markdown, its columns padded to line up.
func (t *table) write(w io.Writer) {
	head := [4]string{"phase", "measure", "value", "target"}
	width := [4]int{}
	for _, r := range append([][4]string{head}, t.rows...) {
		for i, c := range r {
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	line := func(r [4]string) {
		var b strings.Builder
		b.WriteString("|")
		for i, c := range r {
			fmt.Fprintf(&b, " %s%s |", c, strings.Repeat(" ", width[i]-len([]rune(c))))
		}
		fmt.Fprintln(w, b.String())
	}
	fmt.Fprintln(w)
	line(head)
	var sep [4]string
	for i := range sep {
		sep[i] = strings.Repeat("-", width[i])
	}
	line(sep)
	for _, r := range t.rows {
		line(r)
	}
	fmt.Fprintln(w)
	for _, n := range t.notes {
		fmt.Fprintln(w, n)
	}
}
