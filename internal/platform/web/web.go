package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
)

// The hls.js build the page loads where the browser cannot play HLS
// natively. Its integrity is the SHA-384 of the file as published in the
// hls.js npm package of the same version, which the CDN serves unchanged;
// browsertest/package.json pins the same version and TestHLSIntegrity
// checks the two agree.
const (
	HLSVersion   = "1.7.4"
	HLSURL       = "https://cdn.jsdelivr.net/npm/hls.js@" + HLSVersion + "/dist/hls.min.js"
	HLSIntegrity = "sha384-p9vgU/7IYJWd3I4STrtqxqR/2cAQlhIX7D/HrTnIMEjjcUox165b7se7sxmm3zDg"
)

// CSP is the Content-Security-Policy of every response of the handler.
// Media may also come from blob: URLs (hls.js plays through Media Source
// Extensions) and data: URLs (hls.js gives each text track it makes an
// empty <track src="data:,WEBVTT">).
const CSP = "default-src 'none'; script-src 'self' " + HLSURL + "; style-src 'self'; " +
	"img-src 'self'; media-src 'self' blob: data:; connect-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Cache-Control values.
const (
	cacheImmutable   = "public, max-age=31536000, immutable"
	cacheRevalidate  = "no-cache"
	assetPrefix      = "/ui/"
	versionParameter = "v"
)

//go:embed static
var static embed.FS

// contentTypes of the files the handler serves, by extension.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".svg":  "image/svg+xml",
}

// file is an embedded file ready to serve.
type file struct {
	ctype string
	hash  string // hex, the first 16 digits of the SHA-256
	etag  string
	body  []byte
	gzip  []byte // nil if not smaller
}

// Handler serves the page and its assets. Its zero value is not usable;
// New makes one.
type Handler struct {
	index  *file
	assets map[string]*file // by name under /ui/
}

// New returns the handler of the page at "/" and of the assets under
// "/ui/"; other paths get 404.
func New() *Handler {
	h := &Handler{assets: map[string]*file{}}
	entries, err := fs.ReadDir(static, "static")
	if err != nil {
		panic("web: " + err.Error()) // the embedded directory is there at build time
	}
	var names []string
	for _, e := range entries {
		if e.Name() != "index.html" {
			names = append(names, e.Name())
		}
	}
	// The page names each asset with its hash, so assets can be cached
	// for good and a new build is fetched at once.
	repl := []string{"%HLS_URL%", HLSURL, "%HLS_INTEGRITY%", HLSIntegrity}
	for _, name := range names {
		b := mustRead(name)
		f := newFile(name, b)
		h.assets[name] = f
		repl = append(repl, `"`+assetPrefix+name+`"`, `"`+assetPrefix+name+"?"+versionParameter+"="+f.hash+`"`)
	}
	page := strings.NewReplacer(repl...).Replace(string(mustRead("index.html")))
	h.index = newFile("index.html", []byte(page))
	return h
}

func mustRead(name string) []byte {
	b, err := static.ReadFile("static/" + name)
	if err != nil {
		panic("web: " + err.Error())
	}
	return b
}

func newFile(name string, b []byte) *file {
	sum := sha256.Sum256(b)
	f := &file{ctype: contentTypes[path.Ext(name)], body: b, hash: hex.EncodeToString(sum[:8])}
	f.etag = `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`
	if f.ctype == "" {
		panic("web: no content type for " + name)
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	if buf.Len() < len(b) {
		f.gzip = buf.Bytes()
	}
	return f
}

// ServeHTTP serves GET and HEAD of "/" and of the assets.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	security(hd)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hd.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	var f *file
	cache := cacheRevalidate
	switch p := r.URL.Path; {
	case p == "/":
		f = h.index
	case strings.HasPrefix(p, assetPrefix):
		f = h.assets[strings.TrimPrefix(p, assetPrefix)]
		if f != nil && r.URL.Query().Get(versionParameter) == f.hash {
			cache = cacheImmutable
		}
	}
	if f == nil {
		hd.Set("Cache-Control", "no-store")
		http.Error(w, "404 page not found", http.StatusNotFound)
		return
	}
	hd.Set("Content-Type", f.ctype)
	hd.Set("Cache-Control", cache)
	hd.Set("ETag", f.etag)
	hd.Set("Vary", "Accept-Encoding")
	if match := r.Header.Get("If-None-Match"); match != "" && etagMatch(match, f.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := f.body
	if f.gzip != nil && acceptsGzip(r.Header.Get("Accept-Encoding")) {
		body = f.gzip
		hd.Set("Content-Encoding", "gzip")
	}
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	w.Write(body)
}

// security sets the headers every response gets.
func security(h http.Header) {
	h.Set("Content-Security-Policy", CSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
}

// etagMatch reports whether an If-None-Match header lists etag (weakly, as
// RFC 9110 says for If-None-Match) or is "*".
func etagMatch(header, etag string) bool {
	for _, m := range strings.Split(header, ",") {
		m = strings.TrimPrefix(strings.TrimSpace(m), "W/")
		if m == etag || m == "*" {
			return true
		}
	}
	return false
}

// acceptsGzip reports whether an Accept-Encoding header accepts gzip.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(part, ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q, ok := strings.CutPrefix(strings.ReplaceAll(strings.TrimSpace(params), " ", ""), "q=")
		return !ok || strings.Trim(q, "0.") != "" // q=0, q=0.0, q=0.000 refuse it
	}
	return false
}
