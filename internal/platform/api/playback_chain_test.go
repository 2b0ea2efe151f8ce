package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/internal/platform/jobs"
	"github.com/v100video/v100/internal/platform/storage"
	"github.com/v100video/v100/internal/platform/store"
)

// noQueue stands in for the job queue, which playback does not use.
type noQueue struct{}

func (noQueue) Enqueue(context.Context, *store.Tx, string) (int64, error) { return 1, nil }
func (noQueue) Cancel(context.Context, int64) error                       { return nil }

// fixture files of a ready asset, as the pipeline lays them out.
var fixture = map[string]string{
	"master.m3u8": `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,URI="subs/en/index.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2",SUBTITLES="subs"
360p/index.m3u8
`,
	"360p/index.m3u8": `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:2
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-MAP:URI="init.mp4"
#EXTINF:2.0,
seg-0.m4s
#EXTINF:2.0,
seg-1.m4s
#EXT-X-ENDLIST
`,
	"360p/init.mp4":  "init",
	"360p/seg-0.m4s": "segment zero",
	"360p/seg-1.m4s": "segment one",
	"subs/en/index.m3u8": `#EXTM3U
#EXT-X-TARGETDURATION:4
#EXT-X-PLAYLIST-TYPE:VOD
#EXTINF:4.0,
seg-0.vtt
#EXT-X-ENDLIST
`,
	"subs/en/seg-0.vtt": "WEBVTT\n",
	"storyboard/storyboard.vtt": `WEBVTT

00:00:00.000 --> 00:00:02.000
storyboard-1.jpg#xywh=0,0,160,90

00:00:02.000 --> 00:00:04.000
storyboard-1.jpg#xywh=160,0,160,90
`,
	"storyboard/storyboard-1.jpg": "\xff\xd8\xff sprite",
}

type testAPI struct {
	*Server
	url string
}

func newTestAPI(t *testing.T, cfg Config) *testAPI {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(context.Background(), filepath.Join(dir, "v100.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	for _, d := range []string{"media", "uploads", "work"} {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, d), 0o755))
	}
	cfg.Store, cfg.Storage, cfg.Queue = st, &storage.Dir{Root: filepath.Join(dir, "media")}, noQueue{}
	cfg.UploadDir, cfg.WorkDir = filepath.Join(dir, "uploads"), filepath.Join(dir, "work")
	s, err := New(cfg)
	require.NoError(t, err)
	hs := httptest.NewServer(s)
	t.Cleanup(func() { hs.Close(); s.Close() })
	return &testAPI{Server: s, url: hs.URL}
}

// ready makes a ready asset with the fixture's files and policy p.
func (a *testAPI) ready(t *testing.T, p store.Policy) *store.Asset {
	t.Helper()
	ctx := context.Background()
	st := a.cfg.Store
	as, err := st.Create(ctx, nil, store.Waiting, "a.mp4", 10)
	require.NoError(t, err)
	require.NoError(t, st.SetPolicy(ctx, nil, as.ID, p))
	root := a.cfg.Storage.(*storage.Dir).Root
	for name, body := range fixture {
		path := filepath.Join(root, filepath.FromSlash(jobs.AssetKey(as.ID)+"/"+name))
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
	}
	info := store.Info{Width: 640, Height: 360, Storyboard: true,
		Renditions: []store.Rendition{{Name: "360p", Playlist: "360p/index.m3u8", Width: 640, Height: 360, Bandwidth: 800000}}}
	require.NoError(t, st.SetReady(ctx, as.ID, 4, info))
	as, err = st.Get(ctx, as.ID)
	require.NoError(t, err)
	return as
}

func (a *testAPI) do(t *testing.T, method, path string, body string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, a.url+path, strings.NewReader(body))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, b
}

func (a *testAPI) mint(t *testing.T, id string, body string) tokenView {
	t.Helper()
	code, _, b := a.do(t, http.MethodPost, "/v1/videos/"+id+"/playback-token", body)
	require.Equal(t, http.StatusCreated, code, "%s", b)
	var tv tokenView
	require.NoError(t, json.Unmarshal(b, &tv))
	return tv
}

func errorMessage(t *testing.T, b []byte) string {
	t.Helper()
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal(b, &e), "%s", b)
	return e.Error.Message
}

var uriAttr = regexp.MustCompile(`URI="([^"]*)"`)

// uris returns every URI of a playlist: URI lines and URI attributes.
func uris(playlist []byte) []string {
	var out []string
	for _, l := range strings.Split(string(playlist), "\n") {
		switch {
		case l == "":
		case strings.HasPrefix(l, "#"):
			for _, m := range uriAttr.FindAllStringSubmatch(l, -1) {
				out = append(out, m[1])
			}
		default:
			out = append(out, l)
		}
	}
	return out
}

func TestSignedPlayback(t *testing.T) {
	a := newTestAPI(t, Config{})
	v := a.ready(t, store.Signed)
	base := "/v1/playback/" + v.PlaybackID + "/"

	code, _, b := a.do(t, http.MethodGet, "/v1/videos/"+v.ID, "")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, string(b), `"playback_policy": "signed"`)

	code, _, b = a.do(t, http.MethodGet, base+"master.m3u8", "")
	require.Equal(t, http.StatusForbidden, code)
	require.Equal(t, errTokenMissing.Error(), errorMessage(t, b))

	tv := a.mint(t, v.ID, `{"expires_in": 600}`)
	require.Equal(t, v.PlaybackID, tv.PlaybackID)
	require.WithinDuration(t, time.Now().Add(600*time.Second), tv.ExpiresAt, time.Minute)
	require.Equal(t, base+"master.m3u8?token="+tv.Token, tv.HLS)
	q := "?token=" + tv.Token

	// Every URI of every playlist carries the token, and each resolves to
	// a file that plays with it.
	seen := map[string]bool{}
	var walk func(p string)
	walk = func(p string) {
		if seen[p] {
			return
		}
		seen[p] = true
		code, h, b := a.do(t, http.MethodGet, base+p+q, "")
		require.Equal(t, http.StatusOK, code, "%s: %s", p, b)
		if !strings.HasSuffix(p, ".m3u8") {
			require.Equal(t, cacheSignedImmutable, h.Get("Cache-Control"), p)
			return
		}
		require.Equal(t, cacheSignedPlaylist, h.Get("Cache-Control"), p)
		list := uris(b)
		require.NotEmpty(t, list, "%s:\n%s", p, b)
		dir := p[:strings.LastIndex(p, "/")+1]
		for _, u := range list {
			file, query, ok := strings.Cut(u, "?")
			require.True(t, ok, "%s: %s has no token", p, u)
			require.Equal(t, "token="+tv.Token, query, "%s: %s", p, u)
			walk(dir + file)
		}
	}
	walk("master.m3u8")
	for _, f := range []string{"360p/index.m3u8", "360p/init.mp4", "360p/seg-0.m4s", "360p/seg-1.m4s", "subs/en/index.m3u8", "subs/en/seg-0.vtt"} {
		require.True(t, seen[f], "%s not reached from the master playlist", f)
	}

	// The storyboard's image references carry the token too.
	code, h, b := a.do(t, http.MethodGet, base+"storyboard/storyboard.vtt"+q, "")
	require.Equal(t, http.StatusOK, code, "%s", b)
	require.Equal(t, cacheSignedPlaylist, h.Get("Cache-Control"))
	require.Equal(t, 2, strings.Count(string(b), "storyboard-1.jpg?token="+tv.Token+"#xywh="), "%s", b)
	code, _, _ = a.do(t, http.MethodGet, base+"storyboard/storyboard-1.jpg"+q, "")
	require.Equal(t, http.StatusOK, code)

	// HEAD of a signed playlist: its headers, no body.
	code, h, b = a.do(t, http.MethodHead, base+"master.m3u8"+q, "")
	require.Equal(t, http.StatusOK, code)
	require.Empty(t, b)
	require.NotEqual(t, "0", h.Get("Content-Length"))

	// A file that does not exist is still a 404 with a valid token.
	code, _, _ = a.do(t, http.MethodGet, base+"360p/seg-9.m4s"+q, "")
	require.Equal(t, http.StatusNotFound, code)
}

func TestSignedPlaybackRefusals(t *testing.T) {
	a := newTestAPI(t, Config{})
	v := a.ready(t, store.Signed)
	other := a.ready(t, store.Signed)
	good := a.mint(t, v.ID, "").Token
	exp, sig, _ := strings.Cut(good, ".")
	for _, tc := range []struct {
		name, query string
		want        error
	}{
		{"missing", "", errTokenMissing},
		{"empty", "?token=", errTokenMissing},
		{"expired", "?token=" + a.play.signer.token(v.PlaybackID, time.Now().Add(-time.Minute)), errTokenExpired},
		{"wrong video", "?token=" + a.mint(t, other.ID, "").Token, errTokenInvalid},
		{"tampered", "?token=" + exp + "." + map[bool]string{true: "B", false: "A"}[sig[0] == 'A'] + sig[1:], errTokenInvalid},
		{"extended", "?token=9" + exp + "." + sig, errTokenInvalid},
		{"malformed", "?token=hello", errTokenMalformed},
		{"in another parameter", "?tok=" + good, errTokenMissing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, p := range []string{"master.m3u8", "360p/index.m3u8", "360p/seg-0.m4s", "storyboard/storyboard.vtt", "thumbnail.jpg"} {
				code, h, b := a.do(t, http.MethodGet, "/v1/playback/"+v.PlaybackID+"/"+p+tc.query, "")
				require.Equal(t, http.StatusForbidden, code, "%s: %s", p, b)
				require.Equal(t, tc.want.Error(), errorMessage(t, b), p)
				require.Equal(t, "no-store", h.Get("Cache-Control"))
			}
		})
	}

	// A segment fetched with a good token first is cached, and the cache
	// still sits behind the token check.
	code, _, _ := a.do(t, http.MethodGet, "/v1/playback/"+v.PlaybackID+"/360p/seg-0.m4s?token="+good, "")
	require.Equal(t, http.StatusOK, code)
	code, _, _ = a.do(t, http.MethodGet, "/v1/playback/"+v.PlaybackID+"/360p/seg-0.m4s", "")
	require.Equal(t, http.StatusForbidden, code)

	for _, tc := range []struct{ name, body string }{
		{"zero", `{"expires_in": 0}`},
		{"negative", `{"expires_in": -5}`},
		{"too long", `{"expires_in": 999999999}`},
		{"not a number", `{"expires_in": "1h"}`},
		{"unknown field", `{"ttl": 5}`},
		{"not JSON", `expires_in=5`},
	} {
		t.Run("mint "+tc.name, func(t *testing.T) {
			code, _, b := a.do(t, http.MethodPost, "/v1/videos/"+v.ID+"/playback-token", tc.body)
			require.Equal(t, http.StatusBadRequest, code, "%s", b)
		})
	}
	code, _, _ = a.do(t, http.MethodPost, "/v1/videos/"+strings.Repeat("a", 24)+"/playback-token", "")
	require.Equal(t, http.StatusNotFound, code)
}

func TestPublicPlaybackIgnoresTokens(t *testing.T) {
	a := newTestAPI(t, Config{})
	v := a.ready(t, store.Public)
	base := "/v1/playback/" + v.PlaybackID + "/"
	code, h, b := a.do(t, http.MethodGet, base+"master.m3u8?token=junk", "")
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, cachePlaylist, h.Get("Cache-Control"))
	require.Equal(t, fixture["master.m3u8"], string(b))
	code, h, _ = a.do(t, http.MethodGet, base+"360p/seg-0.m4s", "")
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, cacheImmutable, h.Get("Cache-Control"))
}

func TestPlaybackCache(t *testing.T) {
	a := newTestAPI(t, Config{})
	pub := a.ready(t, store.Public)
	signed := a.ready(t, store.Signed)
	tok := "?token=" + a.mint(t, signed.ID, "").Token
	tok2 := "?token=" + a.mint(t, signed.ID, `{"expires_in": 120}`).Token
	for _, tc := range []struct{ name, first, second string }{
		{"public playlist", "/v1/playback/" + pub.PlaybackID + "/master.m3u8", "/v1/playback/" + pub.PlaybackID + "/master.m3u8"},
		{"public segment", "/v1/playback/" + pub.PlaybackID + "/360p/seg-0.m4s", "/v1/playback/" + pub.PlaybackID + "/360p/seg-0.m4s?cachebust=1"},
		{"signed segment, another token", "/v1/playback/" + signed.PlaybackID + "/360p/seg-0.m4s" + tok, "/v1/playback/" + signed.PlaybackID + "/360p/seg-0.m4s" + tok2},
		{"signed playlist, another token", "/v1/playback/" + signed.PlaybackID + "/360p/index.m3u8" + tok, "/v1/playback/" + signed.PlaybackID + "/360p/index.m3u8" + tok2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, h, b1 := a.do(t, http.MethodGet, tc.first, "")
			require.Equal(t, http.StatusOK, code)
			require.Equal(t, "MISS", h.Get("X-Cache"))
			code, h, b2 := a.do(t, http.MethodGet, tc.second, "")
			require.Equal(t, http.StatusOK, code)
			require.Equal(t, "HIT", h.Get("X-Cache"))
			if strings.Contains(tc.name, "signed playlist") {
				require.Contains(t, string(b2), tok2[1:], "the cached playlist is signed with the second token")
				require.NotContains(t, string(b2), tok[1:])
			} else {
				require.True(t, bytes.Equal(b1, b2))
			}
		})
	}

	// A deleted video is not played from the cache.
	code, _, _ := a.do(t, http.MethodDelete, "/v1/videos/"+pub.ID, "")
	require.Equal(t, http.StatusNoContent, code)
	code, _, _ = a.do(t, http.MethodGet, "/v1/playback/"+pub.PlaybackID+"/master.m3u8", "")
	require.Equal(t, http.StatusNotFound, code)
}

func TestPlaybackRateLimit(t *testing.T) {
	a := newTestAPI(t, Config{PlaybackRate: 1, PlaybackBurst: 2})
	v := a.ready(t, store.Public)
	var denied http.Header
	var body []byte
	for range 20 { // the burst is 2 and one comes back each second
		code, h, b := a.do(t, http.MethodGet, "/v1/playback/"+v.PlaybackID+"/master.m3u8", "")
		if code == http.StatusTooManyRequests {
			denied, body = h, b
			break
		}
		require.Equal(t, http.StatusOK, code)
	}
	require.NotNil(t, denied, "no request was limited")
	require.NotEmpty(t, denied.Get("Retry-After"))
	require.Equal(t, "*", denied.Get("Access-Control-Allow-Origin"))
	require.Contains(t, errorMessage(t, body), "too many playback requests")

	// The management API is not limited by the playback rule.
	code, _, _ := a.do(t, http.MethodGet, "/v1/videos/"+v.ID, "")
	require.Equal(t, http.StatusOK, code)

	// Negative: no limit.
	b := newTestAPI(t, Config{PlaybackRate: -1})
	w := b.ready(t, store.Public)
	for range 30 {
		code, _, _ := b.do(t, http.MethodGet, "/v1/playback/"+w.PlaybackID+"/master.m3u8", "")
		require.Equal(t, http.StatusOK, code)
	}
}
