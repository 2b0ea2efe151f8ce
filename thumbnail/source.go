package thumbnail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/v100video/v100/internal/ffmpeg"
)

// source is an input and how ffmpeg may open it.
type source struct {
	path            string
	playlist        bool
	ffmpeg, ffprobe string
}

// check refuses what must never reach ffmpeg, before it runs: a missing
// file, an empty one, and a playlist or file list unless playlists are
// allowed. (ffmpeg's demuxer whitelist refuses a playlist too; this gives
// the clear error.)
func (s source) check() error {
	if s.playlist {
		if _, err := os.Stat(s.path); err != nil {
			return fmt.Errorf("thumbnail: %w", err)
		}
		return nil
	}
	err := ffmpeg.Sniff(s.path)
	if err == nil || errors.Is(err, ErrEmpty) || errors.Is(err, ErrPlaylist) {
		return err
	}
	return fmt.Errorf("thumbnail: %w", err)
}

// input returns the ffmpeg arguments that open the source, seeking to at
// before decoding.
func (s source) input(at time.Duration) ([]string, error) {
	return ffmpeg.Input(s.path, &ffmpeg.InputOptions{Seek: at.Seconds(), Playlist: s.playlist})
}

// run runs ffmpeg with args and returns what it wrote to standard output.
// A failure is explained by [source.explain].
func (s source) run(ctx context.Context, args []string) ([]byte, error) {
	b, err := s.runRaw(ctx, args)
	if err != nil && ctx.Err() == nil {
		err = s.explain(ctx, err)
	}
	return b, err
}

// runRaw is run without the explanation: the error is ctx.Err() or ffmpeg's.
func (s source) runRaw(ctx context.Context, args []string) ([]byte, error) {
	var out bytes.Buffer
	c := &ffmpeg.Cmd{Path: s.ffmpeg, Args: args, Stdout: &out}
	if err := c.Run(ctx); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	return out.Bytes(), nil
}

// explain turns a failed run into the error a caller can act on: what
// ffprobe says of the input (not media, no video stream) if it objects,
// else the run's own error.
func (s source) explain(ctx context.Context, runErr error) error {
	if _, err := s.probe(ctx); err != nil {
		return err
	}
	return fmt.Errorf("thumbnail: %w", runErr)
}

// media is what the package needs to know of an input's video.
type media struct {
	duration      time.Duration // of the video stream, or of the input when unknown
	fps           float64       // average frame rate; zero if unknown
	width, height int           // display size: square pixels, upright
}

// probe runs ffprobe on the source and describes its first video stream.
func (s source) probe(ctx context.Context) (*media, error) {
	res, err := ffmpeg.Probe(ctx, s.path, &ffmpeg.ProbeOptions{
		Path:  s.ffprobe,
		Input: &ffmpeg.InputOptions{Playlist: s.playlist},
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if errors.Is(err, ErrNotMedia) || errors.Is(err, ErrEmpty) || errors.Is(err, ErrPlaylist) {
			return nil, err
		}
		return nil, fmt.Errorf("thumbnail: %w", err)
	}
	for _, st := range res.Streams {
		if st.CodecType != "video" || st.Disposition["attached_pic"] == 1 {
			continue
		}
		m := &media{
			duration: seconds(ffmpeg.ParseFloat(st.Duration)),
			fps:      ffmpeg.ParseRate(st.AvgFrameRate),
			width:    st.Width,
			height:   st.Height,
		}
		if m.duration == 0 {
			m.duration = seconds(ffmpeg.ParseFloat(res.Format.Duration))
		}
		if sar := ffmpeg.ParseRate(strings.Replace(st.SampleAspect, ":", "/", 1)); sar > 0 {
			m.width = int(float64(m.width)*sar + 0.5)
		}
		if r := st.Rotation(); r == 90 || r == 270 {
			m.width, m.height = m.height, m.width
		}
		return m, nil
	}
	return nil, ErrNoVideo
}
