package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/v100video/v100/internal/platform/jobs"
	"github.com/v100video/v100/internal/platform/store"
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
		if err != nil || !(f >= 0 && f <= 1e6) { // NaN too
			writeError(w, http.StatusBadRequest, "time: want seconds, such as 12.5")
			return
		}
		at = time.Duration(f * float64(time.Second))
	} else {
		at = time.Duration(a.Duration / 2 * float64(time.Second))
	}
	if !parseSides(w, q, &opts.Width, &opts.Height, thumbnail.MaxSide) {
		return
	}
	if opts.Fit, ok = parseFit(w, q.Get("fit")); !ok {
		return
	}
	opts.Playlist = true
	s.render(w, r, a, 0, "image/jpeg", "time", func(ctx context.Context, src string) ([]byte, error) {
		return thumbnail.Frame(ctx, src, at, &opts)
	})
}

// parseSides parses ?width= and ?height= into width and height, even
// numbers of pixels from thumbnail.MinSide to max; if one is bad it writes
// the error and returns false.
func parseSides(w http.ResponseWriter, q url.Values, width, height *int, max int) bool {
	for name, dst := range map[string]*int{"width": width, "height": height} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < thumbnail.MinSide || n > max {
				writeError(w, http.StatusBadRequest, fmt.Sprintf("%s: want an even number of pixels from %d to %d", name, thumbnail.MinSide, max))
				return false
			}
			*dst = n &^ 1
		}
	}
	return true
}

// render makes an image of asset a with mk from its rendition numbered
// rung (0 is the largest; negative counts from the smallest), at most
// cfg.Thumbnails at once, and writes it as ctype. timeParam names the
// query parameter to blame when mk finds the time past the video's end.
func (s *Server) render(w http.ResponseWriter, r *http.Request, a *store.Asset, rung int, ctype, timeParam string, mk func(ctx context.Context, src string) ([]byte, error)) {
	rs := a.Info.Renditions
	if len(rs) == 0 {
		writeError(w, http.StatusNotFound, "the video has no picture")
		return
	}
	if rung < 0 {
		rung += len(rs)
	}
	ctx := r.Context()
	src, release, err := s.cfg.Storage.Local(ctx, jobs.AssetKey(a.ID)+"/"+rs[rung].Playlist)
	if err != nil {
		s.log.Error("image source", "asset", a.ID, "err", err)
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
	img, err := mk(ctx, src)
	switch {
	case err == nil:
	case errors.Is(err, thumbnail.ErrPastEnd):
		writeError(w, http.StatusBadRequest, timeParam+": past the end of the video")
		return
	case errors.Is(err, thumbnail.ErrInvalid):
		writeError(w, http.StatusBadRequest, err.Error())
		return
	case ctx.Err() != nil:
		return
	default:
		s.log.Error("image", "asset", a.ID, "type", ctype, "err", err)
		writeError(w, http.StatusInternalServerError, "making the image failed")
		return
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", cacheThumbnail)
	h.Set("Content-Length", strconv.Itoa(len(img)))
	w.Write(img)
}
