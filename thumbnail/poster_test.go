package thumbnail_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
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

// TestPosterPlaylist chooses the poster of fMP4 and MPEG-TS renditions:
// the candidates are decoded (the first, at 10%, passes), and the image is
// the frame shown at the chosen time.
func TestPosterPlaylist(t *testing.T) {
	t.Parallel()
	clip := mediatest.Clip(t, mediatest.Spec{Width: 160, Height: 120, Seconds: 3, Numbered: true, NoAudio: true})
	times := frameTimes(t, clip)
	for _, fmp4 := range []bool{true, false} {
		pl := makeRendition(t, clip, fmp4)
		p, err := thumbnail.ChoosePoster(context.Background(), pl, &thumbnail.Options{Playlist: true, Quality: 100})
		require.NoError(t, err, "fmp4 %v", fmp4)
		require.NotEmpty(t, p.Candidates, "fmp4 %v", fmp4)
		require.Equal(t, ms(300), p.Candidates[0].At, "fmp4 %v: the first candidate, at 10%%, was decoded", fmp4)
		require.Equal(t, shownAt(times, p.At), frameNumber(t, decodeJPEG(t, p.Image)), "fmp4 %v", fmp4)
	}
}

// TestPosterNoCandidate: a video much shorter than it says (a Matroska
// duration tag ten times too long) has no frame at any candidate time; the
// poster is then the first frame, scored like the others, not a sample of
// zeros for a frame never measured.
func TestPosterNoCandidate(t *testing.T) {
	t.Parallel()
	in := lyingMKV(t, "00:00:20.000000000") // 2 s of video
	p, err := thumbnail.ChoosePoster(context.Background(), in, nil)
	require.NoError(t, err)
	require.Equal(t, time.Duration(0), p.At)
	require.NotEmpty(t, p.Candidates, "the frame taken was scored")
	require.Equal(t, p.Sample, p.Candidates[len(p.Candidates)-1])
	require.Greater(t, p.Mean, 0.0, "its statistics are measured")
}

// lyingMKV writes 2 s of numbered video (30 fps, 160×120) as Matroska,
// then overwrites the video stream's DURATION tag (and the segment's
// duration) with claim, such as "11:00:00.000000000".
func lyingMKV(t testing.TB, claim string) string {
	t.Helper()
	mkv := fixture(t, "numbered.mkv", func(p string) {
		ffmpegRun(t, "-f", "lavfi", "-i", numbered2s, "-c:v", "libx264", "-preset", "ultrafast", p)
	})
	b, err := os.ReadFile(mkv)
	require.NoError(t, err)
	old := "00:00:02.000000000"
	require.Len(t, claim, len(old))
	require.Equal(t, 1, bytes.Count(b, []byte(old)), "one DURATION tag")
	b = bytes.Replace(b, []byte(old), []byte(claim), 1)
	// The segment's Duration element: ID 0x4489, size 8, a float64 in
	// milliseconds.
	i := bytes.Index(b, []byte{0x44, 0x89, 0x88})
	require.Greater(t, i, 0)
	h, m, s := 0, 0, 0.0
	_, err = fmt.Sscanf(claim, "%d:%d:%f", &h, &m, &s)
	require.NoError(t, err)
	binary.BigEndian.PutUint64(b[i+3:], math.Float64bits((float64(h*3600+m*60)+s)*1000))
	p := filepath.Join(t.TempDir(), "lying.mkv")
	require.NoError(t, os.WriteFile(p, b, 0o600))
	return p
}
