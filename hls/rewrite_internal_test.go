package hls

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

var resolveBases = []string{
	"https://cdn.example/v/42/720p/index.m3u8?x=1#f",
	"https://cdn.example",
	"https://cdn.example/",
	"https://u:p@cdn.example:8443/a%20b/c/",
	"http://[::1]:8080/live/",
	"/videos/42/master.m3u8",
	"videos/42/master.m3u8",
	"https://cdn.example/a/./b/../c",
	"//cdn.example/p/q",
	"//00@", // userinfo without a host (found by FuzzResolve)
}

var resolveRefs = []string{
	"seg1.ts", "a/b/c.ts", "/abs.ts", "../up.ts", "./here.ts", ".", "..", "a/..", "a/./b",
	"...", "..a/b", "a..b", ".hidden/x", "x/.", "seg 1.ts", "seg%201.ts", "a:b", "?q=1", "#frag",
	"//other.example/x", "seg1.ts?x=1", "~user/($)!*+,;=@'", "é.ts", "",
}

// TestResolveFastPath checks that joining simple references by string gives
// what net/url gives.
func TestResolveFastPath(t *testing.T) {
	for _, b := range resolveBases {
		for _, ref := range resolveRefs {
			checkResolve(t, b, ref)
		}
	}
}

func checkResolve(t *testing.T, base, ref string) {
	t.Helper()
	bu, err := url.Parse(base)
	if err != nil || bu.Opaque != "" {
		return
	}
	r, err := newRewriter(&RewriteOptions{Base: bu})
	require.NoError(t, err)
	got, gotErr := r.resolve(ref)
	refURL, err := url.Parse(ref)
	if err != nil {
		require.Error(t, gotErr, "base %q ref %q", base, ref)
		return
	}
	require.NoError(t, gotErr, "base %q ref %q", base, ref)
	require.Equal(t, bu.ResolveReference(refURL).String(), got, "base %q ref %q (fast path %v)", base, ref, r.fast && simpleRef(ref))
}

func FuzzResolve(f *testing.F) {
	for _, b := range resolveBases {
		for _, ref := range resolveRefs[:6] {
			f.Add(b, ref)
		}
	}
	f.Fuzz(func(t *testing.T, base, ref string) {
		if ref == "" {
			return
		}
		checkResolve(t, base, ref)
	})
}

// The fast path is taken where it should be, so the test above exercises it.
func TestResolveFastPathTaken(t *testing.T) {
	for _, tc := range []struct {
		base string
		fast bool
	}{
		{"https://cdn.example/v/42/index.m3u8", true},
		{"https://cdn.example", true},
		{"/videos/42/", true},
		{"videos/42/", false},
		{"https://cdn.example/a/./b", false},
	} {
		u, err := url.Parse(tc.base)
		require.NoError(t, err)
		r, err := newRewriter(&RewriteOptions{Base: u})
		require.NoError(t, err)
		require.Equal(t, tc.fast, r.fast, tc.base)
	}
	require.True(t, simpleRef("seg-1_a~b.ts"))
	for _, ref := range []string{"./a", "../a", "a/../b", "a/.", "..", "%20", "a:b", "a?b", "//h/x", ""} {
		require.False(t, simpleRef(ref), ref)
	}
}
