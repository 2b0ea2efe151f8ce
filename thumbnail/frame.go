package thumbnail

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// Frame returns the frame of the video shown at time at, sized and encoded
// as opts says (nil: the display size, as JPEG).
//
// The frame shown at a time is the one a player shows then: the last frame
// that starts at or before it (the first frame for a time before the video
// starts, as when the audio starts first). Times count from the start of
// the input, to the microsecond; a time in the last frame's display time
// gives the last frame, and a time at or after the end of the video
// returns an error wrapping [ErrPastEnd].
//
// ffmpeg seeks in the container before it decodes (-ss before -i), so the
// cost does not grow with at: it decodes from the keyframe before at, and
// the fps filter keeps the frame shown at at. From a playlist, ffmpeg
// decodes the segment that holds at (and the first frame of the next).
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
	src := &source{path: input, playlist: o.Playlist, ffmpeg: o.FFmpeg, ffprobe: o.FFprobe}
	if err := src.check(); err != nil {
		return nil, err
	}
	return src.still(ctx, at, o)
}

// still extracts and encodes the frame shown at at from a checked source.
func (s *source) still(ctx context.Context, at time.Duration, o Options) ([]byte, error) {
	in, err := s.open(at, at)
	if err != nil {
		return nil, err
	}
	args := []string{"-map", "0:V:0", "-frames:v", "1", "-vf", pick(at-in.base) + "," + scaleFilter(o.Width, o.Height, o.Fit, MaxSide)}
	args = append(args, o.Format.encoder(o.Quality)...)
	b, err := s.run(ctx, in, append(args, "-f", "image2pipe", "pipe:1"))
	if err != nil || len(b) > 0 {
		return b, err
	}
	// No frame is shown at at: it is at or after the end. Ask ffprobe
	// where the video ends, only now, so the usual call runs one process.
	return nil, s.pastEnd(ctx, "time", at)
}

// pick is the filter that keeps, of frames whose times count from zero,
// the one shown at t, and nothing else: the fps filter's output frame at t
// is the last input frame that starts at or before t (round=up, on a
// microsecond time base), or the first frame when none does; at the end
// of the input it still gives the last frame for a t within its display
// time, and nothing after. trim passes that one frame and ends the stream
// at once, which stops fps from making copies for every microsecond to
// the next frame.
//
// fps compares times on the input's time base (1/90000 s for MPEG-TS,
// 1/1000 s for Matroska, …), rounding start_time up to it, which would
// take a frame that starts within a tick after t: settb first puts the
// frames on a microsecond time base, and start_time is t to the
// microsecond, plus half of one so that the conversion of start_time to
// microseconds, which truncates, cannot lose one.
func pick(t time.Duration) string {
	return "settb=1/1000000,fps=1000000:start_time=" + startTime(t) + ":round=up,trim=end_frame=1"
}

// startTime formats t for the fps filter's start_time: whole microseconds
// plus half of one (see pick).
func startTime(t time.Duration) string {
	return strconv.FormatFloat(float64(t.Truncate(time.Microsecond))/float64(time.Second)+5e-7, 'f', 7, 64)
}

// pastEnd returns the error for a time at which no frame is shown: why
// the input has no video, if it has none, else ErrPastEnd with where the
// video ends.
func (s *source) pastEnd(ctx context.Context, what string, at time.Duration) error {
	m, err := s.probe(ctx)
	if err != nil {
		return err
	}
	d, err := s.videoDuration(ctx, m)
	switch {
	case err != nil:
		return err
	case at < d:
		return fmt.Errorf("%w: no frame at %s %v, though the video is said to last %v", ErrPastEnd, what, at, d)
	}
	return fmt.Errorf("%w: %v (the video lasts %v)", ErrPastEnd, at, d)
}
