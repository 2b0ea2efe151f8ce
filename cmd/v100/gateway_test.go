package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// startGateway runs "v100 gateway args..." until the test ends and
// returns the URL it printed.
func startGateway(t *testing.T, args ...string) (base string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	errc := make(chan error, 1)
	go func() {
		err := run(ctx, append([]string{"gateway"}, args...), pw, io.Discard)
		pw.CloseWithError(fmt.Errorf("gateway returned: %v", err))
		errc <- err
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	require.NoError(t, err)
	base, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	require.True(t, ok, "first line %q", line)
	require.Regexp(t, `^http://127\.0\.0\.1:[0-9]+$`, base)
	var once atomic.Bool
	stop = func() error {
		if !once.CompareAndSwap(false, true) {
			return nil
		}
		cancel()
		return <-errc
	}
	t.Cleanup(func() { stop() })
	return base, stop
}

// countedOrigin serves a cacheable playlist and counts its requests.
func countedOrigin(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Cache-Control", "max-age=60")
		w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
		fmt.Fprintf(w, "#EXTM3U\n# %s\n", r.URL.Path)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func get(t *testing.T, url string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body), resp.Header
}

func TestGatewayCachesInFrontOfOneOrigin(t *testing.T) {
	origin, n := countedOrigin(t)
	base, stop := startGateway(t, "--listen", "127.0.0.1:0", "--upstream", origin.URL, "--metrics", "/metrics")

	status, body, h := get(t, base+"/v/1/master.m3u8")
	require.Equal(t, 200, status)
	require.Equal(t, "#EXTM3U\n# /v/1/master.m3u8\n", body)
	require.Equal(t, "MISS", h.Get("X-Cache"))
	status, body, h = get(t, base+"/v/1/master.m3u8")
	require.Equal(t, 200, status)
	require.Equal(t, "#EXTM3U\n# /v/1/master.m3u8\n", body)
	require.Equal(t, "HIT", h.Get("X-Cache"))
	require.EqualValues(t, 1, n.Load(), "the second GET reached the origin")

	status, body, _ = get(t, base+"/metrics")
	require.Equal(t, 200, status)
	require.Contains(t, body, `v100_gateway_cache_requests_total{route="upstream",result="hit"} 1`)

	require.NoError(t, stop(), "a graceful shutdown is not an error")
	_, err := http.Get(base + "/")
	require.Error(t, err, "still listening after shutdown")
}

func TestGatewayNoCache(t *testing.T) {
	origin, n := countedOrigin(t)
	base, _ := startGateway(t, "-listen", "127.0.0.1:0", "-upstream", origin.URL, "-no-cache", "-lb", "least_conn")
	for range 2 {
		status, _, _ := get(t, base+"/x")
		require.Equal(t, 200, status)
	}
	require.EqualValues(t, 2, n.Load())
}

func TestGatewayConfigFile(t *testing.T) {
	origin, n := countedOrigin(t)
	path := filepath.Join(t.TempDir(), "gateway.yaml")
	require.NoError(t, os.WriteFile(path, []byte(fmt.Sprintf(`
listen: 127.0.0.1:0
routes:
  - prefix: /v
    upstreams: [%s]
    cache: {enabled: true}
  - prefix: /healthz
    handler: health
`, origin.URL)), 0o644))
	base, _ := startGateway(t, "--config", path)
	for range 3 {
		status, _, _ := get(t, base+"/v/seg.ts")
		require.Equal(t, 200, status)
	}
	require.EqualValues(t, 1, n.Load())
	status, body, _ := get(t, base+"/healthz")
	require.Equal(t, 200, status)
	require.Equal(t, "ok\n", body)
	status, _, _ = get(t, base+"/other")
	require.Equal(t, 404, status)
}

func TestGatewayUsageErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("routes:\n  - prefix: /\n    upstream: [http://a]\n"), 0o644))
	cases := []struct {
		name  string
		args  []string
		want  string
		usage bool
	}{
		{"nothing to proxy", []string{"gateway"}, "-upstream <URL> or -config <file> is required", true},
		{"both", []string{"gateway", "-upstream", "http://a", "-config", bad}, "do not go together", true},
		{"bad upstream", []string{"gateway", "-upstream", "ftp://a"}, "not an http(s)", true},
		{"bad lb", []string{"gateway", "-upstream", "http://a", "-lb", "random"}, `lb "random"`, true},
		{"stray argument", []string{"gateway", "-upstream", "http://a", "extra"}, "want no arguments", true},
		{"bad config", []string{"gateway", "-config", bad}, "line 3: field upstream not found", false},
		{"missing config", []string{"gateway", "-config", bad + ".missing"}, "no such file", false},
		{"bad listen", []string{"gateway", "-upstream", "http://a", "-listen", "127.0.0.1:99999"}, "gateway: listen", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runArgs(t, tc.args...)
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.want)
			if tc.usage {
				require.ErrorAs(t, err, new(usageError))
			} else {
				require.NotErrorAs(t, err, new(usageError))
			}
		})
	}
}
