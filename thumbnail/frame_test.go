package thumbnail_test

import (
	"context"
	"image"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/internal/mediatest"
	"github.com/v100video/v100/thumbnail"
)

// TestFrameSizes checks the output size for every way of asking, on a 4:3
// source (320×240).
func TestFrameSizes(t *testing.T) {
	t.Parallel()
	clip := mediatest.Clip(t, mediatest.Spec{})
	cases := []struct {
		name string
		opts thumbnail.Options
		want [2]int
	}{
		{"source size", thumbnail.Options{}, [2]int{320, 240}},
		{"width keeps the aspect", thumbnail.Options{Width: 160}, [2]int{160, 120}},
		{"height keeps the aspect", thumbnail.Options{Height: 90}, [2]int{120, 90}},
		{"width rounds the height to even", thumbnail.Options{Width: 100}, [2]int{100, 76}},
		{"contain a square box", thumbnail.Options{Width: 160, Height: 160}, [2]int{160, 120}},
		{"contain a wide box", thumbnail.Options{Width: 320, Height: 120}, [2]int{160, 120}},
		{"cover a square box", thumbnail.Options{Width: 160, Height: 160, Fit: thumbnail.Cover}, [2]int{160, 160}},
		{"cover a wide box", thumbnail.Options{Width: 320, Height: 120, Fit: thumbnail.Cover}, [2]int{320, 120}},
		{"pad a square box", thumbnail.Options{Width: 160, Height: 160, Fit: thumbnail.Pad}, [2]int{160, 160}},
		{"pad a wide box", thumbnail.Options{Width: 320, Height: 120, Fit: thumbnail.Pad}, [2]int{320, 120}},
		{"upscale", thumbnail.Options{Width: 640}, [2]int{640, 480}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := thumbnail.Frame(context.Background(), clip, time.Second, &tc.opts)
			require.NoError(t, err)
			img := decodeJPEG(t, b)
			require.Equal(t, tc.want, size(img), "got %v, want %v", size(img), tc.want)
		})
	}
}

// TestFrameFitContent checks what each fit puts in the box: pad adds black
// bars, cover crops without any, contain fills its smaller box.
func TestFrameFitContent(t *testing.T) {
	t.Parallel()
	clip := mediatest.Clip(t, mediatest.Spec{})
	frame := func(fit thumbnail.Fit) image.Image {
		b, err := thumbnail.Frame(context.Background(), clip, time.Second,
			&thumbnail.Options{Width: 160, Height: 160, Fit: fit, Quality: 100})
		require.NoError(t, err)
		return decodeJPEG(t, b)
	}
	// 320×240 into 160×160: the picture is 160×120, centred.
	pad := frame(thumbnail.Pad)
	top, bottom := image.Rect(0, 0, 160, 18), image.Rect(0, 142, 160, 160)
	require.Less(t, meanLuma(pad, top), 3.0, "pad: top bar is black")
	require.Less(t, meanLuma(pad, bottom), 3.0, "pad: bottom bar is black")
	require.Greater(t, meanLuma(pad, image.Rect(0, 22, 160, 138)), 40.0, "pad: the picture is in the middle")

	cover := frame(thumbnail.Cover)
	require.Greater(t, meanLuma(cover, top), 20.0, "cover: no bar at the top")
	require.Greater(t, meanLuma(cover, bottom), 20.0, "cover: no bar at the bottom")

	// Cover is the centre of the frame scaled to 214×160, the frame's
	// height-160 size: x from 26 (27 rounded down to even for the chroma).
	b, err := thumbnail.Frame(context.Background(), clip, time.Second, &thumbnail.Options{Height: 160, Quality: 100})
	require.NoError(t, err)
	full := decodeJPEG(t, b)
	require.Equal(t, [2]int{214, 160}, size(full))
	require.Less(t, lumaDiff(t, cover, crop(full, image.Rect(26, 0, 186, 160))), 1.0,
		"cover is the centre crop")
}

// TestFrameIsFromItsTime checks that the fast seek (-ss before -i) gives
// the very frame that decoding from the start to the time gives, and that
// frames at different times differ.
func TestFrameIsFromItsTime(t *testing.T) {
	t.Parallel()
	clip := mediatest.Clip(t, mediatest.Spec{Seconds: 4, NoAudio: true})
	// At 30 fps the frame at t is number 30t; the same 400 ms later is
	// 12 frames on.
	times := []time.Duration{0, ms(500), ms(1500), ms(3200)}
	numbers := []int{0, 15, 45, 96}
	for _, n := range numbers {
		numbers = append(numbers, n+12)
	}
	refs := framesByNumber(t, clip, "scale=160:120", numbers...)
	for i, at := range times {
		b, err := thumbnail.Frame(context.Background(), clip, at, &thumbnail.Options{Width: 160, Quality: 100})
		require.NoError(t, err)
		got := decodeJPEG(t, b)
		same, later := lumaDiff(t, got, refs[i]), lumaDiff(t, got, refs[len(times)+i])
		require.Less(t, same, 1.0, "the frame at %v is frame %d", at, numbers[i])
		require.Greater(t, later, 4.0, "the frame at %v differs from the one 400 ms later", at)
	}
}

func TestFrameEnd(t *testing.T) {
	t.Parallel()
	clip := mediatest.Clip(t, mediatest.Spec{}) // 2 s at 30 fps: the last frame, 59, starts at 1.967 s
	ctx := context.Background()
	last := framesByNumber(t, clip, "scale=160:120", 59)[0]
	// 1.966 s: the first frame at or after it is the last; 1.999 s: no frame
	// starts at or after it, but the last one is still shown.
	for _, at := range []time.Duration{ms(1966), ms(1999)} {
		b, err := thumbnail.Frame(ctx, clip, at, &thumbnail.Options{Width: 160, Quality: 100})
		require.NoError(t, err, "at %v", at)
		require.Less(t, lumaDiff(t, decodeJPEG(t, b), last), 1.0, "%v gives the last frame", at)
	}
	for _, at := range []time.Duration{2 * time.Second, 3 * time.Second} {
		_, err := thumbnail.Frame(ctx, clip, at, nil)
		require.ErrorIs(t, err, thumbnail.ErrPastEnd, "at %v", at)
	}
}

func TestFrameWebP(t *testing.T) {
	t.Parallel()
	clip := mediatest.Clip(t, mediatest.Spec{})
	b, err := thumbnail.Frame(context.Background(), clip, time.Second,
		&thumbnail.Options{Width: 200, Height: 100, Fit: thumbnail.Pad, Format: thumbnail.WebP})
	require.NoError(t, err)
	require.Equal(t, webp{width: 200, height: 100}, parseWebP(t, b))
	require.Equal(t, [2]int{200, 100}, ffprobeSize(t, b))
}

// TestFrameDisplaySize checks that rotation and a non-square sample aspect
// ratio are applied: sizes are of the picture as it is shown.
func TestFrameDisplaySize(t *testing.T) {
	t.Parallel()
	rotated := mediatest.Clip(t, mediatest.Spec{Seconds: 1, NoAudio: true, Rotate: 90})
	anamorphic := filepath.Join(t.TempDir(), "anamorphic.mp4")
	out, err := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error",
		"-f", "lavfi", "-i", "testsrc2=size=160x240:rate=10:duration=1,setsar=2",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", anamorphic).CombinedOutput()
	require.NoError(t, err, "%s", out)
	cases := []struct {
		name string
		clip string
		opts thumbnail.Options
		want [2]int
	}{
		{"rotated", rotated, thumbnail.Options{}, [2]int{240, 320}},
		{"rotated, by width", rotated, thumbnail.Options{Width: 120}, [2]int{120, 160}},
		{"rotated, cover", rotated, thumbnail.Options{Width: 100, Height: 100, Fit: thumbnail.Cover}, [2]int{100, 100}},
		{"anamorphic", anamorphic, thumbnail.Options{}, [2]int{320, 240}},
		{"anamorphic, by width", anamorphic, thumbnail.Options{Width: 160}, [2]int{160, 120}},
		{"anamorphic, by height", anamorphic, thumbnail.Options{Height: 120}, [2]int{160, 120}},
		{"anamorphic, contain", anamorphic, thumbnail.Options{Width: 64, Height: 64}, [2]int{64, 48}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := thumbnail.Frame(context.Background(), tc.clip, ms(500), &tc.opts)
			require.NoError(t, err)
			require.Equal(t, tc.want, size(decodeJPEG(t, b)))
		})
	}
}

// TestFramePlaylist reads a frame from an HLS rendition when playlists are
// allowed, and refuses the same playlist otherwise.
func TestFramePlaylist(t *testing.T) {
	t.Parallel()
	clip := mediatest.Clip(t, mediatest.Spec{Seconds: 3, NoAudio: true})
	pl := makeHLS(t, clip)
	ctx := context.Background()
	b, err := thumbnail.Frame(ctx, pl, ms(2500), &thumbnail.Options{Width: 160, Playlist: true, Quality: 100})
	require.NoError(t, err)
	require.Less(t, lumaDiff(t, decodeJPEG(t, b), decodedAt(t, clip, ms(2500), "scale=160:120")), 1.0,
		"the frame at 2.5 s of the rendition is the source's")
	_, err = thumbnail.Frame(ctx, pl, ms(2500), nil)
	require.ErrorIs(t, err, thumbnail.ErrPlaylist)
}

func TestFrameCancel(t *testing.T) {
	t.Parallel()
	clip := mediatest.Clip(t, mediatest.Spec{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := thumbnail.Frame(ctx, clip, 0, nil)
	require.ErrorIs(t, err, context.Canceled)
}
