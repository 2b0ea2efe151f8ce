package thumbnail_test

import (
	"context"
	"image"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/internal/mediatest"
	"github.com/v100video/v100/thumbnail"
)

// checkStoryboard checks what WriteStoryboard wrote in dir against sb and
// the layout every storyboard must have, and returns the decoded sheets.
func checkStoryboard(t *testing.T, sb *thumbnail.Storyboard, dir string, tiles int, duration time.Duration, prefix string) []image.Image {
	t.Helper()
	per := sb.Columns * sb.Rows
	require.Len(t, sb.Sheets, (tiles+per-1)/per, "sheets")
	require.Len(t, sb.Cues, tiles, "one cue per tile")
	require.Equal(t, duration, sb.Duration)
	sheetW, sheetH := sb.Columns*sb.TileWidth, sb.Rows*sb.TileHeight
	var sheets []image.Image
	for _, name := range sb.Sheets {
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		img := decodeJPEG(t, b)
		require.Equal(t, [2]int{sheetW, sheetH}, size(img), "sheet %s is Columns×TileWidth by Rows×TileHeight", name)
		sheets = append(sheets, img)
	}
	vtt, err := os.ReadFile(filepath.Join(dir, thumbnail.VTTName))
	require.NoError(t, err)
	require.Equal(t, string(sb.VTT), string(vtt), "the track written is the one returned")
	cues, err := thumbnail.ParseVTT(vtt)
	require.NoError(t, err)
	require.Len(t, cues, tiles, "cues in the track")
	for i, c := range cues {
		require.Equal(t, prefix+sb.Cues[i].Sheet, c.Sheet)
		require.True(t, strings.HasPrefix(c.Sheet, prefix+"storyboard-"), c.Sheet)
		require.Equal(t, time.Duration(i)*sb.Interval, c.Start, "cue %d starts at its tile's time", i)
		if i > 0 {
			require.Equal(t, cues[i-1].End, c.Start, "cue %d starts where %d ended", i, i-1)
		}
		require.Equal(t, [2]int{sb.TileWidth, sb.TileHeight}, [2]int{c.W, c.H})
		require.True(t, c.X >= 0 && c.Y >= 0 && c.X+c.W <= sheetW && c.Y+c.H <= sheetH,
			"cue %d: %d,%d,%d,%d inside the %dx%d sheet", i, c.X, c.Y, c.W, c.H, sheetW, sheetH)
		require.Equal(t, sb.Sheets[i/per], sb.Cues[i].Sheet, "cue %d is in sheet %d", i, i/per)
	}
	require.Equal(t, duration, cues[len(cues)-1].End, "the last cue ends with the video")
	return sheets
}

// TestStoryboard: 5.5 s at one tile a second is 6 tiles, on two 2×2
// sheets, the second half empty; tile i is the frame at i seconds.
func TestStoryboard(t *testing.T) {
	t.Parallel()
	clip := mediatest.Clip(t, mediatest.Spec{Seconds: 5.5, NoAudio: true})
	dir := filepath.Join(t.TempDir(), "out") // created by WriteStoryboard
	opts := &thumbnail.StoryboardOptions{Interval: time.Second, Columns: 2, Rows: 2, TileWidth: 80, Quality: 100,
		URLPrefix: "https://cdn.example.com/v/42/"}
	sb, err := thumbnail.WriteStoryboard(context.Background(), clip, dir, opts)
	require.NoError(t, err)
	require.Equal(t, []string{"storyboard-1.jpg", "storyboard-2.jpg"}, sb.Sheets)
	require.Equal(t, [2]int{80, 60}, [2]int{sb.TileWidth, sb.TileHeight})
	sheets := checkStoryboard(t, sb, dir, 6, 5500*time.Millisecond, opts.URLPrefix)

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 3, "two sheets and the track, no temporary directory left")

	// Tile i is frame 30i (at 30 fps); 300 ms later is 9 frames on.
	var numbers []int
	for i := range sb.Cues {
		numbers = append(numbers, 30*i)
	}
	for i := range sb.Cues {
		numbers = append(numbers, 30*i+9)
	}
	refs := framesByNumber(t, clip, "scale=80:60", numbers...)
	for i, c := range sb.Cues {
		tile := crop(sheets[i/4], image.Rect(c.X, c.Y, c.X+c.W, c.Y+c.H))
		same, later := lumaDiff(t, tile, refs[i]), lumaDiff(t, tile, refs[len(sb.Cues)+i])
		require.Less(t, same, 1.5, "tile %d is the frame at %v", i, c.Start)
		require.Less(t, same*2, later, "tile %d is nearer the frame at %v than 300 ms later", i, c.Start)
	}
	// The last sheet holds tiles 4 and 5; its second row is empty.
	require.Less(t, meanLuma(sheets[1], image.Rect(0, 60, 160, 120)), 3.0, "unused tiles are black")
}

// TestStoryboardTileCount checks the number of tiles: one for every
// interval begun.
func TestStoryboardTileCount(t *testing.T) {
	t.Parallel()
	clip := mediatest.Clip(t, mediatest.Spec{}) // 2 s
	for _, tc := range []struct {
		interval time.Duration
		tiles    int
	}{
		{time.Second, 2},
		{700 * time.Millisecond, 3},
		{2 * time.Second, 1},
		{5 * time.Second, 1},
		{150 * time.Millisecond, 14},
	} {
		t.Run(tc.interval.String(), func(t *testing.T) {
			dir := t.TempDir()
			sb, err := thumbnail.WriteStoryboard(context.Background(), clip, dir,
				&thumbnail.StoryboardOptions{Interval: tc.interval, Columns: 3, Rows: 2, TileWidth: 32})
			require.NoError(t, err)
			checkStoryboard(t, sb, dir, tc.tiles, 2*time.Second, "")
		})
	}
}

// TestStoryboardFromRendition makes the storyboard from an HLS rendition,
// as the platform does, and gets the tiles the source gives.
func TestStoryboardFromRendition(t *testing.T) {
	t.Parallel()
	clip := mediatest.Clip(t, mediatest.Spec{Seconds: 3, NoAudio: true})
	pl := makeHLS(t, clip)
	ctx := context.Background()
	opts := &thumbnail.StoryboardOptions{Interval: time.Second, Columns: 3, Rows: 1, TileWidth: 64, Quality: 100}
	fromSource, fromRendition := t.TempDir(), t.TempDir()
	want, err := thumbnail.WriteStoryboard(ctx, clip, fromSource, opts)
	require.NoError(t, err)

	_, err = thumbnail.WriteStoryboard(ctx, pl, fromRendition, opts)
	require.ErrorIs(t, err, thumbnail.ErrPlaylist, "a playlist needs Playlist")

	opts.Playlist = true
	got, err := thumbnail.WriteStoryboard(ctx, pl, fromRendition, opts)
	require.NoError(t, err)
	sheets := checkStoryboard(t, got, fromRendition, 3, 3*time.Second, "")
	require.Equal(t, want.Cues, got.Cues)
	b, err := os.ReadFile(filepath.Join(fromSource, want.Sheets[0]))
	require.NoError(t, err)
	require.Less(t, lumaDiff(t, sheets[0], decodeJPEG(t, b)), 1.0, "the same tiles")
}

func TestStoryboardWebPAndOddDirectory(t *testing.T) {
	t.Parallel()
	clip := mediatest.Clip(t, mediatest.Spec{})
	dir := filepath.Join(t.TempDir(), "100%d %s")
	sb, err := thumbnail.WriteStoryboard(context.Background(), clip, dir,
		&thumbnail.StoryboardOptions{Interval: 500 * time.Millisecond, Columns: 2, Rows: 2, TileWidth: 48, Format: thumbnail.WebP})
	require.NoError(t, err)
	require.Equal(t, []string{"storyboard-1.webp"}, sb.Sheets)
	b, err := os.ReadFile(filepath.Join(dir, "storyboard-1.webp"))
	require.NoError(t, err)
	require.Equal(t, webp{width: 96, height: 72}, parseWebP(t, b))
	require.Contains(t, string(sb.VTT), "storyboard-1.webp#xywh=48,36,48,36")
}

// TestStoryboardFailedRunLeavesDirectory: ffmpeg failing after it wrote a
// sheet (here an ffmpeg that does just that) leaves the directory as it
// was, an earlier storyboard included.
func TestStoryboardFailedRunLeavesDirectory(t *testing.T) {
	t.Parallel()
	clip := mediatest.Clip(t, mediatest.Spec{})
	fake := failingFFmpeg(t)
	dir := t.TempDir()
	old := filepath.Join(dir, "storyboard-1.jpg")
	require.NoError(t, os.WriteFile(old, []byte("earlier"), 0o600))
	_, err := thumbnail.WriteStoryboard(context.Background(), clip, dir, &thumbnail.StoryboardOptions{FFmpeg: fake})
	require.ErrorContains(t, err, "Conversion failed!")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "nothing added")
	b, err := os.ReadFile(old)
	require.NoError(t, err)
	require.Equal(t, "earlier", string(b))
}

// failingFFmpeg writes an ffmpeg that fails when it makes sheets, after
// writing the first one, and runs the real ffmpeg for anything else (the
// pass that measures the duration).
func failingFFmpeg(t *testing.T) string {
	t.Helper()
	fake := writeFile(t, "ffmpeg", `#!/bin/sh
for a; do last=$a; done
case "$last" in
file:*) ;;
*) exec ffmpeg "$@" ;;
esac
out=$(printf '%s' "${last#file:}" | sed 's/%d/1/')
echo partial > "$out"
echo "Conversion failed!" >&2
exit 1
`)
	require.NoError(t, os.Chmod(fake, 0o755))
	return fake
}

// TestStoryboardRotated: tiles have the upright picture's aspect ratio.
func TestStoryboardRotated(t *testing.T) {
	t.Parallel()
	clip := mediatest.Clip(t, mediatest.Spec{Seconds: 1, NoAudio: true, Rotate: 90}) // shown 240×320
	dir := t.TempDir()
	sb, err := thumbnail.WriteStoryboard(context.Background(), clip, dir,
		&thumbnail.StoryboardOptions{Interval: 500 * time.Millisecond, Columns: 2, Rows: 1, TileWidth: 48})
	require.NoError(t, err)
	require.Equal(t, [2]int{48, 64}, [2]int{sb.TileWidth, sb.TileHeight})
	checkStoryboard(t, sb, dir, 2, time.Second, "")
}

// TestStoryboardAudioFirst: in an MP4 whose audio starts first (the video
// about 21 ms later, as in most uploads remuxed from MPEG-TS), tile i is
// still the frame shown at i×Interval, not the one an interval later.
func TestStoryboardAudioFirst(t *testing.T) {
	t.Parallel()
	clip := mediatest.Clip(t, mediatest.Spec{Width: 160, Height: 120, Seconds: 3, Numbered: true, AudioFirst: true, Preset: "veryfast"})
	times := frameTimes(t, clip)
	require.Greater(t, times[0], time.Duration(0), "the video starts after the audio")
	dir := t.TempDir()
	sb, err := thumbnail.WriteStoryboard(context.Background(), clip, dir,
		&thumbnail.StoryboardOptions{Interval: 500 * time.Millisecond, Columns: 3, Rows: 2, TileWidth: 64, Quality: 100})
	require.NoError(t, err)
	require.Len(t, sb.Cues, 6)
	require.Equal(t, wantTiles(sb, times), tileNumbers(t, sb, dir))
}

// TestStoryboardFromFMP4Rendition makes the storyboard of an fMP4 HLS
// rendition (transcode's default output) and of an MPEG-TS one: every tile
// is the frame shown at its time.
func TestStoryboardFromFMP4Rendition(t *testing.T) {
	t.Parallel()
	clip := mediatest.Clip(t, mediatest.Spec{Width: 160, Height: 120, Seconds: 3, Numbered: true, NoAudio: true})
	for _, fmp4 := range []bool{true, false} {
		pl := makeRendition(t, clip, fmp4)
		times := frameTimes(t, clip) // the rendition keeps the frames and their times
		dir := t.TempDir()
		sb, err := thumbnail.WriteStoryboard(context.Background(), pl, dir,
			&thumbnail.StoryboardOptions{Interval: 400 * time.Millisecond, Columns: 4, Rows: 2, TileWidth: 64, Quality: 100, Playlist: true})
		require.NoError(t, err, "fmp4 %v", fmp4)
		checkStoryboard(t, sb, dir, 8, 3*time.Second, "")
		require.Equal(t, wantTiles(sb, times), tileNumbers(t, sb, dir), "fmp4 %v", fmp4)
	}
}

// TestStoryboardUnknownDuration: a WebM from a MediaRecorder says nothing
// of its duration, and a Matroska file's audio may outlast its video: the
// storyboard covers the video, measured.
func TestStoryboardUnknownDuration(t *testing.T) {
	t.Parallel()
	for _, in := range []string{streamedWebM(t), longAudioMKV(t)} {
		times := frameTimes(t, in)
		dir := t.TempDir()
		sb, err := thumbnail.WriteStoryboard(context.Background(), in, dir,
			&thumbnail.StoryboardOptions{Interval: 500 * time.Millisecond, Columns: 2, Rows: 2, TileWidth: 32, Quality: 100})
		require.NoError(t, err, filepath.Base(in))
		// The video lasts 2 s; in the Matroska file it starts 14 ms into
		// the file, after the audio, and its duration tag says 2.007 s.
		require.InDelta(t, 2*time.Second, sb.Duration, float64(20*time.Millisecond), "%s: the video's duration", filepath.Base(in))
		checkStoryboard(t, sb, dir, int((sb.Duration-time.Millisecond)/sb.Interval)+1, sb.Duration, "")
		require.Equal(t, wantTiles(sb, times), tileNumbers(t, sb, dir), filepath.Base(in))
	}
}

// TestStoryboardShorterThanSaid: an MP4 cut in the middle of its media
// data (its index, at the start, still says 4 s) and a Matroska file whose
// duration tags claim 11 hours make a storyboard of the video there is,
// not tiles repeating its last frame.
func TestStoryboardShorterThanSaid(t *testing.T) {
	t.Parallel()
	clip := mediatest.Clip(t, mediatest.Spec{Width: 160, Height: 120, Seconds: 4, Numbered: true, NoAudio: true})
	truncated := filepath.Join(t.TempDir(), "truncated.mp4")
	ffmpegRun(t, "-i", clip, "-c", "copy", "-movflags", "+faststart", truncated)
	fi, err := os.Stat(truncated)
	require.NoError(t, err)
	require.NoError(t, os.Truncate(truncated, fi.Size()/2))
	for _, tc := range []struct {
		in       string
		interval time.Duration
	}{
		{truncated, 500 * time.Millisecond},
		{lyingMKV(t, "11:00:00.000000000"), time.Minute}, // 660 tiles if believed
	} {
		dir := t.TempDir()
		sb, err := thumbnail.WriteStoryboard(context.Background(), tc.in, dir,
			&thumbnail.StoryboardOptions{Interval: tc.interval, Columns: 4, Rows: 4, TileWidth: 32, Quality: 100})
		require.NoError(t, err, filepath.Base(tc.in))
		times := frameTimes(t, tc.in)
		var end time.Duration
		if n := len(times); n > 0 {
			end = times[n-1] + time.Second/30
		}
		require.Less(t, sb.Duration, 4*time.Second, filepath.Base(tc.in))
		require.InDelta(t, end, sb.Duration, float64(40*time.Millisecond), "%s: the duration of the frames there are", filepath.Base(tc.in))
		require.Len(t, sb.Cues, int((sb.Duration-time.Millisecond)/tc.interval)+1, filepath.Base(tc.in))
		checkStoryboard(t, sb, dir, len(sb.Cues), sb.Duration, "")
		if tc.in == truncated {
			require.Equal(t, wantTiles(sb, times), tileNumbers(t, sb, dir))
		}
	}
}

// TestStoryboardReplaces: a storyboard written over an earlier, longer one
// leaves only its own sheets; one that fails leaves the directory as it
// was, and does not create it.
func TestStoryboardReplaces(t *testing.T) {
	t.Parallel()
	clip := mediatest.Clip(t, mediatest.Spec{}) // 2 s
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "sb")
	opts := &thumbnail.StoryboardOptions{Interval: 200 * time.Millisecond, Columns: 2, Rows: 1, TileWidth: 32}
	sb, err := thumbnail.WriteStoryboard(ctx, clip, dir, opts)
	require.NoError(t, err)
	require.Len(t, sb.Sheets, 5)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "poster.jpg"), []byte("not ours"), 0o600))
	opts.Interval = time.Second
	sb, err = thumbnail.WriteStoryboard(ctx, clip, dir, opts)
	require.NoError(t, err)
	require.Equal(t, []string{"storyboard-1.jpg"}, sb.Sheets)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	require.ElementsMatch(t, []string{"poster.jpg", "storyboard-1.jpg", thumbnail.VTTName}, names, "the earlier sheets 2 to 5 are gone")

	missing := filepath.Join(t.TempDir(), "a", "b")
	_, err = thumbnail.WriteStoryboard(ctx, clip, missing, &thumbnail.StoryboardOptions{FFmpeg: failingFFmpeg(t)})
	require.ErrorContains(t, err, "Conversion failed!")
	_, err = os.Stat(filepath.Dir(missing))
	require.ErrorIs(t, err, fs.ErrNotExist, "a failed call creates no directory")
}

// TestStoryboardCancel cancels a storyboard while ffmpeg decodes a 60 s
// 720p clip: the call returns the context's error and leaves no temporary
// directory.
func TestStoryboardCancel(t *testing.T) {
	t.Parallel()
	clip := mediatest.Clip(t, mediatest.Spec{Width: 1280, Height: 720, FPS: 2, Seconds: 60, NoAudio: true})
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := thumbnail.WriteStoryboard(ctx, clip, dir, &thumbnail.StoryboardOptions{Interval: time.Second})
		done <- err
	}()
	// Cancel once the call has made its temporary directory: ffmpeg is
	// about to decode, or decoding.
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	var err error
wait:
	for {
		select {
		case err = <-done:
			break wait
		case <-tick.C:
			if m, _ := filepath.Glob(filepath.Join(dir, ".storyboard-*")); len(m) > 0 {
				cancel()
				err = <-done
				break wait
			}
		}
	}
	require.ErrorIs(t, err, context.Canceled)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "no temporary directory, no sheets")
}
