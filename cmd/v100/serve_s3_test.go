package main

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/internal/mediatest"
	"github.com/v100video/v100/internal/s3test"
)

// TestServeS3 runs "v100 serve -storage s3://…" against a real
// S3-compatible server (versitygw): upload by tus and by multipart, ready,
// the master playlist, a segment (and a byte range of it) and a thumbnail
// served; the files are objects in the bucket, none in the data directory;
// delete removes them.
func TestServeS3(t *testing.T) {
	clip := mediatest.Clip(t, mediatest.Spec{Width: 640, Height: 360, Seconds: 4})
	data, err := os.ReadFile(clip)
	require.NoError(t, err)
	s3 := s3test.Start(t)
	dir := t.TempDir()
	// The URL by the environment, after flag parsing, like V100_DB.
	t.Setenv("V100_STORAGE", s3.URL("media"))
	srv := startServe(t, dir, "-no-captions")

	id := srv.tusUpload(t, "s3.mp4", data)
	v := srv.waitFor(t, id)
	require.Equal(t, "ready", v.Status, "error: %s", v.Error)
	code, v2, resp := srv.multipartUpload(t, "s3-multipart.mp4", data)
	require.Equal(t, http.StatusCreated, code, resp)
	require.Equal(t, "ready", srv.waitFor(t, v2.ID).Status)

	code, _, body := srv.get(t, "/v1/playback/"+v.PlaybackID+"/master.m3u8", nil)
	require.Equal(t, http.StatusOK, code, "%s", body)
	require.Contains(t, string(body), "#EXT-X-STREAM-INF")
	code, _, body = srv.get(t, "/v1/playback/"+v.PlaybackID+"/240p/index.m3u8", nil)
	require.Equal(t, http.StatusOK, code, "%s", body)
	seg := regexp.MustCompile(`(?m)^[^#\s]+\.m4s$`).FindString(string(body))
	require.NotEmpty(t, seg, "%s", body)
	code, _, whole := srv.get(t, "/v1/playback/"+v.PlaybackID+"/240p/"+seg, nil)
	require.Equal(t, http.StatusOK, code)
	require.Greater(t, len(whole), 100)
	code, _, part := srv.get(t, "/v1/playback/"+v2.PlaybackID+"/240p/"+seg, http.Header{"Range": {"bytes=50-99"}})
	require.Equal(t, http.StatusPartialContent, code)
	require.Len(t, part, 50)
	// ffmpeg reads a local copy of a playlist and its segments.
	code, h, body := srv.get(t, "/v1/playback/"+v.PlaybackID+"/thumbnail.jpg?time=2.5&width=320", nil)
	require.Equal(t, http.StatusOK, code, "%s", body)
	require.Equal(t, "image/jpeg", h.Get("Content-Type"))
	require.True(t, bytes.HasPrefix(body, []byte{0xff, 0xd8, 0xff}))

	// Uploaded captions: a subtitle tree and a new master playlist.
	code, body2 := srv.putCaptions(t, v.ID, "fr", "application/x-subrip", []byte(frenchSRT))
	require.Equal(t, http.StatusCreated, code, body2)
	code, _, master := srv.get(t, "/v1/playback/"+v.PlaybackID+"/master.m3u8", nil)
	require.Equal(t, http.StatusOK, code)
	m := regexp.MustCompile(`TYPE=SUBTITLES,[^\n]*URI="([^"]+)"`).FindSubmatch(master)
	require.NotNil(t, m, "%s", master)
	code, _, subs := srv.get(t, "/v1/playback/"+v.PlaybackID+"/"+string(m[1]), nil)
	require.Equal(t, http.StatusOK, code, "%s", subs)
	vtt := regexp.MustCompile(`(?m)^[^#\s]+\.vtt$`).FindString(string(subs))
	require.NotEmpty(t, vtt, "%s", subs)
	require.Contains(t, s3.Files(), "media/assets/"+id+"/"+path.Dir(string(m[1]))+"/"+vtt)

	// The media are objects in the bucket, under the URL's prefix.
	files := s3.Files()
	for _, key := range []string{"media/sources/" + id, "media/assets/" + id + "/master.m3u8", "media/assets/" + id + "/240p/" + seg, "media/sources/" + v2.ID} {
		require.Contains(t, files, key)
	}
	for _, d := range []string{"media", "work"} {
		entries, err := os.ReadDir(filepath.Join(dir, d))
		require.NoError(t, err)
		require.Empty(t, entries, "%s: nothing local but the database", d)
	}

	// Delete removes every object of the video, and only those.
	r := srv.do(t, http.MethodDelete, "/v1/videos/"+id, nil, nil)
	r.Body.Close()
	require.Equal(t, http.StatusNoContent, r.StatusCode)
	code, _, _ = srv.get(t, "/v1/playback/"+v.PlaybackID+"/master.m3u8", nil)
	require.Equal(t, http.StatusNotFound, code)
	for _, key := range s3.Files() {
		require.NotContains(t, key, id, "left in the bucket")
	}
	require.Contains(t, s3.Files(), "media/assets/"+v2.ID+"/master.m3u8", "the other video stays")
}

// TestServeStorageURLErrors: a bad -storage URL stops serve with a clear
// error that never repeats the secret.
func TestServeStorageURLErrors(t *testing.T) {
	s3 := s3test.Start(t)
	for _, tc := range []struct{ url, want string }{
		{"ftp://u:secretpw@h/x", "want a file:// or s3:// URL"},
		{"s3://u:secretpw@Bad_Bucket", "invalid S3 bucket name"},
		{"s3://u:secretpw@bucket?endpoint=ftp://h", "http:// or https://"},
		{"s3://u:secretpw@bucket?endpoint=%zz", "invalid S3 URL parameters"},
		{"s3://" + s3test.AccessKey + ":secretpw@" + s3.Bucket + "?endpoint=" + s3.Endpoint, "403"},
		{"s3://" + url.UserPassword(s3test.AccessKey, s3test.SecretKey).String() + "@no-such-bucket?endpoint=" + s3.Endpoint, "no-such-bucket: 404"},
	} {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), []string{"serve", "-listen", "127.0.0.1:0", "-data", t.TempDir(), "-storage", tc.url}, &stdout, &stderr)
		require.ErrorContains(t, err, tc.want, tc.url)
		require.NotContains(t, err.Error()+stdout.String()+stderr.String(), "secretpw")
	}
}
