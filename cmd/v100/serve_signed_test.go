package main

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/v100video/v100/internal/mediatest"
)

// multipartPolicy creates a video by multipart with the playback_policy
// field set to policy.
func (s *server) multipartPolicy(t *testing.T, data []byte, policy string) (int, testVideo, string) {
	t.Helper()
	return s.multipartForm(t, "clip.mp4", data, map[string]string{"playback_policy": policy})
}

func (s *server) mintToken(t *testing.T, id string) (token, hls string) {
	t.Helper()
	resp := s.do(t, http.MethodPost, "/v1/videos/"+id+"/playback-token", strings.NewReader(`{"expires_in": 3600}`), nil)
	defer resp.Body.Close()
	var tv struct{ Token, HLS string }
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tv))
	return tv.Token, tv.HLS
}

// ffprobeOK reports whether ffprobe reads every stream of the playlist at
// url, following its URIs as a player would.
func ffprobeOK(url string) (bool, string) {
	cmd := exec.Command("ffprobe", "-v", "error", "-protocol_whitelist", "http,tcp",
		"-show_entries", "stream=codec_name", "-of", "csv", url)
	out, err := cmd.CombinedOutput()
	return err == nil && !strings.Contains(string(out), "403"), string(out)
}

func TestServeSignedPlayback(t *testing.T) {
	clip := mediatest.Clip(t, mediatest.Spec{Width: 320, Height: 180, Seconds: 4})
	data, err := os.ReadFile(clip)
	require.NoError(t, err)
	dir := t.TempDir()
	srv := startServe(t, dir, "-no-captions")

	code, _, body := srv.multipartPolicy(t, data, "secret")
	require.Equal(t, http.StatusBadRequest, code, body)
	require.Contains(t, body, "playback_policy")

	code, v, body := srv.multipartPolicy(t, data, "signed")
	require.Equal(t, http.StatusCreated, code, body)
	v = srv.waitFor(t, v.ID)
	require.Equal(t, "ready", v.Status, v.Error)
	master := srv.url + "/v1/playback/" + v.PlaybackID + "/master.m3u8"

	fi, err := os.Stat(filepath.Join(dir, "signing.key"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	code, _, body2 := srv.get(t, "/v1/playback/"+v.PlaybackID+"/master.m3u8", nil)
	require.Equal(t, http.StatusForbidden, code, "%s", body2)
	ok, out := ffprobeOK(master)
	require.False(t, ok, "played without a token: %s", out)

	token, hls := srv.mintToken(t, v.ID)
	ok, out = ffprobeOK(srv.url + hls)
	require.True(t, ok, "ffprobe with a token: %s", out)
	require.Contains(t, out, "h264")

	// A tus upload asks for signed playback in its metadata.
	h := http.Header{
		"Tus-Resumable":   {"1.0.0"},
		"Upload-Length":   {strconv.Itoa(len(data))},
		"Upload-Metadata": {"filename " + base64.StdEncoding.EncodeToString([]byte("a.mp4")) + ",playback_policy " + base64.StdEncoding.EncodeToString([]byte("signed"))},
	}
	resp := srv.do(t, http.MethodPost, "/v1/uploads/", nil, h)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	code, _, body2 = srv.get(t, "/v1/videos/"+resp.Header.Get("V100-Video-Id"), nil)
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, string(body2), `"playback_policy": "signed"`)
	h.Set("Upload-Metadata", "playback_policy "+base64.StdEncoding.EncodeToString([]byte("open")))
	resp = srv.do(t, http.MethodPost, "/v1/uploads/", nil, h)
	resp.Body.Close()
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)

	// The key survives a restart, so tokens do; another key voids them.
	srv.stop(t)
	srv = startServe(t, dir, "-no-captions")
	ok, out = ffprobeOK(srv.url + hls)
	require.True(t, ok, "after a restart: %s", out)
	srv.stop(t)
	srv = startServe(t, dir, "-no-captions", "-signing-key", "another-key-of-enough-length")
	code, _, body2 = srv.get(t, "/v1/playback/"+v.PlaybackID+"/master.m3u8?token="+token, nil)
	require.Equal(t, http.StatusForbidden, code, "%s", body2)
}
