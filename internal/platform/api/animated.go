package api

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

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
	if !parseSides(w, q, &opts.Width, &opts.Height, thumbnail.MaxAnimatedSide) {
		return
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
	at := time.Duration(math.Round(start*1e6)) * time.Microsecond
	s.render(w, r, a, -1, ctype, "start", func(ctx context.Context, src string) ([]byte, error) {
		return thumbnail.Animated(ctx, src, at, span, &opts)
	})
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
