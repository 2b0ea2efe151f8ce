package hls_test

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/hls"
)

// fuzzSeeds are inputs from the table tests, plus the golden files.
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

// FuzzRewriteBytes: rewriting never panics, and what parsed before still
// parses after, with as many segments and variants.
func FuzzRewriteBytes(f *testing.F) {
	addSeeds(f, func(s string) { f.Add([]byte(s), "sig=abc&exp=1") })
	base, err := url.Parse("https://cdn.example/v/1/index.m3u8")
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, src []byte, token string) {
		opts := &hls.RewriteOptions{Base: base, Token: func(string) string { return token }}
		out, err := hls.RewriteBytes(src, opts)
		if err != nil {
			return
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
