package source

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckHostile(t *testing.T) {
	f := &Fetcher{}
	for _, tc := range []struct {
		url  string
		want error
	}{
		{"file:///etc/passwd", ErrURL},
		{"ftp://example.com/a.mp4", ErrURL},
		{"gopher://example.com/", ErrURL},
		{"//example.com/a.mp4", ErrURL},
		{"http:///a.mp4", ErrURL},
		{"http://example.com@127.0.0.1/", ErrURL},
		{"http://user:pw@example.com/", ErrURL},
		{"http://127.0.0.1/", ErrForbidden},
		{"http://127.1.2.3:8080/", ErrForbidden},
		{"http://[::1]/", ErrForbidden},
		{"http://10.0.0.1/", ErrForbidden},
		{"http://172.16.5.4/", ErrForbidden},
		{"http://192.168.1.1/", ErrForbidden},
		{"http://169.254.169.254/latest/meta-data/", ErrForbidden},
		{"http://0.0.0.0/", ErrForbidden},
		{"http://[::]/", ErrForbidden},
		{"http://[::ffff:127.0.0.1]/", ErrForbidden},
		{"http://[::ffff:a9fe:a9fe]/", ErrForbidden},
		{"http://[fe80::1]/", ErrForbidden},
		{"http://[fc00::1]/", ErrForbidden},
		{"http://[ff02::1]/", ErrForbidden},
		{"http://224.0.0.1/", ErrForbidden},
		{"http://100.64.0.1/", ErrForbidden},
		{"http://[64:ff9b::7f00:1]/", ErrForbidden},
		{"http://255.255.255.255/", ErrForbidden},
		{"http://localhost/", ErrForbidden},
		{"http://0x7f000001/", nil}, // not an IP to Go: a name, which does not resolve to anything
	} {
		t.Run(tc.url, func(t *testing.T) {
			_, err := f.Check(context.Background(), tc.url)
			if tc.want == nil {
				require.Error(t, err)
				return
			}
			require.ErrorIs(t, err, tc.want)
			require.True(t, Permanent(err))
		})
	}
	_, err := f.Check(context.Background(), "http://93.184.215.14/a.mp4")
	require.NoError(t, err, "a public address")
}

func TestAllowRules(t *testing.T) {
	for _, bad := range []string{"", "localhost", "127.0.0.1:0", "10.0.0.0/33"} {
		_, err := ParseRule(bad)
		require.Error(t, err, bad)
	}
	var f Fetcher
	for _, s := range []string{"10.1.0.0/16", "127.0.0.1:9000", "::1"} {
		r, err := ParseRule(s)
		require.NoError(t, err)
		f.Allow = append(f.Allow, r)
	}
	lo := netip.MustParseAddr("127.0.0.1")
	require.True(t, f.Allowed(lo, 9000))
	require.False(t, f.Allowed(lo, 9001))
	require.True(t, f.Allowed(netip.MustParseAddr("::ffff:127.0.0.1"), 9000))
	require.True(t, f.Allowed(netip.MustParseAddr("10.1.2.3"), 1))
	require.False(t, f.Allowed(netip.MustParseAddr("10.2.0.1"), 1))
	require.True(t, f.Allowed(netip.MustParseAddr("::1"), 1))
}

func allowServer(t *testing.T, srv *httptest.Server) Rule {
	u, _ := url.Parse(srv.URL)
	r, err := ParseRule(u.Host)
	require.NoError(t, err)
	return r
}

func TestFetch(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("secret")) }))
	defer other.Close()
	otherURL, _ := url.Parse(other.URL)
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/clip":
			w.Write([]byte(strings.Repeat("x", 1000)))
		case "/big":
			w.Write([]byte(strings.Repeat("x", 5000)))
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case "/to-loopback":
			http.Redirect(w, r, other.URL+"/", http.StatusFound)
		case "/to-localhost":
			http.Redirect(w, r, "http://localhost:"+otherURL.Port()+"/", http.StatusFound)
		case "/to-file":
			http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	defer origin.Close()
	f := &Fetcher{Allow: []Rule{allowServer(t, origin)}, MaxBytes: 2000}
	dst := filepath.Join(t.TempDir(), "src")

	n, err := f.Fetch(context.Background(), origin.URL+"/clip", dst)
	require.NoError(t, err)
	require.Equal(t, int64(1000), n)
	b, _ := os.ReadFile(dst)
	require.Len(t, b, 1000)

	for _, tc := range []struct {
		name, url string
		want      error
	}{
		{"over the size limit", origin.URL + "/big", ErrTooLarge},
		{"not found", origin.URL + "/nope", ErrStatus},
		{"redirect loop", origin.URL + "/loop", ErrURL},
		{"redirect to loopback", origin.URL + "/to-loopback", ErrForbidden},
		{"redirect to a name of loopback, refused at dial", origin.URL + "/to-localhost", ErrForbidden},
		{"redirect to file", origin.URL + "/to-file", ErrURL},
		{"a name of loopback, refused at dial", "http://localhost:" + otherURL.Port() + "/", ErrForbidden},
		{"another port of an allowed host", other.URL + "/", ErrForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.Fetch(context.Background(), tc.url, dst)
			require.ErrorIs(t, err, tc.want)
			require.True(t, Permanent(err), "%v", err)
			t.Logf("%v", err)
		})
	}
}
