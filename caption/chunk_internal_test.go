package caption

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPlanChunks(t *testing.T) {
	cases := []struct {
		name                 string
		size, chunk, overlap int64
		want                 []pcmSpan
	}{
		{"shorter than a chunk", 5, 10, 2, []pcmSpan{{0, 5}}},
		{"empty", 0, 10, 2, []pcmSpan{{0, 0}}},
		{"exactly a chunk", 10, 10, 2, []pcmSpan{{0, 10}}},
		{"a chunk and the overlap: stretched", 12, 10, 2, []pcmSpan{{0, 12}}},
		{"a little more", 13, 10, 2, []pcmSpan{{0, 10}, {8, 13}}},
		{"several", 40, 10, 2, []pcmSpan{{0, 10}, {8, 18}, {16, 26}, {24, 34}, {32, 40}}},
		{"no overlap", 25, 10, 0, []pcmSpan{{0, 10}, {10, 20}, {20, 25}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, planChunks(tc.size, tc.chunk, tc.overlap))
		})
	}
}

// TestStitcher joins the transcripts of two pieces cut at 2.5 s: the first
// piece's words whose midpoints are before the cut, the second's after.
func TestStitcher(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	word := func(text string, start, end int) Word { return Word{Text: text, Start: ms(start), End: ms(end)} }
	one := func(ws ...Word) *Transcript {
		return &Transcript{Segments: []Segment{{Text: joinWords(ws), Start: ws[0].Start, End: ws[len(ws)-1].End, Words: ws}}}
	}
	const cut = 2500
	cases := []struct {
		name          string
		first, second *Transcript // second is relative to its start, 2 s
		want          []Segment
	}{
		{"each word once, from the side of its midpoint",
			one(word("a", 1000, 1500), word("b", 2000, 2400), word("c", 2450, 2700), word("d", 2900, 3000)),
			one(word("b", 0, 400), word("c", 450, 700), word("d", 900, 1100), word("e", 1500, 1800)),
			[]Segment{
				{Text: "a b", Start: ms(1000), End: ms(2400), Words: []Word{word("a", 1000, 1500), word("b", 2000, 2400)}},
				{Text: "c d e", Start: ms(2450), End: ms(3800), Words: []Word{word("c", 2450, 2700), word("d", 2900, 3100), word("e", 3500, 3800)}},
			}},
		{"a word both pieces keep, their times differing, is kept once",
			one(word("a", 2000, 2300), word("Cut,", 2400, 2590)), // midpoint 2495: before the cut
			one(word("cut", 420, 620), word("b", 700, 900)),      // 2420–2620, midpoint 2520: after
			[]Segment{
				{Text: "a Cut,", Start: ms(2000), End: ms(2590), Words: []Word{word("a", 2000, 2300), word("Cut,", 2400, 2590)}},
				{Text: "b", Start: ms(2700), End: ms(2900), Words: []Word{word("b", 2700, 2900)}},
			}},
		{"the same word said twice is kept twice",
			one(word("no", 2000, 2300)),
			one(word("no", 600, 900)),
			[]Segment{
				{Text: "no", Start: ms(2000), End: ms(2300), Words: []Word{word("no", 2000, 2300)}},
				{Text: "no", Start: ms(2600), End: ms(2900), Words: []Word{word("no", 2600, 2900)}},
			}},
		{"within a piece, a word like the one before is kept",
			&Transcript{Segments: []Segment{
				{Text: "ok", Start: ms(1000), End: ms(1500), Words: []Word{word("ok", 1000, 1500)}},
				{Text: "ok", Start: ms(1400), End: ms(1800), Words: []Word{word("ok", 1400, 1800)}},
			}},
			&Transcript{},
			[]Segment{
				{Text: "ok", Start: ms(1000), End: ms(1500), Words: []Word{word("ok", 1000, 1500)}},
				{Text: "ok", Start: ms(1500), End: ms(1800), Words: []Word{word("ok", 1500, 1800)}},
			}},
		{"segments without words go by their midpoints, and do not overlap",
			&Transcript{Segments: []Segment{{Text: "one", Start: ms(0), End: ms(2000)}, {Text: "two", Start: ms(2000), End: ms(3200)}}},
			&Transcript{Segments: []Segment{{Text: "two", Start: ms(0), End: ms(1200)}, {Text: "three", Start: ms(1000), End: ms(2000)}}},
			[]Segment{
				{Text: "one", Start: ms(0), End: ms(2000)},
				{Text: "two", Start: ms(2000), End: ms(3200)},
				{Text: "three", Start: ms(3200), End: ms(4000)},
			}},
		{"empty pieces", &Transcript{}, nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var s stitcher
			s.add(tc.first, 0, math.MinInt64, ms(cut))
			s.add(tc.second, ms(2000), ms(cut), math.MaxInt64)
			got := s.transcript()
			require.Equal(t, tc.want, got.Segments)
			require.NoError(t, validTranscript(got))
		})
	}
}
