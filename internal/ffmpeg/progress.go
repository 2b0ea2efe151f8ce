package ffmpeg

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"time"
)

// Progress is one report from ffmpeg's -progress output.
type Progress struct {
	Frame   int64         // frames written so far (of the first video output)
	FPS     float64       // Frame per second of wall time; 0 in the first second
	Speed   float64       // media seconds encoded per wall second (2 = twice real time)
	OutTime time.Duration // media time written so far
	Size    int64         // bytes written so far, when ffmpeg knows
	// Percent is OutTime against the expected duration, in [0, 100]; zero
	// when the duration is unknown. The Done report has 100.
	Percent float64
	// ETA is the wall time left at the current speed; zero when unknown.
	ETA time.Duration
	// Done marks the final report, sent only when ffmpeg exited with
	// status 0; a cancelled or failed run never reports Done.
	Done bool
}

// readProgress parses ffmpeg's key=value progress blocks from r and calls fn
// once per block (each block ends with a "progress=" line), except the final
// "progress=end" block, which it returns instead: ffmpeg writes that one
// after SIGINT too, so only the caller, once it has the exit status, knows
// whether the run is done. total is the expected output duration, used for
// Percent and ETA.
func readProgress(r io.Reader, total time.Duration, fn func(Progress)) (end Progress) {
	sc := bufio.NewScanner(r)
	var p Progress
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		switch key {
		case "frame":
			p.Frame, _ = strconv.ParseInt(val, 10, 64)
		case "fps":
			p.FPS, _ = strconv.ParseFloat(val, 64)
		case "total_size":
			p.Size, _ = strconv.ParseInt(val, 10, 64)
		case "out_time_us", "out_time_ms": // both are microseconds (a historical ffmpeg quirk)
			if us, err := strconv.ParseInt(val, 10, 64); err == nil && us >= 0 {
				p.OutTime = time.Duration(us) * time.Microsecond
			}
		case "speed":
			p.Speed, _ = strconv.ParseFloat(strings.TrimSuffix(val, "x"), 64)
		case "progress":
			p.Percent, p.ETA = 0, 0
			if total > 0 {
				out := min(p.OutTime, total)
				p.Percent = 100 * float64(out) / float64(total)
				if p.Speed > 0 {
					p.ETA = time.Duration(float64(total-out) / p.Speed)
				}
			}
			if val == "end" {
				end = p
				continue
			}
			fn(p)
		}
	}
	// Drain whatever is left so ffmpeg never blocks on a full pipe.
	_, _ = io.Copy(io.Discard, r)
	return end
}
