package api

import (
	"bytes"
	"crypto/rand"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/v100video/v100/cache"
	"github.com/v100video/v100/gateway"
	"github.com/v100video/v100/hls"
	"github.com/v100video/v100/internal/platform/store"
	"github.com/v100video/v100/ratelimit"
)

// Defaults of the playback chain.
const (
	defaultCacheSize     = 256 << 20
	defaultPlaybackRate  = 100
	defaultPlaybackBurst = 1000
	// assetTTL is how long the chain keeps the ready asset of a playback
	// ID in memory, so that requests for one video do not each query (and
	// queue for) the database. A delete through this server takes effect
	// at once; any other change to a ready asset within assetTTL.
	assetTTL = time.Second
)

// Cache-Control of signed playback responses. A shared cache downstream
// (a CDN) would key them by URL, token included, and serve them to anyone
// holding that URL without checking the token's expiry, so they are
// private; the server's own cache sits behind the token check and shares
// them across tokens.
const (
	cacheSignedImmutable = "private, max-age=31536000, immutable"
	cacheSignedPlaylist  = "private, no-cache"
)

// playbackChain is the handler of GET /v1/playback/{pid}/{path...}:
//
//	rate limit per client IP → gate (asset ready? token valid for a signed
//	asset?) → files cache (in memory, bounded, coalescing) → storage
//
// On-demand thumbnails leave the chain after the gate for their own cache.
type playbackChain struct {
	signer  signer
	assets  *cache.Cache[string, *store.Asset] // ready assets by playback ID; see assetTTL
	files   *gateway.Cache                     // in front of serveFile
	limit   *ratelimit.Middleware              // nil when playback is not limited
	handler http.Handler
	now     func() time.Time
}

// initPlayback builds the playback chain from s.cfg.
func (s *Server) initPlayback() error {
	c := &s.play
	c.now = time.Now
	c.signer.key = s.cfg.SigningKey
	if len(c.signer.key) == 0 {
		c.signer.key = make([]byte, 32)
		rand.Read(c.signer.key)
	}
	size := s.cfg.CacheSize
	if size <= 0 {
		size = defaultCacheSize
	}
	c.assets = cache.New[string, *store.Asset](&cache.Options{
		Capacity: 10_000, TTL: assetTTL, NegativeTTL: -1, Jitter: -1,
		Resolution: 50 * time.Millisecond, Name: "playback-assets",
	})
	c.files = gateway.NewCache(http.HandlerFunc(s.serveFile), &gateway.CacheOptions{
		MaxBytes: size, MaxObjectSize: min(size, 8<<20), Logger: s.log,
		L2: s.cfg.PlaybackL2, L2Prefix: "v100:playback:",
	})
	c.handler = http.HandlerFunc(s.gate)
	rate, burst := s.cfg.PlaybackRate, s.cfg.PlaybackBurst
	if rate == 0 {
		rate, burst = defaultPlaybackRate, max(burst, defaultPlaybackBurst)
	}
	if rate > 0 {
		m, err := ratelimit.NewMiddleware(ratelimit.MiddlewareOptions{
			Rules: []ratelimit.Rule{{Name: "playback", Limit: ratelimit.PerSecond(rate, max(burst, rate)), Key: ratelimit.ByIP(), Store: s.cfg.PlaybackStore}},
			Denied: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				setCORS(w)
				writeError(w, http.StatusTooManyRequests, "too many playback requests from this address; retry after the Retry-After seconds")
			}),
		})
		if err != nil {
			c.files.Close()
			c.assets.Close()
			return err
		}
		c.limit = m
		c.handler = m.Handler(c.handler)
	}
	return nil
}

// close stops the chain's cache and limiter.
func (c *playbackChain) close() error {
	err := c.files.Close()
	c.assets.Close()
	if c.limit != nil {
		c.limit.Close()
	}
	return err
}

// gate lets through the requests for a ready asset, with a valid token if
// its playback is signed, and sends them on: thumbnails to their cache,
// files to the files cache without their query (no file depends on it, so
// a query cannot multiply cache entries), playlists of a signed asset
// through signPlaylist.
func (s *Server) gate(w http.ResponseWriter, r *http.Request) {
	setCORS(w)
	a, ok := s.playable(w, r)
	if !ok {
		return
	}
	signed := a.Policy == store.Signed
	var token string
	if signed {
		token = r.URL.Query().Get(TokenParam)
		if err := s.play.signer.verify(a.PlaybackID, token, s.play.now()); err != nil {
			writeError(w, http.StatusForbidden, err.Error())
			return
		}
	}
	p := r.PathValue("path")
	if params, ok := previewParams[p]; ok {
		q, keep := r.URL.Query(), url.Values{}
		for _, k := range params {
			if v, ok := q[k]; ok {
				keep[k] = v[:1]
			}
		}
		r2 := forCache(r, keep.Encode())
		if signed {
			w = &privateWriter{ResponseWriter: w}
		}
		s.thumbs.ServeHTTP(w, r2)
		return
	}
	r2 := forCache(r, "")
	switch {
	case !signed:
		s.play.files.ServeHTTP(w, r2)
	case rewritable(p):
		s.signPlaylist(w, r2, p, token)
	default:
		s.play.files.ServeHTTP(&privateWriter{ResponseWriter: w}, r2)
	}
}

// cacheHost is the Host of every request the playback caches see: a file
// is the same whatever name the server is reached by, so one copy serves
// every name, in memory and in a second tier shared by servers reached by
// different addresses.
const cacheHost = "v100"

// forCache returns r as the playback caches see it: with its path rebuilt
// from the pid and path it was routed by (so that /v1/playback/%61bc/… is
// the same entry as /v1/playback/abc/…, and purges reach both), rawQuery
// as its query, and cacheHost as its Host. It is r itself if that is
// already so, else a shallow copy that shares r's header.
func forCache(r *http.Request, rawQuery string) *http.Request {
	p := "/v1/playback/" + r.PathValue("pid") + "/" + r.PathValue("path")
	if r.URL.RawQuery == rawQuery && !r.URL.ForceQuery && r.Host == cacheHost && r.URL.RawPath == "" && r.URL.Path == p {
		return r
	}
	r2 := new(http.Request)
	*r2 = *r
	u := *r.URL
	u.Path, u.RawPath, u.RawQuery, u.ForceQuery, u.Host = p, "", rawQuery, false, ""
	r2.URL, r2.Host = &u, cacheHost
	r2.RequestURI = u.RequestURI()
	return r2
}

// rewritable reports whether file p holds URIs that need the token.
func rewritable(p string) bool {
	return strings.HasSuffix(p, ".m3u8") || strings.HasSuffix(p, ".vtt") && strings.HasPrefix(p, "storyboard/")
}

// signPlaylist serves playlist p (or the storyboard track) of a signed
// asset with token added to each URI in it.
func (s *Server) signPlaylist(w http.ResponseWriter, r *http.Request, p, token string) {
	in := r.Clone(r.Context())
	in.Method = http.MethodGet
	for _, h := range []string{"Range", "If-Range", "If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since"} {
		in.Header.Del(h)
	}
	rec := &bufferWriter{header: http.Header{}}
	s.play.files.ServeHTTP(rec, in)
	h := w.Header()
	if rec.code != http.StatusOK {
		for k, v := range rec.header {
			h[k] = v
		}
		w.WriteHeader(rec.code)
		w.Write(rec.body.Bytes())
		return
	}
	var out []byte
	var err error
	if strings.HasSuffix(p, ".m3u8") {
		out, err = hls.RewriteBytes(rec.body.Bytes(), &hls.RewriteOptions{
			Token: func(string) string { return TokenParam + "=" + token },
		})
	} else {
		out = signVTT(rec.body.Bytes(), token)
	}
	if err != nil {
		s.log.Error("signing a playlist", "file", p, "err", err)
		writeError(w, http.StatusInternalServerError, "signing the playlist failed")
		return
	}
	h.Set("Content-Type", rec.header.Get("Content-Type"))
	h.Set("Cache-Control", cacheSignedPlaylist)
	if x := rec.header.Get("X-Cache"); x != "" {
		h.Set("X-Cache", x)
	}
	h.Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(out)
	}
}

// signVTT adds token to the relative image URIs of a storyboard WebVTT
// track: the lines of cue payloads, before their "#xywh=" fragment.
func signVTT(b []byte, token string) []byte {
	lines := bytes.Split(b, []byte("\n"))
	inCue := false
	for i, l := range lines {
		l = bytes.TrimRight(l, "\r")
		switch {
		case len(l) == 0:
			inCue = false
		case bytes.Contains(l, []byte("-->")):
			inCue = true
		case inCue && !bytes.Contains(l, []byte(":")) && !bytes.HasPrefix(l, []byte("//")):
			uri, frag, _ := bytes.Cut(l, []byte("#"))
			sep := "?"
			if bytes.Contains(uri, []byte("?")) {
				sep = "&"
			}
			out := append(append([]byte{}, uri...), sep+TokenParam+"="+token...)
			if bytes.Contains(l, []byte("#")) {
				out = append(append(out, '#'), frag...)
			}
			lines[i] = out
		}
	}
	return bytes.Join(lines, []byte("\n"))
}

// privateWriter turns a public Cache-Control into a private one.
type privateWriter struct {
	http.ResponseWriter
	wrote bool
}

func (p *privateWriter) WriteHeader(code int) {
	if !p.wrote {
		p.wrote = true
		h := p.Header()
		if cc := h.Get("Cache-Control"); strings.Contains(cc, "public") {
			h.Set("Cache-Control", strings.Replace(cc, "public", "private", 1))
		}
	}
	p.ResponseWriter.WriteHeader(code)
}

func (p *privateWriter) Write(b []byte) (int, error) {
	if !p.wrote {
		p.WriteHeader(http.StatusOK)
	}
	return p.ResponseWriter.Write(b)
}

func (p *privateWriter) Unwrap() http.ResponseWriter { return p.ResponseWriter }

func (p *privateWriter) Flush() {
	if !p.wrote {
		p.WriteHeader(http.StatusOK)
	}
	http.NewResponseController(p.ResponseWriter).Flush()
}

// bufferWriter keeps a response in memory.
type bufferWriter struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (b *bufferWriter) Header() http.Header { return b.header }

func (b *bufferWriter) WriteHeader(code int) {
	if b.code == 0 {
		b.code = code
	}
}

func (b *bufferWriter) Write(p []byte) (int, error) {
	if b.code == 0 {
		b.code = http.StatusOK
	}
	return b.body.Write(p)
}
