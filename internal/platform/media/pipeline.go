package media

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/v100video/v100/caption"
	"github.com/v100video/v100/hls"
	"github.com/v100video/v100/internal/platform/store"
	"github.com/v100video/v100/thumbnail"
	"github.com/v100video/v100/transcode"
)

// Pipeline processes sources. The zero Pipeline encodes the default ladder
// with no captions.
type Pipeline struct {
	// Steps is the ladder template, largest first; if nil,
	// transcode.DefaultSteps().
	Steps []transcode.Step
	// Segment is the segment duration; if zero, transcode's default (6 s).
	Segment time.Duration
	// Preset is the libx264 preset; if empty, transcode's default.
	Preset string
	// Limits bound the sources; if nil, transcode.DefaultLimits().
	Limits *transcode.Limits
	// Gate bounds how many encodes run at once; if nil, no bound.
	Gate *transcode.Gate
	// Recognizer captions the speech; if nil, no auto captions.
	Recognizer caption.Recognizer
	// Logger receives warnings; if nil, nothing is logged.
	Logger *slog.Logger
}

// Result is what Run made.
type Result struct {
	Duration time.Duration
	Info     store.Info
}

// Names of the files Run writes besides the ladder.
const (
	PosterName    = "poster.jpg"
	StoryboardDir = "storyboard"
	SubtitlesDir  = "subs/en"
)

// Run processes the source file src into the directory out, which must not
// exist, reporting progress in percent to progress (if not nil). On error
// out may hold part of the output; the caller removes it.
func (p *Pipeline) Run(ctx context.Context, src, out string, progress func(float64)) (*Result, error) {
	report := func(pct float64) {
		if progress != nil {
			progress(pct)
		}
	}
	m, err := transcode.Probe(ctx, src, nil)
	if err != nil {
		return nil, err
	}
	ladder := transcode.Plan(m, &transcode.PlanOptions{Steps: p.Steps})
	opts := &transcode.Options{
		Segment: p.Segment, Preset: p.Preset, Limits: p.Limits, Gate: p.Gate, Media: m,
		Progress: func(pr transcode.Progress) { report(pr.Percent * 0.75) },
	}
	res, err := transcode.Transcode(ctx, src, out, ladder, opts)
	if err != nil {
		return nil, err
	}
	r := &Result{Duration: res.Duration}
	for _, v := range res.Renditions {
		r.Info.Renditions = append(r.Info.Renditions, store.Rendition{
			Name: v.Name, Playlist: v.Playlist, Width: v.Width, Height: v.Height, Bandwidth: v.Bandwidth,
		})
	}
	if m.Video != nil {
		r.Info.Width, r.Info.Height = m.Video.DisplaySize()
	}
	report(75)

	if p.Recognizer != nil && m.Audio != nil {
		if err := p.captions(ctx, src, out, res); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			p.warn(r, "captions", err)
		} else {
			r.Info.Captions = []string{"en"}
		}
	}
	report(90)

	if m.Video != nil && len(res.Renditions) > 0 {
		if err := p.poster(ctx, src, out, r.Info.Width); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			p.warn(r, "poster", err)
		} else {
			r.Info.Poster = true
		}
		report(95)
		smallest := res.Renditions[len(res.Renditions)-1].Playlist
		if err := p.storyboard(ctx, filepath.Join(out, filepath.FromSlash(smallest)), out, res.Duration); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			p.warn(r, "storyboard", err)
		} else {
			r.Info.Storyboard = true
		}
	}
	report(100)
	return r, nil
}

func (p *Pipeline) warn(r *Result, what string, err error) {
	msg := what + ": " + Reason(err)
	r.Info.Warnings = append(r.Info.Warnings, msg)
	if p.Logger != nil {
		p.Logger.Warn("processing: "+what+" left out", "err", err)
	}
}

// captions recognises the speech of src and adds it to the ladder in out
// as a subtitle rendition aligned with the video's segments.
func (p *Pipeline) captions(ctx context.Context, src, out string, res *transcode.Result) error {
	t, err := caption.RecognizeFile(ctx, p.Recognizer, src, &caption.FileOptions{TempDir: filepath.Dir(out)})
	if err != nil {
		return err
	}
	cues := caption.CuesFromTranscript(t, nil)
	if len(cues) == 0 {
		return errors.New("no speech recognised")
	}
	ref := res.Audio
	if len(res.Renditions) > 0 {
		ref = &res.Renditions[0]
	}
	f, err := os.Open(filepath.Join(out, filepath.FromSlash(ref.Playlist)))
	if err != nil {
		return err
	}
	pl, err := hls.ParseMedia(f)
	f.Close()
	if err != nil {
		return err
	}
	durs := make([]time.Duration, len(pl.Segments))
	for i, s := range pl.Segments {
		durs[i] = time.Duration(s.Duration * float64(time.Second))
	}
	hopts := &caption.HLSOptions{}
	if res.Format == transcode.TS {
		hopts.MPEGTS = caption.MPEGTSFFmpeg
	}
	subs, err := caption.SegmentVTT(cues, durs, hopts)
	if err != nil {
		return err
	}
	if err := subs.WriteDir(filepath.Join(out, filepath.FromSlash(SubtitlesDir)), "index.m3u8"); err != nil {
		return err
	}
	return addSubtitles(filepath.Join(out, res.Master), caption.Rendition("English", "en", SubtitlesDir+"/index.m3u8", true))
}

// addSubtitles adds a subtitle rendition to the master playlist at path and
// names its group in every variant.
func addSubtitles(path string, sub hls.Rendition) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	m, err := hls.ParseMaster(f)
	f.Close()
	if err != nil {
		return err
	}
	m.Media = append(m.Media, sub)
	for i := range m.Variants {
		m.Variants[i].Subtitles = sub.GroupID
	}
	b, err := m.Encode()
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// poster writes a representative frame, no wider than 1280 pixels.
func (p *Pipeline) poster(ctx context.Context, src, out string, width int) error {
	opts := &thumbnail.Options{}
	if width > 1280 {
		opts.Width = 1280
	}
	pst, err := thumbnail.ChoosePoster(ctx, src, opts)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, PosterName), pst.Image, 0o644)
}

// storyboard writes sprite sheets from the smallest rendition, a tile every
// twentieth of the video (between 1 s and 10 s).
func (p *Pipeline) storyboard(ctx context.Context, playlist, out string, d time.Duration) error {
	iv := min(max((d/20).Truncate(time.Second), time.Second), 10*time.Second)
	_, err := thumbnail.WriteStoryboard(ctx, playlist, filepath.Join(out, StoryboardDir), &thumbnail.StoryboardOptions{
		Playlist: true, Interval: iv,
	})
	return err
}

// Permanent reports whether err comes from the input, so that processing
// it again cannot succeed.
func Permanent(err error) bool {
	for _, e := range []error{
		transcode.ErrNotMedia, transcode.ErrPlaylist, transcode.ErrEmpty, transcode.ErrUnsupported,
		transcode.ErrNoStreams, transcode.ErrInvalidLadder,
		transcode.ErrSizeLimit, transcode.ErrDurationLimit, transcode.ErrDimensionsLimit, transcode.ErrFrameRateLimit,
	} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// Reason is err's message for the API, cut to 500 bytes.
func Reason(err error) string {
	s := err.Error()
	if len(s) > 500 {
		s = strings.ToValidUTF8(s[:500], "") + "…"
	}
	return s
}
