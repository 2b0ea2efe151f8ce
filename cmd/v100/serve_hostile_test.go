package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/v100video/v100/internal/mediatest"
)

// TestServeHostileInput: each broken or hostile upload gets a 4xx or a
// failed video with a reason, and a good video beside them is unaffected.
func TestServeHostileInput(t *testing.T) {
	clip := mediatest.Clip(t, mediatest.Spec{Width: 320, Height: 180, Seconds: 2})
	good, err := os.ReadFile(clip)
	require.NoError(t, err)
	clipData := func(spec mediatest.Spec) []byte {
		b, err := os.ReadFile(mediatest.Clip(t, spec))
		require.NoError(t, err)
		return b
	}
	// Cheap real videos over the limits: one frame 10,000 pixels tall
	// (over the default 8192), one frame of 8.8 megapixels (over the
	// default 4K UHD area), and 70 s at 1 fps (over -max-duration).
	tall := clipData(mediatest.Spec{Width: 16, Height: 10000, FPS: 1, Seconds: 1, NoAudio: true})
	huge := clipData(mediatest.Spec{Width: 4000, Height: 2200, FPS: 1, Seconds: 1, NoAudio: true})
	long := clipData(mediatest.Spec{Width: 64, Height: 64, FPS: 1, Seconds: 70, NoAudio: true})
	dir := t.TempDir()
	srv := startServe(t, dir, "-no-captions", "-max-multipart", "1000000", "-max-upload", "3000000", "-max-duration", "1m")

	code, ok, body := srv.multipartUpload(t, "good.mp4", good)
	require.Equal(t, http.StatusCreated, code, body)

	fail := []struct {
		name, file string
		data       []byte
		reason     string // in the failed video's error
	}{
		{"truncated mp4", "cut.mp4", good[:len(good)/3], "not a media file"},
		{"text named mp4", "notes.mp4", []byte(strings.Repeat("this is not a video\n", 50)), "not a media file"},
		{"hls playlist", "list.mp4", []byte("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n"), "playlist"},
		{"ffconcat list", "concat.mp4", []byte("ffconcat version 1.0\nfile '/etc/passwd'\n"), "playlist"},
		{"absurd height", "tall.mp4", tall, "picture too large: 16x10000 > 8192x8192"},
		{"absurd area", "huge.mp4", huge, "picture too large: 4000x2200 (8800000 pixels) > 8294400 pixels"},
		{"over-long duration", "long.mp4", long, "too long: 1m10s > 1m0s"},
	}
	ids := map[string]string{}
	for _, tc := range fail {
		code, v, body := srv.multipartUpload(t, tc.file, tc.data)
		require.Equal(t, http.StatusCreated, code, "%s: %s", tc.name, body)
		ids[tc.name] = v.ID
	}
	for _, tc := range fail {
		t.Run(tc.name, func(t *testing.T) {
			v := srv.waitFor(t, ids[tc.name])
			require.Equal(t, "failed", v.Status)
			require.Contains(t, v.Error, tc.reason)
			t.Logf("reason: %s", v.Error)
		})
	}

	t.Run("zero bytes, multipart", func(t *testing.T) {
		code, _, body := srv.multipartUpload(t, "empty.mp4", nil)
		require.Equal(t, http.StatusBadRequest, code, body)
		require.Contains(t, body, "empty")
	})
	t.Run("zero bytes, tus", func(t *testing.T) {
		resp := srv.do(t, http.MethodPost, "/v1/uploads/", nil, http.Header{"Tus-Resumable": {"1.0.0"}, "Upload-Length": {"0"}})
		resp.Body.Close()
		require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	})
	t.Run("over-size multipart", func(t *testing.T) {
		before := srv.videoCount(t)
		code, _, body := srv.multipartUpload(t, "big.mp4", make([]byte, 1_500_000))
		require.Equal(t, http.StatusRequestEntityTooLarge, code, body)
		require.Contains(t, body, "larger than 1000000 bytes")
		require.Equal(t, before, srv.videoCount(t), "no video made")
		incoming, _ := filepath.Glob(filepath.Join(dir, "work", "incoming-*"))
		require.Empty(t, incoming, "the partial upload is removed")
	})
	t.Run("over-size tus upload", func(t *testing.T) {
		before := srv.videoCount(t)
		resp := srv.do(t, http.MethodPost, "/v1/uploads/", nil, http.Header{"Tus-Resumable": {"1.0.0"}, "Upload-Length": {"3000001"}})
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, "%s", b)
		require.Equal(t, before, srv.videoCount(t), "no video made")
		uploads, err := os.ReadDir(filepath.Join(dir, "uploads"))
		require.NoError(t, err)
		require.Empty(t, uploads)
	})
	t.Run("tus patch beyond the declared length", func(t *testing.T) {
		resp := srv.do(t, http.MethodPost, "/v1/uploads/", nil, http.Header{
			"Tus-Resumable": {"1.0.0"}, "Upload-Length": {strconv.Itoa(len(good))}})
		resp.Body.Close()
		require.Equal(t, http.StatusCreated, resp.StatusCode)
		id := resp.Header.Get("V100-Video-Id")
		patch := func(body io.Reader) (int, string) {
			resp := srv.do(t, http.MethodPatch, "/v1/uploads/"+id, body, http.Header{
				"Tus-Resumable": {"1.0.0"}, "Upload-Offset": {"0"}, "Content-Type": {"application/offset+octet-stream"}})
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		offset := func() string {
			resp := srv.do(t, http.MethodHead, "/v1/uploads/"+id, nil, http.Header{"Tus-Resumable": {"1.0.0"}})
			resp.Body.Close()
			return resp.Header.Get("Upload-Offset")
		}
		over := append(append([]byte{}, good...), make([]byte, 1000)...)
		// With a Content-Length: refused before a byte is written.
		code, body := patch(bytes.NewReader(over))
		require.Equal(t, http.StatusRequestEntityTooLarge, code, body)
		require.Equal(t, "0", offset())
		require.Equal(t, "uploading", srv.video(t, id).Status)
		// Chunked, with no length: tusd keeps the declared length, which
		// completes the upload, and refuses the rest.
		code, body = patch(io.MultiReader(bytes.NewReader(over)))
		require.Equal(t, http.StatusRequestEntityTooLarge, code, body)
		v := srv.waitFor(t, id)
		require.Equal(t, "ready", v.Status, v.Error)
		require.Equal(t, int64(len(good)), v.Size)
		uploads, err := os.ReadDir(filepath.Join(dir, "uploads"))
		require.NoError(t, err)
		require.Empty(t, uploads)
		src, err := os.Stat(filepath.Join(dir, "media", "sources", id))
		require.NoError(t, err)
		require.Equal(t, int64(len(good)), src.Size())
	})

	v := srv.waitFor(t, ok.ID)
	require.Equal(t, "ready", v.Status, v.Error)

	for _, path := range []string{
		"/v1/videos/..%2F..%2Fv100.db",
		"/v1/videos/" + strings.Repeat("a", 24) + "x",
		"/v1/videos/AAAAAAAAAAAAAAAAAAAAAAAA",
		"/v1/playback/..%2Fv100.db/master.m3u8",
		"/v1/playback/" + v.PlaybackID + "/..%2F..%2F..%2Fv100.db",
		"/v1/playback/" + v.PlaybackID + "/360p%2F..%2F..%2F..%2Fv100.db",
		"/v1/playback/" + v.PlaybackID + "/%2e%2e/%2e%2e/sources/" + v.ID,
		"/v1/playback/" + v.ID + "/master.m3u8", // an asset ID is not a playback ID
		"/v1/playback/" + v.PlaybackID + "/thumbnail.jpg?width=7",
		"/v1/playback/" + v.PlaybackID + "/thumbnail.jpg?time=-1",
		"/v1/playback/" + v.PlaybackID + "/thumbnail.jpg?time=999",
		"/v1/playback/" + v.PlaybackID + "/thumbnail.jpg?time=NaN",
		"/v1/playback/" + v.PlaybackID + "/animated.gif?start=NaN",
		"/v1/playback/" + v.PlaybackID + "/thumbnail.jpg?fit=stretch",
		"/v1/videos?cursor=bm9wZQ",
		"/v1/videos?limit=100000",
	} {
		code, _, body := srv.get(t, path, nil)
		require.True(t, code >= 400 && code < 500, "%s: %d %s", path, code, body)
	}
	code, _, _ = srv.get(t, "/v1/playback/"+v.PlaybackID+"/master.m3u8", nil)
	require.Equal(t, http.StatusOK, code)
}
