package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/v100video/v100/internal/platform/jobs"
	"github.com/v100video/v100/internal/platform/media"
	"github.com/v100video/v100/internal/platform/store"
)

// video is an asset as the API shows it.
type video struct {
	ID         string            `json:"id"`
	PlaybackID string            `json:"playback_id"`
	Status     store.Status      `json:"status"`
	Policy     store.Policy      `json:"playback_policy"`
	Progress   float64           `json:"progress"`
	Error      string            `json:"error,omitempty"`
	Message    string            `json:"message,omitempty"`
	Filename   string            `json:"filename,omitempty"`
	Size       int64             `json:"size"`
	Duration   float64           `json:"duration,omitempty"`
	Width      int               `json:"width,omitempty"`
	Height     int               `json:"height,omitempty"`
	Renditions []store.Rendition `json:"renditions,omitempty"`
	Captions   []string          `json:"captions,omitempty"`
	Warnings   []string          `json:"warnings,omitempty"`
	Playback   *playbackURLs     `json:"playback,omitempty"`
	Created    time.Time         `json:"created_at"`
	Updated    time.Time         `json:"updated_at"`
}

type playbackURLs struct {
	HLS        string `json:"hls"`
	Poster     string `json:"poster,omitempty"`
	Storyboard string `json:"storyboard,omitempty"`
	Thumbnail  string `json:"thumbnail,omitempty"`
	Animated   string `json:"animated,omitempty"`
}

func view(a *store.Asset) video {
	v := video{
		ID: a.ID, PlaybackID: a.PlaybackID, Status: a.Status, Policy: a.Policy, Progress: round1(a.Progress),
		Filename: a.Filename, Size: a.Size, Duration: a.Duration,
		Width: a.Info.Width, Height: a.Info.Height, Renditions: a.Info.Renditions,
		Captions: a.Info.Captions, Warnings: a.Info.Warnings,
		Created: a.Created, Updated: a.Updated,
	}
	if a.Status == store.Failed {
		v.Error = a.Error
	} else {
		v.Message = a.Error
	}
	if a.Status == store.Ready {
		base := "/v1/playback/" + a.PlaybackID + "/"
		v.Playback = &playbackURLs{HLS: base + "master.m3u8"}
		if a.Info.Poster {
			v.Playback.Poster = base + media.PosterName
		}
		if a.Info.Storyboard {
			v.Playback.Storyboard = base + media.StoryboardDir + "/storyboard.vtt"
		}
		if len(a.Info.Renditions) > 0 {
			v.Playback.Thumbnail = base + "thumbnail.jpg"
			v.Playback.Animated = base + "animated.gif"
		}
	}
	return v
}

func round1(f float64) float64 { return float64(int(f*10+0.5)) / 10 }

func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	a, err := s.cfg.Store.Get(r.Context(), r.PathValue("id"))
	if s.storeError(w, err) {
		return
	}
	writeJSON(w, http.StatusOK, view(a))
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	limit := 25
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 100 {
			writeError(w, http.StatusBadRequest, "limit: want a number from 1 to 100")
			return
		}
		limit = n
	}
	assets, next, err := s.cfg.Store.List(r.Context(), r.URL.Query().Get("cursor"), limit)
	if errors.Is(err, store.ErrBadCursor) {
		writeError(w, http.StatusBadRequest, "cursor: not one a list returned")
		return
	}
	if s.storeError(w, err) {
		return
	}
	out := struct {
		Data       []video `json:"data"`
		NextCursor string  `json:"next_cursor,omitempty"`
	}{Data: []video{}, NextCursor: next}
	for _, a := range assets {
		out.Data = append(out.Data, view(a))
	}
	writeJSON(w, http.StatusOK, out)
}

// delete removes the asset, its job and every file made from it.
func (s *Server) delete(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, err := s.cfg.Store.Get(ctx, r.PathValue("id"))
	if s.storeError(w, err) {
		return
	}
	if err := s.cfg.Store.Delete(ctx, a.ID); s.storeError(w, err) {
		return
	}
	s.play.assets.Delete(ctx, a.PlaybackID)
	if err := s.cfg.Queue.Cancel(ctx, a.JobID); err != nil {
		s.log.Warn("cancelling the job of a deleted asset", "asset", a.ID, "err", err)
	}
	for _, key := range []string{jobs.AssetKey(a.ID), jobs.SourceKey(a.ID)} {
		if err := s.cfg.Storage.Delete(ctx, key); err != nil {
			s.log.Error("deleting files of a deleted asset", "asset", a.ID, "key", key, "err", err)
			writeError(w, http.StatusInternalServerError, "the asset is deleted but some of its files remain")
			return
		}
	}
	s.removeUpload(a.ID)
	s.play.files.PurgePrefix("", "/v1/playback/"+a.PlaybackID+"/")
	s.thumbs.PurgePrefix("", "/v1/playback/"+a.PlaybackID+"/")
	w.WriteHeader(http.StatusNoContent)
}

// storeError writes the response for a store error and reports whether
// there was one.
func (s *Server) storeError(w http.ResponseWriter, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "no such video")
	default:
		s.log.Error("database", "err", err)
		writeError(w, http.StatusInternalServerError, "database error")
	}
	return true
}
