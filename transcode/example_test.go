package transcode_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/v100video/v100/internal/mediatest"
	"github.com/v100video/v100/transcode"
)

func Example() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	src := filepath.Join(dir, "in.mp4")
	_ = mediatest.Generate(src, mediatest.Spec{Width: 1280, Height: 720, Seconds: 4})

	ctx := context.Background()
	media, err := transcode.Probe(ctx, src, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Keep the example quick: the two smallest rungs of the default ladder.
	ladder := transcode.Plan(media, &transcode.PlanOptions{Steps: transcode.DefaultSteps()[3:]})
	res, err := transcode.Transcode(ctx, src, filepath.Join(dir, "out"), ladder, &transcode.Options{
		Segment: 2 * time.Second,
		Preset:  "ultrafast",
		Media:   media,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Master)
	for _, r := range res.Renditions {
		fmt.Println(r.Playlist, r.Width, r.Height, r.Segments, "segments")
	}
	fmt.Println(res.Audio.Playlist, res.Audio.Codecs)
	// Output:
	// master.m3u8
	// 360p/index.m3u8 640 360 2 segments
	// 240p/index.m3u8 426 240 2 segments
	// audio/index.m3u8 mp4a.40.2
}

func ExamplePlan() {
	portrait := &transcode.Media{Video: &transcode.VideoStream{Width: 1080, Height: 1920, FrameRate: 30}}
	fmt.Print(transcode.Plan(portrait, nil))
	// Output:
	// 1080p  1080x1920  6000 kb/s 30 fps
	// 720p    720x1280  3000 kb/s 30 fps
	// 540p    540x960   2000 kb/s 30 fps
	// 360p    360x640    730 kb/s 30 fps
	// 240p    240x426    300 kb/s 30 fps
}
