package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progressBar draws progress on a terminal as one line redrawn in place, and
// elsewhere (a log, a pipe) as a plain line every 10 percent.
type progressBar struct {
	w        io.Writer
	terminal bool
	lastStep int
}

func newProgressBar(w io.Writer) *progressBar {
	return &progressBar{w: w, terminal: isTerminal(w), lastStep: -1}
}

func (p *progressBar) update(percent, fps, speed float64, eta time.Duration, done bool) {
	if p.terminal {
		const width = 30
		fill := int(percent / 100 * width)
		bar := strings.Repeat("=", fill) + strings.Repeat(" ", width-fill)
		fmt.Fprintf(p.w, "\r[%s] %5.1f%%  %5.0f fps  %4.1fx  ETA %-8s", bar, percent, fps, speed, clock(eta))
		if done {
			fmt.Fprintln(p.w)
		}
		return
	}
	step := int(percent / 10)
	if step == p.lastStep && !done {
		return
	}
	if done && p.lastStep == 10 {
		return
	}
	p.lastStep = step
	fmt.Fprintf(p.w, "progress %3.0f%%  fps %.0f  speed %.1fx  eta %s\n", percent, fps, speed, clock(eta))
}

// clock formats d as m:ss or h:mm:ss.
func clock(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
