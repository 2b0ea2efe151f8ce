package thumbnail_test

import (
	"bytes"
	"context"
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
		// 2 s at 30 fps: the last frame starts at 1.967 s.
		for _, start := range []time.Duration{1990 * time.Millisecond, 2 * time.Second, 3 * time.Second} {
			_, err := thumbnail.Animated(context.Background(), clip, start, time.Second,
				&thumbnail.AnimatedOptions{Format: f})
			require.ErrorIs(t, err, thumbnail.ErrPastEnd, "%v from %v", f, start)
		}
	}
}
