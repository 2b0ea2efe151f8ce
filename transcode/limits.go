package transcode

import (
	"fmt"
	"time"
)

// Limits bound what a source may be. A zero field means no limit; a nil
// *Limits in [Options] means [DefaultLimits].
type Limits struct {
	MaxSize      int64         // bytes of the input file
	MaxDuration  time.Duration // of the media
	MaxWidth     int           // display width, after rotation
	MaxHeight    int           // display height, after rotation
	MaxPixels    int           // width × height, so a 100000×10 strip is caught too
	MaxFrameRate float64
}

// DefaultLimits returns the limits used when Options.Limits is nil: 20 GiB,
// 6 hours, 8192 pixels on a side, 4K UHD's 8.3 megapixels, 240 fps.
func DefaultLimits() *Limits {
	return &Limits{
		MaxSize:      20 << 30,
		MaxDuration:  6 * time.Hour,
		MaxWidth:     8192,
		MaxHeight:    8192,
		MaxPixels:    3840 * 2160,
		MaxFrameRate: 240,
	}
}

// Check returns a *LimitError for the first limit m exceeds, or nil.
func (l *Limits) Check(m *Media) error {
	if l == nil {
		return nil
	}
	if l.MaxSize > 0 && m.Size > l.MaxSize {
		return &LimitError{ErrSizeLimit, fmt.Sprint(m.Size, " bytes"), fmt.Sprint(l.MaxSize, " bytes")}
	}
	if l.MaxDuration > 0 && m.Duration > l.MaxDuration {
		return &LimitError{ErrDurationLimit, m.Duration.Round(time.Millisecond).String(), l.MaxDuration.String()}
	}
	if v := m.Video; v != nil {
		w, h := v.DisplaySize()
		size := fmt.Sprintf("%dx%d", w, h)
		if (l.MaxWidth > 0 && w > l.MaxWidth) || (l.MaxHeight > 0 && h > l.MaxHeight) {
			return &LimitError{ErrDimensionsLimit, size, fmt.Sprintf("%dx%d", l.MaxWidth, l.MaxHeight)}
		}
		if l.MaxPixels > 0 && w*h > l.MaxPixels {
			return &LimitError{ErrDimensionsLimit, fmt.Sprintf("%s (%d pixels)", size, w*h), fmt.Sprint(l.MaxPixels, " pixels")}
		}
		if l.MaxFrameRate > 0 && v.FrameRate > l.MaxFrameRate {
			return &LimitError{ErrFrameRateLimit, formatRate(v.FrameRate) + " fps", formatRate(l.MaxFrameRate) + " fps"}
		}
	}
	return nil
}
