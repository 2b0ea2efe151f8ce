package thumbnail

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strconv"
	"time"
)

// Limits and defaults of [Animated].
const (
	// MaxAnimatedDuration bounds the span of an animation.
	MaxAnimatedDuration = 10 * time.Second
	// MinAnimatedDuration is the shortest span of an animation.
	MinAnimatedDuration = 100 * time.Millisecond
	// MinAnimatedFPS and MaxAnimatedFPS bound AnimatedOptions.FPS.
	MinAnimatedFPS = 1
	MaxAnimatedFPS = 30
	// MaxAnimatedSide bounds the width and height of an animation.
	MaxAnimatedSide = 1280

	DefaultAnimatedFPS   = 10
	DefaultAnimatedWidth = 320
)

// AnimatedOptions configure [Animated]; nil means defaults: a GIF 320
// pixels wide at 10 frames a second.
type AnimatedOptions struct {
	// Width and Height in pixels, even, in [MinSide, MaxAnimatedSide]; as in
	// [Options] (a side that follows the aspect ratio is at most
	// MaxAnimatedSide), but if both are zero the width is
	// DefaultAnimatedWidth.
	Width, Height int
	// Fit says how the frames fill Width×Height when both are set.
	Fit Fit
	// Format is GIF or WebP; if zero, GIF.
	Format Format
	// FPS is the frame rate of the animation, in [MinAnimatedFPS,
	// MaxAnimatedFPS]; if zero, DefaultAnimatedFPS.
	FPS float64
	// Quality, 1–100, of WebP frames (GIF ignores it); if zero,
	// DefaultQuality.
	Quality int
	// Playlist allows the input to be an HLS media playlist. Never set it
	// for an upload.
	Playlist bool
	// FFmpeg and FFprobe are the executables; if empty, found in PATH.
	FFmpeg, FFprobe string
}

func (o AnimatedOptions) check() (AnimatedOptions, error) {
	if o.Width == 0 && o.Height == 0 {
		o.Width = DefaultAnimatedWidth
	}
	if err := checkSize("width", o.Width, MaxAnimatedSide); err != nil {
		return o, err
	}
	if err := checkSize("height", o.Height, MaxAnimatedSide); err != nil {
		return o, err
	}
	if o.Fit < Contain || o.Fit > Pad {
		return o, fmt.Errorf("%w: fit %v", ErrInvalid, o.Fit)
	}
	if o.Format == 0 {
		o.Format = GIF
	}
	if o.Format != GIF && o.Format != WebP {
		return o, fmt.Errorf("%w: format %v for an animation (want gif or webp)", ErrInvalid, o.Format)
	}
	if o.FPS == 0 {
		o.FPS = DefaultAnimatedFPS
	}
	if !(o.FPS >= MinAnimatedFPS && o.FPS <= MaxAnimatedFPS) { // also refuses NaN
		return o, fmt.Errorf("%w: fps %v outside [%d, %d]", ErrInvalid, o.FPS, MinAnimatedFPS, MaxAnimatedFPS)
	}
	var err error
	o.Quality, err = checkQuality(o.Quality)
	return o, err
}

// Animated returns an animation of the video from start for duration (in
// [MinAnimatedDuration, MaxAnimatedDuration]), encoded as opts says (nil:
// GIF, 320 pixels wide, 10 frames a second). Frame k of the animation is
// the frame shown at start+k/FPS, as [Frame] picks it; the span is cut at
// the end of the video, so a start within the last frame's display time
// gives a one-frame animation, and a start at or after the end of the
// video returns an error wrapping [ErrPastEnd].
//
// A GIF gets a palette computed from all the pixels of the span's own
// frames (palettegen, then paletteuse with an ordered dither, which stays
// stable from frame to frame; palettegen's stats_mode=diff left out the
// colours of the last frame); a WebP is encoded with libwebp_anim. Both
// loop forever. As with [Frame], ffmpeg seeks before decoding.
func Animated(ctx context.Context, input string, start, duration time.Duration, opts *AnimatedOptions) ([]byte, error) {
	if opts == nil {
		opts = &AnimatedOptions{}
	}
	o, err := opts.check()
	if err != nil {
		return nil, err
	}
	if err := checkTime("start", start); err != nil {
		return nil, err
	}
	if duration < MinAnimatedDuration || duration > MaxAnimatedDuration {
		return nil, fmt.Errorf("%w: duration %v outside [%v, %v]", ErrInvalid, duration, MinAnimatedDuration, MaxAnimatedDuration)
	}
	src := &source{path: input, playlist: o.Playlist, ffmpeg: o.FFmpeg, ffprobe: o.FFprobe}
	if err := src.check(); err != nil {
		return nil, err
	}
	in, err := src.open(start, start+duration)
	if err != nil {
		return nil, err
	}
	// Times count from start, to the microsecond (settb, setpts); fps
	// then gives the frame shown at each time of the animation (as pick
	// does; eof_action=pass: the last frame for as long as it is shown,
	// then the end of the span; its end-of-stream test counts whole frame
	// intervals from zero, so the times must start at zero); trim ends the
	// stream after the span's frames, which lets palettegen emit its
	// palette without reading the rest of the input.
	frames := int(math.Ceil(duration.Seconds()*o.FPS - 1e-6))
	chain := fmt.Sprintf("[0:V:0]settb=1/1000000,setpts=PTS-%d,fps=%s:start_time=0:round=up:eof_action=pass,trim=end_frame=%d,%s",
		(start - in.base).Microseconds(), strconv.FormatFloat(o.FPS, 'f', -1, 64), max(1, frames),
		scaleFilter(o.Width, o.Height, o.Fit, MaxAnimatedSide))
	var args []string
	if o.Format == GIF {
		chain += ",split[a][b];[a]palettegen[p];[b][p]paletteuse=dither=bayer:bayer_scale=3[out]"
		args = []string{"-filter_complex", chain, "-map", "[out]", "-c:v", "gif", "-loop", "0", "-f", "gif", "pipe:1"}
	} else {
		// -loop 0 also keeps the muxer from seeking back to patch the
		// loop count, which a pipe cannot do.
		args = []string{"-filter_complex", chain + "[out]", "-map", "[out]",
			"-c:v", "libwebp_anim", "-quality", strconv.Itoa(o.Quality), "-loop", "0", "-f", "webp", "pipe:1"}
	}
	var out bytes.Buffer
	runErr := src.runRaw(ctx, in, args, &out)
	if (runErr == nil && out.Len() > 0) || ctx.Err() != nil {
		return out.Bytes(), runErr
	}
	// No frame after start fails differently per encoder (no output, or
	// an error): see whether a frame is shown at start at all.
	if _, ok, err := src.sample(ctx, start); err != nil || !ok {
		if err == nil {
			err = src.pastEnd(ctx, "start", start)
		}
		return nil, err
	}
	if runErr != nil {
		return nil, src.explain(ctx, runErr)
	}
	return nil, fmt.Errorf("thumbnail: ffmpeg wrote no animation from %v", start)
}
