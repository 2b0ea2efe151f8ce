package transcode

import (
	"fmt"
	"math"
	"strconv"
)

// Rung is one video rendition of a ladder.
type Rung struct {
	Name      string  // directory and playlist name, e.g. "720p"
	Width     int     // even
	Height    int     // even
	Bitrate   int     // target average video bit rate, bits per second
	MaxRate   int     // peak rate the encoder may reach (VBV), bits per second
	BufSize   int     // VBV buffer, bits
	FrameRate float64 // output frames per second
}

// Ladder is what [Transcode] makes: video rungs from the largest down, and
// one audio rendition shared by all of them.
type Ladder struct {
	Rungs []Rung
	// AudioBitrate is the AAC bit rate in bits per second; zero when the
	// ladder has no audio (the source has none).
	AudioBitrate  int
	AudioChannels int // 1 or 2
}

// Step is a rung of a ladder template: a picture size given by its short
// side (so "720p" is 1280x720 in landscape and 720x1280 in portrait) and the
// bit rate at 30 frames per second or less.
type Step struct {
	Short   int // short side in pixels
	Bitrate int // bits per second
}

// DefaultSteps is the default ladder template, after Apple's HLS authoring
// specification for H.264 at up to 30 fps (1080p at 6 Mb/s down to 240p).
// It returns a new slice each call.
func DefaultSteps() []Step {
	return []Step{
		{1080, 6_000_000},
		{720, 3_000_000},
		{540, 2_000_000},
		{360, 730_000},
		{240, 300_000},
	}
}

// PlanOptions configure [Plan]; nil means defaults.
type PlanOptions struct {
	// Steps is the ladder template from the largest; if nil, DefaultSteps().
	Steps []Step
	// AudioBitrate for the AAC rendition; if zero, 128 kb/s (64 kb/s for
	// mono sources).
	AudioBitrate int
	// MaxFrameRate caps the output frame rate of the larger rungs; sources
	// above it are halved until under it. If zero, 60.
	MaxFrameRate float64
	// SmallFrameRate caps rungs with a short side under 720, as Apple's
	// guidance does; if zero, 30.
	SmallFrameRate float64
}

// Plan makes the ladder for a source. It never upscales: steps larger than
// the source are left out, a source between two steps gets an extra top rung
// at its own size when it is more than 15% larger than the next step down,
// and a source smaller than every step gets one rung at its own size. Sizes
// keep the display aspect ratio (rotation and non-square pixels included) and
// are even, as 4:2:0 video needs. A source without video gets a ladder with
// no rungs (audio only); one without audio gets AudioBitrate 0.
func Plan(src *Media, opts *PlanOptions) Ladder {
	if opts == nil {
		opts = &PlanOptions{}
	}
	var l Ladder
	if src.Audio != nil {
		l.AudioChannels = min(max(src.Audio.Channels, 1), 2)
		l.AudioBitrate = opts.AudioBitrate
		if l.AudioBitrate <= 0 {
			l.AudioBitrate = 128_000
			if l.AudioChannels == 1 {
				l.AudioBitrate = 64_000
			}
		}
	}
	if src.Video == nil {
		return l
	}
	steps := opts.Steps
	if steps == nil {
		steps = DefaultSteps()
	}
	maxFPS, smallFPS := opts.MaxFrameRate, opts.SmallFrameRate
	if maxFPS <= 0 {
		maxFPS = 60
	}
	if smallFPS <= 0 {
		smallFPS = 30
	}
	dw, dh := src.Video.DisplaySize()
	short, long := min(dw, dh), max(dw, dh)
	portrait := dh > dw
	fps := src.Video.FrameRate
	if fps <= 0 {
		fps = 30
	}

	rung := func(s, bitrate int) Rung {
		l := even(float64(s) * float64(long) / float64(short))
		s = even(float64(s))
		w, h := l, s
		if portrait {
			w, h = s, l
		}
		r := capRate(fps, maxFPS)
		if s < 720 {
			r = capRate(r, smallFPS)
		}
		if r > 30.5 {
			bitrate = bitrate * 3 / 2 // high frame rate: Apple's 60 fps rungs carry about 1.5×
		}
		return Rung{
			Name: strconv.Itoa(s) + "p", Width: w, Height: h,
			Bitrate: bitrate, MaxRate: bitrate * 3 / 2, BufSize: bitrate * 2,
			FrameRate: r,
		}
	}

	for i, st := range steps {
		if st.Short > short {
			continue
		}
		if len(l.Rungs) == 0 && i > 0 && float64(short) > 1.15*float64(st.Short) {
			// Between two steps: keep the source's own size at a bit rate
			// interpolated by pixel count, capped by the step above.
			br := int(float64(st.Bitrate) * float64(short*short) / float64(st.Short*st.Short))
			l.Rungs = append(l.Rungs, rung(short, min(br, steps[i-1].Bitrate)))
		}
		l.Rungs = append(l.Rungs, rung(st.Short, st.Bitrate))
	}
	if len(l.Rungs) == 0 {
		// Smaller than every step: one rung at the source size, with the
		// smallest step's bit rate scaled down by pixel count.
		br := 300_000
		if len(steps) > 0 {
			last := steps[len(steps)-1]
			br = int(float64(last.Bitrate) * float64(short*short) / float64(last.Short*last.Short))
		}
		l.Rungs = append(l.Rungs, rung(max(short, 2), max(br, 64_000)))
	}
	return l
}

// even rounds v down to an even integer, at least 2; down, so that a rung
// is never larger than the source, even by a pixel.
func even(v float64) int {
	return max(2, int(math.Floor(v/2+1e-9))*2)
}

// capRate halves fps until it is at most limit, so that frames are dropped
// evenly (60 → 30, 50 → 25, 120 → 60).
func capRate(fps, limit float64) float64 {
	for fps > limit+0.01 {
		fps /= 2
	}
	return fps
}

// String describes the ladder on one line per rung, for logs and the CLI.
func (l Ladder) String() string {
	s := ""
	for _, r := range l.Rungs {
		s += fmt.Sprintf("%-6s %4dx%-4d %5.0f kb/s %s fps\n", r.Name, r.Width, r.Height, float64(r.Bitrate)/1000, formatRate(r.FrameRate))
	}
	if l.AudioBitrate > 0 {
		s += fmt.Sprintf("audio  AAC %dch %5.0f kb/s\n", l.AudioChannels, float64(l.AudioBitrate)/1000)
	}
	return s
}

// formatRate writes a frame rate with up to three decimals: 30, 29.97,
// 23.976.
func formatRate(fps float64) string {
	return strconv.FormatFloat(math.Round(fps*1000)/1000, 'f', -1, 64)
}

// validName matches rung names: they become directory names and parts of
// ffmpeg's -var_stream_map.
func validName(s string) bool {
	if s == "" || len(s) > 32 || s == "audio" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Validate reports the first problem that would stop [Transcode] from
// encoding l, wrapped in ErrInvalidLadder: no renditions at all, a rung
// name that is not a plain, unique directory name (letters, digits, '-',
// '_'; not "audio"), a size that is not even and positive, a bit rate or
// frame rate that is not positive, or audio with other than 1 or 2 channels.
func (l Ladder) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalidLadder}, args...)...)
	}
	if len(l.Rungs) == 0 && l.AudioBitrate <= 0 {
		return bad("no video rungs and no audio")
	}
	seen := map[string]bool{}
	for i, r := range l.Rungs {
		switch {
		case !validName(r.Name):
			return bad("rung %d: name %q is not letters, digits, '-' and '_' (and not \"audio\")", i, r.Name)
		case seen[r.Name]:
			return bad("rung %d: name %q used twice", i, r.Name)
		case r.Width < 2 || r.Height < 2 || r.Width%2 != 0 || r.Height%2 != 0 || r.Width > 16384 || r.Height > 16384:
			return bad("rung %s: size %dx%d is not even and positive", r.Name, r.Width, r.Height)
		case r.Bitrate <= 0 || r.MaxRate < 0 || r.BufSize < 0:
			return bad("rung %s: bit rate %d", r.Name, r.Bitrate)
		case !(r.FrameRate > 0 && r.FrameRate <= 240):
			return bad("rung %s: frame rate %v", r.Name, r.FrameRate)
		}
		seen[r.Name] = true
	}
	if l.AudioBitrate < 0 || (l.AudioBitrate > 0 && l.AudioChannels != 1 && l.AudioChannels != 2) {
		return bad("audio: %d channels at %d b/s; want 1 or 2 channels", l.AudioChannels, l.AudioBitrate)
	}
	return nil
}
