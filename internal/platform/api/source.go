package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/v100video/v100/internal/platform/store"
)

// sourceQueue is what creating a video from a URL needs of the queue.
type sourceQueue interface {
	EnqueueSource(ctx context.Context, tx *store.Tx, assetID, url string) (int64, error)
}

// create creates a video: from a JSON body {"url": "https://…"}, or from a
// multipart upload.
func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/json" {
		s.createFromURL(w, r)
		return
	}
	s.createMultipart(w, r)
}

// createFromURL creates a video whose source its job downloads from a URL.
// The URL is checked here (form, and the addresses its host resolves to),
// and again by the download as it connects and follows redirects.
func (s *Server) createFromURL(w http.ResponseWriter, r *http.Request) {
	q, ok := s.cfg.Queue.(sourceQueue)
	if s.cfg.Sources == nil || !ok {
		writeError(w, http.StatusBadRequest, "creating videos from URLs is not enabled on this server")
		return
	}
	var req struct {
		URL    string `json:"url"`
		Policy string `json:"playback_policy"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "want a JSON body {\"url\": \"https://…\"}: "+err.Error())
		return
	}
	policy, ok := policyOf(w, req.Policy)
	if !ok {
		return
	}
	ctx := r.Context()
	u, err := s.cfg.Sources.Check(ctx, strings.TrimSpace(req.URL))
	if err != nil {
		writeError(w, http.StatusBadRequest, "url: "+strings.TrimPrefix(err.Error(), "source: "))
		return
	}
	name := cleanName(path.Base(u.Path))
	if name == "." || name == "/" {
		name = ""
	}
	var a *store.Asset
	err = s.cfg.Store.Tx(ctx, func(tx *store.Tx) error {
		// The size is known once downloaded: here, some space must be left.
		if s.cfg.Quota > 0 {
			used, err := s.cfg.Store.Usage(ctx, tx)
			if err != nil {
				return err
			}
			if used >= s.cfg.Quota {
				return fmt.Errorf("%w: %d of %d bytes used", store.ErrQuota, used, s.cfg.Quota)
			}
		}
		var err error
		if a, err = s.cfg.Store.Create(ctx, tx, store.Waiting, name, 0); err != nil {
			return err
		}
		if err := s.cfg.Store.SetPolicy(ctx, tx, a.ID, policy); err != nil {
			return err
		}
		jobID, err := q.EnqueueSource(ctx, tx, a.ID, u.String())
		if err != nil {
			return err
		}
		return s.cfg.Store.SetWaiting(ctx, tx, a.ID, 0, jobID)
	})
	if quotaFull(w, err) {
		return
	}
	if err != nil {
		s.log.Error("creating a video from a URL", "err", err)
		writeError(w, http.StatusInternalServerError, "creating the video failed")
		return
	}
	a, err = s.cfg.Store.Get(ctx, a.ID)
	if errors.Is(err, store.ErrNotFound) || s.storeError(w, err) {
		return
	}
	w.Header().Set("Location", "/v1/videos/"+a.ID)
	writeJSON(w, http.StatusCreated, view(a))
}
