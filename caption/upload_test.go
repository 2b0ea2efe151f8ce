package caption_test

import (
	"bytes"
	"cmp"
	"errors"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/caption"
)

// srt1 is an SRT file of one cue from 1 s to 2 s holding text.
func srt1(text string) string { return "1\n00:00:01,000 --> 00:00:02,000\n" + text + "\n" }

func TestNormalizeMarkup(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"kept tags", "<b>b</b> <i>i</i> <u>u</u> <ruby>漢<rt>kan</rt></ruby>", "<b>b</b> <i>i</i> <u>u</u> <ruby>漢<rt>kan</rt></ruby>"},
		{"upper case", "<B>Bold</B> <I>It</I>", "<b>Bold</b> <i>It</i>"},
		{"font dropped", "<font color=\"#ff0000\" face=\"Arial\">red</font>", "red"},
		{"script and its content dropped", "<script>alert(1)</script>hi <SCRIPT src=//evil>x</script >there", "hi there"},
		{"an unclosed script drops the rest", "before<script>alert(1)", "before"},
		{"style dropped", "<style>::cue{}</style>hi", "hi"},
		{"img and a dropped", "<img src=x onerror=alert(1)>pic <a href=\"javascript:alert(1)\">link</a>", "pic link"},
		{"iframe and object dropped", "<iframe src=//evil></iframe><object data=x>ok</object>", "ok"},
		{"unclosed closed", "<i>unclosed", "<i>unclosed</i>"},
		{"stray end tag", "</i>stray</b>", "stray"},
		{"misnested", "<b><i>mis</b>nested</i>", "<b><i>mis</i></b>nested"},
		{"classes", "<c.yellow.bg_blue>x</c> <c.a\"b.ok>y</c>", "<c.yellow.bg_blue>x</c> <c.ok>y</c>"},
		{"voice", "<v Bob &amp; Ann>hi</v> <v.loud   Eve  >yo</v>", "<v Bob &amp; Ann>hi</v> <v.loud Eve>yo</v>"},
		{"voice with a quote", "<v \"Bob\">hi</v>", "<v \"Bob\">hi</v>"},
		{"language", "<lang en-GB>hi</lang> <lang>none</lang> <lang e\"n>bad</lang>", "<lang en-GB>hi</lang> none bad"},
		{"timestamps", "<00:00:01.000>one <00:01.500>two <01.500>three", "<00:00:01.000>one <00:00:01.500>two &lt;01.500&gt;three"},
		{"a literal <", "a < b > c <3 <-", "a &lt; b &gt; c &lt;3 &lt;-"},
		{"an event handler is just text", "<b onclick=alert(1)>x</b>", "<b>x</b>"},
		{"references", "Fish & chips &amp; &eacute; &#233; &#x1F600; &#0; &#x7; &bogus; &quot;q&quot; &hellip;",
			"Fish &amp; chips &amp; &amp;eacute; é 😀 &amp;#0; &amp;#x7; &amp;bogus; \"q\" …"},
		{"escaped tags stay text", "a &lt;script&gt; b", "a &lt;script&gt; b"},
		{"SRT overrides", "{\\an8}Top {\\i1}x{\\i0} {not one}", "Top x {not one}"},
		{"line breaks", "line1<br>line2<BR/>line3<br />line4", "line1\nline2\nline3\nline4"},
		{"spaces and blank lines", "  spaced   out  \n\n  lines \t", "spaced out\nlines"},
		{"the tags of a line without text move", "<i>\nHello</i>", "<i>Hello</i>"},
		{"closing tags at the end move up", "Hello <i>there\n</i>", "Hello <i>there</i>"},
		{"space goes outside the tags", "a <i> b </i> c", "a <i>b</i> c"},
		{"control characters", "ctrl\x01\x7f\u0085chars\ttab", "ctrlchars tab"},
		{"deep nesting is bounded", strings.Repeat("<b>", 20) + "x" + strings.Repeat("</b>", 20),
			strings.Repeat("<b>", 16) + "x" + strings.Repeat("</b>", 16)},
		{"an arrow", "a --&gt; b", "a --&gt; b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := caption.Normalize(strings.NewReader(srt1(tc.in)), "x.srt")
			require.NoError(t, err)
			require.Equal(t, []caption.Cue{mkCue(1000, 2000, tc.want)}, got)
		})
	}
}

func TestNormalize(t *testing.T) {
	le := func(s string) string { // UTF-16 LE with a byte order mark
		var b []byte
		b = append(b, 0xFF, 0xFE)
		for _, u := range utf16.Encode([]rune(s)) {
			b = append(b, byte(u), byte(u>>8))
		}
		return string(b)
	}
	be := func(s string) string {
		var b []byte
		b = append(b, 0xFE, 0xFF)
		for _, u := range utf16.Encode([]rune(s)) {
			b = append(b, byte(u>>8), byte(u))
		}
		return string(b)
	}
	tests := []struct {
		name, file, in string
		want           []caption.Cue
	}{
		{"WebVTT", "a.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000 line:0\n<i>Hi</i>\n",
			[]caption.Cue{withSettings(mkCue(1000, 2000, "<i>Hi</i>"), "line:0")}},
		{"SRT", "a.srt", "\uFEFF1\r\n00:00:01,000 --> 00:00:02,000\r\nHi\r\n",
			[]caption.Cue{mkCue(1000, 2000, "Hi")}},
		{"WebVTT named .srt", "a.srt", "WEBVTT\n\n00:01.000 --> 00:02.000\nHi\n",
			[]caption.Cue{mkCue(1000, 2000, "Hi")}},
		{"blank lines before WEBVTT", "a.vtt", "\uFEFF\r\n  \n  WEBVTT\n\nNOTE x\n\n00:01.000 --> 00:02.000\nHi\n",
			[]caption.Cue{mkCue(1000, 2000, "Hi")}},
		{"SRT named .vtt", "a.vtt", "1\n00:00:01,000 --> 00:00:02,000\nHello\n\nworld\n",
			[]caption.Cue{mkCue(1000, 2000, "Hello\nworld")}},
		{"WebVTT without its WEBVTT line, named .vtt", "a.VTT", "NOTE hi\n\nintro\n00:01.000 --> 00:02.000\nHi\n",
			[]caption.Cue{mkCue(1000, 2000, "Hi")}},
		{"SRT without a name", "", "00:01.000 --> 00:02.000\nHi\n",
			[]caption.Cue{mkCue(1000, 2000, "Hi")}},
		{"UTF-16 LE", "a.srt", le("1\r\n00:00:01,000 --> 00:00:02,000\r\nCafé 😀\r\n"),
			[]caption.Cue{mkCue(1000, 2000, "Café 😀")}},
		{"UTF-16 BE", "a.srt", be("1\n00:00:01,000 --> 00:00:02,000\nCafé\n"),
			[]caption.Cue{mkCue(1000, 2000, "Café")}},
		{"Windows-1252", "a.srt", srt1("caf\xe9 \x93quoted\x94 \x80\x81"),
			[]caption.Cue{mkCue(1000, 2000, "café “quoted” €")}}, // 0x81 is unassigned
		{"sorted", "a.srt", "00:00:05,000 --> 00:00:06,000\nb\n\n00:00:01,000 --> 00:00:02,000\na\n",
			[]caption.Cue{mkCue(1000, 2000, "a"), mkCue(5000, 6000, "b")}},
		{"overlaps clipped", "a.srt", "00:00:01,000 --> 00:00:03,000\na\n\n00:00:02,000 --> 00:00:04,000\nb\n\n00:00:02,500 --> 00:00:02,800\nc\n",
			[]caption.Cue{mkCue(1000, 2000, "a"), mkCue(2000, 2500, "b"), mkCue(2500, 2800, "c")}},
		{"same starts merged", "a.srt", "00:00:01,000 --> 00:00:02,000\n<i>a</i>\n\n00:00:01,000 --> 00:00:03,000\nb\n\n00:00:02,000 --> 00:00:04,000\nc\n",
			[]caption.Cue{mkCue(1000, 2000, "<i>a</i>\nb"), mkCue(2000, 4000, "c")}},
		{"empty cues dropped", "a.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\n<i></i>\n\n00:02.000 --> 00:02.000\nzero\n\n00:03.000 --> 00:04.000\n\n00:05.000 --> 00:06.000\nkept\n",
			[]caption.Cue{mkCue(5000, 6000, "kept")}},
		{"settings cleaned", "a.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000 line:0 align:start region:fred position:10%,line-left junk foo:bar size:50% line:5 align:<b>\nx\n",
			[]caption.Cue{withSettings(mkCue(1000, 2000, "x"), "line:0 align:start position:10%,line-left size:50%")}},
		{"mixed: WebVTT header, SRT body", "a.vtt", "WEBVTT\n\n1\n00:00:01,000 --> 00:00:02,000\nHi\n\n2\n00:00:03,000 --> 00:00:04,000\n<font color=red>there</font>\n",
			[]caption.Cue{mkCue(1000, 2000, "Hi"), mkCue(3000, 4000, "there")}},
		{"mixed: SRT with WebVTT times and settings", "a.srt", "1\n00:01.000 --> 00:02.000 line:0\nHi\n",
			[]caption.Cue{mkCue(1000, 2000, "Hi")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := caption.Normalize(strings.NewReader(tc.in), tc.file)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

// failingUpload fails after its content.
type failingUpload struct{ r io.Reader }

var errDisk = errors.New("disk on fire")

func (f failingUpload) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, errDisk
	}
	return n, err
}

// hostileUploads are uploads Normalize must refuse, each with the error's
// category, line and words of its message.
var hostileUploads = []struct {
	name string
	in   string
	err  error
	line int
	msg  string
}{
	{"empty", "", caption.ErrFormat, 1, "neither WebVTT"},
	{"plain text", "Dear diary,\ntoday I uploaded a letter.\n", caption.ErrFormat, 1, "neither WebVTT"},
	{"binary junk", string(junkBytes(4096, false)), caption.ErrFormat, 1, "neither"},
	{"binary junk with NULs", string(junkBytes(4096, true)), caption.ErrSyntax, 0, "NUL byte: not a text file"},
	{"a PNG", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", caption.ErrSyntax, 3, "NUL byte"},
	{"a NUL byte in a cue", "WEBVTT\n\n00:01.000 --> 00:02.000\nhi\x00there\n", caption.ErrSyntax, 4, "NUL byte"},
	{"a NUL byte after CR line ends", "WEBVTT\r\r00:01.000 --> 00:02.000\r\nhi\x00there\n", caption.ErrSyntax, 4, "NUL byte"},
	{"UTF-16 without a byte order mark", "1\x00\n\x00", caption.ErrSyntax, 1, "NUL byte"},
	{"UTF-16 of odd length", "\xFF\xFE1\x00\n", caption.ErrSyntax, 1, "odd length"},
	{"a huge file", strings.Repeat("WEBVTT\n\n", caption.MaxFileBytes/8+1), caption.ErrTooLarge, caption.MaxFileBytes/4 + 1, "larger than 8388608 bytes"},
	{"a million cues", "WEBVTT\n\n" + strings.Repeat("00:01.000 --> 00:02.000\nx\n\n", 1_000_000), caption.ErrTooLarge, 0, "larger than"},
	{"more cues than MaxCues", strings.Repeat("0:1,0-->0:2,0\nx\n", caption.MaxCues+1), caption.ErrTooLarge, 2*caption.MaxCues + 1, "more than 100000 cues"},
	{"times of 99999 hours", "1\n99999:00:00,000 --> 99999:00:01,000\nx\n", caption.ErrTime, 2, "beyond 100h"},
	{"end before start", "WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nx\n", caption.ErrTime, 3, "before start"},
	{"end before start after blank lines", "\r\n\nWEBVTT\n\n00:00:05.000 --> 00:00:01.000\nx\n", caption.ErrTime, 5, "before start"},
	{"end before start without WEBVTT", "\n00:00:05.000 --> 00:00:01.000\nx\n", caption.ErrTime, 2, "before start"},
	{"a line too long", "WEBVTT\n\n00:01.000 --> 00:02.000\n" + strings.Repeat("a", caption.MaxLineBytes+1), caption.ErrTooLarge, 4, "line longer"},
	{"a line too long once escaped", srt1(strings.Repeat("&", 4000)), caption.ErrTooLarge, 2, "once cleaned"},
	{"a line too long in a merged cue", srt1("x") + "\n" + srt1(strings.Repeat("&", 4000)), caption.ErrTooLarge, 6, "once cleaned"},
	{"only a header", "WEBVTT\n", caption.ErrNoCues, 1, "no cue with text"},
	{"only markup", "WEBVTT\n\n00:01.000 --> 00:02.000\n<script>alert(1)</script>\n", caption.ErrNoCues, 1, "no cue with text"},
}

// junk returns n random bytes, with NULs or without.
func junkBytes(n int, nul bool) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.IntN(256))
		if !nul && b[i] == 0 || b[i] == '-' {
			b[i] = 0x80
		}
	}
	return b
}

func TestNormalizeHostile(t *testing.T) {
	t.Run("MaxCues cues at the same time", func(t *testing.T) {
		// Merged in linear time: a quadratic merge would not finish.
		got, err := caption.Normalize(strings.NewReader(strings.Repeat("0:1,0-->0:2,0\nx\n", caption.MaxCues)), "up.srt")
		require.NoError(t, err)
		require.Len(t, got, 1)
		require.Equal(t, caption.MaxCues, strings.Count(got[0].Text, "x"))
	})
	for _, tc := range hostileUploads {
		t.Run(tc.name, func(t *testing.T) {
			got, err := caption.Normalize(strings.NewReader(tc.in), "up.txt")
			require.Nil(t, got)
			require.ErrorIs(t, err, tc.err)
			var pe *caption.ParseError
			require.ErrorAs(t, err, &pe)
			require.Equal(t, "up.txt", pe.Name)
			if tc.line > 0 {
				require.Equal(t, tc.line, pe.Line, "line of %v", err)
			}
			require.Contains(t, err.Error(), tc.msg)
			require.True(t, strings.HasPrefix(err.Error(), "caption: up.txt: "), err.Error())
		})
	}
	t.Run("an error in a WebVTT file without WEBVTT", func(t *testing.T) {
		_, err := caption.Normalize(strings.NewReader("\n00:05.000 --> 00:01.000\nx\n"), "up.vtt")
		require.EqualError(t, err, "caption: up.vtt: WebVTT line 2: end 00:00:01.000 before start 00:00:05.000")
	})
	t.Run("a reader that fails", func(t *testing.T) {
		_, err := caption.Normalize(failingUpload{strings.NewReader(srt1("x"))}, "up.srt")
		require.ErrorIs(t, err, errDisk)
		require.EqualError(t, err, "caption: up.srt: disk on fire")
	})
}

// TestNormalizeHostileMarkupIsLinear: a megabyte of text made to make a
// careless cleaner quadratic (references without ';', overrides without
// '}', tags without '>') is cleaned; a quadratic cleaner would not finish.
func TestNormalizeHostileMarkupIsLinear(t *testing.T) {
	for _, unit := range []string{"&", "{\\", "<a", "&#", "<script>"} {
		line := strings.Repeat(unit, 3000/len(unit))
		in := "1\n00:00:01,000 --> 00:00:02,000\n" + strings.Repeat(line+"\n", (1<<20)/(len(line)+1))
		_, err := caption.Normalize(strings.NewReader(in), "x.srt")
		if err != nil {
			require.ErrorIs(t, err, caption.ErrNoCues, "unit %q", unit)
		}
	}
}

// FuzzNormalize: Normalize never panics, and what it returns is ready for
// WriteVTT, sorted, without overlaps, and normalises to itself.
func FuzzNormalize(f *testing.F) {
	for _, s := range cueFuzzSeeds(vttParseTests, vttErrorTests) {
		f.Add([]byte(s), "a.vtt")
	}
	for _, s := range cueFuzzSeeds(srtParseTests, srtErrorTests) {
		f.Add([]byte(s), "a.srt")
	}
	for _, h := range hostileUploads {
		if len(h.in) < 1<<16 {
			f.Add([]byte(h.in), "")
		}
	}
	f.Add([]byte(srt1("<b><i>mis</b>nested</i> <v Bob &amp; Ann>hi</v> {\\an8}&#233;<br>x")), "x.srt")
	f.Fuzz(func(t *testing.T, src []byte, name string) {
		cues, err := caption.Normalize(bytes.NewReader(src), name)
		if err != nil {
			require.Nil(t, cues)
			return
		}
		require.NotEmpty(t, cues)
		require.True(t, slices.IsSortedFunc(cues, func(a, b caption.Cue) int { return cmp.Compare(a.Start, b.Start) }))
		for i := 1; i < len(cues); i++ {
			require.LessOrEqual(t, cues[i-1].End, cues[i].Start, "cue %d overlaps", i-1)
		}
		var b bytes.Buffer
		require.NoError(t, caption.WriteVTT(&b, cues), "%#v", cues)
		again, err := caption.Normalize(bytes.NewReader(b.Bytes()), "again.vtt")
		require.NoError(t, err, "%s", b.Bytes())
		require.Equal(t, cues, again, "%s", b.Bytes())
	})
}
