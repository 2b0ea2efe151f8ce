package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/v100video/v100/caption"
	"github.com/v100video/v100/internal/mediatest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	mediatest.Cleanup()
	os.Exit(code)
}

func runArgs(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

func TestUsageErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no command", nil, "no command given"},
		{"unknown command", []string{"transcod"}, `unknown command "transcod"`},
		{"transcode without output", []string{"transcode", "in.mp4"}, "-o <output dir> is required"},
		{"transcode two inputs", []string{"transcode", "a.mp4", "b.mp4", "-o", "x"}, "want one input file"},
		{"transcode bad format", []string{"transcode", "a.mp4", "-o", "x", "-format", "avi"}, `-format "avi"`},
		{"transcode bad ladder", []string{"transcode", "a.mp4", "-o", "x", "-ladder", "720:x"}, "short-side:kbps"},
		{"transcode ladder upside down", []string{"transcode", "a.mp4", "-o", "x", "-ladder", "360:700,720:3000"}, "largest down"},
		{"unknown flag", []string{"probe", "-nope", "a.mp4"}, "flag provided but not defined"},
		{"thumbnail bad fit", []string{"thumbnail", "a.mp4", "-o", "a.jpg", "-fit", "stretch"}, `-fit "stretch"`},
		{"thumbnail bad extension", []string{"thumbnail", "a.mp4", "-o", "a.bmp"}, ".jpg, .webp or .gif"},
		{"thumbnail still as gif", []string{"thumbnail", "a.mp4", "-o", "a.gif"}, "use -animate"},
		{"caption without output", []string{"caption", "a.mp4"}, "-o <file>"},
		{"caption bad format", []string{"caption", "a.mp4", "-o", "x", "-format", "ass"}, `-format "ass"`},
		{"caption bad backend", []string{"caption", "a.mp4", "-o", "x", "-backend", "siri"}, `-backend "siri"`},
		{"serve db not postgres", []string{"serve", "-db", "mysql://u:p@h/x"}, "postgres://"},
		{"caption command without program", []string{"caption", "a.mp4", "-o", "x", "-backend", "command"}, "needs -command"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runArgs(t, tc.args...)
			require.ErrorAs(t, err, new(usageError))
			require.Contains(t, err.Error(), tc.want)
			require.Equal(t, 2, exitCode(err))
		})
	}
}

func TestHelp(t *testing.T) {
	out, _, err := runArgs(t, "help")
	require.NoError(t, err)
	for _, c := range []string{"transcode", "probe", "thumbnail", "caption"} {
		require.Contains(t, out, c)
	}
	_, stderr, err := runArgs(t, "transcode", "-h")
	require.ErrorIs(t, err, flag.ErrHelp)
	require.Zero(t, exitCode(err))
	require.Contains(t, stderr, "-segment")
}

func TestParseInterleavedFlags(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	o := fs.String("o", "", "")
	q := fs.Bool("q", false, "")
	pos, err := parse(fs, []string{"in.mp4", "-o", "out", "more", "-q", "--", "-literal"})
	require.NoError(t, err)
	require.Equal(t, []string{"in.mp4", "more", "-literal"}, pos)
	require.Equal(t, "out", *o)
	require.True(t, *q)
}

func TestProbe(t *testing.T) {
	clip := mediatest.Clip(t, mediatest.Spec{Width: 640, Height: 360, Seconds: 1})
	out, _, err := runArgs(t, "probe", clip)
	require.NoError(t, err)
	require.Contains(t, out, "640x360 coded")
	require.Contains(t, out, "audio      aac 48000 Hz")

	out, _, err = runArgs(t, "probe", "-json", clip)
	require.NoError(t, err)
	require.Contains(t, out, `"Width": 640`)

	bad := filepath.Join(t.TempDir(), "list.mp4")
	require.NoError(t, os.WriteFile(bad, []byte("#EXTM3U\n"), 0o600))
	_, _, err = runArgs(t, "probe", bad)
	require.ErrorContains(t, err, "playlist")
	require.Equal(t, 1, exitCode(err))
}

func TestTranscode(t *testing.T) {
	clip := mediatest.Clip(t, mediatest.Spec{Width: 640, Height: 360, Seconds: 3})
	dir := filepath.Join(t.TempDir(), "out")
	out, stderr, err := runArgs(t, "transcode", clip, "-o", dir, "-ladder", "360:600,180:200", "-segment", "1s", "-preset", "ultrafast")
	require.NoError(t, err)
	require.FileExists(t, filepath.Join(dir, "master.m3u8"))
	require.Contains(t, out, "360p")
	require.Contains(t, out, "180p")
	require.Contains(t, out, "mp4a.40.2")
	require.Contains(t, out, "master: "+filepath.Join(dir, "master.m3u8"))
	// stderr is not a terminal here: plain progress lines, ending at 100%.
	require.Contains(t, stderr, "progress 100%")
	require.NotContains(t, stderr, "\r")
}

func TestThumbnail(t *testing.T) {
	clip := mediatest.Clip(t, mediatest.Spec{Width: 640, Height: 360, Seconds: 3})
	dir := t.TempDir()
	cases := []struct {
		args  []string
		file  string
		magic string
	}{
		{[]string{"-t", "1s", "-width", "320"}, "a.jpg", "\xff\xd8\xff"},
		{[]string{"-poster", "-width", "160"}, "p.webp", "RIFF"},
		{[]string{"-t", "500ms", "-animate", "1s", "-width", "160"}, "a.gif", "GIF8"},
	}
	for _, tc := range cases {
		p := filepath.Join(dir, tc.file)
		_, _, err := runArgs(t, append([]string{"thumbnail", clip, "-o", p}, tc.args...)...)
		require.NoError(t, err, tc.file)
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(string(b), tc.magic), "%s starts with %q", tc.file, b[:min(8, len(b))])
	}
	board := filepath.Join(dir, "board")
	out, _, err := runArgs(t, "thumbnail", clip, "-storyboard", board, "-interval", "1s", "-grid", "2")
	require.NoError(t, err)
	require.Contains(t, out, "3 cues")
	vtt, err := os.ReadFile(filepath.Join(board, "storyboard.vtt"))
	require.NoError(t, err)
	require.Contains(t, string(vtt), "#xywh=")
}

func TestProgressBar(t *testing.T) {
	var b bytes.Buffer
	p := newProgressBar(&b)
	for _, pct := range []float64{0, 3, 9, 12, 55, 99, 100} {
		p.update(pct, 30, 1.5, 10*time.Second, false)
	}
	p.update(100, 30, 1.5, 0, true)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	require.Equal(t, []string{
		"progress   0%  fps 30  speed 1.5x  eta 0:10",
		"progress  12%  fps 30  speed 1.5x  eta 0:10",
		"progress  55%  fps 30  speed 1.5x  eta 0:10",
		"progress  99%  fps 30  speed 1.5x  eta 0:10",
		"progress 100%  fps 30  speed 1.5x  eta 0:10",
	}, lines, "one line per 10%% step, none repeated at the end")
	require.Equal(t, "1:01:05", clock(time.Hour+65*time.Second))
}

func TestCaption(t *testing.T) {
	sentences := []string{"the quick brown fox jumps over the lazy dog", "hello world"}
	clip, words := mediatest.SpokenClip(t, sentences, mediatest.Spec{Width: 320, Height: 240})
	list := map[string]bool{}
	for _, w := range words {
		list[strings.ToLower(w.Text)] = true
	}
	var vocab []string
	for w := range list {
		vocab = append(vocab, w)
	}
	out := filepath.Join(t.TempDir(), "clip.vtt")
	stdout, _, err := runArgs(t, "caption", clip, "-o", out, "-words", strings.Join(vocab, ","))
	require.NoError(t, err)
	require.Contains(t, stdout, "cues")
	vtt, err := os.ReadFile(out)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(vtt), "WEBVTT"))
	text := strings.ToLower(string(vtt))
	found := 0
	for _, w := range words {
		if strings.Contains(text, strings.ToLower(w.Text)) {
			found++
		}
	}
	require.GreaterOrEqual(t, found*10, len(words)*8, "at least 80%% of the spoken words in the captions:\n%s", vtt)

	// Each cue is shown while its words are spoken: it starts within
	// 0.5 s of its first word and lasts at least until its last word ends
	// (less 0.5 s).
	cues, err := caption.ParseVTT(bytes.NewReader(vtt))
	require.NoError(t, err)
	require.NotEmpty(t, cues)
	next := 0 // the first spoken word not yet matched to a cue
	for _, c := range cues {
		texts := strings.Fields(strings.ToLower(c.Text))
		first := -1
		for i := next; i < len(words); i++ {
			if strings.EqualFold(words[i].Text, texts[0]) {
				first = i
				break
			}
		}
		if first < 0 {
			continue // a misrecognised first word
		}
		last := min(first+len(texts), len(words)) - 1
		require.InDelta(t, words[first].Start.Seconds(), c.Start.Seconds(), 0.5, "start of cue %q", c.Text)
		require.GreaterOrEqual(t, c.End, words[last].End-500*time.Millisecond, "end of cue %q", c.Text)
		next = last + 1
	}
	require.Positive(t, next, "no cue began with a spoken word:\n%s", vtt)

	srt, _, err := runArgs(t, "caption", clip, "-o", "-", "-format", "srt", "-words", strings.Join(vocab, ","))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(srt, "1\n"), "SRT starts with cue 1: %q", srt[:min(20, len(srt))])
	require.Contains(t, srt, " --> ")
}
