package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/v100video/v100/internal/mediatest"
	"github.com/v100video/v100/internal/platform/webhook"
)

// receiver records the webhook requests it gets, failing the first.
type receiver struct {
	mu       sync.Mutex
	attempts int
	bodies   [][]byte
	sigs     []string
	ok       map[string]webhook.Event // delivered, by event ID
	failed   map[string]bool          // answered 500, by event ID
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var ev webhook.Event
	json.Unmarshal(b, &ev)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.attempts++
	rc.bodies = append(rc.bodies, b)
	rc.sigs = append(rc.sigs, r.Header.Get(webhook.SignatureHeader))
	if rc.attempts == 1 {
		rc.failed[ev.ID] = true
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	rc.ok[ev.ID] = ev
}

func (rc *receiver) delivered() map[string]webhook.Event {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := map[string]webhook.Event{}
	for k, v := range rc.ok {
		out[k] = v
	}
	return out
}

// TestServeWebhooks: signed events reach a receiver, retried after a
// failure, while another receiver hangs without holding anything back.
func TestServeWebhooks(t *testing.T) {
	clip := mediatest.Clip(t, mediatest.Spec{Width: 320, Height: 180, Seconds: 2})
	good, err := os.ReadFile(clip)
	require.NoError(t, err)

	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(hang.Close)
	t.Cleanup(func() { close(release) })
	rc := &receiver{ok: map[string]webhook.Event{}, failed: map[string]bool{}}
	recv := httptest.NewServer(rc)
	t.Cleanup(recv.Close)

	dir := t.TempDir()
	srv := startServe(t, dir, "-no-captions", "-webhook-url", hang.URL+","+recv.URL,
		"-webhook-timeout", "300ms", "-webhook-backoff", "50ms", "-webhook-attempts", "4")
	secret, err := os.ReadFile(filepath.Join(dir, "webhook.secret"))
	require.NoError(t, err)
	require.NotEmpty(t, strings.TrimSpace(string(secret)))

	code, a, body := srv.multipartUpload(t, "a.mp4", good)
	require.Equal(t, http.StatusCreated, code, body)
	code, b, body := srv.multipartUpload(t, "b.mp4", good)
	require.Equal(t, http.StatusCreated, code, body)
	code, bad, body := srv.multipartUpload(t, "bad.mp4", []byte(strings.Repeat("not a video\n", 40)))
	require.Equal(t, http.StatusCreated, code, body)
	require.Equal(t, "ready", srv.waitFor(t, a.ID).Status)
	require.Equal(t, "ready", srv.waitFor(t, b.ID).Status)
	require.Equal(t, "failed", srv.waitFor(t, bad.ID).Status)

	want := map[string]string{a.ID: webhook.VideoReady, b.ID: webhook.VideoReady, bad.ID: webhook.VideoFailed}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		got := map[string]string{}
		for _, ev := range rc.delivered() {
			got[ev.Data.ID] = ev.Type
		}
		if len(got) == len(want) {
			require.Equal(t, want, got)
			break
		}
		require.True(t, time.Now().Before(deadline), "webhooks not delivered: %v\n%s", got, srv.stderr)
		// The API answers meanwhile.
		code, _, _ := srv.get(t, "/healthz", nil)
		require.Equal(t, http.StatusOK, code)
		time.Sleep(100 * time.Millisecond)
	}

	rc.mu.Lock()
	defer rc.mu.Unlock()
	for id := range rc.failed {
		_, ok := rc.ok[id]
		require.True(t, ok, "event %s was retried after a 500", id)
	}
	for i, body := range rc.bodies {
		require.NoError(t, webhook.Verify([]byte(strings.TrimSpace(string(secret))), rc.sigs[i], body, 5*time.Minute, time.Now()))
		require.ErrorIs(t, webhook.Verify([]byte("wrong"), rc.sigs[i], body, 5*time.Minute, time.Now()), webhook.ErrMismatch)
	}
	for _, ev := range rc.ok {
		require.True(t, strings.HasPrefix(ev.ID, "evt_"), ev.ID)
		if ev.Type == webhook.VideoFailed {
			require.Contains(t, ev.Data.Error, "not a media file")
		} else {
			require.NotEmpty(t, ev.Data.PlaybackID)
		}
	}
}
