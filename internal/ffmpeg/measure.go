package ffmpeg

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"time"
)

// MeasureArgs are the output arguments that make ffmpeg read the stream
// named by spec (such as "0:V:0") through without decoding it and write one
// framecrc line per packet to standard output, for a [PacketEnd].
func MeasureArgs(spec string) []string {
	return []string{"-map", spec, "-c", "copy", "-f", "framecrc", "pipe:1"}
}

// PacketEnd reads ffmpeg's framecrc output as it is written, a line at a
// time in bounded memory, and keeps the largest packet end (pts plus
// duration) in seconds.
type PacketEnd struct {
	line     []byte
	num, den float64 // stream 0's time base
	max      float64
}

func (p *PacketEnd) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			if len(p.line)+len(b) <= 256 {
				p.line = append(p.line, b...)
			} else {
				p.line = append(p.line[:0], "#"...) // too long: not a packet line
			}
			break
		}
		p.line = append(p.line, b[:i]...)
		p.parse(string(p.line))
		p.line, b = p.line[:0], b[i+1:]
	}
	return n, nil
}

// parse reads one line: "#tb 0: 1/15360", or a packet "0, dts, pts,
// duration, size, checksum".
func (p *PacketEnd) parse(line string) {
	if tb, ok := strings.CutPrefix(line, "#tb 0: "); ok {
		num, den, _ := strings.Cut(tb, "/")
		p.num, _ = strconv.ParseFloat(num, 64)
		p.den, _ = strconv.ParseFloat(den, 64)
		return
	}
	f := strings.Split(line, ",")
	if len(f) < 5 || strings.TrimSpace(f[0]) != "0" || !(p.num > 0 && p.den > 0) {
		return
	}
	pts, err1 := strconv.ParseInt(strings.TrimSpace(f[2]), 10, 64)
	d, err2 := strconv.ParseInt(strings.TrimSpace(f[3]), 10, 64)
	if err1 != nil || err2 != nil || pts == math.MinInt64 {
		return
	}
	if end := (float64(pts) + float64(max(d, 0))) * p.num / p.den; end > p.max {
		p.max = end
	}
}

// End is where the last packet seen ends: the end of the stream the input
// holds, whatever its header says. An input cut short ends where its data
// does.
func (p *PacketEnd) End() time.Duration { return Seconds(p.max) }

// Seconds converts ffprobe-style seconds to a Duration; 0 for anything
// that is not a positive, finite, representable number.
func Seconds(s float64) time.Duration {
	if !(s > 0) || math.IsInf(s, 0) || s > math.MaxInt64/float64(time.Second) {
		return 0
	}
	return time.Duration(math.Round(s * float64(time.Second)))
}
