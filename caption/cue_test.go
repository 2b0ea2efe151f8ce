package caption_test

import (
	"html"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/caption"
)

const msec = time.Millisecond

// w is a word from start to end, in milliseconds.
func wd(text string, start, end int) caption.Word {
	return caption.Word{Text: text, Start: time.Duration(start) * msec, End: time.Duration(end) * msec}
}

// cue is a cue from start to end, in milliseconds.
func mkCue(start, end int, text string) caption.Cue {
	return caption.Cue{Start: time.Duration(start) * msec, End: time.Duration(end) * msec, Text: text}
}

func TestBuildCues(t *testing.T) {
	long := strings.Repeat("x", 100)
	tests := []struct {
		name  string
		words []caption.Word
		opts  *caption.CueOptions
		want  []caption.Cue
	}{
		{"no words", nil, nil, nil},
		{"empty words skipped", []caption.Word{wd("", 0, 100), wd("  ", 100, 200)}, nil, nil},
		{"short cue extended to the minimum", []caption.Word{wd("Hi.", 0, 300)}, nil,
			[]caption.Cue{mkCue(0, 1000, "Hi.")}},
		{"extension stops at the next cue", []caption.Word{wd("Hi.", 0, 200), wd("There.", 900, 1200)}, nil,
			[]caption.Cue{mkCue(0, 900, "Hi."), mkCue(900, 1900, "There.")}},
		{"a pause of PauseBreak starts a cue", []caption.Word{wd("one", 0, 500), wd("two", 1200, 1700)}, nil,
			[]caption.Cue{mkCue(0, 1000, "one"), mkCue(1200, 2200, "two")}},
		{"a shorter pause does not", []caption.Word{wd("one", 0, 500), wd("two", 1199, 1700)}, nil,
			[]caption.Cue{mkCue(0, 1700, "one two")}},
		{"PauseBreak option", []caption.Word{wd("one", 0, 500), wd("two", 800, 1700)}, &caption.CueOptions{PauseBreak: 300 * msec},
			[]caption.Cue{mkCue(0, 800, "one"), mkCue(800, 1800, "two")}},
		{"two balanced lines",
			cueWords("the quick brown fox jumps over the lazy dog and runs far away", 0), nil,
			[]caption.Cue{mkCue(0, 3720, "the quick brown fox jumps over\nthe lazy dog and runs far away")}},
		{"a line break after punctuation beats a little balance",
			cueWords("we went to the shops, and then we bought a loaf of bread", 0), nil,
			[]caption.Cue{mkCue(0, 3420, "we went to the shops,\nand then we bought a loaf of bread")}},
		{"but not a lot",
			cueWords("after all that, we went to the shops and then bought bread", 0), nil,
			[]caption.Cue{mkCue(0, 3540, "after all that, we went to the\nshops and then bought bread")}},
		{"a sentence end is preferred",
			cueWords("This is it. Now the quick brown fox jumps over the lazy dog and runs far away from here", 0), nil,
			[]caption.Cue{
				mkCue(0, 720, "This is it."),
				// The line break avoids ending a line on "the".
				mkCue(720, 5280, "Now the quick brown fox jumps over\nthe lazy dog and runs far away from here"),
			}},
		{"then a clause end",
			cueWords("the quick brown fox jumps over the dog, and then it runs far away from all of us and never ever comes back home", 0), nil,
			[]caption.Cue{
				mkCue(0, 2400, "the quick brown fox jumps over the dog,"),
				mkCue(2400, 6720, "and then it runs far away from all\nof us and never ever comes back home"),
			}},
		{"a clause end before half a line is not",
			cueWords("well, the quick brown fox jumps over the lazy dog and then runs far away from us and never ever comes back home", 0), nil,
			[]caption.Cue{
				mkCue(0, 4680, "well, the quick brown fox jumps over\nthe lazy dog and then runs far away from"),
				mkCue(4680, 6720, "us and never ever comes back home"),
			}},
		{"a cue avoids ending on a short word",
			cueWords("one two three four five six of sevenseven", 0), &caption.CueOptions{MaxLineChars: 30, MaxLines: 1},
			[]caption.Cue{mkCue(0, 1680, "one two three four five six"), mkCue(1680, 2680, "of sevenseven")}},
		{"max duration", []caption.Word{
			wd("one", 0, 1000), wd("two", 1000, 2000), wd("three", 2000, 3000), wd("four", 3000, 4000),
			wd("five", 4000, 5000), wd("six", 5000, 6000), wd("seven", 6000, 7000), wd("eight", 7000, 8000)}, nil,
			[]caption.Cue{mkCue(0, 7000, "one two three four five six seven"), mkCue(7000, 8000, "eight")}},
		{"a long word is cut to the max duration", []caption.Word{wd("hmmmm", 0, 9000)}, nil,
			[]caption.Cue{mkCue(0, 7000, "hmmmm")}},
		{"a word longer than a line is hard-wrapped", []caption.Word{wd(long, 0, 5000), wd("end", 5000, 5200)}, nil,
			[]caption.Cue{
				mkCue(0, 4200, strings.Repeat("x", 42)+"\n"+strings.Repeat("x", 42)),
				mkCue(4200, 5200, strings.Repeat("x", 16)+" end"),
			}},
		{"text is escaped", []caption.Word{wd("AT&T", 0, 300), wd("<3", 300, 600), wd("-->", 600, 900)}, nil,
			[]caption.Cue{mkCue(0, 1000, "AT&amp;T &lt;3 --&gt;")}},
		{"control characters and inner spaces", []caption.Word{wd("New\x00York", 0, 1000), wd(" is\tbig ", 1000, 2000)}, nil,
			[]caption.Cue{mkCue(0, 2000, "New York is big")}},
		{"unsorted words", []caption.Word{wd("two", 500, 900), wd("one", 0, 400)}, nil,
			[]caption.Cue{mkCue(0, 1000, "one two")}},
		{"negative and backwards times", []caption.Word{wd("one", -500, -100), wd("two", 300, 200)}, nil,
			[]caption.Cue{mkCue(0, 1000, "one two")}},
		{"overlapping words make no overlapping cues",
			[]caption.Word{wd("first.", 0, 3000), wd("second", 1000, 1500), wd("third", 1500, 1600)},
			&caption.CueOptions{MaxLineChars: 6, MaxLines: 1},
			[]caption.Cue{mkCue(0, 1000, "first."), mkCue(1000, 1500, "second"), mkCue(1500, 2500, "third")}},
		{"same start times made increasing",
			[]caption.Word{wd("aaaa", 0, 100), wd("bbbb", 0, 100), wd("cccc", 0, 100)},
			&caption.CueOptions{MaxLineChars: 4, MaxLines: 1},
			[]caption.Cue{mkCue(0, 1, "aaaa"), mkCue(1, 2, "bbbb"), mkCue(2, 1002, "cccc")}},
		{"one line of 20", cueWords("the quick brown fox jumps over the lazy dog", 0),
			&caption.CueOptions{MaxLineChars: 20, MaxLines: 1},
			[]caption.Cue{mkCue(0, 1200, "the quick brown fox"), mkCue(1200, 2400, "jumps over the lazy"), mkCue(2400, 3400, "dog")}},
		{"absurd times kept within MaxCueTime", []caption.Word{{Text: "x", Start: 1 << 62, End: 1<<63 - 1}}, nil,
			[]caption.Cue{{Start: caption.MaxCueTime - msec, End: caption.MaxCueTime, Text: "x"}}},
		{"times rounded to the millisecond", []caption.Word{{Text: "x", Start: 1400 * time.Microsecond, End: 1600 * time.Microsecond}}, nil,
			[]caption.Cue{mkCue(1, 1001, "x")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := caption.BuildCues(tc.words, tc.opts)
			require.Equal(t, tc.want, got)
			checkCueRules(t, got, tc.opts)
			require.NoError(t, caption.WriteVTT(io.Discard, got))
		})
	}
}

func TestBuildCuesDoesNotChangeItsInput(t *testing.T) {
	words := []caption.Word{wd("two", 500, 900), wd("one", 0, 400)}
	caption.BuildCues(words, nil)
	require.Equal(t, []caption.Word{wd("two", 500, 900), wd("one", 0, 400)}, words)
}

// TestBuildCuesRules checks the rules on random speech: words of random
// lengths and punctuation, random pauses, and words in the wrong order or
// overlapping now and then.
func TestBuildCuesRules(t *testing.T) {
	vocab := strings.Fields("a an the of to and I it is was for on are as with his they at be this from " +
		"have or by one had not but what all were when we there can said every caption, subtitle; " +
		"recogniser: extraordinarily internationalisation… done. really? yes! «quoted.» 東京。 AT&T <b>")
	opts := []*caption.CueOptions{nil, {MaxLineChars: 32, MaxLines: 3, MinDuration: 2 * time.Second, MaxDuration: 5 * time.Second}, {MaxLineChars: 10, MaxLines: 1}}
	for seed := range uint64(200) {
		r := rand.New(rand.NewPCG(seed, 1))
		var words []caption.Word
		at := time.Duration(0)
		for range r.IntN(300) {
			text := vocab[r.IntN(len(vocab))]
			if r.IntN(50) == 0 {
				text = strings.Repeat("long", 1+r.IntN(30))
			}
			d := time.Duration(50+r.IntN(800)) * msec
			if r.IntN(20) == 0 {
				at += time.Duration(r.IntN(2000)) * msec // a pause
			}
			start := at
			if r.IntN(30) == 0 {
				start -= time.Duration(r.IntN(1500)) * msec // out of order
			}
			words = append(words, caption.Word{Text: text, Start: start, End: start + d})
			at += d
		}
		o := opts[seed%uint64(len(opts))]
		cues := caption.BuildCues(words, o)
		checkCueRules(t, cues, o)
		// Every character of every word is there, in order of start.
		var in, out strings.Builder
		for _, w := range sortedWords(words) {
			in.WriteString(strings.Join(strings.Fields(w.Text), ""))
		}
		for _, c := range cues {
			out.WriteString(strings.Join(strings.Fields(html.UnescapeString(c.Text)), ""))
		}
		require.Equal(t, in.String(), out.String(), "seed %d: the words", seed)
		var buf strings.Builder
		require.NoError(t, caption.WriteVTT(&buf, cues), "seed %d", seed)
	}
}

// sortedWords sorts words by start, keeping the order of equal starts.
func sortedWords(ws []caption.Word) []caption.Word {
	out := append([]caption.Word(nil), ws...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Start < out[j-1].Start; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// checkCueRules checks what BuildCues promises of every cue.
func checkCueRules(t *testing.T, cues []caption.Cue, opts *caption.CueOptions) {
	t.Helper()
	var o caption.CueOptions
	if opts != nil {
		o = *opts
	}
	if o.MaxLineChars == 0 {
		o.MaxLineChars = caption.DefaultMaxLineChars
	}
	if o.MaxLines == 0 {
		o.MaxLines = caption.DefaultMaxLines
	}
	if o.MaxDuration == 0 {
		o.MaxDuration = caption.DefaultMaxDuration
	}
	for i, c := range cues {
		require.Greater(t, c.End, c.Start, "cue %d ends after it starts", i)
		require.GreaterOrEqual(t, c.Start, time.Duration(0), "cue %d", i)
		require.LessOrEqual(t, c.End-c.Start, o.MaxDuration, "cue %d: at most MaxDuration", i)
		require.Zero(t, c.Start%msec, "cue %d: whole milliseconds", i)
		require.Zero(t, c.End%msec, "cue %d: whole milliseconds", i)
		if i+1 < len(cues) {
			require.LessOrEqual(t, c.End, cues[i+1].Start, "cue %d overlaps the next", i)
		}
		lines := strings.Split(c.Text, "\n")
		require.LessOrEqual(t, len(lines), o.MaxLines, "cue %d: %q", i, c.Text)
		for _, l := range lines {
			require.LessOrEqual(t, utf8.RuneCountInString(html.UnescapeString(l)), o.MaxLineChars, "cue %d: line %q", i, l)
			require.NotEmpty(t, l, "cue %d", i)
		}
	}
}

func TestCuesFromTranscript(t *testing.T) {
	words := cueWords("Hello there. How are you today? I am fine, thanks for asking, and you?", 0)
	t.Run("words", func(t *testing.T) {
		tr := &caption.Transcript{Segments: []caption.Segment{{Words: words[:5]}, {Words: words[5:]}}}
		got := caption.CuesFromTranscript(tr, nil)
		require.Equal(t, caption.BuildCues(words, nil), got)
	})
	t.Run("a segment end is a clause end", func(t *testing.T) {
		ws := cueWords("the quick brown fox jumps over the lazy dog and then it runs far away from us all and never comes back", 0)
		tr := &caption.Transcript{Segments: []caption.Segment{{Words: ws[:5]}, {Words: ws[5:]}}}
		got := caption.CuesFromTranscript(tr, nil)
		require.Equal(t, "the quick brown fox jumps", got[0].Text)
		require.NotEqual(t, caption.BuildCues(ws, nil)[0].Text, got[0].Text, "from the words alone")
	})
	t.Run("segment text interpolated by characters", func(t *testing.T) {
		tr := &caption.Transcript{Segments: []caption.Segment{
			{Text: "aaaa bbbb", Start: 0, End: 900 * msec},
			{Text: " ", Start: 1000 * msec, End: 2000 * msec},
			{Text: "Then a much longer segment that goes on and on, well past what one cue holds, so it is split.",
				Start: 3000 * msec, End: 12400 * msec},
		}}
		got := caption.CuesFromTranscript(tr, nil)
		require.Equal(t, []caption.Cue{
			mkCue(0, 1000, "aaaa bbbb"),
			// 93 characters over 9.4 s: "on," ends at character 47,
			// "well" starts at character 48.
			mkCue(3000, 7751, "Then a much longer segment\nthat goes on and on,"),
			mkCue(7852, 12400, "well past what one cue holds,\nso it is split."),
		}, got)
	})
	t.Run("mixed", func(t *testing.T) {
		tr := &caption.Transcript{Segments: []caption.Segment{
			{Text: "timed by phrase", Start: 0, End: 1500 * msec},
			{Text: "ignored when words exist", Words: []caption.Word{wd("timed", 3000, 3400), wd("by", 3400, 3600), wd("word", 3600, 4000)}},
		}}
		got := caption.CuesFromTranscript(tr, nil)
		require.Equal(t, []caption.Cue{mkCue(0, 1500, "timed by phrase"), mkCue(3000, 4000, "timed by word")}, got)
	})
	t.Run("nil", func(t *testing.T) {
		require.Nil(t, caption.CuesFromTranscript(nil, nil))
		require.Nil(t, caption.CuesFromTranscript(&caption.Transcript{}, nil))
	})
}
