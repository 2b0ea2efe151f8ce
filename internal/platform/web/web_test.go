package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func get(t *testing.T, h http.Handler, method, target string, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, "http://v100.test/", nil)
	r.URL.Path, r.URL.RawQuery, _ = strings.Cut(target, "?")
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func requireSecurity(t *testing.T, h http.Header) {
	t.Helper()
	require.Equal(t, CSP, h.Get("Content-Security-Policy"))
	require.Equal(t, "nosniff", h.Get("X-Content-Type-Options"))
	require.Equal(t, "DENY", h.Get("X-Frame-Options"))
	require.Equal(t, "no-referrer", h.Get("Referrer-Policy"))
}

var assetRE = regexp.MustCompile(`"/ui/([a-z.]+)\?v=([0-9a-f]{16})"`)

func TestPage(t *testing.T) {
	h := New()
	w := get(t, h, http.MethodGet, "/", nil)
	require.Equal(t, http.StatusOK, w.Code)
	requireSecurity(t, w.Header())
	require.Equal(t, "text/html; charset=utf-8", w.Header().Get("Content-Type"))
	require.Equal(t, "no-cache", w.Header().Get("Cache-Control"))
	body := w.Body.String()
	require.Contains(t, body, `content="`+HLSURL+`" data-integrity="`+HLSIntegrity+`"`)
	require.NotContains(t, body, "%HLS_")
	require.NotContains(t, body, "<script>", "no inline script")
	require.NotContains(t, body, "style=", "no inline style")
	linked := map[string]bool{}
	for _, m := range assetRE.FindAllStringSubmatch(body, -1) {
		linked[m[1]] = true
	}
	require.Equal(t, map[string]bool{"app.js": true, "player.js": true, "tus.js": true, "style.css": true, "icon.svg": true}, linked)
	require.NotRegexp(t, `"/ui/[^"?]+"`, body, "every asset is named with its hash")

	// HEAD: the headers without the body.
	w = get(t, h, http.MethodHead, "/", nil)
	require.Equal(t, http.StatusOK, w.Code)
	require.Zero(t, w.Body.Len())
	require.NotEmpty(t, w.Header().Get("Content-Length"))
}

func TestAssets(t *testing.T) {
	h := New()
	page := get(t, h, http.MethodGet, "/", nil).Body.String()
	types := map[string]string{
		"app.js": "text/javascript; charset=utf-8", "player.js": "text/javascript; charset=utf-8",
		"tus.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8", "icon.svg": "image/svg+xml",
	}
	for _, m := range assetRE.FindAllStringSubmatch(page, -1) {
		name, hash := m[1], m[2]
		t.Run(name, func(t *testing.T) {
			want, err := static.ReadFile("static/" + name)
			require.NoError(t, err)

			w := get(t, h, http.MethodGet, "/ui/"+name+"?v="+hash, nil)
			require.Equal(t, http.StatusOK, w.Code)
			requireSecurity(t, w.Header())
			require.Equal(t, types[name], w.Header().Get("Content-Type"))
			require.Equal(t, "public, max-age=31536000, immutable", w.Header().Get("Cache-Control"))
			require.Equal(t, want, w.Body.Bytes())
			etag := w.Header().Get("ETag")
			require.NotEmpty(t, etag)

			// Without the hash, or with another, it is revalidated.
			for _, q := range []string{"", "?v=0000000000000000", "?v=" + hash + "x"} {
				w = get(t, h, http.MethodGet, "/ui/"+name+q, nil)
				require.Equal(t, http.StatusOK, w.Code)
				require.Equal(t, "no-cache", w.Header().Get("Cache-Control"), q)
			}

			w = get(t, h, http.MethodGet, "/ui/"+name, http.Header{"If-None-Match": {`"x", W/` + etag}})
			require.Equal(t, http.StatusNotModified, w.Code)
			require.Zero(t, w.Body.Len())

			w = get(t, h, http.MethodGet, "/ui/"+name, http.Header{"Accept-Encoding": {"br, gzip"}})
			require.Equal(t, http.StatusOK, w.Code)
			require.Equal(t, "Accept-Encoding", w.Header().Get("Vary"))
			if w.Header().Get("Content-Encoding") == "gzip" {
				zr, err := gzip.NewReader(w.Body)
				require.NoError(t, err)
				got, err := io.ReadAll(zr)
				require.NoError(t, err)
				require.Equal(t, want, got)
			} else {
				require.Equal(t, want, w.Body.Bytes())
			}
		})
	}
}

// TestHostile: paths and methods the handler must not serve a file for.
func TestHostile(t *testing.T) {
	h := New()
	cases := []struct {
		method, target string
		code           int
	}{
		{"GET", "/ui/", 404},
		{"GET", "/ui", 404},
		{"GET", "/ui/../web.go", 404},
		{"GET", "/ui/../../web.go", 404},
		{"GET", "/ui/%2e%2e/web.go", 404},
		{"GET", "/ui/..%2fweb.go", 404},
		{"GET", "/ui/static/app.js", 404},
		{"GET", "/ui/./app.js", 404},
		{"GET", "/ui//app.js", 404},
		{"GET", "/ui/app.js/", 404},
		{"GET", "/ui/APP.JS", 404},
		{"GET", "/ui/app.js\x00", 404},
		{"GET", "/ui/app.js%00", 404},
		{"GET", "/ui/index.html", 404},
		{"GET", "/index.html", 404},
		{"GET", "/static/app.js", 404},
		{"GET", "/app.js", 404},
		{"GET", "//", 404},
		{"GET", "/ui/" + strings.Repeat("a", 10000), 404},
		{"GET", "/ui/web.go", 404},
		{"GET", "/ui/doc.go", 404},
		{"POST", "/", 405},
		{"PUT", "/ui/app.js", 405},
		{"DELETE", "/", 405},
		{"OPTIONS", "/", 405},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.target, func(t *testing.T) {
			w := get(t, h, c.method, c.target, nil)
			require.Equal(t, c.code, w.Code)
			requireSecurity(t, w.Header())
			require.Equal(t, "text/plain; charset=utf-8", w.Header().Get("Content-Type"))
			require.NotContains(t, w.Body.String(), "package web")
		})
	}
}

func TestAcceptsGzip(t *testing.T) {
	cases := []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"GZIP", true},
		{"br, gzip;q=0.5", true},
		{"gzip;q=0", false},
		{"gzip; q=0.000", false},
		{"gzip;q=0.001", true},
		{"gzip;q=1", true},
		{"deflate, br", false},
		{"x-gzip", false},
		{"gzipx", false},
		{",,,;;;", false},
		{"*", false},
	}
	for _, c := range cases {
		require.Equal(t, c.want, acceptsGzip(c.header), "%q", c.header)
	}
}

func FuzzAcceptsGzip(f *testing.F) {
	for _, s := range []string{"gzip", "gzip;q=0", "br, gzip;q=0.5", ",;=", "gzip;q=."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		acceptsGzip(s)
		etagMatch(s, `"abc"`)
	})
}

func TestETagMatch(t *testing.T) {
	cases := []struct {
		header string
		want   bool
	}{
		{`"abc"`, true},
		{`W/"abc"`, true},
		{`"x", "abc"`, true},
		{`*`, true},
		{`"abcd"`, false},
		{`abc`, false},
		{``, false},
		{`,`, false},
	}
	for _, c := range cases {
		require.Equal(t, c.want, etagMatch(c.header, `"abc"`), "%q", c.header)
	}
}

// TestHLSIntegrity checks that HLSVersion is the hls.js that the browser
// test installs (browsertest/package.json) and that HLSIntegrity is the
// hash of its hls.min.js, the file the CDN serves at HLSURL.
func TestHLSIntegrity(t *testing.T) {
	b, err := os.ReadFile("browsertest/package.json")
	require.NoError(t, err)
	var pkg struct {
		DevDependencies map[string]string `json:"devDependencies"`
	}
	require.NoError(t, json.Unmarshal(b, &pkg))
	require.Equal(t, HLSVersion, pkg.DevDependencies["hls.js"])
	require.True(t, strings.HasSuffix(HLSURL, "/hls.js@"+HLSVersion+"/dist/hls.min.js"))

	js, err := os.ReadFile("browsertest/node_modules/hls.js/dist/hls.min.js")
	require.NoError(t, err, "the browser test's npm packages are missing: run scripts/setup")
	sum := sha512.Sum384(js)
	require.Equal(t, "sha384-"+base64.StdEncoding.EncodeToString(sum[:]), HLSIntegrity)
	require.True(t, bytes.Contains(js, []byte(HLSVersion)), "hls.min.js names its version")
}

// TestParsers runs browsertest/parsers.js, the table of ordinary and
// hostile inputs of the page's parsers of playlists and WebVTT.
func TestParsers(t *testing.T) {
	node, err := exec.LookPath("node")
	require.NoError(t, err, "node is needed (scripts/setup installs it)")
	out, err := exec.Command(node, "browsertest/parsers.js").CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Equal(t, "ok\n", string(out))
}
