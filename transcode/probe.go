package transcode

import (
	"context"
	"fmt"
	"math"
	"os"
	"strconv"
	"time"

	"github.com/v100video/v100/internal/ffmpeg"
)

// Media describes a source file, as ffprobe reads it.
type Media struct {
	Container string        // ffmpeg demuxer names, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
	Duration  time.Duration // of the container
	Size      int64         // bytes
	BitRate   int           // bits per second, whole file; 0 if unknown
	Video     *VideoStream  // the first video stream, nil if none (cover art is not video)
	Audio     *AudioStream  // the first audio stream, nil if none
}

// VideoStream is a source's video.
type VideoStream struct {
	Index     int    // stream index in the container
	Codec     string // e.g. "h264", "hevc", "vp9"
	Profile   string
	PixFmt    string
	Width     int     // coded width, before rotation and sample aspect ratio
	Height    int     // coded height
	SAR       float64 // sample (pixel) aspect ratio; 1 for square pixels
	Rotation  int     // display rotation: 0, 90, 180 or 270 degrees
	FrameRate float64 // frames per second, as ffmpeg picks an output rate: the base rate, or the average for variable-rate streams
	BitRate   int     // bits per second; 0 if unknown
	Frames    int64   // frame count when the container records it; 0 if unknown
}

// DisplaySize is the picture size a player shows: the coded size stretched by
// the sample aspect ratio, and swapped when rotated by 90 or 270 degrees.
func (v *VideoStream) DisplaySize() (width, height int) {
	w, h := float64(v.Width), float64(v.Height)
	if v.SAR > 0 && v.SAR != 1 {
		w *= v.SAR
	}
	width, height = int(math.Round(w)), int(math.Round(h))
	if v.Rotation == 90 || v.Rotation == 270 {
		width, height = height, width
	}
	return width, height
}

// AudioStream is a source's audio.
type AudioStream struct {
	Index      int
	Codec      string // e.g. "aac", "opus", "mp3"
	SampleRate int
	Channels   int
	Layout     string // e.g. "stereo"
	BitRate    int
}

// ProbeOptions configure [Probe]; nil means defaults.
type ProbeOptions struct {
	// FFprobe is the ffprobe executable; if empty, "ffprobe" from PATH.
	FFprobe string
	// FFmpeg is the ffmpeg executable, run to measure the duration of a
	// file whose container does not record it; if empty, "ffmpeg".
	FFmpeg string
}

// Probe reads what input holds with ffprobe, opening nothing but input: a
// playlist, a concat list or anything else that names other files is refused
// with ErrPlaylist, an empty file with ErrEmpty, a container format ffmpeg
// may not open here with ErrUnsupported, and a file with no audio or video
// with ErrNotMedia or ErrNoStreams.
//
// When the container does not record its duration (raw H.264, WebM
// written by a browser's MediaRecorder), Probe measures it by reading the
// whole file through ffmpeg without decoding.
func Probe(ctx context.Context, input string, opts *ProbeOptions) (*Media, error) {
	if opts == nil {
		opts = &ProbeOptions{}
	}
	fi, err := os.Stat(input)
	if err != nil {
		return nil, fmt.Errorf("transcode: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("transcode: %s is not a regular file", input)
	}
	res, err := ffmpeg.Probe(ctx, input, &ffmpeg.ProbeOptions{Path: opts.FFprobe})
	if err != nil {
		return nil, err
	}
	m := fromProbe(res)
	m.Size = fi.Size()
	if m.Video == nil && m.Audio == nil {
		return nil, ErrNoStreams
	}
	if m.Duration == 0 {
		spec := "0:V:0"
		if m.Video == nil {
			spec = "0:a:0"
		}
		if m.Duration, err = scanDuration(ctx, input, spec, opts.FFmpeg); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// scanDuration reads the stream named by spec (such as "0:V:0") through
// ffmpeg without decoding it and returns where its last packet ends.
func scanDuration(ctx context.Context, input, spec, bin string) (time.Duration, error) {
	in, err := ffmpeg.Input(input, nil)
	if err != nil {
		return 0, err
	}
	var end ffmpeg.PacketEnd
	cmd := &ffmpeg.Cmd{Path: bin, Args: append(in, ffmpeg.MeasureArgs(spec)...), Stdout: &end}
	if err := cmd.Run(ctx); err != nil {
		return 0, fmt.Errorf("transcode: measuring the duration: %w", err)
	}
	return end.End(), nil
}

func fromProbe(res *ffmpeg.ProbeResult) *Media {
	m := &Media{
		Container: res.Format.FormatName,
		Duration:  ffmpeg.Seconds(ffmpeg.ParseFloat(res.Format.Duration)),
		BitRate:   atoi(res.Format.BitRate),
	}
	for i := range res.Streams {
		s := &res.Streams[i]
		switch s.CodecType {
		case "video":
			// Cover art and thumbnails are single pictures, not video.
			if m.Video != nil || s.Disposition["attached_pic"] == 1 || s.Width <= 0 || s.Height <= 0 {
				continue
			}
			// ffmpeg's own choice of output rate: the stream's base
			// rate, unless that is a timebase-like figure and the
			// average is plausible (variable-rate phone recordings).
			fps := ffmpeg.ParseRate(s.RFrameRate)
			if avg := ffmpeg.ParseRate(s.AvgFrameRate); fps <= 0 || (fps > 210 && avg > 0 && avg < 70) {
				fps = avg
			}
			m.Video = &VideoStream{
				Index: s.Index, Codec: s.CodecName, Profile: s.Profile, PixFmt: s.PixFmt,
				Width: s.Width, Height: s.Height, SAR: ratio(s.SampleAspect),
				Rotation: s.Rotation(), FrameRate: fps, BitRate: atoi(s.BitRate),
				Frames: int64(atoi(s.NbFrames)),
			}
		case "audio":
			if m.Audio != nil {
				continue
			}
			m.Audio = &AudioStream{
				Index: s.Index, Codec: s.CodecName, SampleRate: atoi(s.SampleRate),
				Channels: s.Channels, Layout: s.ChannelLayout, BitRate: atoi(s.BitRate),
			}
		}
	}
	if m.Duration == 0 && m.Video != nil {
		for _, s := range res.Streams {
			if s.Index == m.Video.Index {
				m.Duration = ffmpeg.Seconds(ffmpeg.ParseFloat(s.Duration))
			}
		}
	}
	return m
}

// ratio parses a "num:den" aspect ratio; 1 when unknown.
func ratio(s string) float64 {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			n, d := ffmpeg.ParseFloat(s[:i]), ffmpeg.ParseFloat(s[i+1:])
			if n > 0 && d > 0 && n/d > 0.1 && n/d < 10 {
				return n / d
			}
			break
		}
	}
	return 1
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0
	}
	return n
}
