package thumbnail

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// parseVTT reads a storyboard WebVTT track as buildVTT writes it, the way
// a player does: a timing line, then a payload url#xywh=x,y,w,h. It
// returns the cues with Sheet set to the URL (prefix included).
func parseVTT(b []byte) ([]Cue, error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	if !sc.Scan() || sc.Text() != "WEBVTT" {
		return nil, fmt.Errorf("no WEBVTT header")
	}
	var cues []Cue
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		from, to, ok := strings.Cut(line, " --> ")
		if !ok {
			return nil, fmt.Errorf("want a timing line, got %q", line)
		}
		var c Cue
		var err error
		if c.Start, err = parseVTTTime(from); err != nil {
			return nil, err
		}
		if c.End, err = parseVTTTime(to); err != nil {
			return nil, err
		}
		if !sc.Scan() {
			return nil, fmt.Errorf("cue without payload")
		}
		url, frag, ok := strings.Cut(sc.Text(), "#xywh=")
		if !ok {
			return nil, fmt.Errorf("payload %q has no #xywh=", sc.Text())
		}
		c.Sheet = url
		var xywh [4]int
		parts := strings.Split(frag, ",")
		if len(parts) != 4 {
			return nil, fmt.Errorf("xywh %q", frag)
		}
		for i, p := range parts {
			if xywh[i], err = strconv.Atoi(p); err != nil {
				return nil, err
			}
		}
		c.X, c.Y, c.W, c.H = xywh[0], xywh[1], xywh[2], xywh[3]
		if sc.Scan() && sc.Text() != "" {
			return nil, fmt.Errorf("cue payload has a second line %q", sc.Text())
		}
		cues = append(cues, c)
	}
	return cues, sc.Err()
}

func parseVTTTime(s string) (time.Duration, error) {
	var h, m, sec, ms int
	if n, err := fmt.Sscanf(s, "%d:%2d:%2d.%3d", &h, &m, &sec, &ms); n != 4 || err != nil {
		return 0, fmt.Errorf("timestamp %q: %v", s, err)
	}
	if len(s) < 12 || s[len(s)-4] != '.' {
		return 0, fmt.Errorf("timestamp %q", s)
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute +
		time.Duration(sec)*time.Second + time.Duration(ms)*time.Millisecond, nil
}

func TestVTTTime(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                       "00:00:00.000",
		1500 * time.Millisecond: "00:00:01.500",
		time.Hour + 2*time.Minute + 3*time.Second + 4*time.Millisecond + 999*time.Microsecond: "01:02:03.004",
		100 * time.Hour: "100:00:00.000",
	} {
		if got := vttTime(d); got != want {
			t.Errorf("vttTime(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestBuildVTT(t *testing.T) {
	g := grid{n: 3, cols: 2, rows: 1, w: 160, h: 90, interval: 2 * time.Second, duration: 5500 * time.Millisecond, ext: ".jpg"}
	got := string(buildVTT(g.cues(), "https://cdn.example.com/v/42/"))
	want := `WEBVTT

00:00:00.000 --> 00:00:02.000
https://cdn.example.com/v/42/storyboard-1.jpg#xywh=0,0,160,90

00:00:02.000 --> 00:00:04.000
https://cdn.example.com/v/42/storyboard-1.jpg#xywh=160,0,160,90

00:00:04.000 --> 00:00:05.500
https://cdn.example.com/v/42/storyboard-2.jpg#xywh=0,0,160,90
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestTilesFor(t *testing.T) {
	for _, tc := range []struct {
		d, i time.Duration
		want int64
	}{
		{10 * time.Second, 2 * time.Second, 5},
		{10*time.Second + time.Millisecond, 2 * time.Second, 6},
		{time.Second, 5 * time.Second, 1},
		{0, time.Second, 1},
		{time.Nanosecond, time.Second, 1},
		// The track counts whole milliseconds: 2.0005 s is 2 s, two tiles,
		// not a third whose cue would run from 2 s to 2 s.
		{2*time.Second + 500*time.Microsecond, time.Second, 2},
		{2*time.Second + time.Millisecond, time.Second, 3},
	} {
		if got := tilesFor(tc.d, tc.i); got != tc.want {
			t.Errorf("tilesFor(%v, %v) = %d, want %d", tc.d, tc.i, got, tc.want)
		}
	}
}

// FuzzVTT builds storyboard cues and their track from arbitrary layouts
// and checks that a player's reading of the track gives the cues back:
// contiguous times from 0 to the duration, one per tile, each rectangle in
// its sheet.
func FuzzVTT(f *testing.F) {
	f.Add(2, 2, 80, 60, int64(1000), int64(5500e6), "")
	f.Add(1, 1, 160, 90, int64(5000), int64(1e6), "https://cdn.example.com/v/42/")
	f.Add(10, 10, 160, 90, int64(5000), int64(500000e6), "sprites/")
	f.Add(20, 1, 16, 2, int64(100), int64(300e6), "a-->b")
	f.Add(1, 3, 640, 360, int64(3600000), int64(7200000e6), "x y")
	f.Add(2, 2, 160, 90, int64(1000), int64(2000500000), "") // 2.0005 s
	f.Add(2, 2, 160, 90, int64(1000), int64(999999), "")     // under a millisecond
	f.Fuzz(func(t *testing.T, cols, rows, w, h int, intervalMs, durationNs int64, prefix string) {
		if cols < 1 || cols > MaxGrid || rows < 1 || rows > MaxGrid || w < 1 || w > MaxTileWidth || h < 1 || h > 4000 ||
			intervalMs < 100 || intervalMs > 1e7 || durationNs < 1 || durationNs > 1e15 {
			t.Skip()
		}
		// The duration is any number of nanoseconds (ffprobe gives
		// microseconds), not only whole milliseconds.
		interval, duration := time.Duration(intervalMs)*time.Millisecond, time.Duration(durationNs)
		n := int(tilesFor(duration, interval))
		if n > 500 {
			t.Skip() // keep each run quick
		}
		if err := checkURLPrefix(prefix); err != nil {
			return
		}
		g := grid{n: n, cols: cols, rows: rows, w: w, h: h, interval: interval, duration: duration, ext: ".jpg"}
		cues := g.cues()
		parsed, err := parseVTT(buildVTT(cues, prefix))
		if err != nil {
			t.Fatalf("the track does not parse: %v", err)
		}
		if len(parsed) != n {
			t.Fatalf("%d cues read back, want %d", len(parsed), n)
		}
		per := cols * rows
		for i, c := range parsed {
			if c.Sheet != prefix+cues[i].Sheet || cues[i].Sheet != g.sheetName(i/per+1) {
				t.Fatalf("cue %d: sheet %q, want %q", i, c.Sheet, prefix+g.sheetName(i/per+1))
			}
			if c.X < 0 || c.Y < 0 || c.W != w || c.H != h || c.X+c.W > cols*w || c.Y+c.H > rows*h {
				t.Fatalf("cue %d: rectangle %d,%d,%d,%d outside the %dx%d sheet", i, c.X, c.Y, c.W, c.H, cols*w, rows*h)
			}
			if i == 0 && c.Start != 0 {
				t.Fatalf("first cue starts at %v", c.Start)
			}
			if i > 0 && c.Start != parsed[i-1].End {
				t.Fatalf("cue %d starts at %v, the previous ended at %v", i, c.Start, parsed[i-1].End)
			}
			if c.End <= c.Start && duration >= time.Millisecond {
				t.Fatalf("cue %d is empty: %v --> %v", i, c.Start, c.End)
			}
			if i > 0 && parsed[i-1].X == c.X && parsed[i-1].Y == c.Y && parsed[i-1].Sheet == c.Sheet {
				t.Fatalf("cues %d and %d share a tile", i-1, i)
			}
		}
		if end := parsed[n-1].End; end != duration.Truncate(time.Millisecond) {
			t.Fatalf("last cue ends at %v, want %v", end, duration)
		}
	})
}

// FuzzOptions checks that any sizes, fit, format and quality are either
// refused with ErrInvalid or give a filter made of the requested numbers
// and the package's own expressions: nothing from the caller can add a
// filter or an option to ffmpeg's command line.
func FuzzOptions(f *testing.F) {
	f.Add(160, 0, 0, 0, 0)
	f.Add(160, 160, int(Cover), int(WebP), 100)
	f.Add(-2, 1<<40, 9, 3, -1)
	f.Add(321, 3842, int(Pad), int(JPEG), 80)
	f.Fuzz(func(t *testing.T, w, h, fit, format, quality int) {
		o, err := Options{Width: w, Height: h, Fit: Fit(fit), Format: Format(format), Quality: quality}.check()
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		if o.Width%2 != 0 || o.Height%2 != 0 || o.Width > MaxSide || o.Height > MaxSide || o.Width < 0 || o.Height < 0 {
			t.Fatalf("accepted size %dx%d", o.Width, o.Height)
		}
		filter := scaleFilter(o.Width, o.Height, o.Fit, MaxSide)
		if strings.ContainsAny(filter, ";[]\\\"\n") {
			t.Fatalf("filter %q holds a filtergraph separator", filter)
		}
		for _, arg := range o.Format.encoder(o.Quality) {
			if strings.HasPrefix(arg, "-") && arg != "-c:v" && arg != "-q:v" && arg != "-quality" {
				t.Fatalf("unexpected encoder option %q", arg)
			}
		}
	})
}
