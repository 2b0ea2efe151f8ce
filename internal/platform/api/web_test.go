package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestWebRoutes: the web page answers "/" and "/ui/…"; every other
// unknown path still gets the API's JSON 404.
func TestWebRoutes(t *testing.T) {
	a := newTestAPI(t, Config{})
	code, h, b := a.do(t, http.MethodGet, "/", "")
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "text/html; charset=utf-8", h.Get("Content-Type"))
	require.Contains(t, h.Get("Content-Security-Policy"), "default-src 'none'")
	require.Contains(t, string(b), "<title>v100</title>")

	code, h, _ = a.do(t, http.MethodGet, "/ui/app.js", "")
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "text/javascript; charset=utf-8", h.Get("Content-Type"))

	code, h, _ = a.do(t, http.MethodGet, "/ui/nope.js", "")
	require.Equal(t, http.StatusNotFound, code)
	require.Equal(t, "text/plain; charset=utf-8", h.Get("Content-Type"))

	for _, c := range []struct{ method, path string }{
		{"GET", "/nope"}, {"GET", "/v1/nope"}, {"GET", "/index.html"}, {"POST", "/"},
		{"GET", "/v1/"}, {"GET", "/uix"}, {"DELETE", "/"},
	} {
		code, h, b := a.do(t, c.method, c.path, "")
		require.Equal(t, http.StatusNotFound, code, "%s %s", c.method, c.path)
		require.Equal(t, "application/json", h.Get("Content-Type"), "%s %s", c.method, c.path)
		require.True(t, strings.Contains(string(b), "no such endpoint"), "%s %s: %s", c.method, c.path, b)
	}
}
