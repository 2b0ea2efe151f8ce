package thumbnail_test

import (
	"bytes"
	"context"
	"image"
	"image/gif"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

	// Cover is the centre square of the 320×240 frame, 240×240 from x=40,
	// scaled to the box.
	want := decodedAt(t, clip, time.Second, "crop=240:240:40:0,scale=160:160")
	require.Less(t, lumaDiff(t, cover, want), 1.0, "cover is the centre crop")
	require.Greater(t, lumaDiff(t, cover, decodedAt(t, clip, time.Second, "crop=240:240:30:0,scale=160:160")), 2.0,
		"and not another")
}

// TestFrameIsFromItsTime checks that the fast seek (-ss before -i) gives
// the very frame that decoding from the start to the time gives, and that
// frames at different times differ.
func TestFrameIsFromItsTime(t *testing.T) {
	t.Parallel()
	clip := mediatest.Clip(t, mediatest.Spec{Seconds: 4, NoAudio: true})
	// At 30 fps the frame shown at t is number ⌊30t⌋, also between two
	// frames (517 ms: frame 15, shown from 500 to 533 ms; 3.2 s less a
	// microsecond: frame 95); the same 400 ms later is 12 frames on.
	times := []time.Duration{0, ms(500), ms(517), ms(1500), ms(3200) - time.Microsecond, ms(3200)}
	numbers := []int{0, 15, 15, 45, 95, 96}
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
	// From 59/30 s to 2 s, the last frame is shown.
	for _, at := range []time.Duration{ms(1967), ms(1999)} {
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
	// Shown 320×240, then turned a quarter: 240×320.
	rotatedAnamorphic := filepath.Join(t.TempDir(), "rotated-anamorphic.mp4")
	ffmpegRun(t, "-i", anamorphic, "-c", "copy", "-metadata:s:v:0", "rotate=90", rotatedAnamorphic)
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
		{"rotated anamorphic", rotatedAnamorphic, thumbnail.Options{}, [2]int{240, 320}},
		{"rotated anamorphic, by width", rotatedAnamorphic, thumbnail.Options{Width: 120}, [2]int{120, 160}},
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

// frameAt is Frame's image at at, JPEG at the best quality.
func frameAt(t *testing.T, input string, at time.Duration, opts thumbnail.Options) image.Image {
	t.Helper()
	opts.Quality = 100
	b, err := thumbnail.Frame(context.Background(), input, at, &opts)
	require.NoError(t, err, "at %v", at)
	return decodeJPEG(t, b)
}

// TestFrameShownAt checks Frame's rule on a numbered clip whose video
// starts after its audio and has B-frames: the frame returned is the one
// a player shows at the time, the last that starts at or before it, for
// times on, just before, just after and between frames, and to the
// microsecond.
func TestFrameShownAt(t *testing.T) {
	t.Parallel()
	clip := mediatest.Clip(t, mediatest.Spec{Width: 160, Height: 120, Seconds: 3, Numbered: true, AudioFirst: true, Preset: "veryfast"})
	times := frameTimes(t, clip)
	at := []time.Duration{0, times[1] - time.Microsecond, times[1], ms(1000), times[45] + 16*time.Millisecond,
		times[89] - time.Microsecond, times[89] + ms(20)}
	for _, a := range at {
		require.Equal(t, shownAt(times, a), frameNumber(t, frameAt(t, clip, a, thumbnail.Options{})), "at %v", a)
	}
}

// TestFramePlaylistFMP4 reads frames from fMP4 and MPEG-TS HLS renditions
// of 0.5 s segments: at segment starts and ends, between frames, and in
// the last frame's display time; at the end, ErrPastEnd.
func TestFramePlaylistFMP4(t *testing.T) {
	t.Parallel()
	clip := mediatest.Clip(t, mediatest.Spec{Width: 160, Height: 120, Seconds: 3, Numbered: true, NoAudio: true})
	times := frameTimes(t, clip)
	for _, fmp4 := range []bool{true, false} {
		pl := makeRendition(t, clip, fmp4)
		for _, a := range []time.Duration{0, ms(499), ms(517), ms(1499), ms(2990)} {
			img := frameAt(t, pl, a, thumbnail.Options{Playlist: true})
			require.Equal(t, shownAt(times, a), frameNumber(t, img), "fmp4 %v, at %v", fmp4, a)
		}
		_, err := thumbnail.Frame(context.Background(), pl, 3*time.Second, &thumbnail.Options{Playlist: true})
		require.ErrorIs(t, err, thumbnail.ErrPastEnd, "fmp4 %v", fmp4)
	}
}

// TestFrameCoverArt: an audio file with cover art (an attached picture) has
// no video: the cover is not a frame.
func TestFrameCoverArt(t *testing.T) {
	t.Parallel()
	for _, ext := range []string{"m4a", "mp3"} {
		in := coverArt(t, ext)
		_, err := thumbnail.Frame(context.Background(), in, 0, nil)
		require.ErrorIs(t, err, thumbnail.ErrNoVideo, ext)
		if ext != "m4a" {
			continue
		}
		_, err = thumbnail.ChoosePoster(context.Background(), in, nil)
		require.ErrorIs(t, err, thumbnail.ErrNoVideo, ext)
		_, err = thumbnail.Animated(context.Background(), in, 0, 200*time.Millisecond, nil)
		require.ErrorIs(t, err, thumbnail.ErrNoVideo, ext)
		_, err = thumbnail.WriteStoryboard(context.Background(), in, t.TempDir(), nil)
		require.ErrorIs(t, err, thumbnail.ErrNoVideo, ext)
	}
}

// coverArt writes a 1 s tone with a 64×64 cover picture as an m4a or mp3.
func coverArt(t testing.TB, ext string) string {
	t.Helper()
	png := filepath.Join(t.TempDir(), "cover.png")
	ffmpegRun(t, "-f", "lavfi", "-i", "testsrc2=size=64x64", "-frames:v", "1", png)
	out := filepath.Join(t.TempDir(), "song."+ext)
	codec := "aac"
	if ext == "mp3" {
		codec = "libmp3lame"
	}
	ffmpegRun(t, "-f", "lavfi", "-i", "sine=duration=0.5", "-i", png, "-map", "0:a", "-map", "1:v",
		"-c:a", codec, "-c:v", "copy", "-disposition:v", "attached_pic", out)
	return out
}

// TestFrameExtremeAspect: a hostile sample aspect ratio (1:60, 200:1)
// cannot make an image larger than MaxSide (MaxAnimatedSide for an
// animation) on either side, whichever sides are asked for.
func TestFrameExtremeAspect(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, sar := range []string{"1/60", "200/1"} {
		clip := filepath.Join(dir, "sar"+strings.Replace(sar, "/", "-", 1)+".mp4")
		ffmpegRun(t, "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10:duration=0.5,setsar="+sar,
			"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", clip)
		for _, o := range []thumbnail.Options{{}, {Width: 640}, {Height: 480}, {Width: 64, Height: 64, Fit: thumbnail.Cover}} {
			b, err := thumbnail.Frame(context.Background(), clip, 0, &o)
			require.NoError(t, err, "sar %s, %+v", sar, o)
			sz := size(decodeJPEG(t, b))
			require.True(t, sz[0] <= thumbnail.MaxSide && sz[1] <= thumbnail.MaxSide && sz[0]%2 == 0 && sz[1]%2 == 0,
				"sar %s, %+v: %v", sar, o, sz)
			if o.Width != 0 && o.Height == 0 {
				require.True(t, sz[0] == o.Width || sz[1] == thumbnail.MaxSide, "sar %s: fits %dx%d: %v", sar, o.Width, thumbnail.MaxSide, sz)
			}
		}
		b, err := thumbnail.Animated(context.Background(), clip, 0, 200*time.Millisecond, nil)
		require.NoError(t, err)
		g, err := gif.DecodeConfig(bytes.NewReader(b))
		require.NoError(t, err)
		require.True(t, g.Width <= thumbnail.MaxAnimatedSide && g.Height <= thumbnail.MaxAnimatedSide, "sar %s: %dx%d", sar, g.Width, g.Height)
	}
}

// TestFrameUnknownDuration: a WebM written to a pipe, as a browser's
// MediaRecorder writes it, says nothing of its duration; and an MKV whose
// audio outlasts its video says only the longer. Frames up to the end of
// the video come out, the last frame included; after it, ErrPastEnd.
func TestFrameUnknownDuration(t *testing.T) {
	t.Parallel()
	webm, mkv := streamedWebM(t), longAudioMKV(t)
	for _, in := range []string{webm, mkv} {
		times := frameTimes(t, in)
		last := len(times) - 1
		for _, a := range []time.Duration{ms(1000), times[last], times[last] + ms(25)} {
			require.Equal(t, shownAt(times, a), frameNumber(t, frameAt(t, in, a, thumbnail.Options{})), "%s at %v", filepath.Base(in), a)
		}
		_, err := thumbnail.Frame(context.Background(), in, times[last]+ms(200), nil)
		require.ErrorIs(t, err, thumbnail.ErrPastEnd, filepath.Base(in))
		require.NotContains(t, err.Error(), "lasts 0s")
	}
}

// streamedWebM writes 2 s of a numbered VP9 video (30 fps) to a pipe as
// WebM: no duration, no cues.
func streamedWebM(t testing.TB) string {
	t.Helper()
	return fixture(t, "recorded.webm", func(p string) {
		f, err := os.Create(p)
		require.NoError(t, err)
		defer f.Close()
		cmd := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", numbered2s,
			"-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-f", "webm", "pipe:1")
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = f, &stderr
		require.NoError(t, cmd.Run(), "%s", stderr.String())
	})
}

// numbered2s is the lavfi source of mediatest's numbered video: 2 s at 30
// fps, 160×120.
const numbered2s = "color=c=gray:size=160x120:rate=30:duration=2,format=yuv420p," +
	"geq=lum='if(lt(X,W/2),32+8*mod(N,24),32+16*floor(N/24))':cb=128:cr=128"

// longAudioMKV writes 2 s of numbered video (30 fps) with 3 s of audio
// as Matroska, whose streams have no duration of their own.
func longAudioMKV(t testing.TB) string {
	t.Helper()
	return fixture(t, "long-audio.mkv", func(p string) {
		ffmpegRun(t, "-f", "lavfi", "-i", numbered2s, "-f", "lavfi", "-i", "sine=duration=3",
			"-c:v", "libx264", "-preset", "ultrafast", "-c:a", "libopus", p)
	})
}

// TestFrameErrorMessage: a failed ffmpeg run is reported with this
// package's prefix and ffmpeg's reason, without the addresses of ffmpeg's
// log contexts.
func TestFrameErrorMessage(t *testing.T) {
	t.Parallel()
	clip := mediatest.Clip(t, mediatest.Spec{})
	fake := writeFile(t, "ffmpeg", "#!/bin/sh\necho '[mjpeg @ 0x559d5e0a8c40] bad marker' >&2\nexit 1\n")
	require.NoError(t, os.Chmod(fake, 0o755))
	_, err := thumbnail.Frame(context.Background(), clip, 0, &thumbnail.Options{FFmpeg: fake})
	var pe *thumbnail.ProcessError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "thumbnail: ffmpeg: exit status 1: [mjpeg] bad marker", err.Error())
}
