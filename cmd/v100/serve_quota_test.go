package main

import (
	"flag"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/v100video/v100/internal/mediatest"
	"github.com/v100video/v100/internal/platform"
)

// diskUsed reads v100_disk_used_bytes from /metrics.
func (s *server) diskUsed(t *testing.T) int64 {
	t.Helper()
	code, _, body := s.get(t, "/metrics", nil)
	require.Equal(t, http.StatusOK, code, "%s", body)
	m := regexp.MustCompile(`(?m)^v100_disk_used_bytes (\d+)$`).FindSubmatch(body)
	require.NotNil(t, m, "%s", body)
	n, err := strconv.ParseInt(string(m[1]), 10, 64)
	require.NoError(t, err)
	return n
}

// tusCreate creates a tus upload of length bytes and returns the response's
// status, the video's ID and the body.
func (s *server) tusCreate(t *testing.T, length int64) (int, string, string) {
	t.Helper()
	resp := s.do(t, http.MethodPost, "/v1/uploads/", nil, http.Header{"Tus-Resumable": {"1.0.0"}, "Upload-Length": {strconv.FormatInt(length, 10)}})
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("V100-Video-Id"), string(b)
}

func (s *server) deleteVideo(t *testing.T, id string) {
	t.Helper()
	resp := s.do(t, http.MethodDelete, "/v1/videos/"+id, nil, nil)
	resp.Body.Close()
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
}

func dirSize(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	require.NoError(t, filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		fi, err := d.Info()
		n += fi.Size()
		return err
	}))
	return n
}

// TestServeQuota: the disk used counts sources, uploads in progress and
// processed files; uploads of every kind that would exceed -quota get 507
// (or, for a source URL whose size shows only once downloaded, a failed
// video) and leave nothing behind; deletes free the space.
func TestServeQuota(t *testing.T) {
	good, err := os.ReadFile(mediatest.Clip(t, mediatest.Spec{Width: 320, Height: 180, Seconds: 2}))
	require.NoError(t, err)
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(good) }))
	t.Cleanup(origin.Close)
	originURL, _ := url.Parse(origin.URL)
	dir := t.TempDir()
	quota := int64(20 * len(good))
	srv := startServe(t, dir, "-no-captions", "-quota", strconv.FormatInt(quota, 10), "-allow-source-host", originURL.Host)
	require.Zero(t, srv.diskUsed(t))

	code, v, body := srv.multipartUpload(t, "good.mp4", good)
	require.Equal(t, http.StatusCreated, code, body)
	require.Equal(t, "ready", srv.waitFor(t, v.ID).Status)
	used := srv.diskUsed(t)
	require.Equal(t, int64(len(good))+dirSize(t, filepath.Join(dir, "media", "assets", v.ID)), used,
		"the source and the processed files are counted")
	require.Less(t, used, quota, "make the quota larger")
	free := quota - used

	count := srv.videoCount(t)
	nothingLeft := func(t *testing.T) {
		t.Helper()
		require.Equal(t, count, srv.videoCount(t), "no video made")
		require.Equal(t, used, srv.diskUsed(t))
		incoming, _ := filepath.Glob(filepath.Join(dir, "work", "incoming-*"))
		require.Empty(t, incoming)
		uploads, err := os.ReadDir(filepath.Join(dir, "uploads"))
		require.NoError(t, err)
		require.Empty(t, uploads)
	}

	t.Run("tus upload over the quota", func(t *testing.T) {
		code, _, body := srv.tusCreate(t, free+1)
		require.Equal(t, http.StatusInsufficientStorage, code, body)
		require.Contains(t, body, "disk quota exceeded")
		nothingLeft(t)
	})
	t.Run("tus upload with a deferred length", func(t *testing.T) {
		resp := srv.do(t, http.MethodPost, "/v1/uploads/", nil, http.Header{"Tus-Resumable": {"1.0.0"}, "Upload-Defer-Length": {"1"}})
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusBadRequest, resp.StatusCode, "%s", b)
		nothingLeft(t)
	})
	t.Run("multipart over the quota", func(t *testing.T) {
		code, _, body := srv.multipartUpload(t, "big.mp4", make([]byte, free+1))
		require.Equal(t, http.StatusInsufficientStorage, code, body)
		require.Contains(t, body, "disk quota exceeded")
		nothingLeft(t)
	})
	t.Run("source URL over the quota", func(t *testing.T) {
		// An upload in progress counts its declared length: leave less
		// than the source's size free.
		code, hold, body := srv.tusCreate(t, free-int64(len(good))/2)
		require.Equal(t, http.StatusCreated, code, body)
		require.Equal(t, quota-int64(len(good))/2, srv.diskUsed(t))
		code, v, body := srv.createFromURL(t, urlBody(origin.URL+"/clip.mp4"))
		require.Equal(t, http.StatusCreated, code, body)
		got := srv.waitFor(t, v.ID)
		require.Equal(t, "failed", got.Status)
		require.Contains(t, got.Error, "does not fit in the disk quota")
		require.Equal(t, quota-int64(len(good))/2, srv.diskUsed(t), "nothing counted for the failed download")
		srv.deleteVideo(t, v.ID)
		srv.deleteVideo(t, hold)
		nothingLeft(t)
	})
	t.Run("full", func(t *testing.T) {
		code, hold, body := srv.tusCreate(t, free)
		require.Equal(t, http.StatusCreated, code, body)
		require.Equal(t, quota, srv.diskUsed(t))
		code, _, body = srv.createFromURL(t, urlBody(origin.URL+"/clip.mp4"))
		require.Equal(t, http.StatusInsufficientStorage, code, body)
		code, _, body = srv.multipartUpload(t, "one.mp4", []byte{1})
		require.Equal(t, http.StatusInsufficientStorage, code, body)
		code, _, body = srv.tusCreate(t, 1)
		require.Equal(t, http.StatusInsufficientStorage, code, body)
		srv.deleteVideo(t, hold)
		nothingLeft(t)
	})

	// Deleting the video frees its space; the same upload fits again.
	srv.deleteVideo(t, v.ID)
	require.Zero(t, srv.diskUsed(t))
	code, _, body = srv.multipartUpload(t, "good.mp4", good)
	require.Equal(t, http.StatusCreated, code, body)
}

func TestServeQuotaFlag(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		err  bool
	}{
		{"50GB", 50e9, false},
		{"200GiB", 200 << 30, false},
		{"1000", 1000, false},
		{"0", 0, false},
		{"-1", 0, true},
		{"10 parsecs", 0, true},
		{"99999999999GiB", 0, true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			var cfg platform.Config
			limitFlags(fs, &cfg)
			err := fs.Parse([]string{"-quota", tc.in})
			if tc.err {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, cfg.Quota)
		})
	}
}
