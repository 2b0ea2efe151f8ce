package thumbnail

import (
	"fmt"
	"strconv"
)

// Fit says how a frame is sized when both a width and a height are asked
// for. With only one of them, the other follows the display aspect ratio
// and Fit does not matter.
type Fit int

const (
	// Contain scales the frame to fit inside the box, keeping its aspect
	// ratio: one side equals the box, the other may be smaller. The default.
	Contain Fit = iota
	// Cover scales the frame to fill the box and crops the centre: the
	// output is exactly the box.
	Cover
	// Pad scales as Contain does, then adds black bars to make the output
	// exactly the box (letterbox or pillarbox).
	Pad
)

// String returns "contain", "cover" or "pad".
func (f Fit) String() string {
	switch f {
	case Contain:
		return "contain"
	case Cover:
		return "cover"
	case Pad:
		return "pad"
	}
	return "Fit(" + strconv.Itoa(int(f)) + ")"
}

// scaleFilter returns the ffmpeg filter chain that sizes a frame to w×h
// with fit (w or h zero: that side follows the aspect ratio; both zero: the
// display size), no side larger than limit. Every output side is even and
// at least 2. The expressions use sar and dar, the sample and display
// aspect ratios, so anamorphic sources come out with square pixels;
// autorotation has already turned the frame upright (and its sample aspect
// ratio with it).
//
// A side that follows the aspect ratio is bounded too: the frame is fitted
// inside w×limit (or limit×h, or limit×limit), so a hostile sample aspect
// ratio (1:60, 200:1) cannot ask for a 640×28800 image. Cover crops the
// frame to the box's aspect ratio before scaling, so the frame is never
// scaled past the box either.
//
// w, h and limit must have been validated: the filter holds only their
// digits.
func scaleFilter(w, h int, fit Fit, limit int) string {
	// even rounds an expression to the nearest even number, at least 2.
	even := func(expr string) string { return "max(2,round((" + expr + ")/2)*2)" }
	// contain fits the display aspect ratio inside a W×H box.
	contain := func(W, H string) string {
		wider := "gt(dar," + W + "/" + H + ")" // wider than the box
		return fmt.Sprintf("scale=w='if(%[1]s,%[2]s,min(%[2]s,%[4]s))':h='if(%[1]s,min(%[3]s,%[5]s),%[3]s)'",
			wider, W, H, even(H+"*dar"), even(W+"/dar"))
	}
	W, H, L := strconv.Itoa(w), strconv.Itoa(h), strconv.Itoa(limit)
	var f string
	switch {
	case w == 0 && h == 0:
		// The display size stretches the side the pixels are long along
		// (iw×sar wide, or ih/sar high), so no picture detail is lost and
		// a rotated anamorphic frame keeps its size; then it shrinks, if
		// it must, to fit limit×limit.
		dw, dh := "iw*max(sar,1)", "ih*max(1/sar,1)"
		k := fmt.Sprintf("min(1,min(%s/(%s),%s/(%s)))", L, dw, L, dh)
		f = fmt.Sprintf("scale=w='%s':h='%s'", even(dw+"*"+k), even(dh+"*"+k))
	case h == 0:
		f = contain(W, L)
	case w == 0:
		f = contain(L, H)
	case fit == Cover:
		// Crop the centre to the box's aspect ratio (on the stored
		// pixels, sar wide each), then scale to the box.
		f = fmt.Sprintf("crop=w='max(2,min(iw,ih*%[1]s/%[2]s/sar))':h='max(2,min(ih,iw*sar*%[2]s/%[1]s))',scale=%[1]s:%[2]s", W, H)
	default:
		f = contain(W, H)
		if fit == Pad {
			f += fmt.Sprintf(",pad=%s:%s:(ow-iw)/2:(oh-ih)/2:color=black", W, H)
		}
	}
	return f + ",setsar=1"
}
