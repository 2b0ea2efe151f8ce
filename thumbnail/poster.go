package thumbnail

import (
	"context"
	"fmt"
	"math"
	"time"
)

// The poster rule: a candidate frame is good when its mean luma is at least
// PosterMinMean and the standard deviation of its luma is at least
// PosterMinStdDev, both on the 0–255 full-range scale of a 64×64 grey
// thumbnail of the frame. The first bound rejects black and near-black
// frames (fades, slates); the second rejects flat ones (a single colour, a
// white flash).
const (
	PosterMinMean   = 24.0
	PosterMinStdDev = 12.0
)

// posterFractions are the points of the duration [ChoosePoster] samples, in
// the order it tries them.
var posterFractions = [...]float64{0.10, 0.25, 0.50, 0.75, 0.90}

// sampleSide is the side of the grey thumbnail a candidate is scored on.
const sampleSide = 64

// Sample is a candidate frame's luma statistics.
type Sample struct {
	At     time.Duration // where the frame was taken
	Mean   float64       // mean luma, 0 (black) to 255 (white)
	StdDev float64       // standard deviation of luma: 0 for a flat frame
}

// Good reports whether s passes the poster rule (see [PosterMinMean]).
func (s Sample) Good() bool {
	return s.Mean >= PosterMinMean && s.StdDev >= PosterMinStdDev
}

// better reports whether s makes a better poster than t when neither is
// good: more detail first, then more light.
func (s Sample) better(t Sample) bool {
	if s.StdDev != t.StdDev {
		return s.StdDev > t.StdDev
	}
	return s.Mean > t.Mean
}

// Poster is the frame [ChoosePoster] chose.
type Poster struct {
	// Image is the frame, encoded and sized as the options said.
	Image []byte
	// Sample is the chosen frame's time and statistics, always measured:
	// one of Candidates. Sample.Good is false when no candidate passed the
	// rule and the best was taken.
	Sample
	// Candidates are the frames scored, in the order they were tried
	// (times with no frame left out).
	Candidates []Sample
}

// ChoosePoster picks a representative frame of the video that is neither
// black nor blank, and returns it encoded as opts says (nil: display size,
// JPEG).
//
// It tries the frames shown at 10%, 25%, 50%, 75% and 90% of the video's
// duration (measured, with one pass that reads without decoding, when the
// input does not state it), in that order, each with a seek before
// decoding, scores each on a 64×64 grey thumbnail and stops at the first
// that passes the rule ([Sample.Good]). If none does (an all-black video, a
// slide show of blank frames), it takes the candidate with the most detail
// (the largest StdDev, then the largest Mean), so a poster is always
// returned for a video with a frame. If no candidate has a frame (a video
// much shorter than it says), it scores the first frame and takes it. The
// chosen frame is then extracted at the requested size with [Frame]'s
// method: one ffmpeg run per candidate tried, plus one.
func ChoosePoster(ctx context.Context, input string, opts *Options) (*Poster, error) {
	if opts == nil {
		opts = &Options{}
	}
	o, err := opts.check()
	if err != nil {
		return nil, err
	}
	src := &source{path: input, playlist: o.Playlist, ffmpeg: o.FFmpeg, ffprobe: o.FFprobe}
	if err := src.check(); err != nil {
		return nil, err
	}
	m, err := src.probe(ctx)
	if err != nil {
		return nil, err
	}
	d, err := src.videoDuration(ctx, m)
	if err != nil {
		return nil, err
	}
	p := &Poster{}
	tried := map[time.Duration]bool{}
	for _, f := range posterFractions {
		at := time.Duration(f * float64(d)).Truncate(time.Millisecond)
		if tried[at] {
			continue // a duration too short to tell the points apart
		}
		tried[at] = true
		s, ok, err := src.sample(ctx, at)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue // no frame there (a duration longer than the video)
		}
		if len(p.Candidates) == 0 || s.better(p.Sample) {
			p.Sample = s
		}
		p.Candidates = append(p.Candidates, s)
		if s.Good() {
			p.Sample = s
			break
		}
	}
	if len(p.Candidates) == 0 && !tried[0] {
		// No candidate has a frame: take the first frame, scored too.
		s, ok, err := src.sample(ctx, 0)
		if err != nil {
			return nil, err
		}
		if ok {
			p.Sample, p.Candidates = s, append(p.Candidates, s)
		}
	}
	if len(p.Candidates) == 0 {
		return nil, fmt.Errorf("thumbnail: no frame could be decoded (the video is said to last %v): %w", d, ErrNotMedia)
	}
	if p.Image, err = src.still(ctx, p.At, o); err != nil {
		return nil, err
	}
	return p, nil
}

// sample scores the frame shown at at; ok is false when there is none (at
// is at or after the end).
func (s *source) sample(ctx context.Context, at time.Duration) (Sample, bool, error) {
	in, err := s.open(at, at)
	if err != nil {
		return Sample{}, false, err
	}
	args := []string{"-map", "0:V:0", "-frames:v", "1",
		"-vf", fmt.Sprintf("%s,scale=%d:%d:flags=area,format=gray", pick(at-in.base), sampleSide, sampleSide),
		"-f", "rawvideo", "pipe:1"}
	pix, err := s.run(ctx, in, args)
	if err != nil || len(pix) != sampleSide*sampleSide {
		return Sample{}, false, err
	}
	mean, sd := lumaStats(pix)
	return Sample{At: at, Mean: mean, StdDev: sd}, true, nil
}

// lumaStats returns the mean and the standard deviation of the bytes of
// pix, a grey image.
func lumaStats(pix []byte) (mean, stddev float64) {
	if len(pix) == 0 {
		return 0, 0
	}
	var sum, sq float64
	for _, v := range pix {
		f := float64(v)
		sum += f
		sq += f * f
	}
	n := float64(len(pix))
	mean = sum / n
	return mean, math.Sqrt(max(0, sq/n-mean*mean))
}
