package thumbnail

import (
	"fmt"
	"time"
)

// Limits on what a caller may ask for. They bound the memory and CPU one
// request can take, whatever the input.
const (
	// MinSide and MaxSide bound a requested width or height of a frame or
	// poster, in pixels.
	MinSide = 16
	MaxSide = 3840
	// DefaultQuality is the encoding quality (1–100) when Options.Quality
	// is zero.
	DefaultQuality = 80
)

// Options configure [Frame] and [ChoosePoster]; nil means defaults: the
// display size of the video, as JPEG.
type Options struct {
	// Width and Height of the image in pixels, each even and in
	// [MinSide, MaxSide]. If one is zero it follows the display aspect
	// ratio, no larger than MaxSide (the frame is fitted inside
	// Width×MaxSide or MaxSide×Height); if both are zero the image has the
	// video's display size, fitted inside MaxSide×MaxSide. Sides are
	// rounded to even numbers.
	Width, Height int
	// Fit says how the frame fills Width×Height when both are set; the
	// zero value is Contain.
	Fit Fit
	// Format is JPEG or WebP; if zero, JPEG.
	Format Format
	// Quality, 1–100 (higher is better and larger); if zero,
	// DefaultQuality.
	Quality int
	// Playlist allows the input to be an HLS media playlist, such as one
	// of the platform's own renditions. Never set it for an upload: a
	// playlist names other files.
	Playlist bool
	// FFmpeg and FFprobe are the executables; if empty, found in PATH.
	FFmpeg, FFprobe string
}

// check validates o for a still image and fills in the defaults.
func (o Options) check() (Options, error) {
	if err := checkSize("width", o.Width, MaxSide); err != nil {
		return o, err
	}
	if err := checkSize("height", o.Height, MaxSide); err != nil {
		return o, err
	}
	if o.Fit < Contain || o.Fit > Pad {
		return o, fmt.Errorf("%w: fit %v", ErrInvalid, o.Fit)
	}
	if o.Format == 0 {
		o.Format = JPEG
	}
	if o.Format != JPEG && o.Format != WebP {
		return o, fmt.Errorf("%w: format %v for a still image (want jpeg or webp)", ErrInvalid, o.Format)
	}
	q, err := checkQuality(o.Quality)
	o.Quality = q
	return o, err
}

// checkSize accepts zero (not set) or an even v in [MinSide, max].
func checkSize(name string, v, max int) error {
	switch {
	case v == 0:
		return nil
	case v < MinSide || v > max:
		return fmt.Errorf("%w: %s %d outside [%d, %d]", ErrInvalid, name, v, MinSide, max)
	case v%2 != 0:
		return fmt.Errorf("%w: %s %d is odd (video frames need even sides)", ErrInvalid, name, v)
	}
	return nil
}

func checkQuality(q int) (int, error) {
	if q == 0 {
		return DefaultQuality, nil
	}
	if q < 1 || q > 100 {
		return 0, fmt.Errorf("%w: quality %d outside [1, 100]", ErrInvalid, q)
	}
	return q, nil
}

func checkTime(name string, t time.Duration) error {
	if t < 0 {
		return fmt.Errorf("%w: negative %s %v", ErrInvalid, name, t)
	}
	return nil
}
