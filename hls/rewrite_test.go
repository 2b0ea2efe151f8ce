package hls_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
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
		{"token replaces its own parameter", hls.RewriteOptions{Token: sign}, "a.ts?sig=old&x=1", "a.ts?x=1&sig=008"},
		{"token before a fragment", hls.RewriteOptions{Token: sign}, "a.ts#t=10", "a.ts?sig=004#t=10"},
		{"token after an empty query", hls.RewriteOptions{Token: sign}, "a.ts?", "a.ts?sig=004"},
		{"token after empty query parameters", hls.RewriteOptions{Token: sign}, "a.ts?&x=1&&", "a.ts?x=1&sig=008"},
		{"token replaces an encoded parameter name", hls.RewriteOptions{Token: sign}, "a.ts?si%67=old", "a.ts?sig=004"},
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
		{"old base ends at a path segment", hls.RewriteOptions{Base: base, OldBase: "https://origin.example/v/4"}, "https://origin.example/v/42/seg1.ts", "https://origin.example/v/42/seg1.ts"},
		{"old base without its slash", hls.RewriteOptions{Base: base, OldBase: "https://origin.example/v/42/720p"}, "https://origin.example/v/42/720p/seg1.ts", "https://cdn.example/v/42/720p/seg1.ts"},
		{"old base, scheme and host in capitals", hls.RewriteOptions{Base: base, OldBase: "https://origin.example/v/42/720p/"}, "HTTPS://Origin.EXAMPLE/v/42/720p/seg1.ts", "https://cdn.example/v/42/720p/seg1.ts"},
		{"old base in capitals", hls.RewriteOptions{Base: base, OldBase: "HTTPS://ORIGIN.example/v/42/720p/"}, "https://origin.example/v/42/720p/seg1.ts", "https://cdn.example/v/42/720p/seg1.ts"},
		{"old base, path case matters", hls.RewriteOptions{Base: base, OldBase: "https://origin.example/v/42/720p/"}, "https://origin.example/V/42/720p/seg1.ts", "https://origin.example/V/42/720p/seg1.ts"},
		{"old base before a query", hls.RewriteOptions{Base: base, OldBase: "https://origin.example/v/42/720p/index.m3u8"}, "https://origin.example/v/42/720p/index.m3u8?x=1", "https://cdn.example/v/42/720p/index.m3u8?x=1"},
		{"old base, a longer file name", hls.RewriteOptions{Base: base, OldBase: "https://origin.example/v/42/720p/index.m3u8"}, "https://origin.example/v/42/720p/index.m3u8.bak", "https://origin.example/v/42/720p/index.m3u8.bak"},
		{"base then token sees the full URI", hls.RewriteOptions{Base: mustURL(t, "https://c.example/"), Token: sign}, "a.ts", "https://c.example/a.ts?sig=022"},
		{"other schemes left alone", hls.RewriteOptions{Base: base, Token: sign}, "data:text/plain,hi", "data:text/plain,hi"},
		{"HTTP in capitals is signed", hls.RewriteOptions{Base: mustURL(t, "http://a.example/"), Token: sign}, "HTTP://A.example/x", "HTTP://A.example/x?sig=018"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := hls.RewriteBytes([]byte(h+tc.uri+"\n"), &tc.opts)
			require.NoError(t, err)
			require.Equal(t, h+tc.want+"\n", string(out))
		})
	}
}

// hmacToken signs a URI as a CDN would: an expiry and an HMAC of the URI.
func hmacToken(uri string) string {
	mac := hmac.New(sha256.New, []byte("secret"))
	mac.Write([]byte(uri + "|1740830400"))
	return "exp=1740830400&sig=" + hex.EncodeToString(mac.Sum(nil))[:16]
}

// verifyToken does what the CDN does with a request for uri: it drops the
// fragment (never sent), cuts the token's parameters out of the query and
// checks the token against what is left. It returns what it checked.
func verifyToken(t *testing.T, uri string) string {
	t.Helper()
	uri, _, _ = strings.Cut(uri, "#")
	path, query, _ := strings.Cut(uri, "?")
	var kept, token []string
	for pair := range strings.SplitSeq(query, "&") {
		switch key, _, _ := strings.Cut(pair, "="); key {
		case "exp", "sig":
			token = append(token, pair)
		default:
			kept = append(kept, pair)
		}
	}
	signed := path
	if len(kept) > 0 {
		signed += "?" + strings.Join(kept, "&")
	}
	require.Equal(t, hmacToken(signed), strings.Join(token, "&"), "token of %q", uri)
	return signed
}

// The token is computed over exactly the URI the player requests, minus
// the token and the fragment, so the CDN can check it.
func TestRewriteTokenVerifiable(t *testing.T) {
	const h = "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\n"
	for _, tc := range []struct {
		uri   string
		query url.Values
	}{
		{"a.ts", nil},
		{"a.ts?x=1", nil},
		{"a.ts#t=10", nil},
		{"a.ts?sig=old&x=1&exp=0", nil},
		{"a.ts?sig=old#t=10", nil},
		{"a.ts?&&x=1&", nil},
		{"a.ts?", nil},
		{"a.ts?x=1#t=10", url.Values{"y": {"2"}}},
		{"a.ts?y=0&sig=old", url.Values{"y": {"2"}}},
		{"a.ts", url.Values{"sig": {"from-query"}}},
	} {
		t.Run(tc.uri, func(t *testing.T) {
			var got []string
			opts := &hls.RewriteOptions{Query: tc.query, Token: func(uri string) string {
				got = append(got, uri)
				return hmacToken(uri)
			}}
			out, err := hls.RewriteBytes([]byte(h+tc.uri+"\n"), opts)
			require.NoError(t, err)
			uri := strings.TrimSuffix(strings.TrimPrefix(string(out), h), "\n")
			require.Equal(t, got[len(got)-1], verifyToken(t, uri), "Token saw what the CDN checks")
			require.NotContains(t, got[len(got)-1], "#", "Token never sees the fragment")
			require.Equal(t, 1, strings.Count(uri, "sig="), uri)
			_, frag, _ := strings.Cut(tc.uri, "#")
			_, gotFrag, _ := strings.Cut(uri, "#")
			require.Equal(t, frag, gotFrag, "the fragment stays")
		})
	}
}

// A Token that returns other parameter names for the cleaned URI than for
// the first is an error: the output could not be verified.
func TestRewriteTokenUnstableNames(t *testing.T) {
	calls := 0
	_, err := hls.RewriteBytes([]byte("#EXTM3U\n#EXTINF:1,\na?a=1&b=1\n"), &hls.RewriteOptions{Token: func(string) string {
		calls++
		if calls%2 == 1 {
			return "a=2"
		}
		return "b=2"
	}})
	require.ErrorIs(t, err, hls.ErrInvalid)
}

// By default only URIs on the platform's own hosts get the Query and the
// token: relative ones, and those on Base's or OldBase's origin. A third
// party, such as an ad server, gets neither.
func TestRewriteSignsOwnOriginsOnly(t *testing.T) {
	const h = "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\n"
	withBase := hls.RewriteOptions{Base: mustURL(t, "https://cdn.example/v/1/index.m3u8"), OldBase: "https://origin.example/v/1/",
		Query: url.Values{"t": {"1"}}, Token: sign}
	noBase := hls.RewriteOptions{Query: url.Values{"t": {"1"}}, Token: sign}
	custom := noBase
	var seen []string
	custom.Sign = func(u *url.URL) bool {
		seen = append(seen, u.String())
		return u.Host == "" || u.Host == "ads.example"
	}
	for _, tc := range []struct {
		name string
		opts hls.RewriteOptions
		uri  string
		want string
	}{
		{"relative", withBase, "a.ts", "https://cdn.example/v/1/a.ts?t=1&sig=032"},
		{"on the base's host", withBase, "https://CDN.example/x.ts", "https://CDN.example/x.ts?t=1&sig=028"},
		{"moved from the old base", withBase, "https://origin.example/v/1/a.ts", "https://cdn.example/v/1/a.ts?t=1&sig=032"},
		{"on the old base's host", withBase, "https://origin.example/other/a.ts", "https://origin.example/other/a.ts?t=1&sig=037"},
		{"third party", withBase, "https://ads.example/ad.ts", "https://ads.example/ad.ts"},
		{"third party, network-path", withBase, "//ads.example/ad.ts", "https://ads.example/ad.ts"},
		{"another scheme", withBase, "http://cdn.example/a.ts", "http://cdn.example/a.ts"},
		{"another port", withBase, "https://cdn.example:8443/a.ts", "https://cdn.example:8443/a.ts"},
		{"a host that ends like the base's", withBase, "https://cdn.example.evil/a.ts", "https://cdn.example.evil/a.ts"},
		{"no base, relative", noBase, "a.ts", "a.ts?t=1&sig=008"},
		{"no base, absolute", noBase, "https://a.example/x", "https://a.example/x"},
		{"no base, network-path", noBase, "//a.example/x", "//a.example/x"},
		{"Sign, relative", custom, "a.ts", "a.ts?t=1&sig=008"},
		{"Sign, chosen host", custom, "https://ads.example/ad.ts", "https://ads.example/ad.ts?t=1&sig=029"},
		{"Sign, other host", custom, "https://b.example/x", "https://b.example/x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := hls.RewriteBytes([]byte(h+tc.uri+"\n"), &tc.opts)
			require.NoError(t, err)
			require.Equal(t, h+tc.want+"\n", string(out))
		})
	}
	require.Equal(t, []string{"a.ts", "https://ads.example/ad.ts", "https://b.example/x"}, seen, "Sign sees URIs as resolved, before Query and Token")

	custom.Sign = func(*url.URL) bool { return true }
	_, err := hls.RewriteBytes([]byte(h+"%zz\n"), &custom)
	require.ErrorIs(t, err, hls.ErrInvalid, "a URI Sign cannot be given")
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
	cdn := hls.RewriteOptions{Base: mustURL(t, "https://cdn.example/v/1/"), OldBase: "https://origin.example/", Token: sign}
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
		// A tag with a URI that cannot be rewritten fails rather than go out
		// unsigned, on the origin host.
		{"URI in a malformed attribute list", "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-KEY:METHOD=AES-128,URI=\"https://origin.example/k\",IV\n", cdn, hls.ErrInvalid, 3},
		{"URI after a stray quote", "#EXTM3U\n#EXT-X-SESSION-DATA:DATA-ID=\"a\"b,URI=\"https://origin.example/d.json\"\n", cdn, hls.ErrInvalid, 2},
		{"URI first in a malformed list", "#EXTM3U\n#EXT-X-MAP: URI=\"init.mp4\" BYTERANGE=\"1@0\"\n", cdn, hls.ErrInvalid, 2},
		{"unquoted URI", "#EXTM3U\n#EXT-X-MAP:URI=init.mp4\n", cdn, hls.ErrInvalid, 2},
		{"blank before the equals sign", "#EXTM3U\n#EXT-X-MAP:URI =\"https://origin.example/init.mp4\"\n", cdn, hls.ErrInvalid, 2},
		// A base that yields a URI that cannot be written: a quote would end
		// the attribute and let the rest inject attributes.
		{"base host with a quote", "#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n", hls.RewriteOptions{Base: &url.URL{Scheme: "https", Host: `cdn.example",X="1`, Path: "/v/"}}, hls.ErrInvalid, 2},
		{"base host with a quote, URI line", "#EXTM3U\n#EXTINF:1,\na.ts\n", hls.RewriteOptions{Base: &url.URL{Scheme: "https", Host: `cdn.example"`, Path: "/"}}, hls.ErrInvalid, 3},
		{"base path with a quote, the slow path", "#EXTM3U\n#EXT-X-MAP:URI=\"../init.mp4\"\n", hls.RewriteOptions{Base: &url.URL{Scheme: "https", Host: `cdn.example"`, Path: "/v/"}}, hls.ErrInvalid, 2},
		{"two CRs before the LF", "#EXTM3U\r\n#EXT-X-MAP:URI=\"init.mp4\"\r\r\n", cdn, hls.ErrSyntax, 2},
		{"CR inside a URI line", "#EXTM3U\n#EXTINF:1,\na.ts\r#EXT-X-ENDLIST\n", cdn, hls.ErrSyntax, 3},
		{"CR inside a comment", "#EXTM3U\n# note\r#EXT-X-KEY:METHOD=AES-128,URI=\"https://origin.example/k\"\n", cdn, hls.ErrSyntax, 2},
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

// Lines that only look like they hold a URI attribute are copied: an EXTINF
// title is free text, and "URI=" inside a value is no attribute.
func TestRewriteBytesNotURIs(t *testing.T) {
	for _, line := range []string{
		`#EXTINF:6,see URI="https://origin.example/x"`,
		`#EXT-OATCLS-SCTE35:/DAlAAAAAAAAAP/wFAUAAAABf+/+AAAAAH4AAURI=`,
		`#EXT-X-DATERANGE:ID="a",X-URI="https://origin.example/x"`,
		`#EXT-X-FOO:X="a,URI=b"`,
	} {
		in := "#EXTM3U\n" + line + "\n"
		out, err := hls.RewriteBytes([]byte(in), &hls.RewriteOptions{Base: mustURL(t, "https://cdn.example/"), Token: sign})
		require.NoError(t, err, line)
		require.Equal(t, in, string(out))
	}
}

// The value and text paths rewrite alike.
func TestRewriteValueMatchesBytes(t *testing.T) {
	p := vod(3, true)
	p.Segments[1].Keys = []hls.Key{{Method: "AES-128", URI: "k1"}, {Method: "NONE"}}
	p.Segments[2].Map = &hls.Map{URI: "../init2.mp4"}
	p.Segments[2].Tags = []string{`#EXT-X-DATERANGE:ID="x",START-DATE="2025-03-01T12:00:00Z",X-URI="keep",URI="dr.json"`}
	p.Tags = []string{`#EXT-X-VENDOR-DATA:ID="a",URI="data.json"`}
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
