package transcode

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/v100video/v100/internal/ffmpeg"
)

// Format is the HLS segment container.
type Format int

const (
	// FMP4 segments (CMAF-style fragmented MP4 with an EXT-X-MAP init
	// segment) play in every current HLS player; the default.
	FMP4 Format = iota
	// TS segments (MPEG-2 transport stream) for old players.
	TS
)

// Options configure [Transcode]; nil means defaults.
type Options struct {
	// Segment is the target segment duration, 0.5 s to 1 min; if zero,
	// 6 s (Apple's recommendation). Keyframes are forced on this grid in
	// every rung.
	Segment time.Duration
	// Format of the segments; the zero value is FMP4.
	Format Format
	// Preset is the libx264 preset; if empty, "veryfast".
	Preset string
	// Progress, if not nil, receives progress reports about twice a second,
	// from a goroutine of Transcode's.
	Progress func(Progress)
	// Limits bound the source; if nil, DefaultLimits().
	Limits *Limits
	// Gate bounds concurrent encodes; if nil, this call does not wait.
	Gate *Gate
	// FFmpeg and FFprobe are the executables; if empty, found in PATH.
	FFmpeg, FFprobe string
	// Grace is how long ffmpeg gets to stop after a cancellation before it
	// is killed; if zero, 5 s.
	Grace time.Duration
	// Media, if not nil, is the source as [Probe] returned it, so Transcode
	// does not probe again.
	Media *Media
}

func (o *Options) validate() error {
	if o.Segment != 0 && (o.Segment < 500*time.Millisecond || o.Segment > time.Minute) {
		return fmt.Errorf("%w: segment duration %v: want 0.5 s to 1 min", ErrInvalidOptions, o.Segment)
	}
	if o.Format != FMP4 && o.Format != TS {
		return fmt.Errorf("%w: format %d", ErrInvalidOptions, o.Format)
	}
	if o.Grace < 0 {
		return fmt.Errorf("%w: grace %v", ErrInvalidOptions, o.Grace)
	}
	return nil
}

func (o *Options) segment() time.Duration {
	if o.Segment > 0 {
		return o.Segment
	}
	return 6 * time.Second
}

func (o *Options) preset() string {
	if o.Preset != "" {
		return o.Preset
	}
	return "veryfast"
}

// Progress is a report on a running transcode.
type Progress struct {
	Percent float64       // of the source duration, 0 to 100
	FPS     float64       // frames of the top rung encoded per wall second; 0 in the first second
	Speed   float64       // media seconds per wall second
	OutTime time.Duration // media time done
	ETA     time.Duration // wall time left at the current speed; 0 if unknown
	Done    bool
}

// Result describes a finished ladder. Paths are relative to the output
// directory.
type Result struct {
	Master     string      // "master.m3u8"
	Renditions []Rendition // video, largest first
	Audio      *Rendition  // nil when the source has no audio
	Duration   time.Duration
	Format     Format
	// CPU is the user and system CPU time ffmpeg used; Wall the time
	// from its start to its exit.
	CPU, Wall time.Duration
	// Command is the ffmpeg command line that made the ladder, for logs.
	// It ran in the directory that became the output: its output paths
	// are relative to it.
	Command []string
}

// Rendition is one media playlist of the output.
type Rendition struct {
	Name      string // "720p", "audio"
	Playlist  string // "720p/index.m3u8"
	Width     int    // 0 for audio
	Height    int
	FrameRate float64
	Codecs    string // RFC 6381, e.g. "avc1.64001f" or "mp4a.40.2"
	// Bandwidth is the peak segment bit rate and AverageBandwidth the
	// whole rendition's, measured from the written segments (bits/s).
	Bandwidth, AverageBandwidth int
	Segments                    int
}

// Transcode encodes input into an HLS ladder in the directory output: one
// ffmpeg process decodes the source once and encodes every rung of ladder,
// with keyframes aligned on the segment grid, then Transcode writes
// master.m3u8 with bandwidths measured from the segments.
//
// output must not exist or be an empty directory. The ladder is built in a
// temporary sibling directory (".transcode-partial-*") and renamed into
// place when complete, so a failed or cancelled transcode leaves no partial
// output; only a process that dies mid-encode leaves its temporary
// directory behind. Cancelling ctx
// stops ffmpeg gracefully, then kills it after Options.Grace, and returns an
// error that matches ctx's.
//
// An invalid ladder returns ErrInvalidLadder; inputs over the limits a
// *LimitError; playlists and lists that reference other files ErrPlaylist
// (checked even when Options.Media is set); a failed ffmpeg run an error
// carrying the tail of ffmpeg's stderr ([ProcessError]).
func Transcode(ctx context.Context, input, output string, ladder Ladder, opts *Options) (*Result, error) {
	if opts == nil {
		opts = &Options{}
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if err := ladder.Validate(); err != nil {
		return nil, err
	}
	limits := opts.Limits
	if limits == nil {
		limits = DefaultLimits()
	}
	if fi, err := os.Stat(input); err != nil {
		return nil, fmt.Errorf("transcode: %w", err)
	} else if limits.MaxSize > 0 && fi.Size() > limits.MaxSize {
		return nil, &LimitError{ErrSizeLimit, fmt.Sprint(fi.Size(), " bytes"), fmt.Sprint(limits.MaxSize, " bytes")}
	}
	// Even with a Media from an earlier Probe: the file may have changed.
	if err := ffmpeg.Sniff(input); err != nil {
		return nil, err
	}
	src := opts.Media
	if src == nil {
		var err error
		if src, err = Probe(ctx, input, &ProbeOptions{FFprobe: opts.FFprobe, FFmpeg: opts.FFmpeg}); err != nil {
			return nil, err
		}
	}
	if err := limits.Check(src); err != nil {
		return nil, err
	}
	if len(ladder.Rungs) > 0 && src.Video == nil {
		return nil, fmt.Errorf("%w: video rungs for a source without video", ErrInvalidLadder)
	}
	if ladder.AudioBitrate > 0 && src.Audio == nil {
		return nil, fmt.Errorf("%w: an audio rendition for a source without audio", ErrInvalidLadder)
	}
	output, err := filepath.Abs(output)
	if err != nil {
		return nil, fmt.Errorf("transcode: output: %w", err)
	}
	if err := checkOutput(output); err != nil {
		return nil, err
	}

	if err := opts.Gate.acquire(ctx); err != nil {
		return nil, err
	}
	defer opts.Gate.release()

	tmp, err := os.MkdirTemp(filepath.Dir(output), ".transcode-partial-")
	if err != nil {
		return nil, fmt.Errorf("transcode: %w", err)
	}
	published := false
	defer func() {
		if !published {
			os.RemoveAll(tmp)
		}
	}()

	in, err := ffmpeg.Input(input, nil)
	if err != nil {
		return nil, err
	}
	cmd := &ffmpeg.Cmd{
		Path:     opts.FFmpeg,
		Dir:      tmp,
		Args:     args(in, src, ladder, opts, limits.MaxDuration),
		Duration: src.Duration,
		Grace:    opts.Grace,
	}
	if fn := opts.Progress; fn != nil {
		cmd.OnProgress = func(p ffmpeg.Progress) {
			fn(Progress{Percent: p.Percent, FPS: p.FPS, Speed: p.Speed, OutTime: p.OutTime, ETA: p.ETA, Done: p.Done})
		}
	}
	start := time.Now()
	if err := cmd.Run(ctx); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("transcode: cancelled: %w", err)
		}
		return nil, fmt.Errorf("transcode: %w", err)
	}
	res, err := writeMaster(tmp, ladder, opts.Format)
	if err != nil {
		return nil, err
	}
	res.Duration, res.Format = src.Duration, opts.Format
	res.CPU, res.Wall = cmd.CPU, time.Since(start)
	res.Command = append([]string{cmd.Path}, cmd.Args...)
	if cmd.Path == "" {
		res.Command[0] = "ffmpeg"
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, fmt.Errorf("transcode: %w", err)
	}
	if err := os.Rename(tmp, output); err != nil {
		return nil, fmt.Errorf("transcode: publishing the ladder: %w", err)
	}
	published = true
	return res, nil
}

// checkOutput accepts a path that does not exist or is an empty directory.
func checkOutput(output string) error {
	entries, err := os.ReadDir(output)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("transcode: output: %w", err)
	case len(entries) > 0:
		return fmt.Errorf("%w: %s", ErrOutputExists, output)
	}
	return nil
}
