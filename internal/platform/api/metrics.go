package api

import (
	"bufio"
	"fmt"
	"net/http"
	"sort"

	"github.com/v100video/v100/gateway"
	"github.com/v100video/v100/internal/platform/store"
)

// ops is what the server keeps for operations: request and cache counters,
// and the handler that counts every request.
type ops struct {
	metrics gateway.Metrics
	handler http.Handler // metrics → router naming the route → mux
}

// initOps puts the counting in front of the mux. Requests are counted by
// route: playback, uploads, api (the rest of /v1) and other.
func (s *Server) initOps() error {
	o := &s.ops
	rt, err := gateway.NewRouter([]gateway.Route{
		{Name: "playback", PathPrefix: "/v1/playback", Handler: s.mux},
		{Name: "uploads", PathPrefix: "/v1/uploads", Handler: s.mux},
		{Name: "api", PathPrefix: "/v1", Handler: s.mux},
		{Name: "other", PathPrefix: "/", Handler: s.mux},
	})
	if err != nil {
		return err
	}
	o.metrics.AddCache("playback", s.play.files)
	o.metrics.AddCache("thumbnail", s.thumbs)
	o.handler = o.metrics.Handler(rt)
	return nil
}

// serveMetrics writes the counters in the Prometheus text format: the
// gateway's HTTP and cache counters, the playback rate limit's, and gauges
// of the platform read from the database at each scrape (videos by status;
// jobs running are the videos processing, jobs waiting those waiting; disk
// used, and the quota if there is one).
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	counts, err := s.cfg.Store.CountByStatus(r.Context())
	if err != nil {
		s.log.Error("metrics", "err", err)
		writeError(w, http.StatusServiceUnavailable, "reading the database failed")
		return
	}
	used, err := s.cfg.Store.Usage(r.Context(), nil)
	if err != nil {
		s.log.Error("metrics", "err", err)
		writeError(w, http.StatusServiceUnavailable, "reading the database failed")
		return
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	s.ops.metrics.WriteTo(bw)

	fmt.Fprintf(bw, "# HELP v100_videos Videos by status.\n# TYPE v100_videos gauge\n")
	statuses := []store.Status{store.Uploading, store.Waiting, store.Processing, store.Ready, store.Failed}
	for st := range counts { // and any status a newer version wrote
		known := false
		for _, k := range statuses {
			known = known || k == st
		}
		if !known {
			statuses = append(statuses, st)
		}
	}
	sort.Slice(statuses[5:], func(i, j int) bool { return statuses[5+i] < statuses[5+j] })
	for _, st := range statuses {
		fmt.Fprintf(bw, "v100_videos{status=%q} %d\n", st, counts[st])
	}
	fmt.Fprintf(bw, "# HELP v100_jobs_running Videos being processed.\n# TYPE v100_jobs_running gauge\nv100_jobs_running %d\n", counts[store.Processing])
	fmt.Fprintf(bw, "# HELP v100_jobs_waiting Videos waiting for a worker.\n# TYPE v100_jobs_waiting gauge\nv100_jobs_waiting %d\n", counts[store.Waiting])
	fmt.Fprintf(bw, "# HELP v100_disk_used_bytes Bytes of the videos' sources, uploads and processed files.\n# TYPE v100_disk_used_bytes gauge\nv100_disk_used_bytes %d\n", used)
	if s.cfg.Quota > 0 {
		fmt.Fprintf(bw, "# HELP v100_disk_quota_bytes The disk quota of v100_disk_used_bytes.\n# TYPE v100_disk_quota_bytes gauge\nv100_disk_quota_bytes %d\n", s.cfg.Quota)
	}
	if s.play.limit != nil {
		st := s.play.limit.Stats()
		fmt.Fprintf(bw, "# HELP v100_playback_ratelimit_total Playback requests by rate limit decision.\n# TYPE v100_playback_ratelimit_total counter\n")
		fmt.Fprintf(bw, "v100_playback_ratelimit_total{decision=\"allowed\"} %d\nv100_playback_ratelimit_total{decision=\"denied\"} %d\n", st.Allowed, st.Denied)
	}
}
