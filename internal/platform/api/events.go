package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/v100video/v100/internal/platform/events"
	"github.com/v100video/v100/internal/platform/store"
)

// defaultHeartbeat is how often an idle event stream gets a comment, so
// that proxies keep it open and clients notice a dead server.
const defaultHeartbeat = 15 * time.Second

// streams ends the event streams when the server shuts down; its zero
// value is ready to use.
type streams struct {
	once sync.Once // makes done
	stop sync.Once // closes done
	done chan struct{}
}

func (st *streams) closed() <-chan struct{} {
	st.once.Do(func() { st.done = make(chan struct{}) })
	return st.done
}

// CloseStreams ends every event stream, so that a graceful shutdown does
// not wait for them; register it with http.Server.RegisterOnShutdown.
func (s *Server) CloseStreams() {
	s.streams.closed()
	s.streams.stop.Do(func() { close(s.streams.done) })
}

// events streams the status and progress of a video as server-sent events:
// its current state first, then every change, until it is ready or failed.
// Each event is "event: status" with the JSON of an events.Event; idle
// streams get a ": heartbeat" comment.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !store.ValidID(id) {
		writeError(w, http.StatusNotFound, "no such video")
		return
	}
	// Subscribe before reading the state, so no change falls in between.
	var sub *events.Subscription
	if s.cfg.Events != nil {
		sub = s.cfg.Events.Subscribe(id)
		defer sub.Close()
	}
	a, err := s.cfg.Store.Get(r.Context(), id)
	if s.storeError(w, err) {
		return
	}
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	first := events.Event{Asset: a.ID, Status: a.Status, Progress: round1(a.Progress), Reason: a.Error, Time: a.Updated}
	if err := writeEvent(w, first); err != nil || rc.Flush() != nil || first.Final() || sub == nil {
		return
	}
	every := s.cfg.Heartbeat
	if every <= 0 {
		every = defaultHeartbeat
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.streams.closed():
			return
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": heartbeat\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		case <-sub.C:
			for _, e := range sub.Take() {
				e.Progress = round1(e.Progress)
				if err := writeEvent(w, e); err != nil {
					return
				}
				if e.Final() {
					rc.Flush()
					return
				}
			}
			if rc.Flush() != nil {
				return
			}
		}
	}
}

func writeEvent(w http.ResponseWriter, e events.Event) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "event: status\ndata: %s\n\n", b)
	return err
}
