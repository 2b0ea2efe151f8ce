package hls_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/hls"
)

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	require.NoError(t, err)
	return u
}

// sign is a deterministic stand-in for an HMAC token.
func sign(uri string) string { return "sig=" + itoa(len(uri)) }

func TestRewriteBytesURIs(t *testing.T) {
	const h = "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\n"
	base := mustURL(t, "https://cdn.example/v/42/720p/index.m3u8?old=1")
	for _, tc := range []struct {
		name string
		opts hls.RewriteOptions
		uri  string
		want string
	}{
		{"token", hls.RewriteOptions{Token: sign}, "a.ts", "a.ts?sig=004"},
		{"token merges with a query", hls.RewriteOptions{Token: sign}, "a.ts?x=1", "a.ts?x=1&sig=008"},
		{"token replaces its own parameter", hls.RewriteOptions{Token: sign}, "a.ts?sig=old&x=1", "a.ts?x=1&sig=016"},
		{"token before a fragment", hls.RewriteOptions{Token: sign}, "a.ts#t=10", "a.ts?sig=009#t=10"},
		{"token after an empty query", hls.RewriteOptions{Token: sign}, "a.ts?", "a.ts?sig=005"},
		{"token with a leading ?", hls.RewriteOptions{Token: func(string) string { return "?k=v" }}, "a.ts", "a.ts?k=v"},
		{"query values, sorted, replacing", hls.RewriteOptions{Query: url.Values{"b": {"2"}, "a": {"1 1"}}}, "a.ts?b=0&c=3", "a.ts?c=3&a=1+1&b=2"},
		{"query then token", hls.RewriteOptions{Query: url.Values{"a": {"1"}}, Token: sign}, "a.ts", "a.ts?a=1&sig=008"},
		{"base, relative", hls.RewriteOptions{Base: base}, "seg1.ts", "https://cdn.example/v/42/720p/seg1.ts"},
		{"base, parent", hls.RewriteOptions{Base: base}, "../audio/seg1.aac", "https://cdn.example/v/42/audio/seg1.aac"},
		{"base, absolute path", hls.RewriteOptions{Base: base}, "/other/seg1.ts", "https://cdn.example/other/seg1.ts"},
		{"base, network path", hls.RewriteOptions{Base: base}, "//edge.example/seg1.ts", "https://edge.example/seg1.ts"},
		{"base, absolute URI kept", hls.RewriteOptions{Base: base}, "https://origin.example/seg1.ts", "https://origin.example/seg1.ts"},
		{"base, query kept", hls.RewriteOptions{Base: base}, "seg1.ts?x=1", "https://cdn.example/v/42/720p/seg1.ts?x=1"},
		{"old base moved", hls.RewriteOptions{Base: base, OldBase: "https://origin.example/v/42/720p/"}, "https://origin.example/v/42/720p/seg1.ts", "https://cdn.example/v/42/720p/seg1.ts"},
		{"base then token sees the full URI", hls.RewriteOptions{Base: mustURL(t, "https://c.example/"), Token: sign}, "a.ts", "https://c.example/a.ts?sig=022"},
		{"other schemes left alone", hls.RewriteOptions{Base: base, Token: sign}, "data:text/plain,hi", "data:text/plain,hi"},
		{"HTTP in capitals is signed", hls.RewriteOptions{Token: sign}, "HTTP://a.example/x", "HTTP://a.example/x?sig=018"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := hls.RewriteBytes([]byte(h+tc.uri+"\n"), &tc.opts)
			require.NoError(t, err)
			require.Equal(t, h+tc.want+"\n", string(out))
		})
	}
}

// Every kind of URI in a playlist gets the token: segments, maps, keys,
// unmodelled tags, renditions, variants and I-frame variants.
func TestRewriteBytesEveryURI(t *testing.T) {
	media := "#EXTM3U\r\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:6\n#EXT-X-MAP:URI=\"init.mp4\",BYTERANGE=\"10@0\"\n" +
		"#EXT-X-KEY:METHOD=AES-128,URI=\"key.bin\",IV=0x00\n#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"skd://asset\",KEYFORMAT=\"com.apple.streamingkeydelivery\"\n" +
		"# a comment with URI=\"x\"\n#EXTINF:6,title\n  a.ts \n#EXT-X-PART:DURATION=1,URI=\"a.part\"\n\n#EXT-X-CUE-OUT:30\n#EXTINF:6,\nb.ts\n#EXT-X-ENDLIST\n"
	want := "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:6\n#EXT-X-MAP:URI=\"init.mp4?t=1\",BYTERANGE=\"10@0\"\n" +
		"#EXT-X-KEY:METHOD=AES-128,URI=\"key.bin?t=1\",IV=0x00\n#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"skd://asset\",KEYFORMAT=\"com.apple.streamingkeydelivery\"\n" +
		"# a comment with URI=\"x\"\n#EXTINF:6,title\na.ts?t=1\n#EXT-X-PART:DURATION=1,URI=\"a.part?t=1\"\n\n#EXT-X-CUE-OUT:30\n#EXTINF:6,\nb.ts?t=1\n#EXT-X-ENDLIST\n"
	opts := &hls.RewriteOptions{Query: url.Values{"t": {"1"}}}
	out, err := hls.RewriteBytes([]byte("\uFEFF"+media), opts)
	require.NoError(t, err)
	require.Equal(t, want, string(out))

	out, err = hls.RewriteBytes(mustEncode(t, master()), opts)
	require.NoError(t, err)
	m := mustMaster(t, string(out))
	require.Equal(t, "subs/en.m3u8?t=1", m.Media[0].URI)
	for _, v := range m.Variants {
		require.True(t, strings.HasSuffix(v.URI, "/index.m3u8?t=1"), v.URI)
	}
	require.Equal(t, "720p/iframes.m3u8?t=1", m.IFrameVariants[0].URI)
}

func TestRewriteBytesErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		opts hls.RewriteOptions
		kind error
		line int
	}{
		{"not a playlist", "a.ts\n", hls.RewriteOptions{}, hls.ErrNotPlaylist, 1},
		{"token with a quote", "#EXTM3U\n#EXT-X-MAP:URI=\"i\"\n", hls.RewriteOptions{Token: func(string) string { return `a="` }}, hls.ErrInvalid, 2},
		{"token with a line break", "#EXTM3U\n#EXTINF:1,\na\n", hls.RewriteOptions{Token: func(string) string { return "a\n#EXT-X-ENDLIST" }}, hls.ErrInvalid, 3},
		{"token with a fragment", "#EXTM3U\n#EXTINF:1,\na\n", hls.RewriteOptions{Token: func(string) string { return "a#b" }}, hls.ErrInvalid, 3},
		{"bad relative URI", "#EXTM3U\n#EXTINF:1,\n%zz\n", hls.RewriteOptions{Base: mustURL(t, "https://a.example/")}, hls.ErrInvalid, 3},
		{"line too long", "#EXTM3U\n" + strings.Repeat("a", hls.DefaultMaxLineBytes+1) + "\n", hls.RewriteOptions{}, hls.ErrTooLarge, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := hls.RewriteBytes([]byte(tc.in), &tc.opts)
			require.Nil(t, out)
			require.ErrorIs(t, err, tc.kind)
			var pe *hls.ParseError
			require.ErrorAs(t, err, &pe)
			require.Equal(t, tc.line, pe.Line)
		})
	}
	_, err := hls.RewriteBytes([]byte("#EXTM3U\n"), &hls.RewriteOptions{Base: mustURL(t, "mailto:a@b")})
	require.ErrorIs(t, err, hls.ErrInvalid, "an opaque base")
}

// The value and text paths rewrite alike.
func TestRewriteValueMatchesBytes(t *testing.T) {
	p := vod(3, true)
	p.Segments[1].Keys = []hls.Key{{Method: "AES-128", URI: "k1"}, {Method: "NONE"}}
	p.Segments[2].Map = &hls.Map{URI: "../init2.mp4"}
	p.Segments[2].Tags = []string{`#EXT-X-DATERANGE:ID="x",START-DATE="2025-03-01T12:00:00Z",X-URI="keep",URI="dr.json"`}
	p.Tags = []string{`#EXT-X-SESSION-DATA:DATA-ID="a",URI="data.json"`}
	p.TrailingTags = []string{`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="next.part"`}
	opts := &hls.RewriteOptions{Base: mustURL(t, "https://cdn.example/v/1/"), Token: sign}
	for _, tc := range []struct {
		name string
		v    interface {
			Encode() ([]byte, error)
			Rewrite(*hls.RewriteOptions) error
		}
	}{{"media", p}, {"master", master()}} {
		t.Run(tc.name, func(t *testing.T) {
			viaBytes, err := hls.RewriteBytes(mustEncode(t, tc.v), opts)
			require.NoError(t, err)
			require.NoError(t, tc.v.Rewrite(opts))
			require.Equal(t, string(viaBytes), string(mustEncode(t, tc.v)))
			require.Contains(t, string(viaBytes), "https://cdn.example/v/1/")
		})
	}
}

func TestRewriteValueUnchangedOnError(t *testing.T) {
	p := vod(3, false)
	before := string(mustEncode(t, p))
	calls := 0
	err := p.Rewrite(&hls.RewriteOptions{Token: func(string) string {
		if calls++; calls == 3 {
			return "bad\""
		}
		return "ok=1"
	}})
	require.ErrorIs(t, err, hls.ErrInvalid)
	require.Equal(t, before, string(mustEncode(t, p)))

	m := master()
	require.ErrorIs(t, m.Rewrite(&hls.RewriteOptions{Base: mustURL(t, "https://a.example/"), OldBase: "1080p/", Token: func(string) string { return " " }}), hls.ErrInvalid)
	require.Equal(t, master(), m)
}

func TestRewriteSharedMapOnce(t *testing.T) {
	init := &hls.Map{URI: "init.mp4"}
	p := &hls.MediaPlaylist{Map: init, Segments: []hls.Segment{{URI: "a", Duration: 1}, {URI: "b", Duration: 1, Map: init}}}
	require.NoError(t, p.Rewrite(&hls.RewriteOptions{Token: sign}))
	require.Equal(t, "init.mp4?sig=008", init.URI)
}
