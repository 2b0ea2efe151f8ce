package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/v100video/v100/transcode"
)

func runTranscode(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("transcode", "<input> -o <output dir> [flags]", stderr)
	out := fs.String("o", "", "output `directory` (must not exist, or be empty)")
	segment := fs.Duration("segment", 6*time.Second, "target segment `duration`")
	format := fs.String("format", "fmp4", "segment `format`: fmp4 or ts")
	preset := fs.String("preset", "veryfast", "libx264 `preset`")
	steps := fs.String("ladder", "", "rungs as short-side:kbps pairs, largest first, e.g. 720:3000,360:730 (default: 1080p to 240p after Apple's guidance)")
	quiet := fs.Bool("q", false, "no progress output")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := exactly("transcode", pos, 1, "one input file"); err != nil {
		return err
	}
	if *out == "" {
		return usageError("transcode: -o <output dir> is required")
	}
	opts := &transcode.Options{Segment: *segment, Preset: *preset}
	switch *format {
	case "fmp4":
	case "ts":
		opts.Format = transcode.TS
	default:
		return usageError(fmt.Sprintf("transcode: -format %q: want fmp4 or ts", *format))
	}
	plan := &transcode.PlanOptions{}
	if *steps != "" {
		if plan.Steps, err = parseSteps(*steps); err != nil {
			return err
		}
	}

	src, err := transcode.Probe(ctx, pos[0], nil)
	if err != nil {
		return err
	}
	opts.Media = src
	ladder := transcode.Plan(src, plan)
	fmt.Fprintf(stderr, "%s: %s, %s\n%s", pos[0], describe(src), src.Duration.Round(time.Millisecond), ladder)

	if !*quiet {
		bar := newProgressBar(stderr)
		var mu sync.Mutex
		opts.Progress = func(p transcode.Progress) {
			mu.Lock()
			defer mu.Unlock()
			bar.update(p.Percent, p.FPS, p.Speed, p.ETA, p.Done)
		}
	}
	res, err := transcode.Transcode(ctx, pos[0], *out, ladder, opts)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RENDITION\tSIZE\tCODECS\tBANDWIDTH\tAVERAGE\tSEGMENTS")
	for _, r := range append(res.Renditions, derefAudio(res.Audio)...) {
		size := "audio"
		if r.Width > 0 {
			size = fmt.Sprintf("%dx%d@%s", r.Width, r.Height, fps(r.FrameRate))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d kb/s\t%d kb/s\t%d\n", r.Name, size, r.Codecs, r.Bandwidth/1000, r.AverageBandwidth/1000, r.Segments)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	speed := 0.0
	if res.Wall > 0 {
		speed = res.Duration.Seconds() / res.Wall.Seconds()
	}
	fmt.Fprintf(stdout, "master: %s\nwall %s, cpu %s, %.2fx real time\n",
		filepath.Join(*out, res.Master), res.Wall.Round(time.Millisecond), res.CPU.Round(time.Millisecond), speed)
	return nil
}

func derefAudio(a *transcode.Rendition) []transcode.Rendition {
	if a == nil {
		return nil
	}
	return []transcode.Rendition{*a}
}

// parseSteps parses "720:3000,360:730" into ladder steps.
func parseSteps(s string) ([]transcode.Step, error) {
	var steps []transcode.Step
	for _, part := range strings.Split(s, ",") {
		short, kbps, ok := strings.Cut(strings.TrimSpace(part), ":")
		h, err1 := strconv.Atoi(strings.TrimSuffix(short, "p"))
		k, err2 := strconv.Atoi(kbps)
		if !ok || err1 != nil || err2 != nil || h < 16 || h > 8192 || k < 16 || k > 200_000 {
			return nil, usageError(fmt.Sprintf("transcode: -ladder %q: want short-side:kbps pairs such as 720:3000,360:730", part))
		}
		if len(steps) > 0 && h >= steps[len(steps)-1].Short {
			return nil, usageError("transcode: -ladder: list rungs from the largest down")
		}
		steps = append(steps, transcode.Step{Short: h, Bitrate: k * 1000})
	}
	return steps, nil
}

// describe summarises a source on one line.
func describe(m *transcode.Media) string {
	var parts []string
	if v := m.Video; v != nil {
		w, h := v.DisplaySize()
		parts = append(parts, fmt.Sprintf("%s %dx%d %s fps", v.Codec, w, h, fps(v.FrameRate)))
		if v.Rotation != 0 {
			parts = append(parts, fmt.Sprintf("rotated %d°", v.Rotation))
		}
	}
	if a := m.Audio; a != nil {
		parts = append(parts, fmt.Sprintf("%s %d Hz %dch", a.Codec, a.SampleRate, a.Channels))
	} else {
		parts = append(parts, "no audio")
	}
	return strings.Join(parts, ", ")
}

// fps writes a frame rate with up to three decimals: 30, 29.97, 23.976.
func fps(r float64) string {
	return strconv.FormatFloat(math.Round(r*1000)/1000, 'f', -1, 64)
}
