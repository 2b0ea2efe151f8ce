package api

import (
	"context"
	"errors"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/v100video/v100/internal/platform/jobs"
	"github.com/v100video/v100/internal/platform/storage"
	"github.com/v100video/v100/internal/platform/store"
)

// Cache-Control of playback responses.
const (
	cacheImmutable = "public, max-age=31536000, immutable"
	cachePlaylist  = "public, max-age=60"
	cacheThumbnail = "public, max-age=86400"
)

// contentTypes by file extension; files of other extensions are not served.
var contentTypes = map[string]string{
	".m3u8": "application/vnd.apple.mpegurl",
	".m4s":  "video/iso.segment",
	".mp4":  "video/mp4",
	".ts":   "video/mp2t",
	".aac":  "audio/aac",
	".vtt":  "text/vtt; charset=utf-8",
	".jpg":  "image/jpeg",
	".webp": "image/webp",
}

// serveFile serves the files of a ready asset by playback ID. It is the
// origin of the playback chain's files cache (see playbackChain).
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	a, ok := s.playable(w, r)
	if !ok {
		return
	}
	p := r.PathValue("path")
	ctype, known := contentTypes[path.Ext(p)]
	if !known || !storage.ValidKey(p) {
		writeError(w, http.StatusNotFound, "no such file")
		return
	}
	obj, err := s.cfg.Storage.Open(r.Context(), jobs.AssetKey(a.ID)+"/"+p)
	if errors.Is(err, storage.ErrNotFound) {
		writeError(w, http.StatusNotFound, "no such file")
		return
	}
	if err != nil {
		s.log.Error("playback", "asset", a.ID, "file", p, "err", err)
		writeError(w, http.StatusInternalServerError, "reading the file failed")
		return
	}
	defer obj.Close()
	h := w.Header()
	h.Set("Content-Type", ctype)
	if strings.HasSuffix(p, ".m3u8") || p == "storyboard/storyboard.vtt" {
		h.Set("Cache-Control", cachePlaylist)
	} else {
		h.Set("Cache-Control", cacheImmutable)
	}
	http.ServeContent(w, r, "", obj.ModTime(), obj)
}

// playable looks up the ready asset of the request's playback ID, writing
// the error response when there is none. Ready assets are kept for
// assetTTL, and concurrent lookups of one playback ID share one query; the
// asset returned is shared and must not be modified.
func (s *Server) playable(w http.ResponseWriter, r *http.Request) (*store.Asset, bool) {
	pid := r.PathValue("pid")
	a, err := s.play.assets.GetOrLoad(r.Context(), pid, func(ctx context.Context) (*store.Asset, time.Duration, error) {
		a, err := s.cfg.Store.ByPlaybackID(ctx, pid)
		if err != nil {
			return nil, 0, err
		}
		if a.Status != store.Ready {
			return a, -1, nil // not kept: it is about to change
		}
		return a, 0, nil
	})
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "no such playback ID")
		return nil, false
	}
	if s.storeError(w, err) {
		return nil, false
	}
	if a.Status != store.Ready {
		writeError(w, http.StatusNotFound, "the video is not ready: "+string(a.Status))
		return nil, false
	}
	return a, true
}

func setCORS(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", "Content-Length, Content-Range, Accept-Ranges")
}

// preflight answers CORS preflight requests of players (which send Range).
func (s *Server) preflight(w http.ResponseWriter, r *http.Request) {
	setCORS(w)
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Range")
	h.Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
}
