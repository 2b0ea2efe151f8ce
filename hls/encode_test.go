package hls_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/hls"
)

func TestEncodeGolden(t *testing.T) {
	live := &hls.MediaPlaylist{TargetDuration: 4, MediaSequence: 1200, DiscontinuitySequence: 3}
	for i := range 3 {
		live.Segments = append(live.Segments, hls.Segment{URI: fmt.Sprintf("live%d.ts", 1200+i), Duration: 4, ProgramDateTime: pdt.Add(time.Duration(i) * 4 * time.Second)})
	}
	live.Segments[2].Discontinuity = true
	iframes, err := hls.IFramePlaylist([]hls.IFrame{
		{URI: "seg0.ts", Time: 0, Offset: 376, Length: 20680},
		{URI: "seg0.ts", Time: 2.002, Offset: 600000, Length: 19928},
		{URI: "seg1.ts", Time: 4.004, Offset: 376, Length: 21056},
	}, 6.006)
	require.NoError(t, err)
	enc := &hls.MediaPlaylist{Type: hls.Event, Segments: []hls.Segment{{
		URI: "a.ts", Duration: 5, Title: "first",
		Keys: []hls.Key{{Method: "AES-128", URI: "https://keys.example/k1", IV: "0x0123456789abcdef0123456789abcdef"}},
	}, {
		URI: "b.ts", Duration: 5, Keys: []hls.Key{{Method: "NONE"}},
	}}}
	for _, tc := range []struct {
		name string
		p    interface{ Encode() ([]byte, error) }
	}{
		{"vod_ts.m3u8", vod(4, false)},
		{"vod_fmp4.m3u8", vod(4, true)},
		{"live.m3u8", live},
		{"iframes.m3u8", iframes},
		{"encrypted_event.m3u8", enc},
		{"master.m3u8", master()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := mustEncode(t, tc.p)
			golden(t, tc.name, b)
			require.Empty(t, hls.Lint(b), "the encoder's own output must lint clean")
		})
	}
}

// TestNoLibraryBugs reproduces the spec bugs of grafov/m3u8 (and, for the
// first three, Eyevinn/hls-m3u8) and checks this package does not have them.
func TestNoLibraryBugs(t *testing.T) {
	t.Run("fMP4 is version 6, not 5", func(t *testing.T) {
		p := vod(3, true)
		for i := range p.Segments {
			p.Segments[i].Duration = 4 // no rounding: version 6 for EXT-X-MAP alone
		}
		require.Contains(t, string(mustEncode(t, p)), "#EXT-X-VERSION:6\n")
	})
	t.Run("fMP4 I-frame playlist is version 5", func(t *testing.T) {
		p := &hls.MediaPlaylist{IFramesOnly: true, Map: &hls.Map{URI: "init.mp4"}, Segments: []hls.Segment{
			{URI: "s.m4s", Duration: 2, ByteRange: &hls.ByteRange{Length: 100, Offset: 0}}}}
		require.Contains(t, string(mustEncode(t, p)), "#EXT-X-VERSION:5\n")
	})
	t.Run("no PROGRAM-ID", func(t *testing.T) {
		b := string(mustEncode(t, master()))
		require.NotContains(t, b, "PROGRAM-ID")
		m := mustMaster(t, "#EXTM3U\n#EXT-X-STREAM-INF:PROGRAM-ID=1,BANDWIDTH=1000,CODECS=\"avc1.64001f\"\nv.m3u8\n")
		require.NotContains(t, string(mustEncode(t, m)), "PROGRAM-ID", "dropped when parsed")
	})
	t.Run("6.006 s segments give target 6", func(t *testing.T) {
		for _, tc := range []struct {
			fmp4    bool
			version string
		}{{false, "3"}, {true, "6"}} {
			b := string(mustEncode(t, vod(3, tc.fmp4)))
			require.Contains(t, b, "#EXT-X-TARGETDURATION:6\n")
			require.Contains(t, b, "#EXT-X-VERSION:"+tc.version+"\n", "the minimum: rounding applies at every version")
		}
	})
	t.Run("parsing keeps the declared target", func(t *testing.T) {
		p := mustMedia(t, "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:6\n#EXTINF:6.006,\na.ts\n")
		require.Equal(t, 6, p.TargetDuration)
	})
	t.Run("unknown tags survive a round trip", func(t *testing.T) {
		in := "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-START:TIME-OFFSET=12\n" +
			"#EXTINF:6.006,\na.ts\n#EXT-X-DATERANGE:ID=\"ad\",START-DATE=\"2025-03-01T12:00:00Z\"\n#EXT-X-SEG-TAG:1\n#EXT-X-SEG-TAG:2\n#EXTINF:6.006,\nb.ts\n" +
			"#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"c.part\"\n"
		require.Equal(t, in, string(mustEncode(t, mustMedia(t, in))))
		min := "#EXTM3U\n#EXT-X-VERSION:1\n#EXT-X-SESSION-DATA:DATA-ID=\"com.example\",VALUE=\"x\"\n#EXT-X-BAR:baz\n" +
			"#EXT-X-STREAM-INF:BANDWIDTH=1000,CODECS=\"avc1.64001f,mp4a.40.2\",SCORE=2.0,SUPPLEMENTAL-CODECS=\"dvh1.08.07/db4h\"\nv.m3u8\n"
		require.Equal(t, min, string(mustEncode(t, mustMaster(t, min))))
	})
}

func TestEncodeVersion(t *testing.T) {
	br := &hls.ByteRange{Length: 10, Offset: 0}
	for _, tc := range []struct {
		name string
		p    *hls.MediaPlaylist
		want string
	}{
		{"empty", &hls.MediaPlaylist{TargetDuration: 6}, "1"},
		{"decimal durations", &hls.MediaPlaylist{Segments: []hls.Segment{{URI: "a", Duration: 6}}}, "3"},
		{"byte range", &hls.MediaPlaylist{Segments: []hls.Segment{{URI: "a", Duration: 6, ByteRange: br}}}, "4"},
		{"I-frames only", &hls.MediaPlaylist{IFramesOnly: true, Segments: []hls.Segment{{URI: "a", Duration: 6, ByteRange: br}}}, "4"},
		{"SAMPLE-AES", &hls.MediaPlaylist{Segments: []hls.Segment{{URI: "a", Duration: 6, Keys: []hls.Key{{Method: "SAMPLE-AES", URI: "k"}}}}}, "5"},
		{"map on a segment", &hls.MediaPlaylist{Segments: []hls.Segment{{URI: "a", Duration: 6, Map: &hls.Map{URI: "i"}}}}, "6"},
		{"rounded-down target stays 3", &hls.MediaPlaylist{Segments: []hls.Segment{{URI: "a", Duration: 6.4}}}, "3"},
		{"rounded-up target stays 3", &hls.MediaPlaylist{Segments: []hls.Segment{{URI: "a", Duration: 5.6}}}, "3"},
		{"explicit higher version kept", &hls.MediaPlaylist{Version: 7, Segments: []hls.Segment{{URI: "a", Duration: 6}}}, "7"},
		{"variable substitution", &hls.MediaPlaylist{Tags: []string{`#EXT-X-DEFINE:NAME="a",VALUE="b"`}, Segments: []hls.Segment{{URI: "a", Duration: 6}}}, "8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := string(mustEncode(t, tc.p))
			require.Contains(t, b, "#EXT-X-VERSION:"+tc.want+"\n", "got:\n%s", b)
		})
	}
}

func TestEncodeTargetDuration(t *testing.T) {
	for _, tc := range []struct {
		durations []float64
		want      string
	}{
		{[]float64{6.006, 6.006, 2}, "6"},
		{[]float64{5.5}, "6"},   // half rounds up
		{[]float64{5.499}, "5"}, // below half rounds down
		{[]float64{4.9995}, "5"},
		{[]float64{0.2}, "0"},
		{[]float64{10, 3}, "10"},
	} {
		p := &hls.MediaPlaylist{}
		for _, d := range tc.durations {
			p.Segments = append(p.Segments, hls.Segment{URI: "s", Duration: d})
		}
		b := string(mustEncode(t, p))
		require.Contains(t, b, "#EXT-X-TARGETDURATION:"+tc.want+"\n", "durations %v", tc.durations)
		require.Empty(t, hls.Lint([]byte(b)), "durations %v", tc.durations)
	}
}

func TestEncodeDurations(t *testing.T) {
	for _, tc := range []struct {
		d    float64
		want string
	}{{6.006, "6.006"}, {6, "6.000"}, {0.0004, "0.000"}, {9.9996, "10.000"}, {1.0005, "1.001"}, {123456.789, "123456.789"}} {
		p := &hls.MediaPlaylist{Segments: []hls.Segment{{URI: "s", Duration: tc.d}}}
		require.Contains(t, string(mustEncode(t, p)), "#EXTINF:"+tc.want+",\n", "duration %v", tc.d)
	}
}

func TestEncodeErrors(t *testing.T) {
	seg := func(f func(*hls.Segment)) *hls.MediaPlaylist {
		s := hls.Segment{URI: "a.ts", Duration: 6}
		f(&s)
		return &hls.MediaPlaylist{Segments: []hls.Segment{s}}
	}
	variant := func(f func(*hls.Variant)) *hls.MasterPlaylist {
		v := hls.Variant{URI: "v.m3u8", Bandwidth: 1000, Codecs: []string{hls.AACLC}}
		f(&v)
		return &hls.MasterPlaylist{Variants: []hls.Variant{v}}
	}
	for _, tc := range []struct {
		name string
		p    interface{ Encode() ([]byte, error) }
		want string
	}{
		{"NaN duration", seg(func(s *hls.Segment) { s.Duration = math.NaN() }), "duration NaN"},
		{"infinite duration", seg(func(s *hls.Segment) { s.Duration = math.Inf(1) }), "duration +Inf"},
		{"negative duration", seg(func(s *hls.Segment) { s.Duration = -1 }), "duration -1"},
		{"empty URI", seg(func(s *hls.Segment) { s.URI = "" }), "segment URI"},
		{"URI injecting a tag", seg(func(s *hls.Segment) { s.URI = "a.ts\n#EXT-X-ENDLIST" }), "line of its own"},
		{"URI starting with #", seg(func(s *hls.Segment) { s.URI = "#a.ts" }), "line of its own"},
		{"title with a line break", seg(func(s *hls.Segment) { s.Title = "a\nb" }), "title"},
		{"map URI with a quote", seg(func(s *hls.Segment) { s.Map = &hls.Map{URI: `i"nit`} }), "quote"},
		{"negative byte range", seg(func(s *hls.Segment) { s.ByteRange = &hls.ByteRange{Length: -1} }), "byte range"},
		{"key without URI", seg(func(s *hls.Segment) { s.Keys = []hls.Key{{Method: "AES-128"}} }), "without a URI"},
		{"bad IV", seg(func(s *hls.Segment) { s.Keys = []hls.Key{{Method: "AES-128", URI: "k", IV: "xyz"}} }), "IV"},
		{"raw tag not a tag", seg(func(s *hls.Segment) { s.Tags = []string{"hello"} }), "starting with #EXT"},
		{"target too low", &hls.MediaPlaylist{TargetDuration: 5, Segments: []hls.Segment{{URI: "a", Duration: 6}}}, "TARGETDURATION:5 is shorter"},
		{"version too low for fMP4", &hls.MediaPlaylist{Version: 5, Map: &hls.Map{URI: "i"}}, "EXT-X-VERSION:5 is too low: EXT-X-MAP"},
		{"unknown playlist type", &hls.MediaPlaylist{Type: "LIVE"}, "playlist type"},
		{"no bandwidth", variant(func(v *hls.Variant) { v.Bandwidth = 0 }), "BANDWIDTH 0"},
		{"codec with a comma", variant(func(v *hls.Variant) { v.Codecs = []string{"avc1,mp4a"} }), "codec"},
		{"half a resolution", variant(func(v *hls.Variant) { v.Width = 1280 }), "resolution"},
		{"NaN frame rate", variant(func(v *hls.Variant) { v.FrameRate = math.NaN() }), "frame rate"},
		{"enumerated with a space", variant(func(v *hls.Variant) { v.VideoRange = "S DR" }), "enumerated"},
		{"variant without URI", variant(func(v *hls.Variant) { v.URI = "" }), "variant URI"},
		{"bad other attribute", variant(func(v *hls.Variant) { v.Other = []hls.Attr{{Name: "score", Value: "1"}} }), "attribute"},
		{"rendition without name", &hls.MasterPlaylist{Media: []hls.Rendition{{Type: hls.Audio, GroupID: "a"}}}, "NAME"},
		{"rendition bad type", &hls.MasterPlaylist{Media: []hls.Rendition{{Type: "TEXT", GroupID: "a", Name: "n"}}}, "TYPE"},
		{"I-frame variant without URI", &hls.MasterPlaylist{IFrameVariants: []hls.IFrameVariant{{Bandwidth: 1}}}, "without a URI"},
		// What the parser would reject is not written either.
		{"frame rate written as 0.000", variant(func(v *hls.Variant) { v.FrameRate = 0.0004 }), "frame rate"},
		{"bandwidth over 2^53", variant(func(v *hls.Variant) { v.Bandwidth = 1<<53 + 1 }), "BANDWIDTH"},
		{"resolution over 2^20", variant(func(v *hls.Variant) { v.Width, v.Height = 1<<20+1, 1 }), "resolution"},
		{"codec of blanks", variant(func(v *hls.Variant) { v.Codecs = []string{"\t"} }), "codec"},
		{"other attribute named as a modelled one", variant(func(v *hls.Variant) { v.Other = []hls.Attr{{Name: "BANDWIDTH", Value: "1"}} }), "BANDWIDTH"},
		{"other attribute PROGRAM-ID", variant(func(v *hls.Variant) { v.Other = []hls.Attr{{Name: "PROGRAM-ID", Value: "1"}} }), "PROGRAM-ID"},
		{"other attribute twice", variant(func(v *hls.Variant) { v.Other = []hls.Attr{{Name: "X-A", Value: "1"}, {Name: "X-A", Value: "2"}} }), "X-A"},
		{"other value with a comma", variant(func(v *hls.Variant) { v.Other = []hls.Attr{{Name: "X-A", Value: "1,X-B=2"}} }), "X-A"},
		{"other value with a quote inside", variant(func(v *hls.Variant) { v.Other = []hls.Attr{{Name: "X-A", Value: `a"b`}} }), "X-A"},
		{"other value with a lone quote", variant(func(v *hls.Variant) { v.Other = []hls.Attr{{Name: "X-A", Value: `"`}} }), "X-A"},
		{"other value with quotes inside quotes", variant(func(v *hls.Variant) { v.Other = []hls.Attr{{Name: "X-A", Value: `"a"b"`}} }), "X-A"},
		{"other value with a blank first", variant(func(v *hls.Variant) { v.Other = []hls.Attr{{Name: "X-A", Value: ` "a"`}} }), "X-A"},
		{"rendition other named URI", &hls.MasterPlaylist{Media: []hls.Rendition{{Type: hls.Audio, GroupID: "a", Name: "n", Other: []hls.Attr{{Name: "URI", Value: `"x"`}}}}}, "URI"},
		{"I-frame other named URI", &hls.MasterPlaylist{IFrameVariants: []hls.IFrameVariant{{Bandwidth: 1, URI: "i", Other: []hls.Attr{{Name: "URI", Value: `"x"`}}}}}, "URI"},
		{"date-time after 9999", seg(func(s *hls.Segment) { s.ProgramDateTime = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }), "date-time"},
		{"date-time before year 0", seg(func(s *hls.Segment) { s.ProgramDateTime = time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC) }), "date-time"},
		{"media version over 255", &hls.MediaPlaylist{Version: 256}, "version 256"},
		{"master version over 255", &hls.MasterPlaylist{Version: 256}, "version 256"},
		{"target over the longest duration", &hls.MediaPlaylist{TargetDuration: 2e9}, "target duration"},
		{"raw media tag the parser reads", &hls.MediaPlaylist{Tags: []string{"#EXT-X-TARGETDURATION:5"}}, "EXT-X-TARGETDURATION"},
		{"raw #EXTM3U", &hls.MediaPlaylist{TrailingTags: []string{"#EXTM3U"}}, "EXTM3U"},
		{"raw key on a segment", seg(func(s *hls.Segment) { s.Tags = []string{"#EXT-X-KEY:METHOD=NONE"} }), "EXT-X-KEY"},
		{"raw master tag in a media playlist", &hls.MediaPlaylist{Tags: []string{"#EXT-X-SESSION-DATA:DATA-ID=\"a\",VALUE=\"b\""}}, "EXT-X-SESSION-DATA"},
		{"raw variant in a master playlist", &hls.MasterPlaylist{Tags: []string{"#EXT-X-STREAM-INF:BANDWIDTH=1"}}, "EXT-X-STREAM-INF"},
		{"raw media tag in a master playlist", &hls.MasterPlaylist{Tags: []string{"#EXT-X-TARGETDURATION:5"}}, "EXT-X-TARGETDURATION"},
		{"master version too low", &hls.MasterPlaylist{Version: 6, Media: []hls.Rendition{{Type: hls.ClosedCaptions, GroupID: "cc", Name: "n", InstreamID: "SERVICE1"}}}, "needs 7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := tc.p.Encode()
			require.Error(t, err)
			require.Nil(t, b)
			require.True(t, errors.Is(err, hls.ErrInvalid), "errors.Is(%v, ErrInvalid)", err)
			require.Contains(t, err.Error(), tc.want)
			require.True(t, strings.HasPrefix(err.Error(), "hls: "), "got %q", err)
		})
	}
}

// What the encoder accepts at the edges still parses back.
func TestEncodeEdgesParse(t *testing.T) {
	m := &hls.MasterPlaylist{Version: 1, Variants: []hls.Variant{{URI: "v", Bandwidth: 1 << 53, Width: 1 << 20, Height: 1, FrameRate: 0.001,
		Codecs: []string{hls.AACLC}, Other: []hls.Attr{{Name: "X-Q", Value: `"a,b"`}, {Name: "X-E", Value: `""`}, {Name: "X-U", Value: "a b"}}}},
		Tags: []string{"#EXT-X-SESSION-DATA:DATA-ID=\"a\",VALUE=\"b\""}}
	require.Equal(t, m, mustMaster(t, string(mustEncode(t, m))))
	p := &hls.MediaPlaylist{Version: 255, TargetDuration: 1e9, Tags: []string{"#EXT-X-START:TIME-OFFSET=0"}, Segments: []hls.Segment{
		{URI: "a", Duration: 1, ProgramDateTime: time.Date(9999, 12, 31, 23, 59, 59, 999e6, time.UTC), Tags: []string{"#EXT-X-GAP"}},
		{URI: "b", Duration: 1, ProgramDateTime: time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)},
	}}
	back := mustMedia(t, string(mustEncode(t, p)))
	require.Equal(t, string(mustEncode(t, p)), string(mustEncode(t, back)))
	require.True(t, p.Segments[1].ProgramDateTime.Equal(back.Segments[1].ProgramDateTime))
}

func TestAppendEncodeMatchesEncode(t *testing.T) {
	p := vod(50, true)
	p.Segments[3].URI = "seg\nbroken.m4s"
	_, err := p.AppendEncode(nil)
	require.ErrorIs(t, err, hls.ErrInvalid, "a line break in a URI")
	p.Segments[3].URI = "seg3.m4s"

	want, err := p.Encode()
	require.NoError(t, err)
	buf := []byte("prefix:")
	got, err := p.AppendEncode(buf)
	require.NoError(t, err)
	require.Equal(t, "prefix:"+string(want), string(got))
	again, err := p.AppendEncode(got[:0])
	require.NoError(t, err)
	require.Equal(t, string(want), string(again), "a reused buffer")
}
