package main

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/v100video/v100/internal/mediatest"
)

func (s *server) putCaptions(t *testing.T, id, lang, ctype string, body []byte) (int, string) {
	t.Helper()
	resp := s.do(t, http.MethodPut, "/v1/videos/"+id+"/captions/"+lang, bytes.NewReader(body), http.Header{"Content-Type": {ctype}})
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

const frenchSRT = "1\r\n00:00:00,500 --> 00:00:01,500\r\n<font color=\"red\">Bonjour</font> à tous\r\n\r\n" +
	"2\r\n00:00:02,500 --> 00:00:03,500\r\nAu revoir<script>alert(1)</script>\r\n\r\n"

// TestServeCaptionUpload: an uploaded SRT file becomes a subtitle rendition
// of a ready video, segmented like its video; another upload for the same
// language replaces it; hostile files and tags are refused.
func TestServeCaptionUpload(t *testing.T) {
	clip := mediatest.Clip(t, mediatest.Spec{Width: 320, Height: 180, Seconds: 4})
	data, err := os.ReadFile(clip)
	require.NoError(t, err)
	dir := t.TempDir()
	srv := startServe(t, dir, "-no-captions")
	code, v, body := srv.multipartUpload(t, "clip.mp4", data)
	require.Equal(t, http.StatusCreated, code, body)

	code, body = srv.putCaptions(t, v.ID, "fr", "application/x-subrip", []byte(frenchSRT))
	require.Equal(t, http.StatusConflict, code, "not ready yet: %s", body)

	v = srv.waitFor(t, v.ID)
	require.Equal(t, "ready", v.Status, v.Error)

	code, body = srv.putCaptions(t, v.ID, "fr", "application/x-subrip", []byte(frenchSRT))
	require.Equal(t, http.StatusCreated, code, body)
	var got testVideo
	require.NoError(t, json.Unmarshal([]byte(body), &got))
	require.Equal(t, []string{"fr"}, got.Captions)

	base := "/v1/playback/" + v.PlaybackID + "/"
	code, _, master := srv.get(t, base+"master.m3u8", nil)
	require.Equal(t, http.StatusOK, code)
	m := regexp.MustCompile(`#EXT-X-MEDIA:TYPE=SUBTITLES,[^\n]*LANGUAGE="fr"[^\n]*URI="([^"]+)"`).FindSubmatch(master)
	require.NotNil(t, m, "%s", master)
	require.Contains(t, string(master), `SUBTITLES="subs"`)
	subs := string(m[1])

	code, _, pl := srv.get(t, base+subs, nil)
	require.Equal(t, http.StatusOK, code)
	variant := regexp.MustCompile(`(?m)^[^#\s]+\.m3u8$`).Find(master)
	require.NotNil(t, variant, "%s", master)
	code, _, vpl := srv.get(t, base+string(variant), nil)
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, extinfs(t, vpl), extinfs(t, pl), "segments aligned with the video's")
	var text strings.Builder
	for _, seg := range regexp.MustCompile(`(?m)^[^#\s]+\.vtt$`).FindAllString(string(pl), -1) {
		code, h, b := srv.get(t, base+filepath.Dir(subs)+"/"+seg, nil)
		require.Equal(t, http.StatusOK, code)
		require.Equal(t, "text/vtt; charset=utf-8", h.Get("Content-Type"))
		require.True(t, strings.HasPrefix(string(b), "WEBVTT"), "%s", b)
		require.Contains(t, string(b), "X-TIMESTAMP-MAP=MPEGTS:")
		text.Write(b)
	}
	require.Contains(t, text.String(), "Bonjour à tous")
	require.Contains(t, text.String(), "Au revoir")
	require.NotContains(t, text.String(), "font")
	require.NotContains(t, text.String(), "alert")

	// A second language, and a replacement of the first.
	code, body = srv.putCaptions(t, v.ID, "pt-br", "text/vtt", []byte("WEBVTT\n\n00:01.000 --> 00:02.000\nOlá\n"))
	require.Equal(t, http.StatusCreated, code, body)
	code, body = srv.putCaptions(t, v.ID, "fr", "text/vtt", []byte("WEBVTT\n\n00:01.000 --> 00:02.000\nSalut\n"))
	require.Equal(t, http.StatusOK, code, "replaced: %s", body)
	require.NoError(t, json.Unmarshal([]byte(body), &got))
	require.ElementsMatch(t, []string{"fr", "pt-BR"}, got.Captions)
	// The server's cache held the old master playlist: the upload purged it.
	code, _, master = srv.get(t, base+"master.m3u8", nil)
	require.Equal(t, http.StatusOK, code)
	assetDir := filepath.Join(dir, "media", "assets", v.ID)
	onDisk, err := os.ReadFile(filepath.Join(assetDir, "master.m3u8"))
	require.NoError(t, err)
	require.Equal(t, string(onDisk), string(master))
	require.Equal(t, 1, strings.Count(string(master), `LANGUAGE="fr"`), "%s", master)
	require.Equal(t, 1, strings.Count(string(master), `LANGUAGE="pt-BR"`), "%s", master)
	require.Len(t, regexp.MustCompile(`TYPE=SUBTITLES[^\n]*DEFAULT=YES`).FindAll(master, -1), 1, "one default subtitle: %s", master)
	entries, err := os.ReadDir(filepath.Join(assetDir, "subs"))
	require.NoError(t, err)
	require.Len(t, entries, 3, "the replaced captions stay for players holding the old master playlist")

	hostile := []struct {
		name, lang string
		body       []byte
		code       int
		msg        string
	}{
		{"binary", "de", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"), 400, ""},
		{"empty", "de", nil, 400, ""},
		{"huge", "de", bytes.Repeat([]byte("a"), 8<<20+1), 413, ""},
		{"bad timestamps", "de", []byte("1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:05,000 --> 00:00:01,000\nbackwards\n"), 400, `"line": 6`},
		{"absurd time", "de", []byte("WEBVTT\n\n99999:00:00.000 --> 99999:00:01.000\nx\n"), 400, `"line": 3`},
		{"path in lang", "..%2Fx", []byte(frenchSRT), 400, ""}, // refused by the mux: not canonical
		{"dots in lang", "..", []byte(frenchSRT), 400, ""},
		{"dot in lang", "en.x", []byte(frenchSRT), 400, "language"},
		{"encoded slash in lang", "en%2Fx", []byte(frenchSRT), 400, ""},
		{"one letter", "x", []byte(frenchSRT), 400, "language"},
		{"underscore", "en_US", []byte(frenchSRT), 400, "language"},
		{"quote in name", "de?name=%22%0A#EXT-X-x", []byte(frenchSRT), 400, "name"},
		{"long lang", "en-" + strings.Repeat("abcdefgh-", 5) + "x", []byte(frenchSRT), 400, "language"},
	}
	for _, tc := range hostile {
		t.Run(tc.name, func(t *testing.T) {
			code, body := srv.putCaptions(t, v.ID, tc.lang, "application/octet-stream", tc.body)
			require.Equal(t, tc.code, code, body)
			require.Contains(t, body, tc.msg)
			t.Logf("%d %s", code, body)
		})
	}
	code, body = srv.putCaptions(t, "aaaaaaaaaaaaaaaaaaaaaaaa", "fr", "text/vtt", []byte(frenchSRT))
	require.Equal(t, http.StatusNotFound, code, body)
	require.ElementsMatch(t, []string{"fr", "pt-BR"}, srv.video(t, v.ID).Captions, "refused uploads change nothing")
}

// extinfs returns a media playlist's segment durations in milliseconds.
func extinfs(t *testing.T, pl []byte) []int64 {
	t.Helper()
	var out []int64
	for _, m := range regexp.MustCompile(`#EXTINF:([0-9.]+)`).FindAllSubmatch(pl, -1) {
		f, err := strconv.ParseFloat(string(m[1]), 64)
		require.NoError(t, err)
		out = append(out, int64(math.Round(f*1000)))
	}
	require.NotEmpty(t, out, "%s", pl)
	return out
}
