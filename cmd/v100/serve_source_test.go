package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/v100video/v100/internal/mediatest"
)

// createFromURL posts a JSON body to create a video and returns the status
// and body.
func (s *server) createFromURL(t *testing.T, body string) (int, testVideo, string) {
	t.Helper()
	resp := s.do(t, http.MethodPost, "/v1/videos", bytes.NewReader([]byte(body)), http.Header{"Content-Type": {"application/json"}})
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var v testVideo
	json.Unmarshal(b, &v)
	return resp.StatusCode, v, string(b)
}

func urlBody(u string) string {
	b, _ := json.Marshal(map[string]string{"url": u})
	return string(b)
}

// TestServeSourceURL: a video is created from an allow-listed origin on
// loopback; URLs that point inside the server's network are refused, at
// once or by the job.
func TestServeSourceURL(t *testing.T) {
	clip := mediatest.Clip(t, mediatest.Spec{Width: 320, Height: 180, Seconds: 2})
	good, err := os.ReadFile(clip)
	require.NoError(t, err)

	inside := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("internal secret")) }))
	t.Cleanup(inside.Close)
	insideURL, _ := url.Parse(inside.URL)
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/clip.mp4":
			w.Write(good)
		case "/big.mp4":
			w.Write(make([]byte, len(good)+5000))
		case "/to-inside.mp4":
			http.Redirect(w, r, inside.URL+"/x.mp4", http.StatusFound)
		case "/to-metadata.mp4":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		case "/to-localhost.mp4":
			http.Redirect(w, r, "http://localhost:"+insideURL.Port()+"/x.mp4", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(origin.Close)
	originURL, _ := url.Parse(origin.URL)

	srv := startServe(t, t.TempDir(), "-no-captions", "-allow-source-host", originURL.Host,
		"-max-upload", strconv.Itoa(len(good)+1000))

	code, v, body := srv.createFromURL(t, urlBody(origin.URL+"/clip.mp4"))
	require.Equal(t, http.StatusCreated, code, body)
	require.Contains(t, body, `"filename": "clip.mp4"`)

	refused := []struct{ name, body string }{
		{"file", urlBody("file:///etc/passwd")},
		{"ftp", urlBody("ftp://example.com/a.mp4")},
		{"loopback, other port", urlBody(inside.URL + "/x.mp4")},
		{"loopback name", urlBody("http://localhost:" + insideURL.Port() + "/x.mp4")},
		{"ipv6 loopback", urlBody("http://[::1]:" + insideURL.Port() + "/")},
		{"private", urlBody("http://10.1.2.3/a.mp4")},
		{"metadata", urlBody("http://169.254.169.254/latest/meta-data/")},
		{"unspecified", urlBody("http://0.0.0.0:" + insideURL.Port() + "/")},
		{"ipv4-mapped loopback", urlBody("http://[::ffff:127.0.0.1]:" + insideURL.Port() + "/")},
		{"cgnat", urlBody("http://100.64.1.1/a.mp4")},
		{"userinfo", urlBody("http://example.com@127.0.0.1:" + insideURL.Port() + "/")},
		{"userinfo, allowed host", urlBody("http://user@" + originURL.Host + "/clip.mp4")},
		{"not JSON", `{"url":`},
		{"unknown field", `{"url": "` + origin.URL + `/clip.mp4", "file": "/etc/passwd"}`},
		{"no url", `{}`},
		{"unknown playback policy", `{"url": "` + origin.URL + `/clip.mp4", "playback_policy": "secret"}`},
		{"playback policy not a string", `{"url": "` + origin.URL + `/clip.mp4", "playback_policy": 1}`},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			code, _, body := srv.createFromURL(t, tc.body)
			require.Equal(t, http.StatusBadRequest, code, body)
			t.Logf("%s", body)
		})
	}

	failing := []struct{ name, path, reason string }{
		{"redirect to loopback", "/to-inside.mp4", "address not allowed"},
		{"redirect to metadata", "/to-metadata.mp4", "address not allowed"},
		{"redirect to a loopback name", "/to-localhost.mp4", "address not allowed"},
		{"over the size limit", "/big.mp4", "too large"},
		{"not found", "/nope.mp4", "404"},
	}
	ids := map[string]string{}
	for _, tc := range failing {
		code, v, body := srv.createFromURL(t, urlBody(origin.URL+tc.path))
		require.Equal(t, http.StatusCreated, code, "%s: %s", tc.name, body)
		ids[tc.name] = v.ID
	}
	for _, tc := range failing {
		t.Run(tc.name, func(t *testing.T) {
			got := srv.waitFor(t, ids[tc.name])
			require.Equal(t, "failed", got.Status)
			require.Contains(t, got.Error, tc.reason)
			t.Logf("reason: %s", got.Error)
		})
	}

	// Signed playback: the video plays only with a token.
	code, sv, body := srv.createFromURL(t, `{"url": "`+origin.URL+`/clip.mp4", "playback_policy": "signed"}`)
	require.Equal(t, http.StatusCreated, code, body)
	require.Contains(t, body, `"playback_policy": "signed"`)
	sv = srv.waitFor(t, sv.ID)
	require.Equal(t, "ready", sv.Status, sv.Error)
	code, _, raw := srv.get(t, "/v1/playback/"+sv.PlaybackID+"/master.m3u8", nil)
	require.Equal(t, http.StatusForbidden, code, "%s", raw)
	_, hls := srv.mintToken(t, sv.ID)
	ok, out := ffprobeOK(srv.url + hls)
	require.True(t, ok, "ffprobe with a token: %s", out)

	got := srv.waitFor(t, v.ID)
	require.Equal(t, "ready", got.Status, got.Error)
	require.Contains(t, srv.rawVideo(t, v.ID), `"playback_policy": "public"`)
	_, _, raw = srv.get(t, "/v1/videos/"+v.ID, nil)
	var sized struct{ Size int64 }
	require.NoError(t, json.Unmarshal(raw, &sized))
	require.Equal(t, int64(len(good)), sized.Size)
}

// rawVideo returns the JSON of GET /v1/videos/{id}.
func (s *server) rawVideo(t *testing.T, id string) string {
	t.Helper()
	code, _, body := s.get(t, "/v1/videos/"+id, nil)
	require.Equal(t, http.StatusOK, code, "%s", body)
	return string(body)
}
