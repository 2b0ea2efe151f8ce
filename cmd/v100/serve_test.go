package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/v100video/v100/internal/mediatest"
)

// testLadder keeps the encodes small: two rungs and 2 s segments.
var testServeArgs = []string{"-ladder", "360:600,240:300", "-segment", "2s", "-preset", "ultrafast"}

// server is a "v100 serve" run in-process by run().
type server struct {
	url    string
	cancel context.CancelFunc
	done   chan error
	stderr *syncBuffer
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var servingRE = regexp.MustCompile(`serving on (http://\S+)`)

// startServe runs "v100 serve" on a free loopback port with data dir data,
// and stops it at the end of the test.
func startServe(t *testing.T, data string, extra ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout := &syncBuffer{}
	s := &server{cancel: cancel, done: make(chan error, 1), stderr: &syncBuffer{}}
	args := append([]string{"serve", "-listen", "127.0.0.1:0", "-data", data}, testServeArgs...)
	go func() { s.done <- run(ctx, append(args, extra...), stdout, s.stderr) }()
	for i := 0; i < 600; i++ { // up to a minute on a busy machine
		if m := servingRE.FindStringSubmatch(stdout.String()); m != nil {
			s.url = m[1]
			break
		}
		select {
		case err := <-s.done:
			t.Fatalf("serve exited: %v\n%s", err, s.stderr)
		case <-time.After(100 * time.Millisecond):
		}
	}
	require.NotEmpty(t, s.url, "serve did not start:\n%s", s.stderr)
	t.Cleanup(func() { s.stop(t) })
	return s
}

// stop shuts the server down and waits for it.
func (s *server) stop(t *testing.T) {
	t.Helper()
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.cancel = nil
	select {
	case err := <-s.done:
		require.NoError(t, err, "serve:\n%s", s.stderr)
	case <-time.After(time.Minute):
		t.Fatalf("serve did not stop:\n%s", s.stderr)
	}
	if t.Failed() {
		t.Logf("serve log:\n%s", s.stderr)
	}
}

func (s *server) do(t *testing.T, method, path string, body io.Reader, header http.Header) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, s.url+path, body)
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	return resp
}

// get returns the status, headers and body of a GET.
func (s *server) get(t *testing.T, path string, header http.Header) (int, http.Header, []byte) {
	t.Helper()
	resp := s.do(t, http.MethodGet, path, nil, header)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, b
}

type testVideo struct {
	ID         string  `json:"id"`
	PlaybackID string  `json:"playback_id"`
	Status     string  `json:"status"`
	Progress   float64 `json:"progress"`
	Size       int64   `json:"size"`
	Error      string  `json:"error"`
	Msg        string  `json:"message"`
	Captions   []string
	Warnings   []string
	Playback   *struct {
		HLS string `json:"hls"`
	} `json:"playback"`
}

// Message is the note of a video that has not failed.
func (v testVideo) Message() string { return v.Msg }

func (s *server) video(t *testing.T, id string) testVideo {
	t.Helper()
	code, _, body := s.get(t, "/v1/videos/"+id, nil)
	require.Equal(t, http.StatusOK, code, "%s", body)
	var v testVideo
	require.NoError(t, json.Unmarshal(body, &v))
	return v
}

// videoCount returns how many videos the server lists (up to 100).
func (s *server) videoCount(t *testing.T) int {
	t.Helper()
	code, _, body := s.get(t, "/v1/videos?limit=100", nil)
	require.Equal(t, http.StatusOK, code, "%s", body)
	var list struct{ Data []testVideo }
	require.NoError(t, json.Unmarshal(body, &list))
	return len(list.Data)
}

// waitFor polls the video until it is ready or failed.
func (s *server) waitFor(t *testing.T, id string) testVideo {
	t.Helper()
	deadline := time.Now().Add(4 * time.Minute)
	for time.Now().Before(deadline) {
		v := s.video(t, id)
		if v.Status == "ready" || v.Status == "failed" {
			return v
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("video %s neither ready nor failed in time:\n%s", id, s.stderr)
	return testVideo{}
}

// tusUpload uploads data by tus 1.0 in two PATCH requests, the second
// resuming from the offset a HEAD reports, and returns the video's ID.
func (s *server) tusUpload(t *testing.T, name string, data []byte) string {
	t.Helper()
	h := http.Header{
		"Tus-Resumable":   {"1.0.0"},
		"Upload-Length":   {strconv.Itoa(len(data))},
		"Upload-Metadata": {"filename " + base64.StdEncoding.EncodeToString([]byte(name))},
	}
	resp := s.do(t, http.MethodPost, "/v1/uploads/", nil, h)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	loc := resp.Header.Get("Location")
	id := resp.Header.Get("V100-Video-Id")
	require.NotEmpty(t, id)
	require.True(t, strings.HasSuffix(loc, "/v1/uploads/"+id), "Location %q", loc)

	patch := func(off int, chunk []byte) *http.Response {
		return s.do(t, http.MethodPatch, "/v1/uploads/"+id, bytes.NewReader(chunk), http.Header{
			"Tus-Resumable": {"1.0.0"},
			"Upload-Offset": {strconv.Itoa(off)},
			"Content-Type":  {"application/offset+octet-stream"},
		})
	}
	half := len(data) / 2
	resp = patch(0, data[:half])
	resp.Body.Close()
	require.Equal(t, http.StatusNoContent, resp.StatusCode)

	resp = s.do(t, http.MethodHead, "/v1/uploads/"+id, nil, http.Header{"Tus-Resumable": {"1.0.0"}})
	resp.Body.Close()
	off, err := strconv.Atoi(resp.Header.Get("Upload-Offset"))
	require.NoError(t, err)
	require.Equal(t, half, off)
	require.Equal(t, "uploading", s.video(t, id).Status)

	resp = patch(off, data[off:])
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusNoContent, resp.StatusCode, "%s", b)
	return id
}

// multipartUpload creates a video from data by multipart and returns the
// response's status and body.
func (s *server) multipartUpload(t *testing.T, name string, data []byte) (int, testVideo, string) {
	t.Helper()
	return s.multipartForm(t, name, data, nil)
}

// multipartForm is multipartUpload with form fields before the file.
func (s *server) multipartForm(t *testing.T, name string, data []byte, fields map[string]string) (int, testVideo, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		require.NoError(t, mw.WriteField(k, v))
	}
	fw, err := mw.CreateFormFile("file", name)
	require.NoError(t, err)
	fw.Write(data)
	require.NoError(t, mw.Close())
	resp := s.do(t, http.MethodPost, "/v1/videos", &body, http.Header{"Content-Type": {mw.FormDataContentType()}})
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var v testVideo
	json.Unmarshal(b, &v)
	return resp.StatusCode, v, string(b)
}

var serveSentences = []string{
	"The quick brown fox jumps over the lazy dog.",
	"She sells sea shells by the sea shore.",
	"We will meet again tomorrow morning.",
}

func TestServeEndToEnd(t *testing.T) {
	for _, tool := range []string{"ffprobe", "pocketsphinx_continuous"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed (scripts/setup installs it): %v", tool, err)
		}
	}
	clip, _ := mediatest.SpokenClip(t, serveSentences, mediatest.Spec{Width: 640, Height: 360, Seconds: 10})
	data, err := os.ReadFile(clip)
	require.NoError(t, err)
	dir := t.TempDir()
	srv := startServe(t, dir)

	code, _, body := srv.get(t, "/healthz", nil)
	require.Equal(t, http.StatusOK, code, "%s", body)
	code, _, body = srv.get(t, "/readyz", nil)
	require.Equal(t, http.StatusOK, code, "%s", body)

	id := srv.tusUpload(t, "spoken.mp4", data)
	v := srv.waitFor(t, id)
	require.Equal(t, "ready", v.Status, "error: %s", v.Error)
	require.NotEqual(t, v.ID, v.PlaybackID)
	require.Equal(t, []string{"en"}, v.Captions, "warnings: %v", v.Warnings)
	master := "/v1/playback/" + v.PlaybackID + "/master.m3u8"
	require.Equal(t, master, v.Playback.HLS)

	// Every rendition decodes, read through the API.
	probe := func() {
		t.Helper()
		cmd := exec.Command("ffprobe", "-v", "error", "-protocol_whitelist", "http,tcp",
			"-show_entries", "stream=codec_name,width,height", "-of", "json", srv.url+master)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		require.NoError(t, err, "ffprobe: %s", stderr.String())
		require.Empty(t, stderr.String())
		var res struct {
			Streams []struct {
				CodecName     string `json:"codec_name"`
				Width, Height int
			}
		}
		require.NoError(t, json.Unmarshal(out, &res))
		sizes := map[string]bool{}
		for _, s := range res.Streams {
			sizes[fmt.Sprintf("%s %dx%d", s.CodecName, s.Width, s.Height)] = true
		}
		require.True(t, sizes["h264 640x360"], "streams: %v", sizes)
		require.True(t, sizes["h264 426x240"], "streams: %v", sizes)
		require.True(t, sizes["aac 0x0"], "streams: %v", sizes)
	}
	probe()

	code, h, body := srv.get(t, master, nil)
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "application/vnd.apple.mpegurl", h.Get("Content-Type"))
	require.Contains(t, h.Get("Cache-Control"), "max-age=60")
	require.Contains(t, string(body), `TYPE=SUBTITLES`)
	require.Contains(t, string(body), `SUBTITLES="subs"`)

	// Captions: a subtitle playlist of WebVTT segments with X-TIMESTAMP-MAP.
	code, _, body = srv.get(t, "/v1/playback/"+v.PlaybackID+"/subs/en/index.m3u8", nil)
	require.Equal(t, http.StatusOK, code)
	seg := regexp.MustCompile(`(?m)^[^#\s]+\.vtt$`).FindString(string(body))
	require.NotEmpty(t, seg, "%s", body)
	code, h, body = srv.get(t, "/v1/playback/"+v.PlaybackID+"/subs/en/"+seg, nil)
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "text/vtt; charset=utf-8", h.Get("Content-Type"))
	require.True(t, strings.HasPrefix(string(body), "WEBVTT"), "%s", body)
	require.Contains(t, string(body), "X-TIMESTAMP-MAP=MPEGTS:")

	// A segment: immutable, and byte ranges.
	code, _, body = srv.get(t, "/v1/playback/"+v.PlaybackID+"/240p/index.m3u8", nil)
	require.Equal(t, http.StatusOK, code)
	m4s := regexp.MustCompile(`(?m)^[^#\s]+\.m4s$`).FindString(string(body))
	require.NotEmpty(t, m4s, "%s", body)
	code, h, body = srv.get(t, "/v1/playback/"+v.PlaybackID+"/240p/"+m4s, http.Header{"Range": {"bytes=0-9"}})
	require.Equal(t, http.StatusPartialContent, code)
	require.Len(t, body, 10)
	require.Equal(t, "video/iso.segment", h.Get("Content-Type"))
	require.Equal(t, "public, max-age=31536000, immutable", h.Get("Cache-Control"))

	// Poster, storyboard and an on-demand thumbnail.
	for _, p := range []string{"poster.jpg", "thumbnail.jpg?time=2.5&width=320", "thumbnail.jpg?time=2.5&width=320"} {
		code, h, body = srv.get(t, "/v1/playback/"+v.PlaybackID+"/"+p, nil)
		require.Equal(t, http.StatusOK, code, "%s: %s", p, body)
		require.Equal(t, "image/jpeg", h.Get("Content-Type"), p)
		require.True(t, bytes.HasPrefix(body, []byte{0xff, 0xd8, 0xff}), "%s is not a JPEG", p)
	}
	require.Equal(t, "HIT", h.Get("X-Cache"), "the second identical thumbnail comes from the cache")
	code, _, body = srv.get(t, "/v1/playback/"+v.PlaybackID+"/storyboard/storyboard.vtt", nil)
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, string(body), "storyboard-1.jpg#xywh=")

	// After a restart on the same data directory, the video is still served.
	srv.stop(t)
	srv = startServe(t, dir)
	require.Equal(t, "ready", srv.video(t, id).Status)
	probe()

	// Delete removes it and every file.
	resp := srv.do(t, http.MethodDelete, "/v1/videos/"+id, nil, nil)
	resp.Body.Close()
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	code, _, _ = srv.get(t, master, nil)
	require.Equal(t, http.StatusNotFound, code)
	for _, d := range []string{"media/assets", "media/sources"} {
		entries, err := os.ReadDir(filepath.Join(dir, d))
		require.NoError(t, err)
		require.Empty(t, entries, d)
	}
}
