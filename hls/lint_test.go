package hls_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/hls"
)

func TestLintValid(t *testing.T) {
	require.Empty(t, hls.LintMedia(vod(5, true)))
	require.Empty(t, hls.LintMedia(vod(5, false)))
	require.Empty(t, hls.LintMaster(master()))
	require.Empty(t, hls.Lint(mustEncode(t, vod(5, true))))
	require.Empty(t, hls.Lint(mustEncode(t, master())))
	// Valid by RFC 8216 though unusual: integer durations in version 1,
	// and in version 3 a target rounded down from 6.006, as ffmpeg writes.
	require.Empty(t, hls.Lint([]byte("#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\na.ts\n")))
	require.Empty(t, hls.Lint([]byte("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXTINF:6.006,\na.ts\n")))
}

// The playlists ffmpeg 5.1 writes (testdata/ffmpeg, from -hls_time 2 on
// 29.97 fps video) lint clean, as do their re-encodings.
func TestLintFFmpegOutput(t *testing.T) {
	for _, tc := range []struct {
		file, version string
	}{{"ffmpeg5.1_ts.m3u8", "3"}, {"ffmpeg5.1_fmp4.m3u8", "7"}} {
		t.Run(tc.file, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("testdata", "ffmpeg", tc.file))
			require.NoError(t, err)
			require.Empty(t, hls.Lint(src))
			p := mustMedia(t, string(src))
			require.Empty(t, hls.LintMedia(p))
			require.Equal(t, 2, p.TargetDuration)
			out := mustEncode(t, p)
			require.Empty(t, hls.Lint(out))
			require.Contains(t, string(out), "#EXT-X-VERSION:"+tc.version+"\n#EXT-X-TARGETDURATION:2\n")
			require.Contains(t, string(out), "#EXTINF:2.002,\n")
		})
	}
}

// TestLintText checks that each rule fires on text, on the right line.
func TestLintText(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want []hls.Problem
	}{
		{"syntax", "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:x,\na\n",
			[]hls.Problem{{3, hls.RuleSyntax, `EXTINF duration "x" is not a non-negative decimal number`}}},
		{"byte order mark", "\uFEFF#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\na\n",
			[]hls.Problem{{1, hls.RuleBOM, "playlists must not start with a byte order mark"}}},
		{"target shorter than a rounded segment", "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\na\n#EXTINF:6.5,\nb\n",
			[]hls.Problem{{6, hls.RuleTargetDuration, `segment 1 ("b") lasts 6.500 s, which rounds to 7, over EXT-X-TARGETDURATION:6`}}},
		// Rounded as written, 6.4996 is 6: the millisecond it is written
		// to by Encode does not count in text.
		{"a duration just under the half", "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXTINF:6.4996,\na\n", nil},
		{"a duration just over the half", "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXTINF:6.5001,\na\n",
			[]hls.Problem{{4, hls.RuleTargetDuration, `segment 0 ("a") lasts 6.5001 s, which rounds to 7, over EXT-X-TARGETDURATION:6`}}},
		{"fMP4 declared version 5", "#EXTM3U\n#EXT-X-VERSION:5\n#EXT-X-TARGETDURATION:6\n#EXT-X-MAP:URI=\"i.mp4\"\n#EXTINF:6,\na\n",
			[]hls.Problem{{2, hls.RuleVersion, "EXT-X-VERSION:5 is too low: EXT-X-MAP in a playlist without EXT-X-I-FRAMES-ONLY needs version 6"}}},
		{"byte ranges in version 3", "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\n#EXT-X-BYTERANGE:10@0\na\n",
			[]hls.Problem{{2, hls.RuleVersion, "EXT-X-VERSION:3 is too low: EXT-X-BYTERANGE needs version 4"}}},
		{"decimal durations without a version", "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:5.5,\na\n",
			[]hls.Problem{{0, hls.RuleVersion, "no EXT-X-VERSION (version 1) is too low: floating-point EXTINF durations needs version 3"}}},
		{"a decimal point without a version", "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6.000,\na\n",
			[]hls.Problem{{0, hls.RuleVersion, "no EXT-X-VERSION (version 1) is too low: floating-point EXTINF durations needs version 3"}}},
		{"a decimal point in version 2", "#EXTM3U\n#EXT-X-VERSION:2\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\na\n#EXTINF:6.,\nb\n",
			[]hls.Problem{{2, hls.RuleVersion, "EXT-X-VERSION:2 is too low: floating-point EXTINF durations needs version 3"}}},
		{"VOD without ENDLIST", "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:6,\na\n",
			[]hls.Problem{{4, hls.RuleEndList, "a VOD playlist must end with EXT-X-ENDLIST"}}},
		{"variant without BANDWIDTH and CODECS", "#EXTM3U\n#EXT-X-STREAM-INF:RESOLUTION=1x1\nv.m3u8\n",
			[]hls.Problem{{2, hls.RuleBandwidth, `variant "v.m3u8" has no BANDWIDTH`}, {2, hls.RuleCodecs, `variant "v.m3u8" has no CODECS`}}},
		{"average over peak", "#EXTM3U\n#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,AVERAGE-BANDWIDTH=2,CODECS=\"avc1.64001f\",URI=\"i\"\n",
			[]hls.Problem{{2, hls.RuleBandwidth, `I-frame variant "i": AVERAGE-BANDWIDTH 2 exceeds BANDWIDTH 1`}}},
		{"missing subtitles group", "#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"subs\",NAME=\"x\"\n#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=\"a\",SUBTITLES=\"subs\"\nv\n",
			[]hls.Problem{{3, hls.RuleGroup, `variant "v" names SUBTITLES group "subs", which has no EXT-X-MEDIA`}}},
		{"subtitles without URI", "#EXTM3U\n#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"s\",NAME=\"en\"\n#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=\"a\",SUBTITLES=\"s\"\nv\n",
			[]hls.Problem{{2, hls.RuleRendition, `EXT-X-MEDIA "en" in group "s": SUBTITLES renditions need a URI`}}},
		{"two defaults and a repeated name", "#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"x\",DEFAULT=YES\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"x\",DEFAULT=YES\n",
			[]hls.Problem{{3, hls.RuleRendition, `EXT-X-MEDIA "x" in group "a": a second DEFAULT=YES in the group`}, {3, hls.RuleRendition, `EXT-X-MEDIA "x" in group "a": NAME repeated in the group`}}},
		{"CLOSED-CAPTIONS=NONE on some variants", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=\"a\",CLOSED-CAPTIONS=NONE\na\n#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=\"a\"\nb\n",
			[]hls.Problem{{4, hls.RuleClosedCaptions, `variant "b" lacks CLOSED-CAPTIONS=NONE, which another variant has: then all must`}}},
		{"master version below SERVICE captions", "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID=\"cc\",NAME=\"x\",INSTREAM-ID=\"SERVICE1\"\n",
			[]hls.Problem{{2, hls.RuleVersion, "EXT-X-VERSION:6 is too low: INSTREAM-ID=SERVICEn in EXT-X-MEDIA needs version 7"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, hls.Lint([]byte(tc.in)))
		})
	}
}

// TestLintValues covers the rules that only a built value can break.
func TestLintValues(t *testing.T) {
	bad := vod(3, false)
	bad.Segments[0].Duration = math.NaN()
	bad.Segments[1].Duration = -2
	bad.Segments[2].URI = ""
	require.Equal(t, []string{hls.RuleDuration, hls.RuleDuration, hls.RuleURI}, rules(hls.LintMedia(bad)))

	p := vod(3, false)
	p.TargetDuration = 5
	require.Equal(t, []string{hls.RuleTargetDuration, hls.RuleTargetDuration}, rules(hls.LintMedia(p)), "the last segment is 2.5 s")
	p.TargetDuration = 0
	p.Version, p.Map = 5, &hls.Map{URI: "init.mp4"}
	require.Equal(t, []string{hls.RuleVersion}, rules(hls.LintMedia(p)))

	m := master()
	m.Variants[0].URI = ""
	m.Variants[1].Audio = "aac"
	m.Media = append(m.Media,
		hls.Rendition{Type: hls.ClosedCaptions, GroupID: "cc", Name: "cc", URI: "x"},
		hls.Rendition{Type: hls.ClosedCaptions, GroupID: "cc", Name: "cc2"},
		hls.Rendition{Type: hls.Audio, GroupID: "a", Name: "a", Forced: true})
	m.IFrameVariants[0].Video = "nope"
	require.Equal(t, []string{hls.RuleRendition, hls.RuleRendition, hls.RuleRendition, hls.RuleURI, hls.RuleGroup, hls.RuleGroup},
		rules(hls.LintMaster(m)))
	for _, pr := range hls.LintMaster(m) {
		require.Zero(t, pr.Line, "values have no lines")
	}
}

func TestProblemString(t *testing.T) {
	require.Equal(t, "line 3: uri: x", hls.Problem{Line: 3, Rule: hls.RuleURI, Msg: "x"}.String())
	require.Equal(t, "uri: x", hls.Problem{Rule: hls.RuleURI, Msg: "x"}.String())
}

// live is a live playlist from sequence seq holding segments named by
// number, a discontinuity before each number in disc.
func live(seq uint64, discSeq uint64, n int, disc ...int) *hls.MediaPlaylist {
	p := &hls.MediaPlaylist{TargetDuration: 4, MediaSequence: seq, DiscontinuitySequence: discSeq}
	for i := range n {
		num := int(seq) + i
		s := hls.Segment{URI: "s" + itoa(num) + ".ts", Duration: 4}
		for _, d := range disc {
			s.Discontinuity = s.Discontinuity || d == num
		}
		p.Segments = append(p.Segments, s)
	}
	return p
}

func itoa(n int) string { return fmt.Sprintf("%03d", n) }

func TestLintUpdate(t *testing.T) {
	event := func(p *hls.MediaPlaylist) *hls.MediaPlaylist { p.Type = hls.Event; return p }
	ended := func(p *hls.MediaPlaylist) *hls.MediaPlaylist { p.Ended = true; return p }
	changed := live(11, 0, 3)
	changed.Segments[0].URI = "other.ts"
	longer := live(11, 0, 3)
	longer.Segments[1].Duration = 3
	target := live(11, 0, 3)
	target.TargetDuration = 6
	version := func(v int, p *hls.MediaPlaylist) *hls.MediaPlaylist { p.Version = v; return p }
	for _, tc := range []struct {
		name       string
		prev, next *hls.MediaPlaylist
		want       []string
	}{
		{"slides by one", live(10, 0, 3), live(11, 0, 3), nil},
		{"slides past a discontinuity", live(10, 0, 3, 10, 12), live(11, 1, 3, 12), nil},
		{"slides by more than the window", live(10, 0, 3, 11), live(20, 1, 3), nil},
		{"unchanged", live(10, 0, 3), live(10, 0, 3), nil},
		{"event grows", event(live(0, 0, 3)), event(live(0, 0, 4)), nil},
		{"ended stays", ended(live(0, 0, 3)), ended(live(0, 0, 3)), nil},
		{"media sequence back", live(10, 0, 3), live(9, 0, 3), []string{hls.RuleMediaSequence}},
		{"segment URI changed", live(10, 0, 3), changed, []string{hls.RuleSegmentChanged}},
		{"segment duration changed", live(10, 0, 3), longer, []string{hls.RuleSegmentChanged}},
		{"discontinuity sequence not advanced", live(10, 0, 3, 10), live(11, 0, 3), []string{hls.RuleDiscontinuitySequence}},
		{"discontinuity sequence advanced wrongly", live(10, 0, 3), live(11, 1, 3), []string{hls.RuleDiscontinuitySequence}},
		{"discontinuity sequence behind after a jump", live(10, 0, 3, 10), live(20, 0, 3), []string{hls.RuleDiscontinuitySequence}},
		{"target changed", live(10, 0, 3), target, []string{hls.RuleTargetChanged}},
		{"type changed", event(live(0, 0, 3)), live(0, 0, 3), []string{hls.RuleTypeChanged}},
		{"version went down", version(4, live(10, 0, 3)), version(3, live(11, 0, 3)), []string{hls.RuleVersionChanged}},
		{"version went up", version(3, live(10, 0, 3)), version(4, live(11, 0, 3)), []string{hls.RuleVersionChanged}},
		{"version the same", version(3, live(10, 0, 3)), version(3, live(11, 0, 3)), nil},
		{"version computed", live(10, 0, 3), version(4, live(11, 0, 3)), nil},
		{"event lost a segment", event(live(0, 0, 3)), event(live(1, 0, 2)), []string{hls.RuleEvent}},
		{"changed after ENDLIST", ended(live(0, 0, 3)), ended(live(0, 0, 4)), []string{hls.RuleEnded}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, rules(hls.LintUpdate(tc.prev, tc.next)))
		})
	}
}
