package api

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/internal/platform/store"
)

// TestPlayableKeepsReadyAssets checks the playback chain's memory of ready
// assets: requests for one video share its lookup instead of each querying
// the database, assets that are not ready are looked up again every time,
// and a delete takes effect at once.
func TestPlayableKeepsReadyAssets(t *testing.T) {
	api := newTestAPI(t, Config{PlaybackRate: -1})
	loads := func() uint64 { return api.play.assets.Stats().Loads }

	a := api.ready(t, store.Public)
	master := "/v1/playback/" + a.PlaybackID + "/master.m3u8"
	const n = 20
	for range n {
		code, _, body := api.do(t, http.MethodGet, master, "")
		require.Equal(t, http.StatusOK, code, "%s", body)
	}
	require.Less(t, loads(), uint64(n), "each request queried the database")

	before := loads()
	var wg sync.WaitGroup
	codes := make([]int, 50)
	for i := range codes {
		wg.Go(func() {
			resp, err := http.Get(api.url + "/v1/playback/" + a.PlaybackID + "/360p/index.m3u8")
			if err == nil {
				codes[i] = resp.StatusCode
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	for _, c := range codes {
		require.Equal(t, http.StatusOK, c)
	}
	require.Less(t, loads()-before, uint64(len(codes)), "concurrent requests did not share the lookup")

	// Not ready: not kept, so it plays as soon as it is ready.
	ctx := context.Background()
	w, err := api.cfg.Store.Create(ctx, nil, store.Waiting, "b.mp4", 10)
	require.NoError(t, err)
	wmaster := "/v1/playback/" + w.PlaybackID + "/master.m3u8"
	before = loads()
	for range 3 {
		code, _, body := api.do(t, http.MethodGet, wmaster, "")
		require.Equal(t, http.StatusNotFound, code)
		require.Contains(t, errorMessage(t, body), "not ready")
	}
	require.Equal(t, before+3, loads(), "an asset that is not ready was kept")

	// A delete through the API: the next request finds nothing.
	code, _, body := api.do(t, http.MethodDelete, "/v1/videos/"+a.ID, "")
	require.Equal(t, http.StatusNoContent, code, "%s", body)
	code, _, body = api.do(t, http.MethodGet, master, "")
	require.Equal(t, http.StatusNotFound, code, "a deleted video is still served: %s", body)
	require.Contains(t, errorMessage(t, body), "no such playback ID")
}

// TestPlaybackQueriesShareEntries checks that a file requested without a
// query, with an empty one ("?"), with any other, or with its path
// percent-encoded shares one cache entry, whether or not the request had
// to be copied.
func TestPlaybackQueriesShareEntries(t *testing.T) {
	api := newTestAPI(t, Config{})
	a := api.ready(t, store.Public)
	seg := "/v1/playback/" + a.PlaybackID + "/360p/seg-1.m4s"
	encoded := "/v1/playback/%" + fmt.Sprintf("%02X", a.PlaybackID[0]) + a.PlaybackID[1:] + "/360p/%73eg-1.m4s"
	for i, u := range []string{seg, seg + "?", seg + "?x=1", encoded, encoded + "?y", seg} {
		code, h, body := api.do(t, http.MethodGet, u, "")
		q := u
		require.Equal(t, http.StatusOK, code, "%q: %s", q, body)
		require.Equal(t, fixture["360p/seg-1.m4s"], string(body), "%q", q)
		want := "HIT"
		if i == 0 {
			want = "MISS"
		}
		require.Equal(t, want, h.Get("X-Cache"), "query %q", q)
	}
}
