package caption_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/caption"
)

var srtParseTests = []cueParseTest{
	{"standard, BOM and CRLF",
		"\uFEFF1\r\n00:00:01,000 --> 00:00:02,500\r\nHello\r\nworld\r\n\r\n2\r\n00:00:03,000 --> 00:00:04,000\r\nAgain\r\n\r\n",
		[]caption.Cue{mkCue(1000, 2500, "Hello\nworld"), mkCue(3000, 4000, "Again")}},
	{"dots and missing hours", "1\n00:01.5 --> 00:02.250\nx\n",
		[]caption.Cue{mkCue(1500, 2250, "x")}},
	{"no cue numbers", "00:00:01,000 --> 00:00:02,000\na\n\n00:00:03,000 --> 00:00:04,000\nb\n",
		[]caption.Cue{mkCue(1000, 2000, "a"), mkCue(3000, 4000, "b")}},
	{"wrong cue numbers", "7\n00:00:01,000 --> 00:00:02,000\na\n\n7\n00:00:03,000 --> 00:00:04,000\nb\n",
		[]caption.Cue{mkCue(1000, 2000, "a"), mkCue(3000, 4000, "b")}},
	{"coordinates ignored", "1\n00:00:01,000 --> 00:00:02,000 X1:100 X2:600 Y1:10 Y2:50\nx\n",
		[]caption.Cue{mkCue(1000, 2000, "x")}},
	{"a blank line inside the text", "1\n00:00:01,000 --> 00:00:02,000\nHello\n\n\nworld\n\n2\n00:00:03,000 --> 00:00:04,000\nb\n",
		[]caption.Cue{mkCue(1000, 2000, "Hello\nworld"), mkCue(3000, 4000, "b")}},
	{"no blank line between cues", "1\n00:00:01,000 --> 00:00:02,000\nHello\n2\n00:00:03,000 --> 00:00:04,000\nworld\n",
		[]caption.Cue{mkCue(1000, 2000, "Hello"), mkCue(3000, 4000, "world")}},
	{"a number in the text", "1\n00:00:01,000 --> 00:00:02,000\nThe year\n1984\n\n2\n00:00:03,000 --> 00:00:04,000\n42\n",
		[]caption.Cue{mkCue(1000, 2000, "The year\n1984"), mkCue(3000, 4000, "42")}},
	{"lines before the first cue skipped", "WEBVTT\n\nNOTE made by hand\n\n1\n00:00:01,000 --> 00:00:02,000\nx\n",
		[]caption.Cue{mkCue(1000, 2000, "x")}},
	{"HTML kept as written", "1\n00:00:01,000 --> 00:00:02,000\n<font color=\"red\">Fish & chips</font>\n",
		[]caption.Cue{mkCue(1000, 2000, "<font color=\"red\">Fish & chips</font>")}},
	{"CR line endings, no final newline", "1\r00:00:01,000 --> 00:00:02,000\rx",
		[]caption.Cue{mkCue(1000, 2000, "x")}},
	{"an empty cue", "1\n00:00:01,000 --> 00:00:02,000\n\n2\n00:00:03,000 --> 00:00:04,000\nx\n",
		[]caption.Cue{mkCue(1000, 2000, ""), mkCue(3000, 4000, "x")}},
	{"nothing", "", nil},
	{"no timing line", "just some text\n", nil},
	{"a number at the end", "1\n00:00:01,000 --> 00:00:02,000\nx\n2\n",
		[]caption.Cue{mkCue(1000, 2000, "x\n2")}},
}

var srtErrorTests = []cueErrorTest{
	{"end before start", "1\n00:00:02,000 --> 00:00:01,000\nx\n", 2, caption.ErrTime, "before start"},
	{"absurd hours", "1\n99999:00:00,000 --> 99999:00:01,000\nx\n", 2, caption.ErrTime, "beyond 100h"},
	{"negative", "1\n00:00:01,000 --> -00:00:02,000\nx\n", 2, caption.ErrTime, "negative"},
	{"bad seconds", "1\n00:00:61,000 --> 00:01:02,000\nx\n", 2, caption.ErrSyntax, "bad seconds"},
	{"bad time later", "1\n00:00:01,000 --> 00:00:02,000\nx\n\n2\n00:00:03 000 --> 00:00:04,000\n", 6, caption.ErrSyntax, "start time"},
	{"a NUL byte", "1\n00:00:01,000 --> 00:00:02,000\n\x00\n", 3, caption.ErrSyntax, "NUL"},
	{"a line too long", strings.Repeat("x", caption.MaxLineBytes+1), 1, caption.ErrTooLarge, "line longer"},
	{"too many cues", strings.Repeat("00:00:01,000 --> 00:00:02,000\nx\n\n", caption.MaxCues+1),
		3*caption.MaxCues + 1, caption.ErrTooLarge, "more than 100000 cues"},
	{"too large a file", strings.Repeat("x\n", caption.MaxFileBytes/2+1), caption.MaxFileBytes/2 + 1, caption.ErrTooLarge, "larger than"},
}

func TestParseSRT(t *testing.T) {
	checkCueParse(t, func(r *bytes.Reader) ([]caption.Cue, error) { return caption.ParseSRT(r) },
		srtParseTests, srtErrorTests, "SRT")
}

func TestWriteSRTGolden(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, caption.WriteSRT(&b, goldenCues))
	cueGolden(t, "cues.srt", b.Bytes())
}

func TestWriteSRTConvertsMarkup(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"<b>bold</b> <i.loud>italic</i> <u>under</u>", "<b>bold</b> <i>italic</i> <u>under</u>"},
		{"<v Bob>Hi</v> <c.red>red</c> <lang fr>oui</lang> <ruby>漢<rt>kan</rt></ruby>", "Hi red oui 漢kan"},
		{"<00:00:01.000>karaoke <00:00:01.500>words", "karaoke words"},
		{"Tom &amp; Jerry &lt;3 &gt; &nbsp;&lrm;&rlm;", "Tom & Jerry <3 > \u00A0\u200E\u200F"},
		{"AT&T & friends &unknown; &", "AT&T & friends &unknown; &"},
		{"a < b", "a < b"},
	}
	for _, tc := range tests {
		var b bytes.Buffer
		require.NoError(t, caption.WriteSRT(&b, []caption.Cue{mkCue(0, 1000, tc.in)}))
		require.Equal(t, "1\n00:00:00,000 --> 00:00:01,000\n"+tc.want+"\n\n", b.String(), "text %q", tc.in)
	}
	var b bytes.Buffer
	require.NoError(t, caption.WriteSRT(&b, []caption.Cue{
		mkCue(0, 1000, "<v Bob></v>"), mkCue(1000, 2000, "<c>\n</c>kept\n<i></i>"), mkCue(2000, 3000, "a --&gt; b")}))
	require.Equal(t, "1\n00:00:01,000 --> 00:00:02,000\nkept\n<i></i>\n\n2\n00:00:02,000 --> 00:00:03,000\na --&gt; b\n\n", b.String(),
		"a cue of only markup left out, blank lines dropped, no arrow made")
}

// FuzzParseSRT: ParseSRT never panics, refuses with a ParseError, and
// what it accepts writes and parses back to the same times, and the same
// text where the text has no markup for WriteSRT to convert.
func FuzzParseSRT(f *testing.F) {
	for _, s := range cueFuzzSeeds(srtParseTests, srtErrorTests) {
		f.Add([]byte(s))
	}
	var b bytes.Buffer
	require.NoError(f, caption.WriteSRT(&b, goldenCues))
	f.Add(b.Bytes())
	f.Fuzz(func(t *testing.T, src []byte) {
		checkRoundTrip(t, src,
			func(r *bytes.Reader) ([]caption.Cue, error) { return caption.ParseSRT(r) },
			func(b *bytes.Buffer, c []caption.Cue) error { return caption.WriteSRT(b, c) },
			func(c caption.Cue) bool { return !strings.ContainsAny(c.Text, "<&") })
	})
}

func TestSRTRoundTrip(t *testing.T) {
	cues := []caption.Cue{
		mkCue(0, 1, "a"),
		mkCue(1, 2, "1984\nnumbers"),
		mkCue(2000, 2001, "last line 7"),
		{Start: 99*time.Hour + 59*time.Minute, End: 100 * time.Hour, Text: "<i>late</i>"},
	}
	var b bytes.Buffer
	require.NoError(t, caption.WriteSRT(&b, cues))
	got, err := caption.ParseSRT(&b)
	require.NoError(t, err)
	require.Equal(t, cues, got)
}
