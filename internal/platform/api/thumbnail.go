package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/v100video/v100/internal/platform/jobs"
	"github.com/v100video/v100/thumbnail"
)

// thumbnail makes the frame at ?time= (seconds) of a ready asset, sized by
// ?width=, ?height= and ?fit= (contain, cover, pad), from its largest
// rendition; or, for animated.gif and animated.webp, an animated preview.
// It runs behind s.thumbs, which caches and coalesces.
func (s *Server) thumbnail(w http.ResponseWriter, r *http.Request) {
	if p := r.PathValue("path"); p != "thumbnail.jpg" {
		s.animated(w, r, p)
		return
	}
	a, ok := s.playable(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	var opts thumbnail.Options
	var at time.Duration
	if v := q.Get("time"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || f > 1e6 {
			writeError(w, http.StatusBadRequest, "time: want seconds, such as 12.5")
			return
		}
		at = time.Duration(f * float64(time.Second))
	} else {
		at = time.Duration(a.Duration / 2 * float64(time.Second))
	}
	for name, dst := range map[string]*int{"width": &opts.Width, "height": &opts.Height} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < thumbnail.MinSide || n > thumbnail.MaxSide {
				writeError(w, http.StatusBadRequest, name+": want an even number of pixels from 16 to 3840")
				return
			}
			*dst = n &^ 1
		}
	}
	if opts.Fit, ok = parseFit(w, q.Get("fit")); !ok {
		return
	}
	if len(a.Info.Renditions) == 0 {
		writeError(w, http.StatusNotFound, "the video has no picture")
		return
	}
	ctx := r.Context()
	src, release, err := s.cfg.Storage.Local(ctx, jobs.AssetKey(a.ID)+"/"+a.Info.Renditions[0].Playlist)
	if err != nil {
		s.log.Error("thumbnail source", "asset", a.ID, "err", err)
		writeError(w, http.StatusInternalServerError, "the video's files are missing")
		return
	}
	defer release()
	select {
	case s.thumbOK <- struct{}{}:
		defer func() { <-s.thumbOK }()
	case <-ctx.Done():
		return
	}
	opts.Playlist = true
	img, err := thumbnail.Frame(ctx, src, at, &opts)
	switch {
	case err == nil:
	case errors.Is(err, thumbnail.ErrPastEnd):
		writeError(w, http.StatusBadRequest, "time: past the end of the video")
		return
	case errors.Is(err, thumbnail.ErrInvalid):
		writeError(w, http.StatusBadRequest, err.Error())
		return
	case ctx.Err() != nil:
		return
	default:
		s.log.Error("thumbnail", "asset", a.ID, "err", err)
		writeError(w, http.StatusInternalServerError, "making the thumbnail failed")
		return
	}
	h := w.Header()
	h.Set("Content-Type", "image/jpeg")
	h.Set("Cache-Control", cacheThumbnail)
	h.Set("Content-Length", strconv.Itoa(len(img)))
	w.Write(img)
}
