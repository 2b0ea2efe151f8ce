package thumbnail_test

import (
	"context"
	"image"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/internal/mediatest"
	"github.com/v100video/v100/thumbnail"
)

// TestPosterSkipsBlackStart: the first 2 s of a 4 s clip are black, so the
// candidates at 10% and 25% are refused and the one at 50% is taken.
func TestPosterSkipsBlackStart(t *testing.T) {
	t.Parallel()
	clip := mediatest.Clip(t, mediatest.Spec{Seconds: 4, Black: 2, NoAudio: true})
	p, err := thumbnail.ChoosePoster(context.Background(), clip, &thumbnail.Options{Width: 160, Quality: 100})
	require.NoError(t, err)
	require.True(t, p.Good())
	require.Equal(t, 2*time.Second, p.At, "the first candidate after the black start")
	require.Len(t, p.Candidates, 3, "stops at the first good candidate")
	for _, c := range p.Candidates[:2] {
		require.False(t, c.Good(), "the candidate at %v is in the black start", c.At)
		require.Less(t, c.Mean, thumbnail.PosterMinMean)
	}
	img := decodeJPEG(t, p.Image)
	require.Equal(t, [2]int{160, 120}, size(img))
	require.Greater(t, meanLuma(img, img.Bounds()), 40.0, "the poster is not black")
	want := decodedAt(t, clip, 2*time.Second, "scale=160:120")
	require.Less(t, lumaDiff(t, img, want), 1.0, "the image is the frame at p.At")
}

// TestPosterAllBlack: no candidate passes, and the best is returned rather
// than an error.
func TestPosterAllBlack(t *testing.T) {
	t.Parallel()
	clip := mediatest.Clip(t, mediatest.Spec{Seconds: 1, Black: 2, NoAudio: true})
	p, err := thumbnail.ChoosePoster(context.Background(), clip, &thumbnail.Options{Format: thumbnail.WebP})
	require.NoError(t, err)
	require.False(t, p.Good())
	require.Len(t, p.Candidates, 5, "every candidate tried")
	require.Equal(t, p.Candidates[0].At, p.At, "among equals, the first")
	require.Equal(t, webp{width: 320, height: 240}, parseWebP(t, p.Image))
}

// TestPosterFirstCandidate: a clip with no black start takes the frame at
// 10% of the duration.
func TestPosterFirstCandidate(t *testing.T) {
	t.Parallel()
	clip := mediatest.Clip(t, mediatest.Spec{})
	p, err := thumbnail.ChoosePoster(context.Background(), clip, nil)
	require.NoError(t, err)
	require.True(t, p.Good())
	require.Equal(t, ms(200), p.At)
	require.Len(t, p.Candidates, 1)
	img := decodeJPEG(t, p.Image)
	require.Equal(t, [2]int{320, 240}, size(img))
	require.Greater(t, meanLuma(img, image.Rect(0, 0, 320, 240)), 40.0)
}

func TestSampleGood(t *testing.T) {
	t.Parallel()
	cases := []struct {
		s    thumbnail.Sample
		want bool
	}{
		{thumbnail.Sample{Mean: 0, StdDev: 0}, false},                                              // black
		{thumbnail.Sample{Mean: 16, StdDev: 40}, false},                                            // dark
		{thumbnail.Sample{Mean: 128, StdDev: 2}, false},                                            // flat grey
		{thumbnail.Sample{Mean: 250, StdDev: 3}, false},                                            // white flash
		{thumbnail.Sample{Mean: 120, StdDev: 60}, true},                                            // a picture
		{thumbnail.Sample{Mean: thumbnail.PosterMinMean, StdDev: thumbnail.PosterMinStdDev}, true}, // on the bounds
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, tc.s.Good(), "%+v", tc.s)
	}
}
