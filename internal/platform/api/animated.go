package api

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/v100video/v100/internal/platform/jobs"
	"github.com/v100video/v100/thumbnail"
)

// DefaultAnimatedSpan is the length of an animated preview without ?end=.
const DefaultAnimatedSpan = 5 * time.Second

// previewParams are the query parameters of each on-demand image; the
// gate drops any other before the cache, so that made-up parameters
// cannot multiply the ffmpeg runs.
var previewParams = map[string][]string{
	"thumbnail.jpg": {"time", "width", "height", "fit"},
	"animated.gif":  {"start", "end", "width", "height", "fps", "fit"},
	"animated.webp": {"start", "end", "width", "height", "fps", "fit"},
}

// animated makes an animated preview (GIF or WebP, by the path's
// extension) of a ready asset from ?start= to ?end= (seconds; by default
// from 0 for DefaultAnimatedSpan, at most thumbnail.MaxAnimatedDuration),
// sized by ?width=, ?height= (even, 16 to 1280; by default 320 wide) and
// ?fit=, at ?fps= frames a second (1 to 30; by default 10), from its
// smallest rendition. It runs behind s.thumbs, which caches and coalesces.
func (s *Server) animated(w http.ResponseWriter, r *http.Request, path string) {
	a, ok := s.playable(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	opts := thumbnail.AnimatedOptions{Format: thumbnail.GIF, Playlist: true}
	ctype := "image/gif"
	if strings.HasSuffix(path, ".webp") {
		opts.Format, ctype = thumbnail.WebP, "image/webp"
	}
	seconds := func(name string, def float64) (float64, bool) {
		v := q.Get(name)
		if v == "" {
			return def, true
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || !(f >= 0 && f <= 1e6) {
			writeError(w, http.StatusBadRequest, name+": want seconds, such as 12.5")
			return 0, false
		}
		return f, true
	}
	start, ok := seconds("start", 0)
	if !ok {
		return
	}
	end, ok := seconds("end", start+DefaultAnimatedSpan.Seconds())
	if !ok {
		return
	}
	span := time.Duration(math.Round((end-start)*1e6)) * time.Microsecond
	if span < thumbnail.MinAnimatedDuration || span > thumbnail.MaxAnimatedDuration {
		writeError(w, http.StatusBadRequest, "end: want 0.1 to 10 seconds after start")
		return
	}
	for name, dst := range map[string]*int{"width": &opts.Width, "height": &opts.Height} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < thumbnail.MinSide || n > thumbnail.MaxAnimatedSide {
				writeError(w, http.StatusBadRequest, name+": want an even number of pixels from 16 to 1280")
				return
			}
			*dst = n &^ 1
		}
	}
	if v := q.Get("fps"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || !(f >= thumbnail.MinAnimatedFPS && f <= thumbnail.MaxAnimatedFPS) {
			writeError(w, http.StatusBadRequest, "fps: want 1 to 30 frames a second")
			return
		}
		opts.FPS = f
	}
	if opts.Fit, ok = parseFit(w, q.Get("fit")); !ok {
		return
	}
	if len(a.Info.Renditions) == 0 {
		writeError(w, http.StatusNotFound, "the video has no picture")
		return
	}
	ctx := r.Context()
	smallest := a.Info.Renditions[len(a.Info.Renditions)-1].Playlist
	src, release, err := s.cfg.Storage.Local(ctx, jobs.AssetKey(a.ID)+"/"+smallest)
	if err != nil {
		s.log.Error("animated preview source", "asset", a.ID, "err", err)
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
	at := time.Duration(math.Round(start*1e6)) * time.Microsecond
	img, err := thumbnail.Animated(ctx, src, at, span, &opts)
	switch {
	case err == nil:
	case errors.Is(err, thumbnail.ErrPastEnd):
		writeError(w, http.StatusBadRequest, "start: past the end of the video")
		return
	case errors.Is(err, thumbnail.ErrInvalid):
		writeError(w, http.StatusBadRequest, err.Error())
		return
	case ctx.Err() != nil:
		return
	default:
		s.log.Error("animated preview", "asset", a.ID, "err", err)
		writeError(w, http.StatusInternalServerError, "making the animated preview failed")
		return
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", cacheThumbnail)
	h.Set("Content-Length", strconv.Itoa(len(img)))
	w.Write(img)
}

// parseFit parses ?fit=, writing the error response if it is not one.
func parseFit(w http.ResponseWriter, v string) (thumbnail.Fit, bool) {
	switch v {
	case "", "contain":
		return thumbnail.Contain, true
	case "cover":
		return thumbnail.Cover, true
	case "pad":
		return thumbnail.Pad, true
	}
	writeError(w, http.StatusBadRequest, "fit: want contain, cover or pad")
	return 0, false
}
