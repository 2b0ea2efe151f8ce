package thumbnail_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/v100video/v100/internal/ffmpeg"
	"github.com/v100video/v100/internal/mediatest"
	"github.com/v100video/v100/thumbnail"
)

// source1080p is the benchmarks' source: 12 s of 1080p at 30 fps, with
// libx264's default keyframe interval (250 frames: keyframes at 0 and
// 8.3 s).
var source1080p = mediatest.Spec{Width: 1920, Height: 1080, Seconds: 12, NoAudio: true}

// BenchmarkFrameSeek extracts a 320-pixel-wide JPEG of the frame at 10 s,
// the package's way (-ss before -i: seek in the container, decode from the
// keyframe before 10 s) and the naive way (-ss after -i: decode from the
// start and drop frames up to 10 s), and reports both and their ratio.
func BenchmarkFrameSeek(b *testing.B) {
	clip := mediatest.Clip(b, source1080p)
	ctx := context.Background()
	at := 10 * time.Second
	opts := &thumbnail.Options{Width: 320}
	in, err := ffmpeg.Input(clip, nil)
	if err != nil {
		b.Fatal(err)
	}
	after := append(in, "-ss", "10", "-map", "0:v:0", "-frames:v", "1", "-vf", "scale=320:-2",
		"-c:v", "mjpeg", "-q:v", "7", "-f", "image2pipe", "pipe:1")
	var before, naive time.Duration
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		img, err := thumbnail.Frame(ctx, clip, at, opts)
		if err != nil || len(img) == 0 {
			b.Fatal(err, len(img))
		}
		t1 := time.Now()
		var out bytes.Buffer
		if err := (&ffmpeg.Cmd{Args: after, Stdout: &out}).Run(ctx); err != nil || out.Len() == 0 {
			b.Fatal(err, out.Len())
		}
		before += t1.Sub(t0)
		naive += time.Since(t1)
	}
	n := float64(b.N)
	b.ReportMetric(millis(before)/n, "before-input-ms/frame")
	b.ReportMetric(millis(naive)/n, "after-input-ms/frame")
	b.ReportMetric(float64(naive)/float64(before), "after/before")
}

// BenchmarkStoryboard makes the storyboard of the 1080p source and of a
// 240p HLS rendition of the same 12 s (tiles every 2 s, 160 wide), and
// reports both and their ratio: why storyboards are made from the smallest
// rendition.
func BenchmarkStoryboard(b *testing.B) {
	src := mediatest.Clip(b, source1080p)
	rendition := makeHLS(b, mediatest.Clip(b, mediatest.Spec{Width: 426, Height: 240, Seconds: 12, NoAudio: true}))
	ctx := context.Background()
	opts := thumbnail.StoryboardOptions{Interval: 2 * time.Second, Columns: 3, Rows: 2}
	var big, small time.Duration
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		if _, err := thumbnail.WriteStoryboard(ctx, src, b.TempDir(), &opts); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		o := opts
		o.Playlist = true
		if _, err := thumbnail.WriteStoryboard(ctx, rendition, b.TempDir(), &o); err != nil {
			b.Fatal(err)
		}
		big += t1.Sub(t0)
		small += time.Since(t1)
	}
	n := float64(b.N)
	b.ReportMetric(millis(big)/n, "1080p-ms/storyboard")
	b.ReportMetric(millis(small)/n, "240p-ms/storyboard")
	b.ReportMetric(float64(big)/float64(small), "1080p/240p")
}

// millis converts d to milliseconds.
func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
