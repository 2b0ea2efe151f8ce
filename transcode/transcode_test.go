package transcode_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/v100video/v100/hls"
	"github.com/v100video/v100/internal/mediatest"
	"github.com/v100video/v100/transcode"
)

func TestMain(m *testing.M) {
	code := m.Run()
	mediatest.Cleanup()
	os.Exit(code)
}

// small is a ladder quick to encode: two rungs under a 640x360 source.
var small = &transcode.PlanOptions{Steps: []transcode.Step{{360, 600_000}, {180, 200_000}}}

func TestTranscodeFMP4Ladder(t *testing.T) {
	src := mediatest.Clip(t, mediatest.Spec{Width: 640, Height: 360, Seconds: 7})
	out := filepath.Join(t.TempDir(), "out")
	res := transcodeClip(t, src, out, &transcode.Options{Segment: 2 * time.Second})

	require.Len(t, res.Renditions, 2)
	require.NotNil(t, res.Audio)
	require.Equal(t, "360p", res.Renditions[0].Name)
	require.Equal(t, 640, res.Renditions[0].Width)
	require.Equal(t, "180p", res.Renditions[1].Name)
	require.Equal(t, 320, res.Renditions[1].Width)
	for _, r := range res.Renditions {
		require.Equal(t, probeCodec(t, filepath.Join(out, r.Playlist)), r.Codecs, "CODECS names what was encoded")
		require.Equal(t, 4, r.Segments, "7 s in 2 s segments")
		require.Positive(t, r.AverageBandwidth)
		require.GreaterOrEqual(t, r.Bandwidth, r.AverageBandwidth, "peak ≥ average")
	}
	require.Greater(t, res.Renditions[0].AverageBandwidth, res.Renditions[1].AverageBandwidth)
	require.Equal(t, "mp4a.40.2", res.Audio.Codecs)

	master := readMaster(t, out)
	require.Len(t, master.Variants, 2)
	for i, v := range master.Variants {
		r := res.Renditions[i]
		require.Equal(t, r.Playlist, v.URI)
		require.Equal(t, []string{r.Codecs, "mp4a.40.2"}, v.Codecs)
		require.Equal(t, r.Bandwidth+res.Audio.Bandwidth, v.Bandwidth, "the variant carries its audio")
		require.Equal(t, r.AverageBandwidth+res.Audio.AverageBandwidth, v.AverageBandwidth)
		require.Equal(t, "audio", v.Audio)
		require.Equal(t, r.Width, v.Width)
		require.Equal(t, 30.0, v.FrameRate)
	}
	require.Len(t, master.Media, 1)
	require.Equal(t, "audio/index.m3u8", master.Media[0].URI)

	for _, name := range []string{"360p", "180p", "audio"} {
		pl := readMedia(t, out, name)
		require.NotNil(t, pl.Map, "fMP4 renditions have EXT-X-MAP")
		require.GreaterOrEqual(t, pl.Version, 6, "EXT-X-MAP in a media playlist needs version 6")
		require.True(t, pl.Ended)
	}
	checkSegments(t, out, []string{"360p", "180p"}, 2*time.Second, 7*time.Second)
	checkKeyframes(t, out, []string{"360p", "180p"}, 2)
	checkDecodes(t, out, src, res)
}

func TestTranscodeTS(t *testing.T) {
	src := mediatest.Clip(t, mediatest.Spec{Width: 640, Height: 360, Seconds: 5})
	out := filepath.Join(t.TempDir(), "out")
	res := transcodeClip(t, src, out, &transcode.Options{Segment: 2 * time.Second, Format: transcode.TS})
	require.Equal(t, transcode.TS, res.Format)
	for _, r := range res.Renditions {
		require.Equal(t, probeCodec(t, filepath.Join(out, r.Playlist)), r.Codecs, "CODECS names what was encoded")
	}
	for _, name := range []string{"360p", "audio"} {
		pl := readMedia(t, out, name)
		require.Nil(t, pl.Map, "TS segments need no init segment")
		require.True(t, strings.HasSuffix(pl.Segments[0].URI, ".ts"), pl.Segments[0].URI)
	}
	checkKeyframes(t, out, []string{"360p", "180p"}, 2)
	checkDecodes(t, out, src, res)
}

func TestTranscodeSources(t *testing.T) {
	cases := []struct {
		name      string
		spec      mediatest.Spec
		wantSizes [][2]int
		wantAudio bool
	}{
		{"portrait", mediatest.Spec{Width: 360, Height: 640, Seconds: 2}, [][2]int{{360, 640}, {180, 320}}, true},
		{"rotated", mediatest.Spec{Width: 640, Height: 360, Seconds: 2, Rotate: 90}, [][2]int{{360, 640}, {180, 320}}, true},
		{"silent", mediatest.Spec{Width: 640, Height: 360, Seconds: 2, NoAudio: true}, [][2]int{{640, 360}, {320, 180}}, false},
		{"audio only", mediatest.Spec{Seconds: 2, NoVideo: true, Container: "m4a"}, nil, true},
		{"matroska", mediatest.Spec{Width: 640, Height: 360, Seconds: 2, Container: "mkv"}, [][2]int{{640, 360}, {320, 180}}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := mediatest.Clip(t, tc.spec)
			out := filepath.Join(t.TempDir(), "out")
			res := transcodeClip(t, src, out, &transcode.Options{Segment: 2 * time.Second})
			var got [][2]int
			for _, r := range res.Renditions {
				got = append(got, [2]int{r.Width, r.Height})
				w, h := probeSize(t, filepath.Join(out, r.Playlist))
				require.Equal(t, [2]int{r.Width, r.Height}, [2]int{w, h}, "what ffprobe reads back in %s", r.Name)
			}
			require.Equal(t, tc.wantSizes, got)
			require.Equal(t, tc.wantAudio, res.Audio != nil)
			master := readMaster(t, out)
			require.NotEmpty(t, master.Variants)
			require.Empty(t, hls.LintMaster(master))
			if !tc.wantAudio {
				require.Empty(t, master.Media)
				require.Equal(t, []string{res.Renditions[0].Codecs}, master.Variants[0].Codecs)
			}
		})
	}
}

func TestTranscodeProgress(t *testing.T) {
	src := mediatest.Clip(t, mediatest.Spec{Width: 640, Height: 360, Seconds: 4})
	var (
		mu      sync.Mutex
		reports []transcode.Progress
	)
	transcodeClip(t, src, filepath.Join(t.TempDir(), "out"), &transcode.Options{
		Segment: 2 * time.Second,
		Progress: func(p transcode.Progress) {
			mu.Lock()
			reports = append(reports, p)
			mu.Unlock()
		},
	})
	require.NotEmpty(t, reports)
	last := reports[len(reports)-1]
	require.True(t, last.Done)
	require.Equal(t, 100.0, last.Percent)
	for i, p := range reports {
		require.Equal(t, i == len(reports)-1, p.Done, "only the last report is Done")
		if i > 0 {
			require.GreaterOrEqual(t, p.Percent, reports[i-1].Percent, "percent never goes back")
			require.GreaterOrEqual(t, p.OutTime, reports[i-1].OutTime)
		}
	}
	require.InDelta(t, 4.0, last.OutTime.Seconds(), 0.1)
	require.Positive(t, last.Speed)
}

func TestTranscodeCancelRemovesPartialOutput(t *testing.T) {
	// Long enough that it cannot finish before the first progress report.
	src := mediatest.Clip(t, mediatest.Spec{Width: 1280, Height: 720, Seconds: 30, NoAudio: true})
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		once sync.Once
		done bool
	)
	_, err := transcode.Transcode(ctx, src, out, transcode.Plan(probe(t, src), nil), &transcode.Options{
		Preset: "medium",
		// Generous: after SIGINT ffmpeg flushes its encoders, which can
		// take seconds on a loaded machine; this test is about the
		// graceful path, not its speed.
		Grace: time.Minute,
		Progress: func(p transcode.Progress) {
			done = done || p.Done
			if p.OutTime > 0 {
				once.Do(cancel)
			}
		},
	})
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, done, "a cancelled transcode never reports Done")
	var pe *transcode.ProcessError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, 255, pe.ExitCode, "ffmpeg stopped on SIGINT")
	entries, err := os.ReadDir(parent)
	require.NoError(t, err)
	require.Empty(t, entries, "no output and no partial directory left")
}

func TestTranscodeRefuses(t *testing.T) {
	dir := t.TempDir()
	good := mediatest.Clip(t, mediatest.Spec{Width: 640, Height: 360, Seconds: 2})
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	full := filepath.Join(dir, "full")
	require.NoError(t, os.MkdirAll(full, 0o755))
	write("full/keep.txt", "mine")

	ladder := transcode.Plan(probe(t, good), small)
	cases := []struct {
		name   string
		input  string
		output string
		opts   *transcode.Options
		want   error
	}{
		{"empty file", write("empty.mp4", ""), "", nil, transcode.ErrEmpty},
		{"text named mp4", write("text.mp4", "just some words\n"), "", nil, transcode.ErrNotMedia},
		{"hls playlist upload", write("evil.mp4", "#EXTM3U\n#EXTINF:2,\n"+good+"\n#EXT-X-ENDLIST\n"), "", nil, transcode.ErrPlaylist},
		{"ffconcat upload", write("evil2.mp4", "ffconcat version 1.0\nfile '/etc/passwd'\n"), "", nil, transcode.ErrPlaylist},
		{"size limit", good, "", &transcode.Options{Limits: &transcode.Limits{MaxSize: 1000}}, transcode.ErrSizeLimit},
		{"duration limit", good, "", &transcode.Options{Limits: &transcode.Limits{MaxDuration: time.Second}}, transcode.ErrDurationLimit},
		{"dimension limit", good, "", &transcode.Options{Limits: &transcode.Limits{MaxWidth: 320, MaxHeight: 320}}, transcode.ErrDimensionsLimit},
		{"output not empty", good, full, nil, transcode.ErrOutputExists},
		{"unsupported container", y4m(t, dir), "", nil, transcode.ErrUnsupported},
		{"segment too short", good, "", &transcode.Options{Segment: time.Millisecond}, transcode.ErrInvalidOptions},
		{"media from an earlier probe does not skip the playlist check", write("evil3.mp4", "#EXTM3U\n"), "",
			&transcode.Options{Media: probe(t, good)}, transcode.ErrPlaylist},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := tc.output
			if out == "" {
				out = filepath.Join(t.TempDir(), "out")
			}
			_, err := transcode.Transcode(context.Background(), tc.input, out, ladder, tc.opts)
			require.ErrorIs(t, err, tc.want)
			if tc.output == "" {
				require.NoDirExists(t, out)
			}
		})
	}
	b, err := os.ReadFile(filepath.Join(full, "keep.txt"))
	require.NoError(t, err)
	require.Equal(t, "mine", string(b), "an existing output is left alone")

	escape := ladder
	escape.Rungs = append([]transcode.Rung(nil), ladder.Rungs...)
	escape.Rungs[0].Name = "../../escaped"
	_, err = transcode.Transcode(context.Background(), good, filepath.Join(dir, "esc", "out"), escape, nil)
	require.ErrorIs(t, err, transcode.ErrInvalidLadder)
	require.NoDirExists(t, filepath.Join(dir, "escaped"))
}

func y4m(t *testing.T, dir string) string {
	p := filepath.Join(dir, "raw.y4m")
	out, err := exec.Command("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=64x48:duration=0.2", "-f", "yuv4mpegpipe", p).CombinedOutput()
	require.NoError(t, err, "%s", out)
	return p
}

// TestGateBoundsConcurrentEncodes runs encodes through a stand-in ffmpeg
// that notes when two run at once (mkdir is atomic), then fails.
func TestGateBoundsConcurrentEncodes(t *testing.T) {
	src := mediatest.Clip(t, mediatest.Spec{Width: 320, Height: 180, Seconds: 1})
	media := probe(t, src)
	ladder := transcode.Plan(media, nil)
	dir := t.TempDir()
	fake := filepath.Join(dir, "ffmpeg")
	script := "#!/bin/sh\nif ! mkdir " + dir + "/running 2>/dev/null; then touch " + dir + "/overlap; fi\nsleep 0.2\nrmdir " + dir + "/running 2>/dev/null\nexit 1\n"
	require.NoError(t, os.WriteFile(fake, []byte(script), 0o755))

	run := func(gate *transcode.Gate) bool {
		os.Remove(filepath.Join(dir, "overlap"))
		var wg sync.WaitGroup
		for i := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := transcode.Transcode(context.Background(), src, filepath.Join(t.TempDir(), strconv.Itoa(i)), ladder,
					&transcode.Options{Gate: gate, FFmpeg: fake, Media: media})
				require.Error(t, err, "the stand-in always fails")
			}()
		}
		wg.Wait()
		_, err := os.Stat(filepath.Join(dir, "overlap"))
		return err == nil
	}
	require.False(t, run(transcode.NewGate(1)), "NewGate(1): never two encodes at once")
	require.False(t, run(&transcode.Gate{}), "the zero Gate lets one run")
	require.True(t, run(nil), "without a gate the stand-ins overlap (the check can fail)")
}

func TestGateCancelWhileQueued(t *testing.T) {
	src := mediatest.Clip(t, mediatest.Spec{Width: 320, Height: 180, Seconds: 1})
	media := probe(t, src)
	ladder := transcode.Plan(media, nil)
	dir := t.TempDir()
	fake := filepath.Join(dir, "ffmpeg")
	require.NoError(t, os.WriteFile(fake, []byte("#!/bin/sh\nsleep 1\nexit 1\n"), 0o755))
	gate := transcode.NewGate(1)
	held := make(chan struct{})
	go func() {
		defer close(held)
		_, _ = transcode.Transcode(context.Background(), src, filepath.Join(dir, "a"), ladder, &transcode.Options{Gate: gate, FFmpeg: fake, Media: media})
	}()
	for gate.Running() == 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := transcode.Transcode(ctx, src, filepath.Join(dir, "b"), ladder, &transcode.Options{Gate: gate, FFmpeg: fake, Media: media})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Equal(t, 1, gate.Running(), "the queued caller took no slot")
	<-held
	require.Zero(t, gate.Running())
}

func TestTranscodeVariableFrameRate(t *testing.T) {
	// Every third frame dropped and timestamps kept: 30 fps base rate, 20
	// fps on average.
	src := filepath.Join(t.TempDir(), "vfr.mp4")
	out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=4",
		"-vf", "select='mod(n+1,3)'", "-fps_mode", "vfr", "-c:v", "libx264", "-preset", "ultrafast", src).CombinedOutput()
	require.NoError(t, err, "%s", out)
	m := probe(t, src)
	require.Equal(t, 30.0, m.Video.FrameRate, "the base rate, not the 20 fps average")

	dir := filepath.Join(t.TempDir(), "out")
	res := transcodeClip(t, src, dir, &transcode.Options{Segment: time.Second})
	master := readMaster(t, dir)
	require.Equal(t, 30.0, master.Variants[0].FrameRate)
	checkKeyframes(t, dir, []string{"360p", "180p"}, 1)
	require.InDelta(t, 120, countFrames(t, filepath.Join(dir, res.Renditions[0].Playlist)), 2, "constant 30 fps out")
}

func TestTranscodeUnknownDuration(t *testing.T) {
	// Raw H.264 records no duration; Probe measures it.
	src := mediatest.Clip(t, mediatest.Spec{Width: 640, Height: 360, Seconds: 3, NoAudio: true, Container: "h264"})
	m := probe(t, src)
	require.InDelta(t, 3.0, m.Duration.Seconds(), 0.1)
	_, err := transcode.Transcode(context.Background(), src, filepath.Join(t.TempDir(), "out"), transcode.Plan(m, small),
		&transcode.Options{Limits: &transcode.Limits{MaxDuration: 2 * time.Second}})
	require.ErrorIs(t, err, transcode.ErrDurationLimit, "the limit holds without a container duration")
}

func TestTranscodeOutputPathWithTemplates(t *testing.T) {
	src := mediatest.Clip(t, mediatest.Spec{Width: 640, Height: 360, Seconds: 2})
	parent := filepath.Join(t.TempDir(), "50%v off: %d")
	require.NoError(t, os.MkdirAll(parent, 0o755))
	out := filepath.Join(parent, "a%vb")
	transcodeClip(t, src, out, &transcode.Options{Segment: time.Second})
	readMaster(t, out)
	entries, err := os.ReadDir(parent)
	require.NoError(t, err)
	require.Len(t, entries, 1, "only the output, nothing expanded beside it")
}

// helpers

func probe(t *testing.T, path string) *transcode.Media {
	t.Helper()
	m, err := transcode.Probe(context.Background(), path, nil)
	require.NoError(t, err)
	return m
}

func transcodeClip(t *testing.T, src, out string, opts *transcode.Options) *transcode.Result {
	t.Helper()
	if opts.Preset == "" {
		opts.Preset = "ultrafast"
	}
	res, err := transcode.Transcode(context.Background(), src, out, transcode.Plan(probe(t, src), small), opts)
	require.NoError(t, err)
	require.FileExists(t, filepath.Join(out, res.Master))
	return res
}

func readMaster(t *testing.T, out string) *hls.MasterPlaylist {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, transcode.MasterName))
	require.NoError(t, err)
	m, _, err := hls.Parse(bytes.NewReader(b))
	require.NoError(t, err)
	require.NotNil(t, m, "master.m3u8 is a master playlist")
	require.Empty(t, hls.LintMaster(m))
	return m
}

func readMedia(t *testing.T, out, name string) *hls.MediaPlaylist {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, name, "index.m3u8"))
	require.NoError(t, err)
	_, p, err := hls.Parse(bytes.NewReader(b))
	require.NoError(t, err)
	require.NotNil(t, p)
	require.Empty(t, hls.LintMedia(p), "%s:\n%s", name, b)
	return p
}

// checkSegments checks every segment against the target: all but the last
// last one segment, and together they last the source.
func checkSegments(t *testing.T, out string, names []string, seg, total time.Duration) {
	t.Helper()
	for _, name := range names {
		pl := readMedia(t, out, name)
		sum := 0.0
		for i, s := range pl.Segments {
			sum += s.Duration
			require.LessOrEqual(t, int(s.Duration+0.5), pl.TargetDuration)
			if i < len(pl.Segments)-1 {
				require.InDelta(t, seg.Seconds(), s.Duration, 0.05, "%s segment %d", name, i)
			}
		}
		require.InDelta(t, total.Seconds(), sum, 0.05, name)
	}
}

// checkKeyframes reads every video rendition's keyframe times with ffprobe
// and checks that they are the same in every rung and fall on the segment
// grid.
func checkKeyframes(t *testing.T, out string, names []string, seg float64) {
	t.Helper()
	var first []float64
	for _, name := range names {
		cmd := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time,flags",
			"-of", "csv=p=0", filepath.Join(out, name, "index.m3u8"))
		b, err := cmd.Output()
		require.NoError(t, err)
		r := csv.NewReader(bytes.NewReader(b))
		r.FieldsPerRecord = -1 // TS packets may carry side data fields
		rows, err := r.ReadAll()
		require.NoError(t, err)
		var keys []float64
		for _, r := range rows {
			if len(r) >= 2 && strings.HasPrefix(r[1], "K") {
				pts, err := strconv.ParseFloat(r[0], 64)
				require.NoError(t, err)
				keys = append(keys, pts)
			}
		}
		require.NotEmpty(t, keys)
		base := keys[0]
		for _, k := range keys {
			n := (k - base) / seg
			require.InDelta(t, float64(int(n+0.5)), n, 0.02, "%s keyframe at %.3f is off the %gs grid", name, k, seg)
		}
		if first == nil {
			first = keys
		} else {
			require.Equal(t, first, keys, "keyframes of %s align with %s", name, names[0])
		}
	}
}

// checkDecodes decodes every rendition through master.m3u8 with ffprobe and
// compares frame counts with the source's.
func checkDecodes(t *testing.T, out, src string, res *transcode.Result) {
	t.Helper()
	want := countFrames(t, src)
	b, err := exec.Command("ffprobe", "-v", "error", "-count_frames", "-show_entries",
		"stream=codec_type,width,height,nb_read_frames", "-of", "json",
		filepath.Join(out, transcode.MasterName)).Output()
	require.NoError(t, err)
	var probed struct {
		Streams []struct {
			CodecType    string `json:"codec_type"`
			Width        int    `json:"width"`
			NbReadFrames string `json:"nb_read_frames"`
		} `json:"streams"`
	}
	require.NoError(t, json.Unmarshal(b, &probed))
	widths := map[int]bool{}
	for _, s := range probed.Streams {
		if s.CodecType != "video" {
			continue
		}
		widths[s.Width] = true
		require.Equal(t, strconv.Itoa(want), s.NbReadFrames, "frames of the %d-wide rendition in master.m3u8", s.Width)
	}
	require.Len(t, widths, len(res.Renditions), "every rendition is reachable from master.m3u8:\n%s", b)
}

func countFrames(t *testing.T, path string) int {
	t.Helper()
	b, err := exec.Command("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
		"-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", path).Output()
	require.NoError(t, err)
	// A playlist lists its stream under its program, then again.
	first, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	n, err := strconv.Atoi(first)
	require.NoError(t, err)
	return n
}

func probeSize(t *testing.T, playlist string) (int, int) {
	t.Helper()
	b, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height",
		"-of", "csv=p=0", playlist).Output()
	require.NoError(t, err)
	// ffprobe lists the stream under its program, then again on its own.
	line, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	f := strings.Split(line, ",")
	require.Len(t, f, 2)
	w, _ := strconv.Atoi(f[0])
	h, _ := strconv.Atoi(f[1])
	return w, h
}

// probeCodec builds the RFC 6381 string of a rendition's H.264 stream from
// the profile and level ffprobe reports.
func probeCodec(t *testing.T, playlist string) string {
	t.Helper()
	b, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=profile,level",
		"-of", "csv=p=0", playlist).Output()
	require.NoError(t, err)
	line, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	profile, level, ok := strings.Cut(line, ",")
	require.True(t, ok, "%q", b)
	prefix := map[string]string{"Constrained Baseline": "42c0", "Baseline": "4200", "Main": "4d40", "High": "6400"}[profile]
	require.NotEmpty(t, prefix, "unexpected profile %q", profile)
	lv, err := strconv.Atoi(level)
	require.NoError(t, err)
	return fmt.Sprintf("avc1.%s%02x", prefix, lv)
}
