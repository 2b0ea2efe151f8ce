package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/v100video/v100/internal/mediatest"
)

type sseEvent struct {
	ID       string  `json:"id"`
	Status   string  `json:"status"`
	Progress float64 `json:"progress"`
	Reason   string  `json:"reason"`
}

// readEvents reads the server-sent events of a video until the stream
// ends, and the number of heartbeat comments.
func (s *server) readEvents(t *testing.T, id string) ([]sseEvent, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url+"/v1/videos/"+id+"/events", nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	var out []sseEvent
	beats := 0
	sc := bufio.NewScanner(resp.Body)
	name := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, ": heartbeat"):
			beats++
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			require.Equal(t, "status", name)
			var e sseEvent
			require.NoError(t, json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &e), line)
			require.Equal(t, id, e.ID)
			out = append(out, e)
		}
	}
	require.NoError(t, sc.Err())
	return out, beats
}

func TestServeEvents(t *testing.T) {
	clip := mediatest.Clip(t, mediatest.Spec{Width: 320, Height: 180, Seconds: 4})
	data, err := os.ReadFile(clip)
	require.NoError(t, err)
	srv := startServe(t, t.TempDir(), "-no-captions")

	code, v, body := srv.multipartUpload(t, "clip.mp4", data)
	require.Equal(t, http.StatusCreated, code, body)
	evs, _ := srv.readEvents(t, v.ID)
	require.NotEmpty(t, evs)
	t.Logf("events: %+v", evs)
	require.Contains(t, []string{"waiting", "processing", "ready"}, evs[0].Status, "the current state comes first")
	last := evs[len(evs)-1]
	require.Equal(t, "ready", last.Status)
	require.Equal(t, 100.0, last.Progress)
	if len(evs) > 1 {
		seen := false
		for _, e := range evs[1 : len(evs)-1] {
			seen = seen || e.Status == "processing"
		}
		require.True(t, seen || evs[0].Status == "processing", "a processing event before ready: %+v", evs)
	}
	prev := -1.0
	for _, e := range evs {
		if e.Status == "processing" {
			require.GreaterOrEqual(t, e.Progress, prev, "progress goes forward: %+v", evs)
			prev = e.Progress
		}
	}

	// Connecting to a finished video gives its state and ends.
	evs, _ = srv.readEvents(t, v.ID)
	require.Len(t, evs, 1)
	require.Equal(t, "ready", evs[0].Status)

	for _, id := range []string{"aaaaaaaaaaaaaaaaaaaaaaaa", "nope", "AAAAAAAAAAAAAAAAAAAAAAAA"} {
		code, _, body := srv.get(t, "/v1/videos/"+id+"/events", nil)
		require.Equal(t, http.StatusNotFound, code, "%s: %s", id, body)
	}
	// A path in the ID never reaches the handler (400 from the router).
	code, _, raw := srv.get(t, "/v1/videos/..%2F..%2Fv100.db/events", nil)
	require.True(t, code == http.StatusBadRequest || code == http.StatusNotFound, "%d %s", code, raw)
}
