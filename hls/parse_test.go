package hls_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/hls"
)

func TestParseMedia(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want *hls.MediaPlaylist
	}{
		{
			name: "VOD with titles and comments",
			in:   "#EXTM3U\n# a comment\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXT-X-PLAYLIST-TYPE:VOD\n\n#EXTINF:9.009,first, with comma\nhttp://media.example.com/first.ts\n#EXTINF:3.003\nsecond.ts\n#EXT-X-ENDLIST\n",
			want: &hls.MediaPlaylist{Version: 3, TargetDuration: 10, Type: hls.VOD, Ended: true, Segments: []hls.Segment{
				{URI: "http://media.example.com/first.ts", Duration: 9.009, Title: "first, with comma"},
				{URI: "second.ts", Duration: 3.003},
			}},
		},
		{
			name: "CRLF line endings, spaces and a byte order mark",
			in:   "\uFEFF#EXTM3U\r\n#EXT-X-TARGETDURATION:6 \r\n  #EXTINF:6,\r\na.ts  \r\n",
			want: &hls.MediaPlaylist{TargetDuration: 6, Segments: []hls.Segment{{URI: "a.ts", Duration: 6}}},
		},
		{
			name: "live with sequences, discontinuity and date-times",
			in: "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:18446744073709551615\n#EXT-X-DISCONTINUITY-SEQUENCE:7\n" +
				"#EXT-X-PROGRAM-DATE-TIME:2025-03-01T12:00:00.000Z\n#EXTINF:4,\na.ts\n#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:2025-03-01T13:00:04.5+0100\n#EXTINF:4,\nb.ts\n",
			want: &hls.MediaPlaylist{Version: 3, TargetDuration: 4, MediaSequence: 1<<64 - 1, DiscontinuitySequence: 7, Segments: []hls.Segment{
				{URI: "a.ts", Duration: 4, ProgramDateTime: pdt},
				{URI: "b.ts", Duration: 4, Discontinuity: true, ProgramDateTime: time.Date(2025, 3, 1, 13, 0, 4, 5e8, time.FixedZone("", 3600))},
			}},
		},
		{
			name: "fMP4 with a map change and keys",
			in: "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MAP:URI=\"init.mp4\",BYTERANGE=\"720@0\"\n" +
				"#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"skd://key\",KEYFORMAT=\"com.apple.streamingkeydelivery\",KEYFORMATVERSIONS=\"1\"\n#EXTINF:6,\na.m4s\n" +
				"#EXT-X-MAP:URI=\"init2.mp4\"\n#EXT-X-KEY:METHOD=NONE\n#EXTINF:6,\nb.m4s\n",
			want: &hls.MediaPlaylist{Version: 7, TargetDuration: 6, IndependentSegments: true,
				Map: &hls.Map{URI: "init.mp4", ByteRange: &hls.ByteRange{Length: 720}},
				Segments: []hls.Segment{
					{URI: "a.m4s", Duration: 6, Keys: []hls.Key{{Method: "SAMPLE-AES", URI: "skd://key", KeyFormat: "com.apple.streamingkeydelivery", KeyFormatVersions: "1"}}},
					{URI: "b.m4s", Duration: 6, Map: &hls.Map{URI: "init2.mp4"}, Keys: []hls.Key{{Method: "NONE"}}},
				}},
		},
		{
			name: "I-frames with byte ranges, one without an offset",
			in:   "#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-TARGETDURATION:2\n#EXT-X-I-FRAMES-ONLY\n#EXTINF:2,\n#EXT-X-BYTERANGE:100@376\nseg.ts\n#EXTINF:2,\n#EXT-X-BYTERANGE:50\nseg.ts\n#EXT-X-ENDLIST\n",
			want: &hls.MediaPlaylist{Version: 4, TargetDuration: 2, IFramesOnly: true, Ended: true, Segments: []hls.Segment{
				{URI: "seg.ts", Duration: 2, ByteRange: &hls.ByteRange{Length: 100, Offset: 376}},
				{URI: "seg.ts", Duration: 2, ByteRange: &hls.ByteRange{Length: 50, Offset: 476}},
			}},
		},
		{
			name: "unknown tags in the header, on segments and at the end",
			in:   "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-START:TIME-OFFSET=-12\n#EXT-X-ALLOW-CACHE:NO\n#EXTINF:6,\na.ts\n#EXT-X-CUE-OUT:30\n#EXT-X-GAP\n#EXTINF:6,\nb.ts\n#EXT-X-RENDITION-REPORT:URI=\"../1.m3u8\"\n#EXT-X-ENDLIST\n#EXT-X-AFTER\n",
			want: &hls.MediaPlaylist{TargetDuration: 6, Ended: true,
				Tags:         []string{"#EXT-X-START:TIME-OFFSET=-12", "#EXT-X-ALLOW-CACHE:NO"},
				TrailingTags: []string{"#EXT-X-RENDITION-REPORT:URI=\"../1.m3u8\"", "#EXT-X-AFTER"},
				Segments: []hls.Segment{
					{URI: "a.ts", Duration: 6},
					{URI: "b.ts", Duration: 6, Tags: []string{"#EXT-X-CUE-OUT:30", "#EXT-X-GAP"}},
				}},
		},
		{
			name: "empty live playlist",
			in:   "#EXTM3U\n#EXT-X-TARGETDURATION:6\n",
			want: &hls.MediaPlaylist{TargetDuration: 6},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := mustMedia(t, tc.in)
			if tc.want.Segments == nil {
				tc.want.Segments = got.Segments[:0:0]
				got.Segments = tc.want.Segments
			}
			require.Equal(t, tc.want, got)
			_, p, err := hls.Parse(strings.NewReader(tc.in))
			require.NoError(t, err)
			require.Equal(t, got, p, "Parse sniffs a media playlist")
		})
	}
}

func TestParseMaster(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want *hls.MasterPlaylist
	}{
		{
			name: "subtitles rendition as the caption work writes it",
			in: "#EXTM3U\n#EXT-X-VERSION:3\n" +
				"#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"English\",LANGUAGE=\"en\",DEFAULT=NO,AUTOSELECT=YES,URI=\"subs/en.m3u8\"\n" +
				"#EXT-X-STREAM-INF:BANDWIDTH=3000000,CODECS=\"avc1.64001f,mp4a.40.2\",RESOLUTION=1280x720,SUBTITLES=\"subs\"\n720p.m3u8\n",
			want: &hls.MasterPlaylist{Version: 3,
				Media:    []hls.Rendition{{Type: hls.Subtitles, GroupID: "subs", Name: "English", Language: "en", Autoselect: true, URI: "subs/en.m3u8"}},
				Variants: []hls.Variant{{URI: "720p.m3u8", Bandwidth: 3000000, Codecs: []string{"avc1.64001f", "mp4a.40.2"}, Width: 1280, Height: 720, Subtitles: "subs"}},
			},
		},
		{
			name: "audio groups, closed captions, I-frames and unknown attributes",
			in: "#EXTM3U\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-CONTENT-STEERING:SERVER-URI=\"/steer\"\n" +
				"#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aac\",NAME=\"Deutsch\",LANGUAGE=\"de\",DEFAULT=YES,AUTOSELECT=YES,CHANNELS=\"2\",STABLE-RENDITION-ID=\"de\",URI=\"a/de.m3u8\"\n" +
				"#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID=\"cc\",NAME=\"CC1\",INSTREAM-ID=\"CC1\",CHARACTERISTICS=\"public.accessibility.transcribes-spoken-dialog\"\n" +
				"#EXT-X-STREAM-INF:PROGRAM-ID=1,BANDWIDTH=5000000,AVERAGE-BANDWIDTH=4000000,CODECS=\"avc1.640028, mp4a.40.2\",FRAME-RATE=59.940,HDCP-LEVEL=TYPE-0,VIDEO-RANGE=SDR,AUDIO=\"aac\",CLOSED-CAPTIONS=\"cc\",PATHWAY-ID=\"A\"\nhi.m3u8\n" +
				"#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=300000,CODECS=\"avc1.640028\",RESOLUTION=1920x1080,URI=\"hi-i.m3u8\"\n",
			want: &hls.MasterPlaylist{IndependentSegments: true,
				Tags: []string{"#EXT-X-CONTENT-STEERING:SERVER-URI=\"/steer\""},
				Media: []hls.Rendition{
					{Type: hls.Audio, GroupID: "aac", Name: "Deutsch", Language: "de", Default: true, Autoselect: true, Channels: "2", URI: "a/de.m3u8", Other: []hls.Attr{{Name: "STABLE-RENDITION-ID", Value: `"de"`}}},
					{Type: hls.ClosedCaptions, GroupID: "cc", Name: "CC1", InstreamID: "CC1", Characteristics: "public.accessibility.transcribes-spoken-dialog"},
				},
				Variants: []hls.Variant{{URI: "hi.m3u8", Bandwidth: 5000000, AverageBandwidth: 4000000, Codecs: []string{"avc1.640028", "mp4a.40.2"},
					FrameRate: 59.94, HDCPLevel: "TYPE-0", VideoRange: "SDR", Audio: "aac", ClosedCaptions: "cc", Other: []hls.Attr{{Name: "PATHWAY-ID", Value: `"A"`}}}},
				IFrameVariants: []hls.IFrameVariant{{URI: "hi-i.m3u8", Bandwidth: 300000, Codecs: []string{"avc1.640028"}, Width: 1920, Height: 1080}},
			},
		},
		{
			name: "CLOSED-CAPTIONS=NONE",
			in:   "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,CLOSED-CAPTIONS=NONE\n# comment between\n\nv.m3u8\n",
			want: &hls.MasterPlaylist{Variants: []hls.Variant{{URI: "v.m3u8", Bandwidth: 1, ClosedCaptions: "NONE"}}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := mustMaster(t, tc.in)
			require.Equal(t, tc.want, got)
			m, _, err := hls.Parse(strings.NewReader(tc.in))
			require.NoError(t, err)
			require.Equal(t, got, m, "Parse sniffs a master playlist")
		})
	}
}

// The subtitle rendition and variant lines the caption work will add come
// out of a round trip byte for byte.
func TestSubtitlesRoundTrip(t *testing.T) {
	const media = `#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",DEFAULT=NO,AUTOSELECT=YES,URI="subs/en.m3u8"`
	m := master()
	m.Media = []hls.Rendition{{Type: hls.Subtitles, GroupID: "subs", Name: "English", Language: "en", Autoselect: true, URI: "subs/en.m3u8"}}
	b := mustEncode(t, m)
	require.Contains(t, string(b), "\n"+media+"\n")
	require.Contains(t, string(b), `SUBTITLES="subs"`)
	back := mustMaster(t, string(b))
	require.Equal(t, m.Media, back.Media)
	require.Equal(t, b, mustEncode(t, back))
}

// Encoding what was parsed, then parsing and encoding that again, gives the
// same text: no tag moves on the second pass.
func TestParseEncodeStable(t *testing.T) {
	for _, tc := range []struct {
		name, in string
	}{
		// Found by FuzzParse: the map went to the header on the second
		// parse, and the tag after it ahead of it.
		{"tag after a map before the first EXTINF", "#EXTM3U\n#EXT-X-TARGETDURATION:0\n#EXTINF:00\n#EXT-X-MAP:URI=\"0\"\n#EXT0\n0"},
		// Found by FuzzParse: a map after a key went to the header on the
		// second parse, ahead of the key.
		{"key before a map before the first EXTINF", "#EXTM3U\n#EXT-X-TARGETDURATION:0\n#EXTINF:0\n#EXT-X-MAP:URI=\"0\"\n#EXT-X-KEY:METHOD=NONE\n0"},
		{"discontinuity before the first map", "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI=\"i.mp4\"\n#EXTINF:6,\na.ts\n"},
		{"tag after the header map", "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-MAP:URI=\"i.mp4\"\n#EXT-X-FOO\n#EXTINF:6,\na.ts\n"},
		{"tag after the header map, no segments", "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-MAP:URI=\"i.mp4\"\n#EXT-X-FOO\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			once := string(mustEncode(t, mustMedia(t, tc.in)))
			require.Equal(t, once, string(mustEncode(t, mustMedia(t, once))))
		})
	}
	p := mustMedia(t, "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-START:TIME-OFFSET=1\n#EXT-X-MAP:URI=\"i.mp4\"\n#EXT-X-FOO\n#EXTINF:6,\na.ts\n")
	require.Equal(t, []string{"#EXT-X-START:TIME-OFFSET=1"}, p.Tags, "before the map: a header tag")
	require.Equal(t, []string{"#EXT-X-FOO"}, p.Segments[0].Tags, "after the map: the first segment's")
}

func TestParseRoundTripsGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*.m3u8")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			require.NoError(t, err)
			m, p, err := hls.Parse(strings.NewReader(string(src)))
			require.NoError(t, err)
			var out []byte
			if m != nil {
				out = mustEncode(t, m)
			} else {
				out = mustEncode(t, p)
			}
			require.Equal(t, string(src), string(out))
		})
	}
}

func TestParseWrongType(t *testing.T) {
	_, err := hls.ParseMedia(strings.NewReader(string(mustEncode(t, master()))))
	require.ErrorIs(t, err, hls.ErrWrongType)
	require.EqualError(t, err, "hls: line 4: EXT-X-MEDIA in a media playlist")
	_, err = hls.ParseMaster(strings.NewReader(string(mustEncode(t, vod(2, false)))))
	require.ErrorIs(t, err, hls.ErrWrongType)
	require.EqualError(t, err, "hls: line 3: EXT-X-TARGETDURATION in a master playlist")
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

// An error of the reader is returned as it is, not as a *ParseError: it
// says nothing of the playlist.
func TestParseReadError(t *testing.T) {
	_, _, err := hls.Parse(failingReader{})
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	var pe *hls.ParseError
	require.False(t, errors.As(err, &pe))
	_, err = hls.ParseMedia(failingReader{})
	require.Equal(t, io.ErrUnexpectedEOF, err)
	_, err = hls.ParseMaster(failingReader{})
	require.Equal(t, io.ErrUnexpectedEOF, err)
}

// attrs returns n attributes ",X-A0=0,X-A1=1…".
func attrs(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, ",X-A%d=%d", i, i)
	}
	return b.String()
}

// hostileCase is an input that must fail to parse with a *ParseError of
// kind on line, its message holding msg.
type hostileCase struct {
	name   string
	parser hls.Parser
	in     string
	kind   error
	line   int
	msg    string
}

// hostileCases are broken and hostile inputs, for TestParseHostile and as
// seeds of the fuzzers.
func hostileCases() []hostileCase {
	const h = "#EXTM3U\n#EXT-X-TARGETDURATION:6\n"
	many := func(n int) string { return h + strings.Repeat("#EXTINF:1,\na.ts\n", n) }
	return []hostileCase{
		{name: "empty", in: "", kind: hls.ErrNotPlaylist, line: 1},
		{name: "not a playlist", in: "<html>\n", kind: hls.ErrNotPlaylist, line: 1},
		{name: "#EXTM3U not first", in: "\n#EXT-X-VERSION:3\n#EXTM3U\n", kind: hls.ErrNotPlaylist, line: 1},
		{name: "no playlist tags", in: "#EXTM3U\n#EXT-X-VERSION:3\n", kind: hls.ErrSyntax, line: 2, msg: "no media or master playlist tags"},
		{name: "oversize input", parser: hls.Parser{MaxBytes: 64}, in: many(10), kind: hls.ErrTooLarge, line: 7, msg: "larger than 64 bytes"},
		{name: "oversize line", parser: hls.Parser{MaxLineBytes: 100}, in: h + "#EXTINF:1,\n" + strings.Repeat("a", 101) + "\n", kind: hls.ErrTooLarge, line: 4, msg: "longer than 100 bytes"},
		{name: "oversize line before the first typed tag", parser: hls.Parser{MaxLineBytes: 100}, in: "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-FOO:" + strings.Repeat("a", 100) + "\n#EXT-X-TARGETDURATION:6\n", kind: hls.ErrTooLarge, line: 3, msg: "longer than 100 bytes"},
		{name: "CR before the first typed tag", in: "#EXTM3U\n#EXT-X-FOO\r#EXT-X-BAR\n#EXT-X-TARGETDURATION:6\n", kind: hls.ErrSyntax, line: 2, msg: "carriage return"},
		{name: "too many segments", parser: hls.Parser{MaxEntries: 5}, in: many(6), kind: hls.ErrTooLarge, line: 14, msg: "more than 5 entries"},
		{name: "too many unknown tags", parser: hls.Parser{MaxEntries: 2}, in: h + "#EXT-X-A\n#EXT-X-B\n#EXT-X-C\n", kind: hls.ErrTooLarge, line: 5},
		{name: "too many variants", parser: hls.Parser{MaxEntries: 1}, in: "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na\n#EXT-X-STREAM-INF:BANDWIDTH=1\nb\n", kind: hls.ErrTooLarge, line: 4},
		{name: "absurd target duration", in: "#EXTM3U\n#EXT-X-TARGETDURATION:100000000000000000000000\n", kind: hls.ErrSyntax, line: 2, msg: "EXT-X-TARGETDURATION"},
		{name: "media sequence over 64 bits", in: h + "#EXT-X-MEDIA-SEQUENCE:18446744073709551616\n", kind: hls.ErrSyntax, line: 3, msg: "EXT-X-MEDIA-SEQUENCE"},
		{name: "absurd version", in: h + "#EXT-X-VERSION:99999\n", kind: hls.ErrSyntax, line: 3, msg: "EXT-X-VERSION"},
		{name: "absurd duration", in: h + "#EXTINF:1e308,\na\n", kind: hls.ErrSyntax, line: 3, msg: "EXTINF duration"},
		{name: "long duration", in: h + "#EXTINF:10000000000,\na\n", kind: hls.ErrSyntax, line: 3, msg: "EXTINF duration"},
		{name: "absurd byte range", in: h + "#EXT-X-BYTERANGE:9223372036854775807@1\n#EXTINF:1,\na\n", kind: hls.ErrSyntax, line: 3, msg: "EXT-X-BYTERANGE"},
		{name: "absurd resolution", in: "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=99999999x1\na\n", kind: hls.ErrSyntax, line: 2, msg: "RESOLUTION"},
		{name: "absurd bandwidth", in: "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=99999999999999999999\na\n", kind: hls.ErrSyntax, line: 2, msg: "BANDWIDTH"},
		{name: "negative duration", in: h + "#EXTINF:-6,\na\n", kind: hls.ErrSyntax, line: 3, msg: `EXTINF duration "-6"`},
		{name: "NaN duration", in: h + "#EXTINF:NaN,\na\n", kind: hls.ErrSyntax, line: 3, msg: "NaN"},
		{name: "Inf duration", in: h + "#EXTINF:+Inf,\na\n", kind: hls.ErrSyntax, line: 3, msg: "Inf"},
		{name: "hex duration", in: h + "#EXTINF:0x1p3,\na\n", kind: hls.ErrSyntax, line: 3},
		{name: "exponent duration", in: h + "#EXTINF:6e0,\na\n", kind: hls.ErrSyntax, line: 3},
		{name: "empty duration", in: h + "#EXTINF:,\na\n", kind: hls.ErrSyntax, line: 3},
		{name: "negative frame rate", in: "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,FRAME-RATE=-30\na\n", kind: hls.ErrSyntax, line: 2, msg: "FRAME-RATE"},
		{name: "EXTINF at the end without URI", in: h + "#EXTINF:6,\n\n", kind: hls.ErrSyntax, line: 3, msg: "EXTINF without a URI line"},
		{name: "two EXTINF without URI", in: h + "#EXTINF:6,\n#EXTINF:6,\na\n", kind: hls.ErrSyntax, line: 4, msg: "EXTINF without a URI line"},
		{name: "URI without EXTINF", in: h + "a.ts\n", kind: hls.ErrSyntax, line: 3, msg: "without a preceding EXTINF"},
		{name: "segment tags at the end", in: h + "#EXTINF:6,\na\n#EXT-X-DISCONTINUITY\n", kind: hls.ErrSyntax, line: 5, msg: "segment tags without"},
		{name: "STREAM-INF without URI at the end", in: "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n", kind: hls.ErrSyntax, line: 2, msg: "not followed by its URI line"},
		{name: "STREAM-INF followed by a tag", in: "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n#EXT-X-STREAM-INF:BANDWIDTH=2\nb\n", kind: hls.ErrSyntax, line: 2},
		{name: "master URI without STREAM-INF", in: "#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"a\"\nx.m3u8\n", kind: hls.ErrSyntax, line: 3},
		{name: "missing target duration", in: "#EXTM3U\n#EXTINF:6,\na\n", kind: hls.ErrSyntax, line: 3, msg: "missing EXT-X-TARGETDURATION"},
		{name: "duplicate target duration", in: h + "#EXT-X-TARGETDURATION:6\n", kind: hls.ErrSyntax, line: 3, msg: "repeated EXT-X-TARGETDURATION"},
		{name: "duplicate version", in: "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv\n", kind: hls.ErrSyntax, line: 3, msg: "repeated EXT-X-VERSION"},
		{name: "duplicate endlist", in: h + "#EXT-X-ENDLIST\n#EXT-X-ENDLIST\n", kind: hls.ErrSyntax, line: 4},
		{name: "duplicate #EXTM3U", in: h + "#EXTM3U\n", kind: hls.ErrSyntax, line: 3},
		{name: "duplicate discontinuity", in: h + "#EXT-X-DISCONTINUITY\n#EXT-X-DISCONTINUITY\n#EXTINF:1,\na\n", kind: hls.ErrSyntax, line: 4},
		{name: "duplicate date-time", in: h + "#EXT-X-PROGRAM-DATE-TIME:2025-03-01T12:00:00Z\n#EXT-X-PROGRAM-DATE-TIME:2025-03-01T12:00:00Z\n#EXTINF:1,\na\n", kind: hls.ErrSyntax, line: 4},
		{name: "duplicate byte range", in: h + "#EXT-X-BYTERANGE:1@0\n#EXT-X-BYTERANGE:1@0\n#EXTINF:1,\na\n", kind: hls.ErrSyntax, line: 4},
		{name: "duplicate map", in: h + "#EXTINF:1,\na\n#EXT-X-MAP:URI=\"a\"\n#EXT-X-MAP:URI=\"b\"\n#EXTINF:1,\nb\n", kind: hls.ErrSyntax, line: 6},
		{name: "duplicate attribute", in: "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,BANDWIDTH=2\nv\n", kind: hls.ErrSyntax, line: 2, msg: "appears twice"},
		{name: "unterminated quote", in: "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=\"avc1\nv\n", kind: hls.ErrSyntax, line: 2, msg: "unterminated"},
		{name: "unquoted codecs", in: "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=avc1\nv\n", kind: hls.ErrSyntax, line: 2, msg: "quoted"},
		{name: "mixed master and media", in: h + "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"a\"\n", kind: hls.ErrWrongType, line: 3},
		{name: "segment after ENDLIST", in: h + "#EXT-X-ENDLIST\n#EXTINF:1,\na\n", kind: hls.ErrSyntax, line: 4, msg: "after EXT-X-ENDLIST"},
		{name: "open byte range first", in: h + "#EXTINF:1,\n#EXT-X-BYTERANGE:10\na.ts\n", kind: hls.ErrSyntax, line: 4, msg: "without an offset"},
		{name: "open byte range on another URI", in: h + "#EXTINF:1,\n#EXT-X-BYTERANGE:10@0\na.ts\n#EXTINF:1,\n#EXT-X-BYTERANGE:10\nb.ts\n", kind: hls.ErrSyntax, line: 7},
		{name: "map without URI", in: h + "#EXT-X-MAP:BYTERANGE=\"1@0\"\n", kind: hls.ErrSyntax, line: 3},
		{name: "key without method", in: h + "#EXT-X-KEY:URI=\"k\"\n", kind: hls.ErrSyntax, line: 3},
		{name: "key without URI", in: h + "#EXT-X-KEY:METHOD=AES-128\n", kind: hls.ErrSyntax, line: 3},
		{name: "bad date-time", in: h + "#EXT-X-PROGRAM-DATE-TIME:yesterday\n", kind: hls.ErrSyntax, line: 3},
		{name: "bad playlist type", in: h + "#EXT-X-PLAYLIST-TYPE:LIVE\n", kind: hls.ErrSyntax, line: 3},
		{name: "value on a valueless tag", in: h + "#EXT-X-ENDLIST:now\n", kind: hls.ErrSyntax, line: 3},
		{name: "rendition without GROUP-ID", in: "#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,NAME=\"a\"\n", kind: hls.ErrSyntax, line: 2, msg: "required"},
		{name: "rendition of an unknown type", in: "#EXTM3U\n#EXT-X-MEDIA:TYPE=TEXT,GROUP-ID=\"a\",NAME=\"a\"\n", kind: hls.ErrSyntax, line: 2, msg: "TYPE"},
		{name: "too many attributes", in: "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1" + attrs(256) + "\nv\n", kind: hls.ErrTooLarge, line: 2, msg: "more than 256 attributes"},
		{name: "duplicate attribute before a syntax error", in: "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,BANDWIDTH=2,bad\nv\n", kind: hls.ErrSyntax, line: 2, msg: "BANDWIDTH appears twice"},
		{name: "duplicate among many attributes", in: "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1" + attrs(20) + ",X-A15=2\nv\n", kind: hls.ErrSyntax, line: 2, msg: "X-A15 appears twice"},
		{name: "too many codecs", parser: hls.Parser{MaxEntries: 10}, in: "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=\"" + strings.Repeat("a,", 10) + "a\"\nv\n", kind: hls.ErrTooLarge, line: 2, msg: "more than 10 entries"},
		{name: "too many codecs over variants", parser: hls.Parser{MaxEntries: 10}, in: "#EXTM3U\n" + strings.Repeat("#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=\"a,a,a\"\nv\n", 3), kind: hls.ErrTooLarge, line: 6, msg: "more than 10 entries"},
		{name: "too many I-frame codecs", parser: hls.Parser{MaxEntries: 10}, in: "#EXTM3U\n#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,URI=\"i\",CODECS=\"" + strings.Repeat("a,", 10) + "a\"\n", kind: hls.ErrTooLarge, line: 2},
		{name: "too many unknown attributes", parser: hls.Parser{MaxEntries: 10}, in: "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1" + attrs(10) + "\nv\n", kind: hls.ErrTooLarge, line: 2, msg: "more than 10 entries"},
		{name: "too many unknown rendition attributes", parser: hls.Parser{MaxEntries: 10}, in: "#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"a\"" + attrs(10) + "\n", kind: hls.ErrTooLarge, line: 2},
		{name: "CR inside a URI line", in: h + "#EXTINF:6,\na.ts\r#EXT-X-ENDLIST\n", kind: hls.ErrSyntax, line: 4, msg: "carriage return"},
		{name: "CR inside a tag", in: h + "#EXTINF:6,\r\r\na.ts\n", kind: hls.ErrSyntax, line: 3, msg: "carriage return"},
		{name: "CR inside a comment", in: h + "# c\r#EXT-X-ENDLIST\n#EXTINF:6,\na.ts\n", kind: hls.ErrSyntax, line: 3, msg: "carriage return"},
		{name: "I-frame variant without URI", in: "#EXTM3U\n#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1\n", kind: hls.ErrSyntax, line: 2, msg: "URI is required"},
	}
}

// TestParseHostile feeds broken and hostile input: each must fail with a
// *ParseError of the right kind on the right line, never panic.
func TestParseHostile(t *testing.T) {
	for _, tc := range hostileCases() {
		t.Run(tc.name, func(t *testing.T) {
			m, p, err := tc.parser.Parse(strings.NewReader(tc.in))
			require.Nil(t, m)
			require.Nil(t, p)
			var pe *hls.ParseError
			require.True(t, errors.As(err, &pe), "want a *ParseError, got %v", err)
			require.ErrorIs(t, err, tc.kind)
			require.Equal(t, tc.line, pe.Line, "line of %q", err)
			require.Contains(t, pe.Msg, tc.msg)
		})
	}
}
