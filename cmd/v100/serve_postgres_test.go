package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/internal/mediatest"
	"github.com/v100video/v100/internal/pgtest"
)

// TestServePostgres runs "v100 serve -db postgres://…" against a real
// PostgreSQL server: upload by tus, ready, playback through the API; the
// metadata and the jobs are in PostgreSQL, not in the data directory. A
// second server on another data directory, given the database by
// $V100_DB, runs at the same time: it sees the same videos, and each server
// processes only the videos whose sources it holds.
func TestServePostgres(t *testing.T) {
	ctx := context.Background()
	clip := mediatest.Clip(t, mediatest.Spec{Width: 640, Height: 360, Seconds: 4})
	data, err := os.ReadFile(clip)
	require.NoError(t, err)
	db := pgtest.Start(t).NewDatabase(t)
	dir, otherDir := t.TempDir(), t.TempDir()
	srv := startServe(t, dir, "-db", db, "-no-captions")
	t.Setenv("V100_DB", db)
	other := startServe(t, otherDir, "-no-captions")

	code, _, body := srv.get(t, "/readyz", nil)
	require.Equal(t, 200, code, "%s", body)
	id := srv.tusUpload(t, "pg.mp4", data)
	v := srv.waitFor(t, id)
	require.Equal(t, "ready", v.Status, "error: %s", v.Error)

	master := srv.url + "/v1/playback/" + v.PlaybackID + "/master.m3u8"
	cmd := exec.Command("ffprobe", "-v", "error", "-protocol_whitelist", "http,tcp",
		"-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", master)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "ffprobe: %s", stderr.String())
	require.Empty(t, stderr.String())
	require.Contains(t, string(out), "h264,640,360")
	require.Contains(t, string(out), "h264,426,240")

	code, _, body = srv.get(t, "/v1/playback/"+v.PlaybackID+"/240p/index.m3u8", nil)
	require.Equal(t, 200, code)
	seg := regexp.MustCompile(`(?m)^[^#\s]+\.m4s$`).FindString(string(body))
	require.NotEmpty(t, seg, "%s", body)
	code, _, body = srv.get(t, "/v1/playback/"+v.PlaybackID+"/240p/"+seg, nil)
	require.Equal(t, 200, code)
	require.NotEmpty(t, body)

	// The rows are in PostgreSQL; the data directory has no database.
	_, err = os.Stat(filepath.Join(dir, "v100.db"))
	require.ErrorIs(t, err, os.ErrNotExist)
	c, err := pgx.Connect(ctx, db)
	require.NoError(t, err)
	defer c.Close(ctx)
	var status, state, queue string
	require.NoError(t, c.QueryRow(ctx, `SELECT status FROM asset WHERE id = $1`, id).Scan(&status))
	require.Equal(t, "ready", status)
	// River records a job completed shortly after the worker returns (its
	// completer batches), so the asset can be ready a moment before.
	job := `SELECT state, queue FROM river_job WHERE kind = 'v100_process' AND args->>'asset_id' = $1`
	for range 300 {
		require.NoError(t, c.QueryRow(ctx, job, id).Scan(&state, &queue))
		if state != "running" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	require.Equal(t, "completed", state)
	require.Equal(t, "local_"+instance(t, dir), queue)

	// The other server sees the video, and processes its own upload.
	require.Equal(t, "ready", other.video(t, id).Status)
	code, v2, resp := other.multipartUpload(t, "other.mp4", data)
	require.Equal(t, 201, code, resp)
	require.Equal(t, "ready", other.waitFor(t, v2.ID).Status)
	require.Equal(t, "ready", srv.video(t, v2.ID).Status)
	require.NoError(t, c.QueryRow(ctx, job, v2.ID).Scan(&state, &queue))
	require.Equal(t, "local_"+instance(t, otherDir), queue)
}

// instance returns the instance ID of data directory dir.
func instance(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "instance.id"))
	require.NoError(t, err)
	return strings.TrimSpace(string(b))
}
