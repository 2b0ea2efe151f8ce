package thumbnail_test

import (
	"bytes"
	"context"
	"image"
	"image/draw"
	"image/gif"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/internal/mediatest"
	"github.com/v100video/v100/thumbnail"
)

func TestAnimatedGIF(t *testing.T) {
	t.Parallel()
	clip := mediatest.Clip(t, mediatest.Spec{Seconds: 4, NoAudio: true})
	cases := []struct {
		name            string
		start, duration time.Duration
		opts            *thumbnail.AnimatedOptions
		frames          int
		size            [2]int
	}{
		{"defaults", time.Second, 2 * time.Second, nil, 20, [2]int{320, 240}},
		{"fps and width", 0, time.Second, &thumbnail.AnimatedOptions{FPS: 5, Width: 160}, 5, [2]int{160, 120}},
		{"pad", 500 * time.Millisecond, time.Second, &thumbnail.AnimatedOptions{Width: 96, Height: 96, Fit: thumbnail.Pad}, 10, [2]int{96, 96}},
		{"cut at the end", 3 * time.Second, 2 * time.Second, &thumbnail.AnimatedOptions{Width: 64}, 10, [2]int{64, 48}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := thumbnail.Animated(context.Background(), clip, tc.start, tc.duration, tc.opts)
			require.NoError(t, err)
			g, err := gif.DecodeAll(bytes.NewReader(b))
			require.NoError(t, err, "output is a GIF")
			require.InDelta(t, tc.frames, len(g.Image), 1, "frames")
			require.Equal(t, tc.size, [2]int{g.Config.Width, g.Config.Height})
			require.Equal(t, 0, g.LoopCount, "loops forever")
			// Frames move: testsrc2 changes every frame.
			require.NotEqual(t, g.Image[0].Pix, g.Image[len(g.Image)-1].Pix)
		})
	}
}

func TestAnimatedWebP(t *testing.T) {
	t.Parallel()
	clip := mediatest.Clip(t, mediatest.Spec{Seconds: 4, NoAudio: true})
	b, err := thumbnail.Animated(context.Background(), clip, time.Second, 1500*time.Millisecond,
		&thumbnail.AnimatedOptions{Format: thumbnail.WebP, Height: 120, FPS: 8})
	require.NoError(t, err)
	w := parseWebP(t, b)
	require.Equal(t, [2]int{160, 120}, [2]int{w.width, w.height})
	require.InDelta(t, 12, w.frames, 1, "ANMF frames")
	require.Equal(t, 0, w.loops, "loops forever")
}

func TestAnimatedPastEnd(t *testing.T) {
	t.Parallel()
	clip := mediatest.Clip(t, mediatest.Spec{})
	for _, f := range []thumbnail.Format{thumbnail.GIF, thumbnail.WebP} {
		// 2 s at 30 fps: the last frame is shown from 1.967 s to 2 s.
		for _, start := range []time.Duration{2 * time.Second, 3 * time.Second} {
			_, err := thumbnail.Animated(context.Background(), clip, start, time.Second,
				&thumbnail.AnimatedOptions{Format: f})
			require.ErrorIs(t, err, thumbnail.ErrPastEnd, "%v from %v", f, start)
		}
	}
}

// gifNumbers decodes a GIF of a numbered clip and reads the number of
// every frame, drawn as a player draws it: over the frames before it, as
// ffmpeg's encoder writes only what changed.
func gifNumbers(t *testing.T, b []byte) []int {
	t.Helper()
	g, err := gif.DecodeAll(bytes.NewReader(b))
	require.NoError(t, err, "output is a GIF")
	canvas := image.NewRGBA(image.Rect(0, 0, g.Config.Width, g.Config.Height))
	var numbers []int
	for _, img := range g.Image {
		draw.Draw(canvas, img.Bounds(), img, img.Bounds().Min, draw.Over)
		numbers = append(numbers, frameNumber(t, canvas))
	}
	return numbers
}

// wantFrames is what an animation from start at fps shows, n frames: the
// frames shown at start, start+1/fps, …
func wantFrames(times []time.Duration, start time.Duration, fps float64, n int) []int {
	var want []int
	for k := range n {
		want = append(want, shownAt(times, start+time.Duration(float64(k)*float64(time.Second)/fps)))
	}
	return want
}

// TestAnimatedFrames: each frame of an animation is the frame shown at
// its time, from the start time on, including a span from a playlist (fMP4
// and MPEG-TS) that crosses segments, a span cut at the end of the video,
// and a start in the last frame's display time.
func TestAnimatedFrames(t *testing.T) {
	t.Parallel()
	clip := mediatest.Clip(t, mediatest.Spec{Width: 160, Height: 120, Seconds: 3, Numbered: true, NoAudio: true})
	times := frameTimes(t, clip)
	ctx := context.Background()
	opts := &thumbnail.AnimatedOptions{Width: 64, FPS: 10}
	for _, tc := range []struct {
		start, d time.Duration
		n        int
	}{
		{ms(250), ms(500), 5},
		{ms(2600), time.Second, 4}, // cut at the end
		{ms(2980), time.Second, 1}, // in the last frame's display time
		{ms(1000), ms(100), 1},     // the shortest span
	} {
		b, err := thumbnail.Animated(ctx, clip, tc.start, tc.d, opts)
		require.NoError(t, err, "from %v for %v", tc.start, tc.d)
		require.Equal(t, wantFrames(times, tc.start, 10, tc.n), gifNumbers(t, b), "from %v for %v", tc.start, tc.d)
	}
	for _, fmp4 := range []bool{true, false} {
		pl := makeRendition(t, clip, fmp4)
		o := *opts
		o.Playlist = true
		b, err := thumbnail.Animated(ctx, pl, ms(820), ms(900), &o)
		require.NoError(t, err, "fmp4 %v", fmp4)
		require.Equal(t, wantFrames(times, ms(820), 10, 9), gifNumbers(t, b), "fmp4 %v", fmp4)
	}
}

// TestAnimatedLimits: frame rates and spans too small to make an animation
// are refused before ffmpeg runs (a frame rate of 1e-300 made ffmpeg die of
// SIGFPE).
func TestAnimatedLimits(t *testing.T) {
	t.Parallel()
	clip := mediatest.Clip(t, mediatest.Spec{})
	for _, tc := range []struct {
		d   time.Duration
		fps float64
	}{
		{time.Second, 1e-300},
		{time.Second, 0.5},
		{thumbnail.MinAnimatedDuration - time.Millisecond, 10},
		{time.Millisecond, 10},
	} {
		_, err := thumbnail.Animated(context.Background(), clip, 0, tc.d, &thumbnail.AnimatedOptions{FPS: tc.fps})
		require.ErrorIs(t, err, thumbnail.ErrInvalid, "%v at %v fps", tc.d, tc.fps)
	}
	b, err := thumbnail.Animated(context.Background(), clip, 0, time.Second, &thumbnail.AnimatedOptions{FPS: thumbnail.MinAnimatedFPS})
	require.NoError(t, err)
	g, err := gif.DecodeAll(bytes.NewReader(b))
	require.NoError(t, err)
	require.Len(t, g.Image, 1, "one frame a second for a second")
}
