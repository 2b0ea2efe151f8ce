package hls_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/hls"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// golden compares got with testdata/golden/name, or writes it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create it")
	require.Equal(t, string(want), string(got), "golden file %s (go test -update rewrites it)", path)
}

// vod returns an n-segment VOD playlist of 6.006 s segments, fMP4 if
// fmp4 is set.
func vod(n int, fmp4 bool) *hls.MediaPlaylist {
	p := &hls.MediaPlaylist{Type: hls.VOD, Ended: true, IndependentSegments: true}
	ext := "ts"
	if fmp4 {
		p.Map = &hls.Map{URI: "init.mp4"}
		ext = "m4s"
	}
	for i := range n {
		p.Segments = append(p.Segments, hls.Segment{URI: fmt.Sprintf("seg%05d.%s", i, ext), Duration: 6.006})
	}
	if n > 0 {
		p.Segments[n-1].Duration = 2.5
	}
	return p
}

// master returns the ladder the transcoder writes: three H.264 variants
// with AAC audio, an English subtitle rendition and an I-frame variant.
func master() *hls.MasterPlaylist {
	codecs := func(level byte) []string { return []string{hls.AVCHigh(level), hls.AACLC} }
	return &hls.MasterPlaylist{
		IndependentSegments: true,
		Media: []hls.Rendition{
			{Type: hls.Subtitles, GroupID: "subs", Name: "English", Language: "en", Autoselect: true, URI: "subs/en.m3u8"},
		},
		Variants: []hls.Variant{
			{URI: "1080p/index.m3u8", Bandwidth: 6_200_000, AverageBandwidth: 5_100_000, Codecs: codecs(40), Width: 1920, Height: 1080, FrameRate: 29.97, Subtitles: "subs", ClosedCaptions: "NONE"},
			{URI: "720p/index.m3u8", Bandwidth: 3_100_000, AverageBandwidth: 2_600_000, Codecs: codecs(31), Width: 1280, Height: 720, FrameRate: 29.97, Subtitles: "subs", ClosedCaptions: "NONE"},
			{URI: "360p/index.m3u8", Bandwidth: 900_000, AverageBandwidth: 760_000, Codecs: codecs(30), Width: 640, Height: 360, FrameRate: 29.97, Subtitles: "subs", ClosedCaptions: "NONE"},
		},
		IFrameVariants: []hls.IFrameVariant{
			{URI: "720p/iframes.m3u8", Bandwidth: 410_000, Codecs: []string{hls.AVCHigh(31)}, Width: 1280, Height: 720},
		},
	}
}

// pdt is a fixed program date-time.
var pdt = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func mustEncode(t testing.TB, p interface{ Encode() ([]byte, error) }) []byte {
	t.Helper()
	b, err := p.Encode()
	require.NoError(t, err)
	return b
}

func mustWindow(t testing.TB, opts *hls.WindowOptions) *hls.Window {
	t.Helper()
	w, err := hls.NewWindow(opts)
	require.NoError(t, err)
	return w
}

func mustMedia(t testing.TB, text string) *hls.MediaPlaylist {
	t.Helper()
	p, err := hls.ParseMedia(strings.NewReader(text))
	require.NoError(t, err)
	return p
}

func mustMaster(t testing.TB, text string) *hls.MasterPlaylist {
	t.Helper()
	m, err := hls.ParseMaster(strings.NewReader(text))
	require.NoError(t, err)
	return m
}

// rules lists the rules of problems, in order.
func rules(ps []hls.Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Rule)
	}
	return out
}
