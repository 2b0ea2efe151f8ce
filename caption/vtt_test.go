package caption_test

import (
	"bytes"
	"cmp"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/caption"
)

func init() {
	// Another test file of the package may define -update too.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files under testdata/golden")
	}
}

// cueGolden compares got with testdata/golden/name, or writes it with
// -update.
func cueGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create it")
	require.Equal(t, string(want), string(got), "golden file %s (go test -update rewrites it)", path)
}

// cueParseTest is a file a parser must accept, and the cues it holds.
type cueParseTest struct {
	name string
	in   string
	want []caption.Cue
}

// cueErrorTest is a file a parser must refuse: the line and the category of
// the error, and words of its message.
type cueErrorTest struct {
	name string
	in   string
	line int
	err  error
	msg  string
}

// withSettings sets a cue's settings.
func withSettings(c caption.Cue, s string) caption.Cue { c.Settings = s; return c }

var vttParseTests = []cueParseTest{
	{"minimal", "WEBVTT\n\n00:01.000 --> 00:02.500\nHello\n",
		[]caption.Cue{mkCue(1000, 2500, "Hello")}},
	{"no cues", "WEBVTT\n", nil},
	{"BOM, CRLF, header text and lines, identifier, settings",
		"\uFEFFWEBVTT - a title\r\nKind: captions\r\nLanguage: en\r\n\r\n1\r\n00:00:01.000 --> 00:00:02.000 align:start line:0\r\nHello\r\nworld\r\n\r\n",
		[]caption.Cue{withSettings(mkCue(1000, 2000, "Hello\nworld"), "align:start line:0")}},
	{"CR line endings", "WEBVTT\r\r00:01.000 --> 00:02.000\rone\rtwo\r",
		[]caption.Cue{mkCue(1000, 2000, "one\ntwo")}},
	{"tab after WEBVTT, no final newline", "WEBVTT\tx\n\n00:01.000 --> 00:02.000\nend",
		[]caption.Cue{mkCue(1000, 2000, "end")}},
	{"NOTE, STYLE and REGION blocks",
		"WEBVTT\n\nREGION\nid:fred width:40%\n\nSTYLE\n::cue { color: red }\n\nNOTE a comment\nthat spans lines\n\n" +
			"intro\n00:00:01.000 --> 00:00:02.000 region:fred\n<v Bob>Hi</v>\n\nNOTE\nafter\n\nNOTES are not notes\n00:03.000 --> 00:04.000\nx\n",
		[]caption.Cue{withSettings(mkCue(1000, 2000, "<v Bob>Hi</v>"), "region:fred"), mkCue(3000, 4000, "x")}},
	{"hours of any length, up to the limit", "WEBVTT\n\n99:59:59.999 --> 100:00:00.000\nlate\n",
		[]caption.Cue{{Start: 100*time.Hour - msec, End: 100 * time.Hour, Text: "late"}}},
	{"comma before the milliseconds", "WEBVTT\n\n00:00:01,000 --> 00:00:02,000\nsrt-ish\n",
		[]caption.Cue{mkCue(1000, 2000, "srt-ish")}},
	{"short or missing fractions", "WEBVTT\n\n00:01.5 --> 00:02\nx\n",
		[]caption.Cue{mkCue(1500, 2000, "x")}},
	{"a block without timings is skipped", "WEBVTT\n\njunk\nmore junk\n\nid\nnot a timing\n\n00:01.000 --> 00:02.000\nx\n",
		[]caption.Cue{mkCue(1000, 2000, "x")}},
	{"a timing line right after the header", "WEBVTT\n00:01.000 --> 00:02.000\nx\n",
		[]caption.Cue{mkCue(1000, 2000, "x")}},
	{"a timing line ends the text before it", "WEBVTT\n\n00:01.000 --> 00:02.000\nx\n00:03.000 --> 00:04.000\ny\n",
		[]caption.Cue{mkCue(1000, 2000, "x"), mkCue(3000, 4000, "y")}},
	{"a line of spaces ends a cue", "WEBVTT\n\n00:01.000 --> 00:02.000\nx\n  \t\ny\n",
		[]caption.Cue{mkCue(1000, 2000, "x")}},
	{"empty text and zero length kept", "WEBVTT\n\n00:01.000 --> 00:01.000\n\n",
		[]caption.Cue{mkCue(1000, 1000, "")}},
	{"no spaces around the arrow", "WEBVTT\n\n00:01.000-->00:02.000\nx\n",
		[]caption.Cue{mkCue(1000, 2000, "x")}},
	{"out of order, kept", "WEBVTT\n\n00:05.000 --> 00:06.000\nb\n\n00:01.000 --> 00:02.000\na\n",
		[]caption.Cue{mkCue(5000, 6000, "b"), mkCue(1000, 2000, "a")}},
	{"invalid UTF-8 replaced", "WEBVTT\n\n00:01.000 --> 00:02.000\ncaf\xe9\n",
		[]caption.Cue{mkCue(1000, 2000, "caf\uFFFD")}},
}

var vttErrorTests = []cueErrorTest{
	{"empty", "", 1, caption.ErrSyntax, "WEBVTT"},
	{"no header", "00:01.000 --> 00:02.000\nx\n", 1, caption.ErrSyntax, "WEBVTT"},
	{"header run on", "WEBVTTX\n", 1, caption.ErrSyntax, "WEBVTT"},
	{"end before start", "WEBVTT\n\n00:02.000 --> 00:01.000\nx\n", 3, caption.ErrTime,
		"end 00:00:01.000 before start 00:00:02.000"},
	{"negative", "WEBVTT\n\n-00:01.000 --> 00:02.000\nx\n", 3, caption.ErrTime, "negative"},
	{"absurd hours", "WEBVTT\n\n99999:00:00.000 --> 99999:00:01.000\nx\n", 3, caption.ErrTime, "beyond 100h"},
	{"just past the limit", "WEBVTT\n\n00:00.000 --> 100:00:00.001\nx\n", 3, caption.ErrTime, "end time"},
	{"twenty digits of hours", "WEBVTT\n\n12345678901234567890:00:00.000 --> 00:01.000\n", 3, caption.ErrTime, "beyond"},
	{"minutes of 60", "WEBVTT\n\nx\n00:60:00.000 --> 01:00:00.000\n", 4, caption.ErrSyntax, "bad minutes"},
	{"four digits of milliseconds", "WEBVTT\n\n00:01.0000 --> 00:02.000\n", 3, caption.ErrSyntax, "bad milliseconds"},
	{"garbage end", "WEBVTT\n\n00:01.000 --> soon\n", 3, caption.ErrSyntax, "end time \"soon\""},
	{"missing end", "WEBVTT\n\n00:01.000 -->\n", 3, caption.ErrSyntax, "end time \"\": missing"},
	{"two arrows", "WEBVTT\n\n00:01.000 --> 00:02.000 --> 00:03.000\n", 3, caption.ErrSyntax, "two"},
	{"a NUL byte", "WEBVTT\n\n00:01.000 --> 00:02.000\nx\x00y\n", 4, caption.ErrSyntax, "NUL"},
	{"a line too long", "WEBVTT\n\n00:01.000 --> 00:02.000\n" + strings.Repeat("x", caption.MaxLineBytes+1) + "\n",
		4, caption.ErrTooLarge, "line longer than 16384 bytes"},
	{"too many cues", "WEBVTT\n\n" + strings.Repeat("00:01.000 --> 00:02.000\nx\n\n", caption.MaxCues+1),
		3*caption.MaxCues + 3, caption.ErrTooLarge, "more than 100000 cues"},
	{"too large a file", "WEBVTT\n\n" + strings.Repeat("x", caption.MaxFileBytes), 3, caption.ErrTooLarge, "larger than"},
}

// checkCueParse runs parse on the tests of a format.
func checkCueParse(t *testing.T, parse func(*bytes.Reader) ([]caption.Cue, error), ok []cueParseTest, bad []cueErrorTest, format string) {
	for _, tc := range ok {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parse(bytes.NewReader([]byte(tc.in)))
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parse(bytes.NewReader([]byte(tc.in)))
			require.Nil(t, got)
			require.ErrorIs(t, err, tc.err)
			var pe *caption.ParseError
			require.ErrorAs(t, err, &pe)
			require.Equal(t, tc.line, pe.Line, "line of %v", err)
			require.Equal(t, format, pe.Format)
			require.Contains(t, err.Error(), tc.msg)
		})
	}
}

func TestParseVTT(t *testing.T) {
	checkCueParse(t, func(r *bytes.Reader) ([]caption.Cue, error) { return caption.ParseVTT(r) },
		vttParseTests, vttErrorTests, "WebVTT")
}

func TestParseErrorMessage(t *testing.T) {
	_, err := caption.ParseVTT(strings.NewReader("WEBVTT\n\n00:02.000 --> 00:01.000\n"))
	require.EqualError(t, err, "caption: WebVTT line 3: end 00:00:01.000 before start 00:00:02.000")
	_, err = caption.Normalize(strings.NewReader("1\n00:00:02,000 --> 00:00:01,000\n"), "talk.srt")
	require.EqualError(t, err, "caption: talk.srt: SRT line 2: end 00:00:01.000 before start 00:00:02.000")
}

// goldenCues exercise the writers: settings, markup, several lines,
// times past an hour and beyond 99 hours, and rounding.
var goldenCues = []caption.Cue{
	{Start: 0, End: 1500 * msec, Text: "First"},
	{Start: 1500 * msec, End: 4 * time.Second, Text: "<v Ann>Two lines,\n<i>one</i> in italics</v>", Settings: "line:0 align:start"},
	{Start: 4 * time.Second, End: 6 * time.Second, Text: "Tom &amp; Jerry &lt;3 <c.yellow>colour</c> <00:00:05.000>now"},
	{Start: 3723*time.Second + 456*msec, End: 3725 * time.Second, Text: "after an hour"},
	{Start: 99 * time.Hour, End: 99*time.Hour + 1400*time.Microsecond, Text: "rounded: 99:00:00.001"},
}

func TestWriteVTTGolden(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, caption.WriteVTT(&b, goldenCues))
	cueGolden(t, "cues.vtt", b.Bytes())
}

// invalidCues are cue lists both writers refuse.
var invalidCues = []struct {
	name string
	cues []caption.Cue
	msg  string
}{
	{"negative start", []caption.Cue{mkCue(-1, 1000, "x")}, "cue 0 at -00:00:00.001: negative start"},
	{"unsorted", []caption.Cue{mkCue(2000, 3000, "b"), mkCue(1000, 4000, "a")}, "cue 1 at 00:00:01.000: starts before the previous cue"},
	{"zero length", []caption.Cue{mkCue(1000, 1000, "x")}, "not after start"},
	{"zero length once rounded", []caption.Cue{{Start: time.Second, End: time.Second + 400*time.Microsecond, Text: "x"}}, "not after start"},
	{"end before start", []caption.Cue{mkCue(2000, 1000, "x")}, "not after start"},
	{"beyond the time limit", []caption.Cue{{Start: 0, End: caption.MaxCueTime + msec, Text: "x"}}, "end beyond 100h"},
	{"empty text", []caption.Cue{mkCue(0, 1000, "")}, "empty text"},
	{"a blank line", []caption.Cue{mkCue(0, 1000, "a\n\nb")}, "blank line"},
	{"a line of spaces", []caption.Cue{mkCue(0, 1000, "a\n \nb")}, "blank line"},
	{"a final newline", []caption.Cue{mkCue(0, 1000, "a\n")}, "blank line"},
	{"an arrow", []caption.Cue{mkCue(0, 1000, "a --> b")}, "-->"},
	{"a carriage return", []caption.Cue{mkCue(0, 1000, "a\rb")}, "carriage return"},
	{"a NUL", []caption.Cue{mkCue(0, 1000, "a\x00")}, "NUL"},
	{"a line too long", []caption.Cue{mkCue(0, 1000, strings.Repeat("x", caption.MaxLineBytes+1))}, "longer than"},
	{"settings on two lines", []caption.Cue{withSettings(mkCue(0, 1000, "x"), "line:0\nalign:start")}, "settings"},
}

func TestWritersRefuseInvalidCues(t *testing.T) {
	writers := map[string]func(*bytes.Buffer, []caption.Cue) error{
		"WriteVTT": func(b *bytes.Buffer, c []caption.Cue) error { return caption.WriteVTT(b, c) },
		"WriteSRT": func(b *bytes.Buffer, c []caption.Cue) error { return caption.WriteSRT(b, c) },
	}
	for name, write := range writers {
		for _, tc := range invalidCues {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				var b bytes.Buffer
				err := write(&b, tc.cues)
				require.ErrorIs(t, err, caption.ErrInvalid)
				require.Contains(t, err.Error(), tc.msg)
				require.Zero(t, b.Len(), "nothing written")
			})
		}
	}
}

// writable is what a writer accepts of parsed cues: sorted, with text and
// a length.
func writable(cues []caption.Cue) []caption.Cue {
	var out []caption.Cue
	for _, c := range cues {
		if c.Text != "" && c.End > c.Start {
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b caption.Cue) int { return cmp.Compare(a.Start, b.Start) })
	return out
}

// cueFuzzSeeds are the inputs of the table tests, but the huge ones.
func cueFuzzSeeds(ok []cueParseTest, bad []cueErrorTest) []string {
	var seeds []string
	for _, tc := range ok {
		seeds = append(seeds, tc.in)
	}
	for _, tc := range bad {
		if len(tc.in) < 1<<16 {
			seeds = append(seeds, tc.in)
		}
	}
	return seeds
}

// checkRoundTrip parses src and, if it parses, writes what a writer
// accepts of it, parses that, and wants the same cues back.
func checkRoundTrip(t *testing.T, src []byte, parse func(*bytes.Reader) ([]caption.Cue, error),
	write func(*bytes.Buffer, []caption.Cue) error, same func(caption.Cue) bool) {
	cues, err := parse(bytes.NewReader(src))
	if err != nil {
		require.Nil(t, cues)
		var pe *caption.ParseError
		require.ErrorAs(t, err, &pe)
		require.Positive(t, pe.Line)
		require.True(t, errors.Is(err, caption.ErrSyntax) || errors.Is(err, caption.ErrTime) || errors.Is(err, caption.ErrTooLarge), "category of %v", err)
		return
	}
	// All that a writer accepts writes, and parses back.
	valid := writable(cues)
	var b bytes.Buffer
	require.NoError(t, write(&b, valid), "writing %#v", valid)
	again, err := parse(bytes.NewReader(b.Bytes()))
	require.NoError(t, err, "parsing\n%s", b.Bytes())
	require.LessOrEqual(t, len(again), len(valid))
	// The cues the writer writes as they are come back the same.
	valid = slices.DeleteFunc(valid, func(c caption.Cue) bool { return !same(c) })
	b.Reset()
	require.NoError(t, write(&b, valid))
	again, err = parse(bytes.NewReader(b.Bytes()))
	require.NoError(t, err, "parsing\n%s", b.Bytes())
	if len(valid) == 0 {
		require.Empty(t, again)
		return
	}
	require.Equal(t, valid, again)
}

// FuzzParseVTT: ParseVTT never panics, refuses with a ParseError, and
// what it accepts writes and parses back to the same cues.
func FuzzParseVTT(f *testing.F) {
	for _, s := range cueFuzzSeeds(vttParseTests, vttErrorTests) {
		f.Add([]byte(s))
	}
	var b bytes.Buffer
	require.NoError(f, caption.WriteVTT(&b, goldenCues))
	f.Add(b.Bytes())
	f.Fuzz(func(t *testing.T, src []byte) {
		checkRoundTrip(t, src,
			func(r *bytes.Reader) ([]caption.Cue, error) { return caption.ParseVTT(r) },
			func(b *bytes.Buffer, c []caption.Cue) error { return caption.WriteVTT(b, c) },
			func(caption.Cue) bool { return true })
	})
}

// TestFFmpegReadsWhatWeWrite: ffmpeg converts the WebVTT WriteVTT writes
// to SRT, and the SRT WriteSRT writes to WebVTT (without hours, as ffmpeg
// writes it), and the parsers read ffmpeg's files back to the same times
// and text.
func TestFFmpegReadsWhatWeWrite(t *testing.T) {
	cues := []caption.Cue{
		mkCue(500, 2000, "Hello"),
		mkCue(2000, 4250, "two\nlines"),
		mkCue(61_000, 62_345, "<i>after a minute</i>"),
	}
	dir := t.TempDir()
	convert := func(in string, out string) []byte {
		cmd := exec.Command("ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", filepath.Join(dir, in), filepath.Join(dir, out))
		b, err := cmd.CombinedOutput()
		require.NoError(t, err, "ffmpeg: %s", b)
		b, err = os.ReadFile(filepath.Join(dir, out))
		require.NoError(t, err)
		return b
	}
	var vtt, srt bytes.Buffer
	require.NoError(t, caption.WriteVTT(&vtt, cues))
	require.NoError(t, caption.WriteSRT(&srt, cues))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "ours.vtt"), vtt.Bytes(), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "ours.srt"), srt.Bytes(), 0o644))

	fromVTT, err := caption.ParseSRT(bytes.NewReader(convert("ours.vtt", "theirs.srt")))
	require.NoError(t, err)
	theirVTT := convert("ours.srt", "theirs.vtt")
	require.Contains(t, string(theirVTT), "\n00:00.500 --> 00:02.000", "ffmpeg writes no hours")
	fromSRT, err := caption.ParseVTT(bytes.NewReader(theirVTT))
	require.NoError(t, err)
	for name, got := range map[string][]caption.Cue{"from WebVTT": fromVTT, "from SRT": fromSRT} {
		require.Equal(t, cues, got, name)
	}
}
