package thumbnail

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Cue is one storyboard tile: the span of the video it previews and where
// it lies in its sheet.
type Cue struct {
	Start, End time.Duration
	// Sheet is the sheet's file name, without the URL prefix.
	Sheet string
	// X, Y, W and H are the tile's rectangle in the sheet, in pixels.
	X, Y, W, H int
}

// grid is the layout of a storyboard: n tiles of w×h, cols×rows to a sheet,
// one every interval, over a video of duration.
type grid struct {
	n, cols, rows, w, h int
	interval, duration  time.Duration
	ext                 string
}

// tilesFor returns how many tiles of interval cover duration, counted in
// whole milliseconds as the track writes times: one per started interval,
// at least one. (2.0005 s at one tile a second is two tiles: a third would
// have a cue from 00:00:02.000 to 00:00:02.000.)
func tilesFor(duration, interval time.Duration) int64 {
	duration = duration.Truncate(time.Millisecond)
	if duration <= 0 {
		return 1
	}
	return int64((duration-1)/interval) + 1
}

// sheets is the number of sheets the tiles fill, the last maybe partly.
func (g grid) sheets() int {
	per := g.cols * g.rows
	return (g.n + per - 1) / per
}

// sheetName is the file name of sheet i, counted from 1 as ffmpeg's image2
// muxer numbers them.
func (g grid) sheetName(i int) string {
	return "storyboard-" + strconv.Itoa(i) + g.ext
}

// cues lays the tiles out: tile i covers [i×interval, (i+1)×interval),
// the last one ending at the duration, and sits in sheet i/(cols×rows),
// row-major.
func (g grid) cues() []Cue {
	per := g.cols * g.rows
	cues := make([]Cue, g.n)
	for i := range cues {
		k := i % per
		end := time.Duration(i+1) * g.interval
		if i == g.n-1 && g.duration > 0 {
			end = g.duration
		}
		cues[i] = Cue{
			Start: time.Duration(i) * g.interval,
			End:   end,
			Sheet: g.sheetName(i/per + 1),
			X:     k % g.cols * g.w,
			Y:     k / g.cols * g.h,
			W:     g.w,
			H:     g.h,
		}
	}
	return cues
}

// checkURLPrefix refuses a prefix that could break the WebVTT file: white
// space, control characters, or the cue timing arrow.
func checkURLPrefix(p string) error {
	for i := 0; i < len(p); i++ {
		if p[i] <= ' ' || p[i] == 0x7f {
			return fmt.Errorf("%w: URL prefix %q holds white space or a control character", ErrInvalid, p)
		}
	}
	if strings.Contains(p, "-->") {
		return fmt.Errorf("%w: URL prefix %q holds \"-->\"", ErrInvalid, p)
	}
	return nil
}

// buildVTT writes cues as a WebVTT track whose payloads are
// prefix+sheet#xywh=x,y,w,h, as players read for seek-bar previews.
func buildVTT(cues []Cue, prefix string) []byte {
	var b strings.Builder
	b.Grow(16 + len(cues)*(64+len(prefix)))
	b.WriteString("WEBVTT\n")
	for _, c := range cues {
		b.WriteString("\n")
		b.WriteString(vttTime(c.Start))
		b.WriteString(" --> ")
		b.WriteString(vttTime(c.End))
		b.WriteString("\n")
		b.WriteString(prefix)
		b.WriteString(c.Sheet)
		fmt.Fprintf(&b, "#xywh=%d,%d,%d,%d\n", c.X, c.Y, c.W, c.H)
	}
	return []byte(b.String())
}

// vttTime formats d as a WebVTT timestamp, hh:mm:ss.ttt (milliseconds,
// truncated; hours grow past two digits if they must).
func vttTime(d time.Duration) string {
	ms := d.Milliseconds()
	return fmt.Sprintf("%02d:%02d:%02d.%03d", ms/3600000, ms/60000%60, ms/1000%60, ms%1000)
}
