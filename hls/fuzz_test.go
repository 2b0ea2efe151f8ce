package hls_test

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/hls"
)

// fuzzSeeds are inputs from the table tests; addSeeds adds the hostile
// inputs of TestParseHostile and the golden files.
var fuzzSeeds = []string{
	"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:9.009,first, with comma\nhttp://media.example.com/first.ts\n#EXT-X-ENDLIST\n",
	"\uFEFF#EXTM3U\r\n#EXT-X-TARGETDURATION:6 \r\n  #EXTINF:6,\r\na.ts  \r\n",
	"#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:18446744073709551615\n#EXT-X-DISCONTINUITY-SEQUENCE:7\n#EXT-X-PROGRAM-DATE-TIME:2025-03-01T13:00:04.5+0100\n#EXTINF:4,\nb.ts\n",
	"#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:6\n#EXT-X-MAP:URI=\"init.mp4\",BYTERANGE=\"720@0\"\n#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"skd://key\",KEYFORMAT=\"x\"\n#EXTINF:6,\na.m4s\n#EXT-X-MAP:URI=\"init2.mp4\"\n#EXT-X-KEY:METHOD=NONE\n#EXTINF:6,\nb.m4s\n",
	"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-I-FRAMES-ONLY\n#EXTINF:2,\n#EXT-X-BYTERANGE:100@376\nseg.ts\n#EXTINF:2,\n#EXT-X-BYTERANGE:50\nseg.ts\n#EXT-X-ENDLIST\n",
	"#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-START:TIME-OFFSET=-12\n#EXTINF:6,\na.ts\n#EXT-X-CUE-OUT:30\n#EXTINF:6,\nb.ts\n#EXT-X-RENDITION-REPORT:URI=\"../1.m3u8\"\n#EXT-X-ENDLIST\n",
	"#EXTM3U\n#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"English\",LANGUAGE=\"en\",DEFAULT=NO,AUTOSELECT=YES,URI=\"subs/en.m3u8\"\n#EXT-X-STREAM-INF:BANDWIDTH=3000000,CODECS=\"avc1.64001f,mp4a.40.2\",RESOLUTION=1280x720,SUBTITLES=\"subs\",CLOSED-CAPTIONS=NONE\n720p.m3u8\n",
	"#EXTM3U\n#EXT-X-STREAM-INF:PROGRAM-ID=1,BANDWIDTH=5000000,FRAME-RATE=59.940,HDCP-LEVEL=TYPE-0,AUDIO=\"aac\",PATHWAY-ID=\"A\"\nhi.m3u8\n#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=300000,URI=\"hi-i.m3u8\"\n",
	"#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:NaN,\na\n",
	"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=\"avc1\nv\n",
}

func addSeeds(f *testing.F, add func(string)) {
	for _, s := range fuzzSeeds {
		add(s)
	}
	for _, tc := range hostileCases() {
		add(tc.in)
	}
	files, err := filepath.Glob("testdata/golden/*.m3u8")
	require.NoError(f, err)
	for _, name := range files {
		b, err := os.ReadFile(name)
		require.NoError(f, err)
		add(string(b))
	}
}

// FuzzParse: parsing never panics, and a parsed playlist that encodes
// parses back to the same encoding.
func FuzzParse(f *testing.F) {
	addSeeds(f, func(s string) { f.Add([]byte(s)) })
	parser := hls.Parser{MaxBytes: 1 << 20, MaxEntries: 1000}
	f.Fuzz(func(t *testing.T, src []byte) {
		_ = hls.Lint(src)
		m, p, err := parser.Parse(bytes.NewReader(src))
		if err != nil {
			require.Nil(t, m)
			require.Nil(t, p)
			return
		}
		require.True(t, (m == nil) != (p == nil), "exactly one playlist")
		var enc interface{ Encode() ([]byte, error) } = p
		if m != nil {
			enc = m
		}
		out, err := enc.Encode()
		if err != nil {
			require.ErrorIs(t, err, hls.ErrInvalid)
			return
		}
		m2, p2, err := parser.Parse(bytes.NewReader(out))
		require.NoError(t, err, "re-parse of\n%s", out)
		var again []byte
		if m2 != nil {
			again, err = m2.Encode()
		} else {
			again, err = p2.Encode()
		}
		require.NoError(t, err)
		require.Equal(t, string(out), string(again))
		if p != nil {
			require.Len(t, p2.Segments, len(p.Segments))
		}
	})
}

// FuzzRewriteBytes: rewriting never panics; what parsed before still
// parses after, with as many segments and variants; and every URI that is
// signed carries the token once, computed over the URI as served without
// the token and the fragment, so that a server can verify it.
func FuzzRewriteBytes(f *testing.F) {
	addSeeds(f, func(s string) { f.Add([]byte(s), "sig=abc&exp=1") })
	base, err := url.Parse("https://cdn.example/v/1/index.m3u8")
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, src []byte, token string) {
		// The fuzzed parameters, then a hash of the URI.
		tok := func(uri string) string {
			h := fnv.New64a()
			h.Write([]byte(uri))
			s := fmt.Sprintf("h=%016x", h.Sum64())
			if token != "" {
				s = token + "&" + s
			}
			return s
		}
		// By default, only URIs on the base's origin are signed.
		opts := &hls.RewriteOptions{Base: base, Token: func(uri string) string {
			scheme, rest, _ := strings.Cut(uri, "://")
			host, _, _ := strings.Cut(rest, "/")
			host, _, _ = strings.Cut(host, "?")
			require.True(t, strings.EqualFold(scheme, "https") && strings.EqualFold(host, "cdn.example"), "signed %q", uri)
			return tok(uri)
		}}
		out, err := hls.RewriteBytes(src, opts)
		if err != nil {
			return
		}
		// Told to sign all, every URI carries the token.
		opts = &hls.RewriteOptions{Base: base, Token: tok, Sign: func(*url.URL) bool { return true }}
		if all, err := hls.RewriteBytes(src, opts); err == nil {
			checkSigned(t, all, tok)
		}
		m, p, err := hls.Parse(bytes.NewReader(src))
		if err != nil {
			return
		}
		m2, p2, err := hls.Parse(bytes.NewReader(out))
		require.NoError(t, err, "input parsed, output did not:\n%s", out)
		if p != nil {
			require.Len(t, p2.Segments, len(p.Segments))
		} else {
			require.Len(t, m2.Variants, len(m.Variants))
			require.Len(t, m2.Media, len(m.Media))
		}
	})
}

// checkSigned checks that every http, https or relative URI of the
// rewritten playlist out ends with the token, once, that tok computes over
// the URI without it and without the fragment.
func checkSigned(t *testing.T, out []byte, tok func(string) string) {
	t.Helper()
	trim := func(s string) string { return strings.TrimLeft(s, "?&") }
	n := len(trim(tok(""))) // the token's length does not depend on the URI
	for line := range strings.SplitSeq(string(out), "\n") {
		for _, uri := range hls.LineURIs(line) {
			if !signable(uri) {
				continue
			}
			v, _, _ := strings.Cut(uri, "#")
			require.Greater(t, len(v), n, "URI %q of line %q is not signed", uri, line)
			signed, token := v[:len(v)-n-1], v[len(v)-n:]
			wantSep := byte('?')
			if strings.Contains(signed, "?") {
				wantSep = '&'
			}
			require.Equal(t, string(wantSep), v[len(signed):len(signed)+1], "URI %q", uri)
			require.Equal(t, trim(tok(signed)), token, "URI %q: token over %q", uri, signed)
			_, query, _ := strings.Cut(v, "?")
			for pair := range strings.SplitSeq(token, "&") {
				if pair == "" {
					continue
				}
				key, _, _ := strings.Cut(pair, "=")
				require.Equal(t, countKey(token, key), countKey(query, key), "URI %q: parameter %q", uri, key)
			}
		}
	}
}

// signable reports whether the rewriter adds the token to uri: relative,
// http or https.
func signable(uri string) bool {
	if uri == "" {
		return false
	}
	scheme, _, ok := strings.Cut(uri, ":")
	if !ok || strings.ContainsAny(scheme, "/?#") {
		return true // relative
	}
	for i, c := range scheme {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return true // not a scheme: relative
		}
	}
	return strings.EqualFold(scheme, "http") || strings.EqualFold(scheme, "https")
}

// countKey counts the parameters of the encoded query q named key, names
// compared decoded.
func countKey(q, key string) int {
	decode := func(s string) string {
		if d, err := url.QueryUnescape(s); err == nil {
			return d
		}
		return s
	}
	n := 0
	for pair := range strings.SplitSeq(q, "&") {
		if k, _, _ := strings.Cut(pair, "="); pair != "" && (k == key || decode(k) == decode(key)) {
			n++
		}
	}
	return n
}
