package main

import (
	"net/http"
	"os"
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
	srv := startServe(t, t.TempDir(), "-no-captions", "-max-multipart", "1000000")

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
		code, _, body := srv.multipartUpload(t, "big.mp4", make([]byte, 1_500_000))
		require.Equal(t, http.StatusRequestEntityTooLarge, code, body)
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
