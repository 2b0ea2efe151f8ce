package caption

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDecodeTranscriptJSON(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	cases := []struct {
		name string
		json string
		lang string
		want *Transcript
	}{
		{"words beside segments go to the segment of their midpoint",
			`{"language":"german","segments":[{"start":0,"end":1,"text":"a b"},{"start":1,"end":2,"text":"c"}],` +
				`"words":[{"word":"a","start":0.1,"end":0.3},{"word":"b","start":0.8,"end":1.1},{"word":"c","start":1.2,"end":1.5}]}`, "",
			&Transcript{Language: "de", Segments: []Segment{
				{Text: "a b", Start: 0, End: ms(1100), Words: []Word{{Text: "a", Start: ms(100), End: ms(300)}, {Text: "b", Start: ms(800), End: ms(1100)}}},
				{Text: "c", Start: ms(1100), End: ms(2000), Words: []Word{{Text: "c", Start: ms(1200), End: ms(1500)}}},
			}}},
		{"a word outside every segment goes to the nearest",
			`{"segments":[{"start":0,"end":1,"text":"a"},{"start":5,"end":6,"text":"b"}],"words":[{"word":"x","start":3.5,"end":4}]}`, "",
			&Transcript{Segments: []Segment{
				{Text: "a", Start: 0, End: ms(1000)},
				{Text: "b", Start: ms(3500), End: ms(6000), Words: []Word{{Text: "x", Start: ms(3500), End: ms(4000)}}},
			}}},
		{"a word on the boundary of two segments goes to the first",
			`{"segments":[{"start":0,"end":1,"text":"a"},{"start":1,"end":2,"text":"b"}],"words":[{"word":"x","start":0.9,"end":1.1}]}`, "",
			&Transcript{Segments: []Segment{
				{Text: "a", Start: 0, End: ms(1100), Words: []Word{{Text: "x", Start: ms(900), End: ms(1100)}}},
				{Text: "b", Start: ms(1100), End: ms(2000)},
			}}},
		{"overlapping segments are trimmed, empty ones dropped, the language option wins",
			`{"language":"en","segments":[{"start":0,"end":2,"text":"a"},{"start":1.5,"end":3,"text":" b "},{"start":3,"end":4,"text":"  "}]}`, "fr",
			&Transcript{Language: "fr", Segments: []Segment{
				{Text: "a", Start: 0, End: ms(2000)},
				{Text: "b", Start: ms(2000), End: ms(3000)},
			}}},
		{"an end before the start", `{"segments":[{"start":2,"end":1,"text":"a"}]}`, "",
			&Transcript{Segments: []Segment{{Text: "a", Start: ms(2000), End: ms(2000)}}}},
		{"an unknown language is dropped", `{"language":"Klingon!","text":""}`, "", &Transcript{}},
		{"a language tag is kept", `{"language":"pt-BR"}`, "", &Transcript{Language: "pt-br"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeTranscriptJSON([]byte(tc.json), tc.lang)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			require.NoError(t, validTranscript(got))
		})
	}
}

// FuzzDecodeTranscriptJSON checks that any answer gives a valid transcript
// or ErrBadResponse.
func FuzzDecodeTranscriptJSON(f *testing.F) {
	for _, s := range []string{
		`{"segments":[{"start":0,"end":1,"text":"a","words":[{"word":"a","start":0.5,"end":0.2}]}],"words":[{"word":"b","start":3,"end":4}]}`,
		`{"text":"x","duration":1e300}`,
		`{"words":[{"word":"hi","start":1,"end":0.5,"probability":7}]}`,
		`{"segments":[{"start":5,"end":6,"text":"a"},{"start":1,"end":9,"text":"b"}]}`,
		`[]`, `null`, ``, `{"language":"en-US"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tr, err := decodeTranscriptJSON(b, "")
		if err != nil {
			if !errors.Is(err, ErrBadResponse) {
				t.Fatalf("error %v is not an ErrBadResponse", err)
			}
			return
		}
		if err := validTranscript(tr); err != nil {
			t.Fatal(err)
		}
	})
}

func TestLanguageTag(t *testing.T) {
	for in, want := range map[string]string{
		"english": "en", "English": "en", "en": "en", "EN-gb": "en-gb", "yue": "yue",
		"": "", "e": "", "engl": "", "en_US": "", "en-": "", "zh-Hant-TW": "zh-hant-tw", "en-toolongsubtag": "",
	} {
		require.Equal(t, want, languageTag(in), "languageTag(%q)", in)
	}
}
