package gateway

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

func purgeFrom(h http.Handler, peer, target string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(MethodPurge, target, nil)
	r.RemoteAddr = peer
	r.Header.Set("X-Forwarded-For", "192.0.2.1") // never believed for purges
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestGatewayPurgeMethod(t *testing.T) {
	var hits atomic.Int64
	origin := cacheableOrigin(t, &hits)
	g := newGateway(t, &Config{
		PurgeFrom: []string{"192.0.2.1", "10.0.0.0/8"},
		Routes: []RouteConfig{
			{Name: "video", Prefix: "/v/", StripPrefix: true, Upstreams: []string{origin.URL}, Cache: &CacheConfig{Enabled: true}},
		},
	})
	for _, p := range []string{"/v/p1/master.m3u8", "/v/p1/720p.m3u8", "/v/p2/master.m3u8"} {
		require.Equal(t, "MISS", serve(t, g, "GET", p, "").Header().Get("X-Cache"))
		require.Equal(t, "HIT", serve(t, g, "GET", p, "").Header().Get("X-Cache"))
	}
	for _, peer := range []string{"203.0.113.9:4000", "[2001:db8::1]:80", "garbage", "11.0.0.1:1"} {
		w := purgeFrom(g, peer, "/v/p1/*")
		require.Equal(t, http.StatusForbidden, w.Code, peer)
	}
	require.Equal(t, int64(3), hits.Load(), "refused purges reach nobody")
	require.Equal(t, "HIT", serve(t, g, "GET", "/v/p1/master.m3u8", "").Header().Get("X-Cache"))

	w := purgeFrom(g, "10.1.2.3:5555", "/v/p1/master.m3u8")
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, "1\n", w.Body.String())
	require.Equal(t, "MISS", serve(t, g, "GET", "/v/p1/master.m3u8", "").Header().Get("X-Cache"))

	w = purgeFrom(g, "192.0.2.1:1", "/v/p1/*")
	require.Equal(t, "2\n", w.Body.String())
	require.Equal(t, "MISS", serve(t, g, "GET", "/v/p1/720p.m3u8", "").Header().Get("X-Cache"))
	require.Equal(t, "HIT", serve(t, g, "GET", "/v/p2/master.m3u8", "").Header().Get("X-Cache"))
}
