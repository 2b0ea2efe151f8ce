package thumbnail

import (
	"context"
	"fmt"
	"time"
)

// Frame returns the frame of the video at time at, sized and encoded as
// opts says (nil: the display size, as JPEG).
//
// ffmpeg seeks in the container before it decodes (-ss before -i), so the
// cost does not grow with at: it decodes from the keyframe before at, and
// drops the frames before at. The frame returned is the first one shown at
// or after at; a time within the last frame's display time returns the last
// frame, and a time at or after the end of the video returns an error
// wrapping [ErrPastEnd].
func Frame(ctx context.Context, input string, at time.Duration, opts *Options) ([]byte, error) {
	if opts == nil {
		opts = &Options{}
	}
	o, err := opts.check()
	if err != nil {
		return nil, err
	}
	if err := checkTime("time", at); err != nil {
		return nil, err
	}
	src := source{path: input, playlist: o.Playlist, ffmpeg: o.FFmpeg, ffprobe: o.FFprobe}
	if err := src.check(); err != nil {
		return nil, err
	}
	return src.still(ctx, at, o)
}

// still extracts and encodes the frame at at from a checked source.
func (s source) still(ctx context.Context, at time.Duration, o Options) ([]byte, error) {
	b, err := s.frame(ctx, at, o)
	if err != nil || len(b) > 0 {
		return b, err
	}
	// No frame starts at or after at: ffmpeg wrote nothing. Ask ffprobe
	// where the video ends, only now, so the usual call runs one process.
	m, err := s.probe(ctx)
	if err != nil {
		return nil, err
	}
	if at >= m.duration {
		return nil, fmt.Errorf("%w: %v (the video lasts %v)", ErrPastEnd, at, m.duration)
	}
	// at is within the last frame's display time: seek to just before that
	// frame starts.
	back := 100 * time.Millisecond
	if m.fps > 0 {
		back = time.Duration(1.5 / m.fps * float64(time.Second))
	}
	if b, err = s.frame(ctx, max(0, m.duration-back), o); err == nil && len(b) == 0 {
		err = fmt.Errorf("%w: no frame decoded at %v (the video lasts %v)", ErrPastEnd, at, m.duration)
	}
	return b, err
}

// frame runs ffmpeg once for the frame at at; the result is empty when no
// frame starts at or after at.
func (s source) frame(ctx context.Context, at time.Duration, o Options) ([]byte, error) {
	args, err := s.input(at)
	if err != nil {
		return nil, err
	}
	args = append(args, "-map", "0:v:0", "-frames:v", "1", "-vf", scaleFilter(o.Width, o.Height, o.Fit))
	args = append(args, o.Format.encoder(o.Quality)...)
	args = append(args, "-f", "image2pipe", "pipe:1")
	return s.run(ctx, args)
}
