// The evidence behind writing v100's hls package on the standard library:
// what github.com/grafov/m3u8 and github.com/Eyevinn/hls-m3u8, the two
// playlist libraries a Go user would otherwise pick, get wrong.

package bench

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	ey "github.com/Eyevinn/hls-m3u8/m3u8"
	gr "github.com/grafov/m3u8"

	"github.com/v100video/v100/hls"
)

// playlistLib is one playlist library, seen through the few operations the
// checks need. Every function reports failure as an error, never by
// panicking on purpose; a panic is caught by the check that caused it.
type playlistLib struct {
	name string
	// fmp4 encodes a VOD media playlist of three 6.006 s fMP4 segments
	// after an EXT-X-MAP, built with the library's API and its defaults
	// (no version or target duration set by hand).
	fmp4 func() (string, error)
	// master encodes a master playlist with a subtitles rendition, a
	// variant and an I-frame variant, built with the library's API.
	master func() (string, error)
	// roundTrip parses s, leniently where the library has the choice, and
	// encodes what it parsed.
	roundTrip func(s string) (string, error)
	// targetDuration parses the media playlist s and returns its target
	// duration as the library holds it.
	targetDuration func(s string) (float64, error)
}

var errNotMedia = errors.New("not parsed as a media playlist")

var playlistLibs = []playlistLib{
	{
		name: "v100",
		fmp4: func() (string, error) {
			p := hls.MediaPlaylist{Type: hls.VOD, Map: &hls.Map{URI: "init.mp4"}, Ended: true}
			for i := range 3 {
				p.Segments = append(p.Segments, hls.Segment{URI: fmt.Sprintf("seg%d.m4s", i), Duration: 6.006})
			}
			b, err := p.Encode()
			return string(b), err
		},
		master: func() (string, error) {
			m := hls.MasterPlaylist{
				Media: []hls.Rendition{{Type: hls.Subtitles, GroupID: "subs", Name: "English",
					Language: "en", Autoselect: true, URI: "subs/en.m3u8"}},
				Variants: []hls.Variant{{URI: "v0.m3u8", Bandwidth: 1_000_000,
					Codecs: []string{"avc1.64001f", "mp4a.40.2"}, Width: 1280, Height: 720,
					FrameRate: 29.97, Subtitles: "subs", ClosedCaptions: "NONE"}},
				IFrameVariants: []hls.IFrameVariant{{URI: "iframe.m3u8", Bandwidth: 100_000,
					Codecs: []string{"avc1.64001f"}, Width: 1280, Height: 720}},
			}
			b, err := m.Encode()
			return string(b), err
		},
		roundTrip: func(s string) (string, error) {
			m, p, err := hls.Parse(strings.NewReader(s))
			if err != nil {
				return "", err
			}
			var b []byte
			if m != nil {
				b, err = m.Encode()
			} else {
				b, err = p.Encode()
			}
			return string(b), err
		},
		targetDuration: func(s string) (float64, error) {
			p, err := hls.ParseMedia(strings.NewReader(s))
			if err != nil {
				return 0, err
			}
			return float64(p.TargetDuration), nil
		},
	},
	{
		name: "grafov",
		fmp4: func() (string, error) {
			p, err := gr.NewMediaPlaylist(0, 3)
			if err != nil {
				return "", err
			}
			p.MediaType = gr.VOD
			p.SetDefaultMap("init.mp4", 0, 0)
			for i := range 3 {
				if err := p.Append(fmt.Sprintf("seg%d.m4s", i), 6.006, ""); err != nil {
					return "", err
				}
			}
			p.Close()
			return p.Encode().String(), nil
		},
		master: func() (string, error) {
			m := gr.NewMasterPlaylist()
			m.Append("v0.m3u8", nil, gr.VariantParams{Bandwidth: 1_000_000,
				Codecs: "avc1.64001f,mp4a.40.2", Resolution: "1280x720", FrameRate: 29.97,
				Captions: "NONE", Subtitles: "subs",
				Alternatives: []*gr.Alternative{{Type: "SUBTITLES", GroupId: "subs", Name: "English",
					Language: "en", Autoselect: "YES", URI: "subs/en.m3u8"}}})
			m.Append("iframe.m3u8", nil, gr.VariantParams{Bandwidth: 100_000, Iframe: true,
				Codecs: "avc1.64001f", Resolution: "1280x720"})
			return m.Encode().String(), nil
		},
		roundTrip: func(s string) (string, error) {
			p, _, err := gr.DecodeFrom(strings.NewReader(s), false)
			if err != nil {
				return "", err
			}
			return p.Encode().String(), nil
		},
		targetDuration: func(s string) (float64, error) {
			p, _, err := gr.DecodeFrom(strings.NewReader(s), true)
			if err != nil {
				return 0, err
			}
			mp, ok := p.(*gr.MediaPlaylist)
			if !ok {
				return 0, errNotMedia
			}
			return mp.TargetDuration, nil
		},
	},
	{
		name: "eyevinn",
		fmp4: func() (string, error) {
			p, err := ey.NewMediaPlaylist(0, 3)
			if err != nil {
				return "", err
			}
			p.MediaType = ey.VOD
			p.SetDefaultMap("init.mp4", 0, 0)
			for i := range 3 {
				if err := p.Append(fmt.Sprintf("seg%d.m4s", i), 6.006, ""); err != nil {
					return "", err
				}
			}
			p.Close()
			return p.Encode().String(), nil
		},
		master: func() (string, error) {
			m := ey.NewMasterPlaylist()
			m.Append("v0.m3u8", nil, ey.VariantParams{Bandwidth: 1_000_000,
				Codecs: "avc1.64001f,mp4a.40.2", Resolution: "1280x720", FrameRate: 29.97,
				Captions: "NONE", Subtitles: "subs",
				Alternatives: []*ey.Alternative{{Type: "SUBTITLES", GroupId: "subs", Name: "English",
					Language: "en", Autoselect: true, URI: "subs/en.m3u8"}}})
			m.Append("iframe.m3u8", nil, ey.VariantParams{Bandwidth: 100_000, Iframe: true,
				Codecs: "avc1.64001f", Resolution: "1280x720"})
			return m.Encode().String(), nil
		},
		roundTrip: func(s string) (string, error) {
			p, _, err := ey.DecodeFrom(strings.NewReader(s), false)
			if err != nil {
				return "", err
			}
			return p.Encode().String(), nil
		},
		targetDuration: func(s string) (float64, error) {
			p, _, err := ey.DecodeFrom(strings.NewReader(s), true)
			if err != nil {
				return 0, err
			}
			mp, ok := p.(*ey.MediaPlaylist)
			if !ok {
				return 0, errNotMedia
			}
			return float64(mp.TargetDuration), nil
		},
	},
}

// Inputs of the checks.
const (
	// mediaWithUnknownTags is a version 3 MPEG-TS playlist with a header
	// tag and two segment tags no library models. Its TARGETDURATION of 6
	// is right for 6.006 s segments (RFC 8216 4.3.3.1 rounds to the
	// nearest integer).
	mediaWithUnknownTags = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-FOO:bar\n" +
		"#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:6.006,\n#EXT-X-SEG-TAG:1\nseg0.ts\n" +
		"#EXT-X-SEG-TAG:2\n#EXTINF:6.006,\nseg1.ts\n#EXT-X-ENDLIST\n"
	// mediaFMP4V7 is a version 7 fMP4 playlist of 6.006 s segments
	// declaring TARGETDURATION 6, valid under every reading of the rules.
	mediaFMP4V7 = "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:6\n#EXT-X-MAP:URI=\"init.mp4\"\n" +
		"#EXTINF:6.006,\na.m4s\n#EXTINF:6.006,\nb.m4s\n#EXT-X-ENDLIST\n"
	// masterWithUnknownTags is a version 6 master playlist, where
	// PROGRAM-ID no longer exists, with a vendor tag.
	masterWithUnknownTags = "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-SESSION-DATA:DATA-ID=\"com.x\",VALUE=\"y\"\n" +
		"#EXT-X-BAR:baz\n#EXT-X-STREAM-INF:BANDWIDTH=1000,CODECS=\"avc1.64001f,mp4a.40.2\"\nv.m3u8\n"
)

// fuzzInputs are the minimal inputs on which go test -fuzz made a peer's
// parser panic (grafov the first, Eyevinn the second), and the same
// behind an #EXTM3U header, so that a parser that rejects a missing header
// still has to read the tag.
var fuzzInputs = []string{
	"#EXT-X-MAP:\n0",
	"#EXT-X-KEY:\n00",
	"#EXTM3U\n#EXT-X-MAP:\n0",
	"#EXTM3U\n#EXT-X-KEY:\n00",
}

// catch runs f and returns what it panicked with, if it did.
func catch(f func()) (panicked any) {
	defer func() { panicked = recover() }()
	f()
	return nil
}

// tagValue returns the value of the first line of s that starts with tag
// (which includes its colon), or "absent".
func tagValue(s, tag string) string {
	for line := range strings.Lines(s) {
		if v, ok := strings.CutPrefix(line, tag); ok {
			return strings.TrimRight(v, "\r\n")
		}
	}
	return "absent"
}

// playlistCheck looks for one problem in one library: bad says whether it
// shows, detail what was seen.
type playlistCheck struct {
	name string
	run  func(l playlistLib) (bad bool, detail string, err error)
}

var playlistChecks = []playlistCheck{
	{
		name: "fMP4 written with VERSION < 6",
		run: func(l playlistLib) (bool, string, error) {
			out, err := l.fmp4()
			if err != nil {
				return false, "", err
			}
			if !strings.Contains(out, "#EXT-X-MAP:") {
				return false, "", fmt.Errorf("no EXT-X-MAP written:\n%s", out)
			}
			v := tagValue(out, "#EXT-X-VERSION:")
			n, err := strconv.Atoi(v)
			return err != nil || n < 6, "EXT-X-VERSION:" + v, nil
		},
	},
	{
		name: "PROGRAM-ID written",
		run: func(l playlistLib) (bool, string, error) {
			built, err := l.master()
			if err != nil {
				return false, "", err
			}
			again, err := l.roundTrip(masterWithUnknownTags)
			if err != nil {
				return false, "", err
			}
			b, a := strings.Contains(built, "PROGRAM-ID"), strings.Contains(again, "PROGRAM-ID")
			return b || a, fmt.Sprintf("built master: %s; re-encoded VERSION:6 master: %s", yesNo(b), yesNo(a)), nil
		},
	},
	{
		name: "6.006 s segments give TARGETDURATION 7",
		run: func(l playlistLib) (bool, string, error) {
			out, err := l.fmp4()
			if err != nil {
				return false, "", err
			}
			v := tagValue(out, "#EXT-X-TARGETDURATION:")
			return v != "6", "EXT-X-TARGETDURATION:" + v + " (RFC 8216: 6)", nil
		},
	},
	{
		name: "unknown tag dropped on re-encode",
		run: func(l playlistLib) (bool, string, error) {
			var dropped []string
			for _, c := range []struct{ in, tag string }{
				{mediaWithUnknownTags, "#EXT-X-FOO:bar"},
				{mediaWithUnknownTags, "#EXT-X-SEG-TAG:1"},
				{mediaWithUnknownTags, "#EXT-X-SEG-TAG:2"},
				{masterWithUnknownTags, "#EXT-X-BAR:baz"},
			} {
				out, err := l.roundTrip(c.in)
				if err != nil {
					return false, "", err
				}
				if !strings.Contains(out, c.tag) {
					dropped = append(dropped, c.tag)
				}
			}
			if len(dropped) == 0 {
				return false, "all 4 kept", nil
			}
			return true, fmt.Sprintf("%d of 4 dropped: %s", len(dropped), strings.Join(dropped, " ")), nil
		},
	},
	{
		name: "parser replaces declared TARGETDURATION",
		run: func(l playlistLib) (bool, string, error) {
			bad := false
			var detail []string
			for _, c := range []struct{ name, in string }{
				{"VERSION:3 TS", mediaWithUnknownTags},
				{"VERSION:7 fMP4", mediaFMP4V7},
			} {
				td, err := l.targetDuration(c.in)
				if err != nil {
					return false, "", fmt.Errorf("%s: %w", c.name, err)
				}
				bad = bad || td != 6
				detail = append(detail, fmt.Sprintf("%s: declared 6, parsed %g", c.name, td))
			}
			return bad, strings.Join(detail, "; "), nil
		},
	},
	{
		name: "panic on fuzzer's minimal input",
		run: func(l playlistLib) (bool, string, error) {
			bad := false
			var detail []string
			for _, in := range fuzzInputs {
				var err error
				p := catch(func() { _, err = l.roundTrip(in) })
				var what string
				switch {
				case p != nil:
					bad = true
					what = fmt.Sprintf("PANIC (%v)", p)
				case err != nil:
					what = fmt.Sprintf("error (%v)", err)
				default:
					what = "parsed"
				}
				detail = append(detail, fmt.Sprintf("%q: %s", in, what))
			}
			return bad, strings.Join(detail, "; "), nil
		},
	},
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// TestPeerPlaylistLibraries runs every check on v100's hls and on the
// peers, logs one line per library per check and a summary table, and
// fails only if v100 shows a problem: a peer fixing a bug must not break
// CI, so the peers' results are only logged.
func TestPeerPlaylistLibraries(t *testing.T) {
	// results[check][lib] is "yes" when the problem shows.
	results := make([][]string, len(playlistChecks))
	for i, c := range playlistChecks {
		results[i] = make([]string, len(playlistLibs))
		for j, l := range playlistLibs {
			var (
				bad    bool
				detail string
				err    error
			)
			if p := catch(func() { bad, detail, err = c.run(l) }); p != nil {
				bad, detail = true, fmt.Sprintf("PANIC (%v)", p)
			}
			cell := yesNo(bad)
			if err != nil {
				cell, detail = "error", err.Error()
			}
			results[i][j] = cell
			t.Logf("%-40s %-8s %-5s %s", c.name, l.name, cell, detail)
			if l.name == "v100" && cell != "no" {
				t.Errorf("v100: %s: %s", c.name, detail)
			}
		}
	}

	var sb strings.Builder
	row := func(first string, cells []string) {
		line := fmt.Sprintf("%-40s", first)
		for _, c := range cells {
			line += fmt.Sprintf(" %-8s", c)
		}
		sb.WriteString(strings.TrimRight(line, " "))
		sb.WriteByte('\n')
	}
	names := make([]string, len(playlistLibs))
	for j, l := range playlistLibs {
		names[j] = l.name
	}
	sb.WriteString("summary (yes = the problem shows):\n")
	row("check", names)
	for i, c := range playlistChecks {
		row(c.name, results[i])
	}
	t.Log(sb.String())
}
