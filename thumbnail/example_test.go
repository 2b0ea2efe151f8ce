package thumbnail_test

import (
	"bytes"
	"context"
	"fmt"
	"image/gif"
	"image/jpeg"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/v100video/v100/internal/mediatest"
	"github.com/v100video/v100/thumbnail"
)

// exampleClip writes a test clip (ffmpeg's moving testsrc2 pattern) to a
// new temporary directory; remove the directory when done.
func exampleClip(spec mediatest.Spec) (clip, dir string) {
	dir, err := os.MkdirTemp("", "thumbnail-example-")
	if err != nil {
		log.Fatal(err)
	}
	clip = filepath.Join(dir, "video.mp4")
	if err := mediatest.Generate(clip, spec); err != nil {
		log.Fatal(err)
	}
	return clip, dir
}

// A 160-pixel-wide JPEG of the frame at 1.5 s, as an on-demand thumbnail
// endpoint (?time=1.5&width=160) would serve it.
func ExampleFrame() {
	clip, dir := exampleClip(mediatest.Spec{Width: 640, Height: 360, Seconds: 2})
	defer os.RemoveAll(dir)

	opts := &thumbnail.Options{Width: 160, Format: thumbnail.JPEG}
	b, err := thumbnail.Frame(context.Background(), clip, 1500*time.Millisecond, opts)
	if err != nil {
		log.Fatal(err)
	}
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(opts.Format.ContentType(), img.Bounds().Dx(), "x", img.Bounds().Dy())

	_, err = thumbnail.Frame(context.Background(), clip, 5*time.Second, opts)
	fmt.Println(err)
	// Output:
	// image/jpeg 160 x 90
	// thumbnail: time is past the end of the video: 5s (the video lasts 2s)
}

// Cover crops the centre to fill a square; Pad letterboxes into it.
func ExampleFit() {
	clip, dir := exampleClip(mediatest.Spec{Width: 640, Height: 360, Seconds: 1, NoAudio: true})
	defer os.RemoveAll(dir)

	for _, fit := range []thumbnail.Fit{thumbnail.Contain, thumbnail.Cover, thumbnail.Pad} {
		b, err := thumbnail.Frame(context.Background(), clip, 0, &thumbnail.Options{Width: 128, Height: 128, Fit: fit})
		if err != nil {
			log.Fatal(err)
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%-7s %dx%d\n", fit, cfg.Width, cfg.Height)
	}
	// Output:
	// contain 128x72
	// cover   128x128
	// pad     128x128
}

// The first second is black (a fade in), so the frames at 10% and 25% are
// passed over for the one at 50%.
func ExampleChoosePoster() {
	clip, dir := exampleClip(mediatest.Spec{Seconds: 2, Black: 1, NoAudio: true})
	defer os.RemoveAll(dir)

	p, err := thumbnail.ChoosePoster(context.Background(), clip, &thumbnail.Options{Width: 320})
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range p.Candidates {
		fmt.Printf("%v good=%v\n", c.At, c.Good())
	}
	fmt.Println("poster at", p.At)
	// Output:
	// 200ms good=false
	// 500ms good=false
	// 1s good=true
	// poster at 1s
}

// A storyboard of a 5 s video, one tile a second, 4×4 tiles to a sheet, and
// the start of its WebVTT track.
func ExampleWriteStoryboard() {
	clip, dir := exampleClip(mediatest.Spec{Width: 640, Height: 360, Seconds: 5, NoAudio: true})
	defer os.RemoveAll(dir)

	sb, err := thumbnail.WriteStoryboard(context.Background(), clip, filepath.Join(dir, "storyboard"),
		&thumbnail.StoryboardOptions{Interval: time.Second, Columns: 4, Rows: 4, URLPrefix: "/v/42/"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sb.Sheets, len(sb.Cues), "tiles of", sb.TileWidth, "x", sb.TileHeight)
	lines := strings.Split(string(sb.VTT), "\n")
	fmt.Println(strings.Join(lines[:7], "\n"))
	// Output:
	// [storyboard-1.jpg] 5 tiles of 160 x 90
	// WEBVTT
	//
	// 00:00:00.000 --> 00:00:01.000
	// /v/42/storyboard-1.jpg#xywh=0,0,160,90
	//
	// 00:00:01.000 --> 00:00:02.000
	// /v/42/storyboard-1.jpg#xywh=160,0,160,90
}

// A one-second looping GIF preview at 10 frames a second.
func ExampleAnimated() {
	clip, dir := exampleClip(mediatest.Spec{Seconds: 2, NoAudio: true})
	defer os.RemoveAll(dir)

	b, err := thumbnail.Animated(context.Background(), clip, 500*time.Millisecond, time.Second,
		&thumbnail.AnimatedOptions{Width: 160})
	if err != nil {
		log.Fatal(err)
	}
	g, err := gif.DecodeAll(bytes.NewReader(b))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(g.Image), "frames of", g.Config.Width, "x", g.Config.Height)
	// Output: 10 frames of 160 x 120
}
