package caption

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// sphinxOutput is what pocketsphinx_continuous -time yes printed for two
// utterances of espeak-ng speech, with the general model.
const sphinxOutput = `we are evil soda
<s> 0.000 0.220 0.999100
we 0.230 0.350 0.230531
<sil> 0.360 0.510 0.845084
are 0.520 0.680 0.517898
evil 0.690 0.900 0.012966
[NOISE] 0.910 1.400 0.999800
soda 1.410 1.830 0.013712
</s> 1.840 1.910 0.860435
really old
<s> 3.000 3.100 1.000000
really(2) 3.920 4.220 0.009771
old 4.230 4.440 0.535009
</s> 4.450 4.770 1.000000
`

// sphinxGrammarOutput is its output with a JSGF grammar: (NULL) transitions
// and no confidence.
const sphinxGrammarOutput = `the quick fox
the 0.000 0.140 1.000000
(NULL) 0.140 0.140 1.000000
quick 0.150 0.460 1.000000
(NULL) 0.460 0.460 1.000000
<sil> 1.050 1.740 1.000000
fox 1.750 2.040 1.000000
`

func TestParseSphinx(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	word := func(text string, start, end int, conf float64) Word {
		return Word{Text: text, Start: ms(start), End: ms(end), Confidence: conf}
	}
	seg := func(ws ...Word) Segment {
		return Segment{Text: joinWords(ws), Start: ws[0].Start, End: ws[len(ws)-1].End, Words: ws}
	}
	cases := []struct {
		name string
		out  string
		skip time.Duration
		want []Segment
	}{
		{"utterances become segments, fillers and alternates cleaned", sphinxOutput, 0, []Segment{
			seg(word("we", 230, 350, 0.230531), word("are", 520, 680, 0.517898), word("evil", 690, 900, 0.012966), word("soda", 1410, 1830, 0.013712)),
			seg(word("really", 3920, 4220, 0.009771), word("old", 4230, 4440, 0.535009)),
		}},
		{"grammar output", sphinxGrammarOutput, 0, []Segment{
			seg(word("the", 0, 140, 1), word("quick", 150, 460, 1), word("fox", 1750, 2040, 1)),
		}},
		{"words of the warm-up dropped, the rest moved back", sphinxOutput, 2 * time.Second, []Segment{
			seg(word("really", 1920, 2220, 0.009771), word("old", 2230, 2440, 0.535009)),
		}},
		{"a word whose midpoint is in the warm-up is dropped", "a b\na 0.5 1.2 0.5\nb 1.3 1.6 0.5\n", time.Second, []Segment{
			seg(word("b", 300, 600, 0.5)),
		}},
		{"no output", "", 0, nil},
		{"only fillers", "\n<s> 0.0 0.1 1\n<sil> 0.1 0.5 1\n</s> 0.5 0.6 1\n", 0, nil},
		{"malformed lines ignored", strings.Join([]string{
			"hello world",
			"hello 1.0",             // too few fields
			"hello a b c",           // not numbers
			"hello 1 NaN 0.5",       // not a number
			"hello -1 2 0.5",        // negative
			"hello 2 1 0.5",         // ends before it starts
			"hello 1 2 3 4 5",       // too many fields
			"hello 1 400000 0.5",    // beyond 100 hours
			"hel\x01lo 1 2 0.5",     // a control character
			"hel\xfflo 1 2 0.5",     // not UTF-8
			"hello +Inf +Inf 0.5",   // infinite
			"world 1.000 2.000 7.5", // a confidence out of range is dropped
		}, "\n"), 0, []Segment{seg(word("world", 1000, 2000, 0))}},
		{"a word starting before the one before ends is dropped", "a b c\na 1.0 2.0 0.5\nb 1.5 2.5 0.5\nc 2.0 3.0 0.5\n", 0, []Segment{
			seg(word("a", 1000, 2000, 0.5), word("c", 2000, 3000, 0.5)),
		}},
		{"words before any text line", "a 1.0 2.0 1\nb 2.0 3.0 1\n", 0, []Segment{
			seg(word("a", 1000, 2000, 1), word("b", 2000, 3000, 1)),
		}},
		{"three fields", "x\nx 1 2\n", 0, []Segment{seg(word("x", 1000, 2000, 0))}},
		{"CRLF", "x\r\nx 1 2 1\r\n", 0, []Segment{seg(word("x", 1000, 2000, 1))}},
		{"an alternate with text in its parentheses is a word", "x\nfoo(bar) 1 2 1\n", 0, []Segment{seg(word("foo(bar)", 1000, 2000, 1))}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseSphinx([]byte(tc.out), tc.skip)
			require.NoError(t, err)
			require.Equal(t, tc.want, got.Segments)
			require.NoError(t, validTranscript(got))
		})
	}
}

// FuzzParseSphinx checks that no output makes the parser fail or break the
// promises of a transcript.
func FuzzParseSphinx(f *testing.F) {
	f.Add([]byte(sphinxOutput), int64(0))
	f.Add([]byte(sphinxGrammarOutput), int64(time.Second))
	f.Add([]byte("a 1 2 0.5\nb 1.5 2.5 0.5\n"), int64(0))
	f.Add([]byte("x(2) 0 0 0\n(NULL) 1e308 1e308 1\n"), int64(-1))
	f.Fuzz(func(t *testing.T, out []byte, skip int64) {
		tr, err := parseSphinx(out, time.Duration(skip))
		if err != nil {
			return // only a line over 1 MiB
		}
		if err := validTranscript(tr); err != nil {
			t.Fatal(err)
		}
	})
}

// validTranscript checks the promises of a Recognizer: segments in order
// without overlap, words in order inside their segment, times not negative,
// text without spaces at the ends.
func validTranscript(tr *Transcript) error {
	var prev time.Duration
	for i, s := range tr.Segments {
		if s.Text == "" || strings.TrimSpace(s.Text) != s.Text {
			return fmt.Errorf("segment %d: text %q", i, s.Text)
		}
		if s.Start < prev || s.End < s.Start {
			return fmt.Errorf("segment %d: %v–%v after %v", i, s.Start, s.End, prev)
		}
		last := s.Start
		for j, w := range s.Words {
			if w.Text == "" || strings.TrimSpace(w.Text) != w.Text {
				return fmt.Errorf("segment %d word %d: text %q", i, j, w.Text)
			}
			if w.Start < last || w.End < w.Start || w.End > s.End {
				return fmt.Errorf("segment %d word %d: %v–%v in %v–%v after %v", i, j, w.Start, w.End, s.Start, s.End, last)
			}
			if w.Confidence < 0 || w.Confidence > 1 {
				return fmt.Errorf("segment %d word %d: confidence %v", i, j, w.Confidence)
			}
			last = w.End
		}
		prev = s.End
	}
	return nil
}

func TestSphinxGrammarFromWords(t *testing.T) {
	cases := []struct {
		name    string
		s       Sphinx
		want    string
		wantErr string
	}{
		{"language model", Sphinx{}, "", ""},
		{"words", Sphinx{Words: []string{"yes", " no ", "yes", "", "don't", "x-ray"}},
			"#JSGF V1.0;\ngrammar words;\npublic <s> = ( yes | no | don't | x-ray )* ;\n", ""},
		{"only blanks", Sphinx{Words: []string{" ", ""}}, "", ""},
		{"grammar wins", Sphinx{Words: []string{"a"}, Grammar: "#JSGF V1.0; grammar g; public <s> = b;"}, "#JSGF V1.0; grammar g; public <s> = b;", ""},
		{"JSGF syntax in a word", Sphinx{Words: []string{"a;b"}}, "", `word "a;b"`},
		{"a space in a word", Sphinx{Words: []string{"new york"}}, "", `word "new york"`},
		{"a rule reference", Sphinx{Words: []string{"<s>"}}, "", `word "<s>"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.s.grammar()
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}
