package main

import (
	"bytes"
	"encoding/binary"
	"net/http"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/v100video/v100/internal/mediatest"
)

// TestServeAnimatedPreview: animated GIF and WebP previews made on demand,
// cached (made-up query parameters do not make new entries), and a 400 for
// each hostile parameter.
func TestServeAnimatedPreview(t *testing.T) {
	data, err := os.ReadFile(mediatest.Clip(t, mediatest.Spec{Width: 640, Height: 360, Seconds: 4}))
	require.NoError(t, err)
	srv := startServe(t, t.TempDir(), "-no-captions")
	code, v, body := srv.multipartUpload(t, "clip.mp4", data)
	require.Equal(t, http.StatusCreated, code, body)
	v = srv.waitFor(t, v.ID)
	require.Equal(t, "ready", v.Status, v.Error)
	base := "/v1/playback/" + v.PlaybackID + "/"
	require.Contains(t, srv.rawVideo(t, v.ID), `"animated": "`+base+`animated.gif"`)

	// gifSize returns a GIF's logical screen size.
	gifSize := func(b []byte) (int, int) {
		require.True(t, bytes.HasPrefix(b, []byte("GIF89a")), "not a GIF")
		return int(binary.LittleEndian.Uint16(b[6:])), int(binary.LittleEndian.Uint16(b[8:]))
	}

	code, h, gif := srv.get(t, base+"animated.gif", nil)
	require.Equal(t, http.StatusOK, code, "%s", gif)
	require.Equal(t, "image/gif", h.Get("Content-Type"))
	require.Equal(t, "public, max-age=86400", h.Get("Cache-Control"))
	w, ht := gifSize(gif)
	require.Equal(t, []int{320, 180}, []int{w, ht})
	code, h, again := srv.get(t, base+"animated.gif?made-up=1", nil)
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "HIT", h.Get("X-Cache"), "a made-up parameter is not a new preview")
	require.Equal(t, gif, again)

	code, _, small := srv.get(t, base+"animated.gif?start=1&end=2.5&fps=5&width=160", nil)
	require.Equal(t, http.StatusOK, code, "%s", small)
	w, ht = gifSize(small)
	require.Equal(t, []int{160, 90}, []int{w, ht})
	require.Less(t, len(small), len(gif))

	code, h, webp := srv.get(t, base+"animated.webp?start=0.5&end=1.5&height=90", nil)
	require.Equal(t, http.StatusOK, code, "%s", webp)
	require.Equal(t, "image/webp", h.Get("Content-Type"))
	require.True(t, bytes.HasPrefix(webp, []byte("RIFF")) && string(webp[8:12]) == "WEBP", "not a WebP")
	require.Contains(t, string(webp), "ANIM", "not animated")

	for _, q := range []string{
		"animated.gif?start=-1",
		"animated.gif?start=abc",
		"animated.gif?start=NaN",
		"animated.gif?start=Inf",
		"animated.gif?start=1e7",
		"animated.gif?start=99", // past the end
		"animated.gif?start=2&end=1",
		"animated.gif?start=2&end=2",
		"animated.gif?start=1&end=1.05",
		"animated.gif?start=0&end=10.5",
		"animated.gif?end=-3",
		"animated.gif?fps=0",
		"animated.gif?fps=31",
		"animated.gif?fps=NaN",
		"animated.gif?fps=1e309",
		"animated.gif?width=7",
		"animated.gif?width=2000",
		"animated.gif?height=99999",
		"animated.gif?width=abc",
		"animated.gif?fit=stretch",
		"animated.webp?fps=-5",
	} {
		code, _, body := srv.get(t, base+q, nil)
		require.Equal(t, http.StatusBadRequest, code, "%s: %s", q, body)
	}
	code, _, _ = srv.get(t, base+"animated.bmp", nil)
	require.Equal(t, http.StatusNotFound, code)
	code, _, _ = srv.get(t, base+"master.m3u8", nil)
	require.Equal(t, http.StatusOK, code)
}
