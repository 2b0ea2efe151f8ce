package thumbnail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/v100video/v100/internal/ffmpeg"
)

// source is an input and how ffmpeg may open it.
type source struct {
	path            string
	playlist        bool // an HLS media playlist is allowed
	ffmpeg, ffprobe string
	pl              *playlist // set by check when path is a playlist
}

// check refuses what must never reach ffmpeg, before it runs: a missing
// file, an empty one, and a playlist or file list unless playlists are
// allowed; an allowed playlist is read for its segments. (ffmpeg's
// demuxer whitelist refuses a playlist too; this gives the clear error.)
func (s *source) check() error {
	err := ffmpeg.Sniff(s.path)
	if err == nil {
		return nil
	}
	if s.playlist && errors.Is(err, ErrPlaylist) {
		s.pl, err = readPlaylist(s.path)
		return err
	}
	return fmt.Errorf("thumbnail: %w", err)
}

// input is how one ffmpeg run reads the source: the arguments up to and
// including -i, the files to write to ffmpeg's standard input (the
// segments of a playlist), and the time on the source's timeline of the
// input's time zero (the start of the first segment fed; zero for a file).
type input struct {
	args  []string
	files []string
	base  time.Duration
}

// open returns the input for a run that shows the source from time from
// to time to (to ≤ from: the frame shown at from). A file is opened with
// a seek to from, in whole milliseconds, before decoding (-ss before -i):
// -noaccurate_seek keeps the frames from the keyframe before it on, which
// the fps filter needs to find the frame shown at from, and -copyts
// -start_at_zero keeps their times on the file's timeline rather than
// shifting them by the seek (a shift ffmpeg rounds to the stream's time
// base, 65 µs in an MP4). A playlist is fed from the segment that holds
// from to the one after the segment that holds to.
func (s *source) open(from, to time.Duration) (*input, error) {
	if s.pl == nil {
		seek := from.Truncate(time.Millisecond)
		args, err := ffmpeg.Input(s.path, &ffmpeg.InputOptions{Seek: seek.Seconds()})
		if err != nil {
			return nil, err
		}
		return &input{args: append([]string{"-noaccurate_seek", "-copyts", "-start_at_zero"}, args...)}, nil
	}
	i, j := s.pl.find(from), s.pl.find(max(from, to))
	return s.feed(i, min(j+2, len(s.pl.segments))), nil
}

// openAll returns the input for a run that reads the whole source.
func (s *source) openAll() (*input, error) {
	if s.pl == nil {
		args, err := ffmpeg.Input(s.path, nil)
		return &input{args: args}, err
	}
	return s.feed(0, len(s.pl.segments)), nil
}

// feed returns the input of segments [i, j) of the playlist, written to
// ffmpeg's standard input after the init section: one fragmented MP4 or
// MPEG-TS stream, which ffmpeg reads with the same demuxer whitelist as a
// file. Its timestamps start at zero at the first segment's first frame.
func (s *source) feed(i, j int) *input {
	return &input{
		args:  []string{"-protocol_whitelist", "pipe", "-format_whitelist", ffmpeg.MediaFormats, "-i", "pipe:0"},
		files: s.pl.files(i, j),
		base:  s.pl.segments[i].start,
	}
}

// run runs ffmpeg on in with args and returns what it wrote to standard
// output. A failure is explained by [source.explain].
func (s *source) run(ctx context.Context, in *input, args []string) ([]byte, error) {
	var out bytes.Buffer
	err := s.runTo(ctx, in, args, &out)
	if err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// runTo runs ffmpeg on in with args, its standard output going to stdout.
// The error is ctx's when ctx ended, else explained by [source.explain].
func (s *source) runTo(ctx context.Context, in *input, args []string, stdout io.Writer) error {
	err := s.runRaw(ctx, in, args, stdout)
	if err != nil && ctx.Err() == nil {
		err = s.explain(ctx, err)
	}
	return err
}

// runRaw is runTo without the explanation: the error is ctx.Err(), a
// segment that could not be read, or ffmpeg's.
func (s *source) runRaw(ctx context.Context, in *input, args []string, stdout io.Writer) error {
	c := &ffmpeg.Cmd{Path: s.ffmpeg, Args: append(append([]string(nil), in.args...), args...), Stdout: stdout}
	var feed *fileReader
	if in.files != nil {
		feed = &fileReader{files: in.files}
		defer feed.Close()
		c.Stdin = feed
	}
	err := c.Run(ctx)
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case feed != nil && feed.err != nil:
		return fmt.Errorf("thumbnail: reading a segment of the playlist: %w", feed.err)
	}
	return err
}

// explain turns a failed run into the error a caller can act on: what
// ffprobe says of the input (not media, no video stream) if it objects,
// else the run's own error.
func (s *source) explain(ctx context.Context, runErr error) error {
	if _, err := s.probe(ctx); err != nil {
		return err
	}
	if strings.HasPrefix(runErr.Error(), "thumbnail: ") {
		return runErr
	}
	return fmt.Errorf("thumbnail: %w", runErr)
}

// media is what the package needs to know of an input's video.
type media struct {
	// duration of the video stream as the input states it (not the
	// container's when another stream may outlast the video; the sum of
	// the segments' EXTINF for a playlist); zero if unknown.
	duration      time.Duration
	width, height int // display size: square pixels, upright
}

// probe runs ffprobe on the source and describes its first video stream.
func (s *source) probe(ctx context.Context) (*media, error) {
	res, err := ffmpeg.Probe(ctx, s.path, &ffmpeg.ProbeOptions{
		Path:  s.ffprobe,
		Input: &ffmpeg.InputOptions{Playlist: s.pl != nil},
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("thumbnail: %w", err)
	}
	others := 0 // audio and video streams besides the first video one
	var m *media
	for _, st := range res.Streams {
		if st.CodecType != "video" && st.CodecType != "audio" || st.Disposition["attached_pic"] == 1 {
			continue // cover art is a picture, not video
		}
		if m != nil || st.CodecType != "video" {
			others++
			continue
		}
		m = &media{
			duration: ffmpeg.Seconds(ffmpeg.ParseFloat(st.Duration)),
			width:    st.Width,
			height:   st.Height,
		}
		if m.duration == 0 {
			// Matroska keeps a stream's duration in a tag.
			m.duration = tagDuration(st.Tags["DURATION"])
		}
		if sar := ffmpeg.ParseRate(strings.Replace(st.SampleAspect, ":", "/", 1)); sar > 0 {
			m.width = int(float64(m.width)*sar + 0.5)
		}
		if r := st.Rotation(); r == 90 || r == 270 {
			m.width, m.height = m.height, m.width
		}
	}
	switch {
	case m == nil:
		return nil, ErrNoVideo
	case s.pl != nil:
		m.duration = s.pl.duration
	case m.duration == 0 && others == 0:
		// The container's duration is the video's only when no other
		// stream may outlast it.
		m.duration = ffmpeg.Seconds(ffmpeg.ParseFloat(res.Format.Duration))
	}
	return m, nil
}

// tagDuration parses a Matroska DURATION tag, "01:02:03.456000000"; zero if
// malformed.
func tagDuration(tag string) time.Duration {
	hms := strings.Split(tag, ":")
	if len(hms) != 3 {
		return 0
	}
	h, err1 := strconv.ParseUint(hms[0], 10, 32)
	m, err2 := strconv.ParseUint(hms[1], 10, 8)
	sec, err3 := strconv.ParseFloat(hms[2], 64)
	if err1 != nil || err2 != nil || err3 != nil || m >= 60 || !(sec >= 0 && sec < 60) {
		return 0
	}
	return ffmpeg.Seconds(float64(h)*3600 + float64(m)*60 + sec)
}

// videoDuration is the duration of the video: as the input states it, or
// measured when it does not.
func (s *source) videoDuration(ctx context.Context, m *media) (time.Duration, error) {
	if m.duration > 0 {
		return m.duration, nil
	}
	return s.measure(ctx)
}

// measure reads the video stream of the whole input without decoding it
// (stream copy to ffmpeg's framecrc muxer, one line per packet) and
// returns where its last packet ends: the end of the video the input
// holds, whatever it says of itself. An input cut short (a truncated
// upload) ends where its data does.
func (s *source) measure(ctx context.Context) (time.Duration, error) {
	in, err := s.openAll()
	if err != nil {
		return 0, err
	}
	var end ffmpeg.PacketEnd
	if err := s.runTo(ctx, in, ffmpeg.MeasureArgs("0:V:0"), &end); err != nil {
		return 0, err
	}
	return end.End(), nil
}

// secs formats d in seconds to the microsecond, for filter options.
func secs(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 6, 64)
}
