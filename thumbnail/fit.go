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
// display size). Every output side is even and at least 2. The expressions
// use dar, the display aspect ratio, so anamorphic sources come out with
// square pixels; autorotation has already turned the frame upright.
//
// w and h must have been validated: the filter holds only their digits.
func scaleFilter(w, h int, fit Fit) string {
	// even rounds an expression to the nearest even number, at least 2.
	even := func(expr string) string { return "max(2,round((" + expr + ")/2)*2)" }
	W, H := strconv.Itoa(w), strconv.Itoa(h)
	var f string
	switch {
	case w == 0 && h == 0:
		f = fmt.Sprintf("scale=w='%s':h='%s'", even("ih*dar"), even("ih"))
	case h == 0:
		f = fmt.Sprintf("scale=w=%s:h='%s'", W, even(W+"/dar"))
	case w == 0:
		f = fmt.Sprintf("scale=w='%s':h=%s", even(H+"*dar"), H)
	default:
		wider := "gt(dar," + W + "/" + H + ")" // wider than the box
		switch fit {
		case Cover:
			f = fmt.Sprintf("scale=w='if(%[1]s,max(%[2]s,%[4]s),%[2]s)':h='if(%[1]s,%[3]s,max(%[3]s,%[5]s))',crop=%[2]s:%[3]s",
				wider, W, H, even(H+"*dar"), even(W+"/dar"))
		default:
			f = fmt.Sprintf("scale=w='if(%[1]s,%[2]s,min(%[2]s,%[4]s))':h='if(%[1]s,min(%[3]s,%[5]s),%[3]s)'",
				wider, W, H, even(H+"*dar"), even(W+"/dar"))
			if fit == Pad {
				f += fmt.Sprintf(",pad=%s:%s:(ow-iw)/2:(oh-ih)/2:color=black", W, H)
			}
		}
	}
	return f + ",setsar=1"
}
