package thumbnail_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/internal/mediatest"
	"github.com/v100video/v100/thumbnail"
)

func TestMain(m *testing.M) {
	code := m.Run()
	mediatest.Cleanup()
	fixtures.cleanup()
	os.Exit(code)
}

// fixtures holds the files fixture made, shared by the tests of this
// binary.
var fixtures fixtureSet

type fixtureSet struct {
	sync.Mutex
	dir   string
	paths map[string]string
}

// fixture returns the path of the fixture named name (a file name, or a
// directory name when make writes several files), calling make to write it
// there on first use; tests must not modify it.
func fixture(t testing.TB, name string, make func(path string)) string {
	t.Helper()
	fixtures.Lock()
	defer fixtures.Unlock()
	if p, ok := fixtures.paths[name]; ok {
		return p
	}
	if fixtures.dir == "" {
		d, err := os.MkdirTemp("", "thumbnail-fixtures-")
		require.NoError(t, err)
		fixtures.dir, fixtures.paths = d, map[string]string{}
	}
	p := filepath.Join(fixtures.dir, name)
	make(p)
	fixtures.paths[name] = p
	return p
}

func (f *fixtureSet) cleanup() {
	f.Lock()
	defer f.Unlock()
	if f.dir != "" {
		os.RemoveAll(f.dir)
	}
}

// decodeJPEG decodes b, failing the test if it is not a JPEG.
func decodeJPEG(t testing.TB, b []byte) image.Image {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(b))
	require.NoError(t, err, "output is not a JPEG")
	return img
}

func size(img image.Image) [2]int { return [2]int{img.Bounds().Dx(), img.Bounds().Dy()} }

// lumaDiff is the mean absolute difference of the grey levels of a and b,
// which must have the same size: 0 for identical pictures.
func lumaDiff(t testing.TB, a, b image.Image) float64 {
	t.Helper()
	require.Equal(t, size(a), size(b), "compared images differ in size")
	var sum float64
	ab, bb := a.Bounds(), b.Bounds()
	for y := 0; y < ab.Dy(); y++ {
		for x := 0; x < ab.Dx(); x++ {
			ga := color.GrayModel.Convert(a.At(ab.Min.X+x, ab.Min.Y+y)).(color.Gray).Y
			gb := color.GrayModel.Convert(b.At(bb.Min.X+x, bb.Min.Y+y)).(color.Gray).Y
			sum += abs(float64(ga) - float64(gb))
		}
	}
	return sum / float64(ab.Dx()*ab.Dy())
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// meanLuma is the mean grey level of r in img.
func meanLuma(img image.Image, r image.Rectangle) float64 {
	var sum float64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			sum += float64(color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y)
		}
	}
	return sum / float64(r.Dx()*r.Dy())
}

// crop returns the part r of img.
func crop(img image.Image, r image.Rectangle) image.Image {
	return img.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(r)
}

// decodedAt extracts the frame at at the slow, sure way: decoding from the
// start (-ss after -i), as the reference the package's fast seek must match.
func decodedAt(t testing.TB, clip string, at time.Duration, vf string) image.Image {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error",
		"-i", clip, "-ss", strconv.FormatFloat(at.Seconds(), 'f', 3, 64),
		"-frames:v", "1", "-vf", vf, "-f", "image2pipe", "-c:v", "mjpeg", "-q:v", "2", "pipe:1").Output()
	require.NoError(t, err)
	return decodeJPEG(t, out)
}

// framesByNumber decodes clip from the start and returns its frames
// number n (counted from 0) for each n in numbers, after the filter vf, as
// JPEG at the best quality (as Frame encodes at Quality 100): the
// reference for "the frame at t", independent of seeking and of the fps
// filter. One ffmpeg run.
func framesByNumber(t testing.TB, clip, vf string, numbers ...int) []image.Image {
	t.Helper()
	sorted := slices.Compact(slices.Sorted(slices.Values(numbers)))
	var sel strings.Builder
	for i, n := range sorted {
		if i > 0 {
			sel.WriteByte('+')
		}
		fmt.Fprintf(&sel, "eq(n,%d)", n)
	}
	out, err := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-i", clip,
		"-vf", "select='"+sel.String()+"',"+vf, "-fps_mode", "passthrough",
		"-c:v", "mjpeg", "-q:v", "2", "-f", "image2pipe", "pipe:1").Output()
	require.NoError(t, err)
	// The JPEGs follow each other; each starts with SOI and a marker,
	// which the entropy-coded data cannot hold (0xFF is stuffed there).
	parts := bytes.Split(out, []byte("\xff\xd8\xff"))[1:]
	require.Len(t, parts, len(sorted))
	// select keeps the frames in stream order: map them back to numbers.
	byNumber := map[int]image.Image{}
	for i, n := range sorted {
		byNumber[n] = decodeJPEG(t, append([]byte("\xff\xd8\xff"), parts[i]...))
	}
	imgs := make([]image.Image, len(numbers))
	for i, n := range numbers {
		imgs[i] = byNumber[n]
	}
	return imgs
}

// ffprobeSize returns the picture size ffprobe reads from an image file.
func ffprobeSize(t testing.TB, b []byte) [2]int {
	t.Helper()
	p := filepath.Join(t.TempDir(), "image")
	require.NoError(t, os.WriteFile(p, b, 0o600))
	out, err := exec.Command("ffprobe", "-v", "error", "-of", "json", "-show_streams", p).Output()
	require.NoError(t, err)
	var res struct {
		Streams []struct{ Width, Height int }
	}
	require.NoError(t, json.Unmarshal(out, &res))
	require.Len(t, res.Streams, 1)
	return [2]int{res.Streams[0].Width, res.Streams[0].Height}
}

// webp is what a test reads of a WebP file's RIFF chunks.
type webp struct {
	width, height int // canvas size (animated) or frame size (still)
	frames        int // ANMF chunks; 0 for a still image
	loops         int // from the ANIM chunk
}

// parseWebP checks the RIFF/WEBP container of b and reads its chunks.
func parseWebP(t testing.TB, b []byte) webp {
	t.Helper()
	require.GreaterOrEqual(t, len(b), 20)
	require.Equal(t, "RIFF", string(b[:4]))
	require.Equal(t, "WEBP", string(b[8:12]))
	require.EqualValues(t, len(b)-8, binary.LittleEndian.Uint32(b[4:8]), "RIFF size")
	var w webp
	u24 := func(p []byte) int { return int(p[0]) | int(p[1])<<8 | int(p[2])<<16 }
	for p := b[12:]; len(p) >= 8; {
		id, n := string(p[:4]), int(binary.LittleEndian.Uint32(p[4:8]))
		require.LessOrEqual(t, 8+n, len(p), "chunk %s overruns the file", id)
		data := p[8 : 8+n]
		switch id {
		case "VP8X":
			w.width, w.height = u24(data[4:])+1, u24(data[7:])+1
		case "ANIM":
			w.loops = int(binary.LittleEndian.Uint16(data[4:]))
		case "ANMF":
			w.frames++
		case "VP8 ":
			w.width = int(binary.LittleEndian.Uint16(data[6:])) & 0x3fff
			w.height = int(binary.LittleEndian.Uint16(data[8:])) & 0x3fff
		}
		p = p[8+n+n%2:]
	}
	return w
}

// makeHLS remuxes clip into an HLS media playlist of 1 s segments in a
// temporary directory, as a stand-in for one of the platform's renditions.
func makeHLS(t testing.TB, clip string) string {
	t.Helper()
	dir := t.TempDir()
	pl := filepath.Join(dir, "index.m3u8")
	out, err := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-i", clip,
		"-map", "0:v", "-c", "copy", "-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod",
		"-hls_segment_filename", filepath.Join(dir, "seg%d.ts"), pl).CombinedOutput()
	require.NoError(t, err, "%s", out)
	return pl
}

// writeFile writes content to a new file named name in a temporary
// directory and returns its path.
func writeFile(t testing.TB, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// frameNumber reads the number of the frame img shows, from a clip made
// with mediatest.Spec.Numbered: the mean luma of the middle of each half,
// back on the limited scale the clip was written in.
func frameNumber(t testing.TB, img image.Image) int {
	t.Helper()
	r := img.Bounds()
	half := func(x0, x1 int) float64 {
		m := meanLuma(img, image.Rect(x0, r.Min.Y+r.Dy()/4, x1, r.Max.Y-r.Dy()/4))
		return m*219/255 + 16 // full range (JPEG, GIF) to limited
	}
	w := r.Dx()
	lo := (half(r.Min.X+w/8, r.Min.X+3*w/8) - 32) / 8
	hi := (half(r.Min.X+5*w/8, r.Min.X+7*w/8) - 32) / 16
	require.InDelta(t, math.Round(lo), lo, 0.45, "the left half holds a frame number (luma step %.2f)", lo)
	require.InDelta(t, math.Round(hi), hi, 0.45, "the right half holds a frame number (luma step %.2f)", hi)
	return int(math.Round(hi))*24 + int(math.Round(lo))
}

// frameTimes returns the presentation times of the frames of the first
// video stream of clip, in order, on the timeline players and ffmpeg's
// -ss use: from the start of the file (the earliest stream).
func frameTimes(t testing.TB, clip string) []time.Duration {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "V:0", "-show_entries",
		"packet=pts_time:format=start_time", "-of", "json", clip).Output()
	require.NoError(t, err)
	var res struct {
		Packets []struct {
			PTS string `json:"pts_time"`
		}
		Format struct {
			Start string `json:"start_time"`
		}
	}
	require.NoError(t, json.Unmarshal(out, &res))
	start, err := strconv.ParseFloat(res.Format.Start, 64)
	require.NoError(t, err)
	var times []time.Duration
	for _, p := range res.Packets {
		s, err := strconv.ParseFloat(p.PTS, 64)
		require.NoError(t, err)
		times = append(times, time.Duration(math.Round((s-start)*1e6))*time.Microsecond)
	}
	slices.Sort(times)
	require.NotEmpty(t, times)
	return times
}

// shownAt returns the number of the frame a player shows at t: the last
// one that starts at or before t (the first one before the video starts).
func shownAt(times []time.Duration, t time.Duration) int {
	n := 0
	for i, s := range times {
		if s <= t {
			n = i
		}
	}
	return n
}

// tileNumbers reads the frame number of every tile of a storyboard of a
// numbered clip.
func tileNumbers(t *testing.T, sb *thumbnail.Storyboard, dir string) []int {
	t.Helper()
	sheets := map[string]image.Image{}
	var numbers []int
	for _, c := range sb.Cues {
		img, ok := sheets[c.Sheet]
		if !ok {
			b, err := os.ReadFile(filepath.Join(dir, c.Sheet))
			require.NoError(t, err)
			img = decodeJPEG(t, b)
			sheets[c.Sheet] = img
		}
		numbers = append(numbers, frameNumber(t, crop(img, image.Rect(c.X, c.Y, c.X+c.W, c.Y+c.H))))
	}
	return numbers
}

// wantTiles is what tileNumbers must read: tile i shows the frame shown
// at the start of its cue.
func wantTiles(sb *thumbnail.Storyboard, times []time.Duration) []int {
	var want []int
	for _, c := range sb.Cues {
		want = append(want, shownAt(times, c.Start))
	}
	return want
}

// makeRendition encodes clip's video as an HLS media playlist of 0.5 s
// segments (keyframes every 15 frames, B-frames), as transcode writes a
// rendition: fMP4 segments with an EXT-X-MAP init section, or MPEG-TS
// segments. Renditions are shared by the tests: do not modify them.
func makeRendition(t testing.TB, clip string, fmp4 bool) string {
	t.Helper()
	name := fmt.Sprintf("rendition-%s-%v", strings.ReplaceAll(clip, string(filepath.Separator), "_"), fmp4)
	dir := fixture(t, name, func(dir string) {
		require.NoError(t, os.Mkdir(dir, 0o755))
		args := []string{"-i", clip, "-map", "0:v", "-c:v", "libx264", "-preset", "veryfast",
			"-g", "15", "-keyint_min", "15", "-sc_threshold", "0", "-pix_fmt", "yuv420p",
			"-f", "hls", "-hls_time", "0.5", "-hls_playlist_type", "vod"}
		if fmp4 {
			args = append(args, "-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", "init.mp4",
				"-hls_segment_filename", filepath.Join(dir, "seg_%05d.m4s"))
		} else {
			args = append(args, "-hls_segment_filename", filepath.Join(dir, "seg_%05d.ts"))
		}
		ffmpegRun(t, append(args, filepath.Join(dir, "index.m3u8"))...)
	})
	return filepath.Join(dir, "index.m3u8")
}

// ffmpegRun runs ffmpeg with args, to make a fixture.
func ffmpegRun(t testing.TB, args ...string) {
	t.Helper()
	out, err := exec.Command("ffmpeg", append([]string{"-hide_banner", "-nostdin", "-loglevel", "error", "-y"}, args...)...).CombinedOutput()
	require.NoError(t, err, "ffmpeg %v: %s", args, out)
}
