package thumbnail

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// Limits and defaults of [Animated].
const (
	// MaxAnimatedDuration bounds the span of an animation.
	MaxAnimatedDuration = 10 * time.Second
	// MaxAnimatedFPS bounds AnimatedOptions.FPS.
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
	// [Options], but if both are zero the width is DefaultAnimatedWidth.
	Width, Height int
	// Fit says how the frames fill Width×Height when both are set.
	Fit Fit
	// Format is GIF or WebP; if zero, GIF.
	Format Format
	// FPS is the frame rate of the animation, at most MaxAnimatedFPS; if
	// zero, DefaultAnimatedFPS.
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
	if !(o.FPS > 0 && o.FPS <= MaxAnimatedFPS) { // also refuses NaN
		return o, fmt.Errorf("%w: fps %v outside (0, %d]", ErrInvalid, o.FPS, MaxAnimatedFPS)
	}
	var err error
	o.Quality, err = checkQuality(o.Quality)
	return o, err
}

// Animated returns an animation of the video from start for duration (at
// most MaxAnimatedDuration), encoded as opts says (nil: GIF, 320 pixels
// wide, 10 frames a second). The span is cut at the end of the video; a
// start after the last frame begins returns an error wrapping [ErrPastEnd].
//
// A GIF gets a palette computed from the span's own frames (palettegen,
// then paletteuse with an ordered dither, which stays stable from frame to
// frame); a WebP is encoded with libwebp_anim. Both loop forever. As with
// [Frame], ffmpeg seeks before decoding.
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
	if duration <= 0 || duration > MaxAnimatedDuration {
		return nil, fmt.Errorf("%w: duration %v outside (0, %v]", ErrInvalid, duration, MaxAnimatedDuration)
	}
	src := source{path: input, playlist: o.Playlist, ffmpeg: o.FFmpeg, ffprobe: o.FFprobe}
	if err := src.check(); err != nil {
		return nil, err
	}
	args, err := src.input(start)
	if err != nil {
		return nil, err
	}
	// The seek makes the span start at 0; trim ends it, which lets
	// palettegen emit its palette without reading the rest of the input.
	chain := fmt.Sprintf("[0:v:0]trim=duration=%s,fps=%s,%s",
		strconv.FormatFloat(duration.Seconds(), 'f', 3, 64),
		strconv.FormatFloat(o.FPS, 'f', -1, 64),
		scaleFilter(o.Width, o.Height, o.Fit))
	if o.Format == GIF {
		chain += ",split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse=dither=bayer:bayer_scale=3[out]"
		args = append(args, "-filter_complex", chain, "-map", "[out]", "-c:v", "gif", "-loop", "0", "-f", "gif", "pipe:1")
	} else {
		// -loop 0 also keeps the muxer from seeking back to patch the
		// loop count, which a pipe cannot do.
		args = append(args, "-filter_complex", chain+"[out]", "-map", "[out]",
			"-c:v", "libwebp_anim", "-quality", strconv.Itoa(o.Quality), "-loop", "0", "-f", "webp", "pipe:1")
	}
	b, runErr := src.runRaw(ctx, args)
	if (runErr == nil && len(b) > 0) || ctx.Err() != nil {
		return b, runErr
	}
	// No frame after start fails differently per encoder (no output, or
	// an error), so ask ffprobe where the video ends.
	m, err := src.probe(ctx)
	if err != nil {
		return nil, err
	}
	last := m.duration // when the last frame starts
	if m.fps > 0 {
		last -= time.Duration(float64(time.Second) / m.fps)
	}
	switch {
	case start > last:
		return nil, fmt.Errorf("%w: start %v (the video lasts %v)", ErrPastEnd, start, m.duration)
	case runErr != nil:
		return nil, fmt.Errorf("thumbnail: %w", runErr)
	}
	return nil, fmt.Errorf("thumbnail: ffmpeg wrote no animation from %v (the video lasts %v)", start, m.duration)
}
