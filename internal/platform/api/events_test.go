package api

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/internal/platform/events"
	"github.com/v100video/v100/internal/platform/store"
)

// sse reads a server-sent event stream line by line.
type sse struct {
	resp *http.Response
	sc   *bufio.Scanner
}

func openSSE(t *testing.T, url string) *sse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	return &sse{resp, bufio.NewScanner(resp.Body)}
}

// next returns the next event, or a heartbeat as Status "heartbeat", or
// false at the end of the stream.
func (s *sse) next(t *testing.T) (events.Event, bool) {
	t.Helper()
	for s.sc.Scan() {
		line := s.sc.Text()
		if line == ": heartbeat" {
			return events.Event{Status: "heartbeat"}, true
		}
		if d, ok := strings.CutPrefix(line, "data: "); ok {
			var e events.Event
			require.NoError(t, json.Unmarshal([]byte(d), &e))
			return e, true
		}
	}
	return events.Event{}, false
}

func TestEventStream(t *testing.T) {
	b := &events.Broker{Buffer: 2}
	a := newTestAPI(t, Config{Events: b, Heartbeat: 10 * time.Millisecond})
	ctx := context.Background()
	as, err := a.cfg.Store.Create(ctx, nil, store.Waiting, "a.mp4", 10)
	require.NoError(t, err)

	s := openSSE(t, a.url+"/v1/videos/"+as.ID+"/events")
	e, ok := s.next(t)
	require.True(t, ok)
	require.Equal(t, store.Waiting, e.Status, "the current state first")
	require.Equal(t, as.ID, e.Asset)
	e, ok = s.next(t)
	require.True(t, ok)
	require.Equal(t, store.Status("heartbeat"), e.Status, "an idle stream gets heartbeats")

	for p := range 50 {
		b.Publish(events.Event{Asset: as.ID, Status: store.Processing, Progress: float64(p)})
	}
	b.Publish(events.Event{Asset: as.ID, Status: store.Ready, Progress: 100})
	var got []events.Event
	for {
		e, ok := s.next(t)
		if !ok {
			break
		}
		if e.Status != "heartbeat" {
			got = append(got, e)
		}
	}
	require.NotEmpty(t, got)
	require.LessOrEqual(t, len(got), 51)
	require.Equal(t, store.Ready, got[len(got)-1].Status, "the final status always arrives, and ends the stream")

	// Shutting down ends open streams.
	as2, err := a.cfg.Store.Create(ctx, nil, store.Waiting, "b.mp4", 10)
	require.NoError(t, err)
	s = openSSE(t, a.url+"/v1/videos/"+as2.ID+"/events")
	_, ok = s.next(t)
	require.True(t, ok)
	a.CloseStreams()
	for ok {
		_, ok = s.next(t)
	}

	code, _, _ := a.do(t, http.MethodGet, "/v1/videos/"+store.NewID()+"/events", "")
	require.Equal(t, http.StatusNotFound, code)
}
