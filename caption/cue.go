package caption

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Cue is one caption: text shown from Start to End, relative to the start
// of the video.
type Cue struct {
	Start, End time.Duration
	// Text is WebVTT cue text: lines joined by "\n", with markup such as
	// <i>, and "&", "<" and ">" escaped as &amp;, &lt; and &gt; where they
	// are literal. [BuildCues] and [Normalize] produce it so; [ParseSRT]
	// returns SRT text as written.
	Text string
	// Settings are WebVTT cue settings, such as "line:0 align:start";
	// usually empty. WriteSRT does not write them.
	Settings string
}

// Defaults of [CueOptions], from common captioning guidelines (BBC,
// Netflix, the FCC's best practices): two lines of at most 42 characters,
// shown for 1 to 7 seconds.
const (
	DefaultMaxLineChars = 42
	DefaultMaxLines     = 2
	DefaultMinDuration  = time.Second
	DefaultMaxDuration  = 7 * time.Second
	DefaultPauseBreak   = 700 * time.Millisecond
)

// CueOptions configures [BuildCues]; nil means the defaults. A zero or
// negative field means its default.
type CueOptions struct {
	// MaxLineChars is the most characters (Unicode code points, spaces
	// included, markup excluded) on one line. If zero, 42.
	MaxLineChars int
	// MaxLines is the most lines in one cue. If zero, 2.
	MaxLines int
	// MinDuration is the shortest time a cue is shown: a shorter cue is
	// extended into the silence after it, up to the next cue's start.
	// If zero, 1 s.
	MinDuration time.Duration
	// MaxDuration is the longest time a cue is shown: a cue ends before a
	// word that would make it longer. If zero, 7 s.
	MaxDuration time.Duration
	// PauseBreak is the silence between two words that always starts a
	// new cue. If zero, 0.7 s.
	PauseBreak time.Duration
}

func (o *CueOptions) withDefaults() CueOptions {
	var r CueOptions
	if o != nil {
		r = *o
	}
	if r.MaxLineChars <= 0 {
		r.MaxLineChars = DefaultMaxLineChars
	}
	if r.MaxLines <= 0 {
		r.MaxLines = DefaultMaxLines
	}
	if r.MinDuration <= 0 {
		r.MinDuration = DefaultMinDuration
	}
	if r.MaxDuration <= 0 {
		r.MaxDuration = DefaultMaxDuration
	}
	r.MinDuration = min(r.MinDuration, r.MaxDuration)
	if r.PauseBreak <= 0 {
		r.PauseBreak = DefaultPauseBreak
	}
	return r
}

// BuildCues groups timed words into cues, ready for [WriteVTT] and
// [SegmentVTT]:
//
//   - A cue holds at most MaxLines lines of at most MaxLineChars
//     characters, and its words span at most MaxDuration.
//   - A silence of PauseBreak or more between two words always ends a
//     cue.
//   - When the words ahead do not fit in one cue, the cue ends after the
//     last sentence end (. ? ! …) that fits; failing one, after the last
//     clause end (, ; : or a dash) that leaves at least half a line
//     before it; failing one, at the point that best combines filling the
//     cue with ending at a pause, and not on a short word (see below).
//   - Lines are balanced: the words are spread over as few lines as fit,
//     of lengths as equal as possible, preferring a line break after
//     punctuation and a shorter first line.
//   - Cues and lines avoid ending on a word of one or two characters,
//     and less so of three (mostly articles, prepositions and
//     conjunctions), when they can.
//   - A word longer than MaxLineChars is cut into pieces of MaxLineChars
//     characters, its time shared among them by length.
//   - Times are rounded to the millisecond, the precision of WebVTT and
//     SRT. A cue shown for less than MinDuration is extended into the
//     silence after it, never past the next cue's start; one longer than
//     MaxDuration (a single long word) is cut to it; cues never overlap.
//
// Words are taken in order of start time, their times kept within 0 and
// MaxCueTime; text inside a word separated by spaces is split into words
// with times shared by length, control characters become spaces, and empty
// words are skipped. Text is escaped as WebVTT cue text ("&" becomes
// &amp;).
func BuildCues(words []Word, opts *CueOptions) []Cue {
	o := opts.withDefaults()
	var b cueBuilder
	b.o = o
	byStart := func(x, y Word) int { return cmp.Compare(x.Start, y.Start) }
	if !slices.IsSortedFunc(words, byStart) {
		words = slices.Clone(words)
		slices.SortStableFunc(words, byStart)
	}
	b.toks = make([]cueToken, 0, len(words))
	for _, w := range words {
		b.add(w.Text, w.Start, w.End, breakNone)
	}
	return b.build()
}

// CuesFromTranscript builds cues from a transcript: from the timed words of
// the segments that have them, and from the text of those that do not,
// with each word's time interpolated across the segment by character
// count, so that a long segment is split across cues. The end of a
// segment counts as a clause end. opts is as for [BuildCues].
func CuesFromTranscript(t *Transcript, opts *CueOptions) []Cue {
	if t == nil {
		return nil
	}
	var b cueBuilder
	b.o = opts.withDefaults()
	for _, s := range t.Segments {
		n := len(b.toks)
		if len(s.Words) > 0 {
			for _, w := range s.Words {
				b.add(w.Text, w.Start, w.End, breakNone)
			}
		} else {
			b.add(s.Text, s.Start, s.End, breakNone)
		}
		if len(b.toks) > n {
			last := &b.toks[len(b.toks)-1]
			last.brk = max(last.brk, breakClause)
		}
	}
	slices.SortStableFunc(b.toks, func(x, y cueToken) int { return cmp.Compare(x.start, y.start) })
	return b.build()
}

// shortness is how much a cue or a line should avoid ending on a word of
// n characters: short words are mostly articles, prepositions and
// conjunctions ("a", "of", "the").
func shortness(n int) float64 {
	switch {
	case n <= 2:
		return 3
	case n == 3:
		return 1
	}
	return 0
}

// The quality of a break after a word.
const (
	breakNone = iota
	breakClause
	breakSentence
)

// cueToken is a word as the cueBuilder sees it: display text (not escaped), its
// length in code points, its times rounded to the millisecond, and the
// quality of a break after it.
type cueToken struct {
	text       string
	n          int
	start, end time.Duration
	brk        int
}

type cueBuilder struct {
	o    CueOptions
	toks []cueToken
	// Scratch space of layout, reused from cue to cue.
	cost []float64
	from []int
}

// add adds text spoken from start to end, splitting it into words and
// long words into pieces, with times shared by length.
func (b *cueBuilder) add(text string, start, end time.Duration, brk int) {
	start = min(max(start, 0), MaxCueTime-time.Millisecond).Round(time.Millisecond)
	end = min(max(end, start), MaxCueTime).Round(time.Millisecond)
	if strings.ContainsFunc(text, unicode.IsControl) {
		text = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return ' '
			}
			return r
		}, text)
	}
	if t := strings.TrimSpace(text); !strings.ContainsFunc(t, unicode.IsSpace) {
		// One word, the usual case.
		if t == "" {
			return
		}
		if n := utf8.RuneCountInString(t); n <= b.o.MaxLineChars {
			b.toks = append(b.toks, cueToken{text: t, n: n, start: start, end: end, brk: max(brk, breakAfter(t))})
			return
		}
	}
	fields := strings.Fields(text)
	total := 0
	for _, f := range fields {
		total += utf8.RuneCountInString(f) + 1
	}
	total-- // spaces between words only
	at := func(pos int) time.Duration {
		return start + time.Duration(float64(end-start)*float64(pos)/float64(total)).Round(time.Millisecond)
	}
	pos := 0
	for _, f := range fields {
		fb := breakAfter(f)
		for len(f) > 0 {
			piece := f
			if utf8.RuneCountInString(f) > b.o.MaxLineChars {
				i := 0
				for range b.o.MaxLineChars {
					_, size := utf8.DecodeRuneInString(f[i:])
					i += size
				}
				piece = f[:i]
			}
			f = f[len(piece):]
			n := utf8.RuneCountInString(piece)
			t := cueToken{text: piece, n: n, start: at(pos), end: at(pos + n)}
			if f == "" {
				t.brk = fb
			}
			b.toks = append(b.toks, t)
			pos += n
		}
		pos++
	}
	b.toks[len(b.toks)-1].brk = max(b.toks[len(b.toks)-1].brk, brk)
}

// breakAfter is the quality of a break after word w, from its final
// punctuation (closing quotes and brackets aside).
func breakAfter(w string) int {
	w = strings.TrimRight(w, "\"')]}”’»」』")
	r, _ := utf8.DecodeLastRuneInString(w)
	switch r {
	case '.', '?', '!', '…', '。', '？', '！':
		return breakSentence
	case ',', ';', ':', '–', '—', '、', '，', '；', '：':
		return breakClause
	case '-':
		if strings.HasSuffix(w, "--") || w == "-" {
			return breakClause
		}
	}
	return breakNone
}

func (b *cueBuilder) build() []Cue {
	toks := b.toks
	var cues []Cue
	for i := 0; i < len(toks); {
		j, forced := b.window(i)
		k := j
		if !forced {
			k = b.bestBreak(i, j)
		}
		cues = append(cues, b.cue(toks[i:k]))
		i = k
	}
	b.fixTimes(cues)
	return cues
}

// window returns the end j of the longest run of tokens from i that fits
// in one cue, and whether the cue must end there: at a long pause or at
// the end of the words.
func (b *cueBuilder) window(i int) (j int, forced bool) {
	toks := b.toks
	lines, cur := 1, toks[i].n
	end := toks[i].end
	for j = i + 1; j < len(toks); j++ {
		t := &toks[j]
		if t.start-end >= b.o.PauseBreak {
			return j, true
		}
		if t.end-toks[i].start > b.o.MaxDuration {
			return j, false
		}
		if cur+1+t.n <= b.o.MaxLineChars {
			cur += 1 + t.n
		} else {
			lines++
			cur = t.n
			if lines > b.o.MaxLines {
				return j, false
			}
		}
		end = max(end, t.end)
	}
	return j, true
}

// bestBreak chooses where in (i, j] to end a cue when the tokens from i
// do not all fit; tokens [i, j) fit.
func (b *cueBuilder) bestBreak(i, j int) int {
	toks := b.toks
	best, bestScore := j, -1.0
	chars := -1
	for k := i + 1; k <= j; k++ {
		chars += toks[k-1].n + 1
		score := float64(k-i) / float64(j-i) // how full the cue is
		switch brk := toks[k-1].brk; {
		case brk == breakSentence:
			score += 4
		case brk == breakClause && 2*chars >= b.o.MaxLineChars:
			score += 2
		default:
			gap := toks[k].start - toks[k-1].end
			score += min(max(0, float64(gap)/float64(b.o.PauseBreak)), 0.99)
			score -= 0.1 * shortness(toks[k-1].n)
		}
		if score >= bestScore {
			best, bestScore = k, score
		}
	}
	return best
}

// cue lays out tokens as a cue.
func (b *cueBuilder) cue(toks []cueToken) Cue {
	c := Cue{Start: toks[0].start}
	for _, t := range toks {
		c.End = max(c.End, t.end)
	}
	lines := b.layout(toks)
	var sb strings.Builder
	size := 0
	for _, t := range toks {
		size += len(t.text) + 1
	}
	sb.Grow(size + 8) // a little room for escapes
	for i, t := range toks {
		if i > 0 {
			if slices.Contains(lines, i) {
				sb.WriteByte('\n')
			} else {
				sb.WriteByte(' ')
			}
		}
		escapeText(&sb, t.text)
	}
	c.Text = sb.String()
	return c
}

// layout returns the indexes of the tokens that start a new line: the
// fewest lines that fit MaxLineChars, as equal in length as possible,
// preferring breaks after punctuation and a shorter first line.
func (b *cueBuilder) layout(toks []cueToken) []int {
	// The fewest lines, by greedy filling.
	nl, cur, total := 1, toks[0].n, toks[0].n
	for _, t := range toks[1:] {
		total += 1 + t.n
		if cur+1+t.n <= b.o.MaxLineChars {
			cur += 1 + t.n
		} else {
			nl++
			cur = t.n
		}
	}
	if nl == 1 {
		return nil
	}
	// Dynamic programming over (line, first cueToken of the next line).
	n := len(toks)
	target := float64(total) / float64(nl)
	bonus := float64(b.o.MaxLineChars*b.o.MaxLineChars) / 16
	const inf = 1e18
	cells := (nl + 1) * (n + 1)
	if cap(b.cost) < cells {
		b.cost, b.from = make([]float64, cells), make([]int, cells)
	}
	flatCost, flatFrom := b.cost[:cells], b.from[:cells]
	for k := range flatCost {
		flatCost[k] = inf
	}
	// cost[l][e] is the least cost of l lines holding tokens [0, e), the
	// last of which starts at from[l][e].
	cost := func(l int) []float64 { return flatCost[l*(n+1) : (l+1)*(n+1)] }
	from := func(l int) []int { return flatFrom[l*(n+1) : (l+1)*(n+1)] }
	cost(0)[0] = 0
	for l := 1; l <= nl; l++ {
		for e := 1; e <= n; e++ { // line l holds tokens [s, e)
			length := -1
			for s := e - 1; s >= 0; s-- {
				length += toks[s].n + 1
				if length > b.o.MaxLineChars {
					break
				}
				if cost(l - 1)[s] >= inf {
					continue
				}
				d := float64(length) - target
				c := cost(l - 1)[s] + d*d
				if l < nl {
					if toks[e-1].brk > breakNone {
						c -= bonus
					} else {
						c += bonus / 6 * shortness(toks[e-1].n)
					}
					if d > 0 {
						c += 1 // a shorter line above
					}
				}
				if c < cost(l)[e] {
					cost(l)[e], from(l)[e] = c, s
				}
			}
		}
	}
	starts := make([]int, 0, nl-1)
	for l, e := nl, n; l > 1; l-- {
		e = from(l)[e]
		starts = append(starts, e)
	}
	slices.Reverse(starts)
	return starts
}

// escapeText writes s as WebVTT cue text.
func escapeText(sb *strings.Builder, s string) {
	for {
		i := strings.IndexAny(s, "&<>")
		if i < 0 {
			sb.WriteString(s)
			return
		}
		sb.WriteString(s[:i])
		switch s[i] {
		case '&':
			sb.WriteString("&amp;")
		case '<':
			sb.WriteString("&lt;")
		default:
			sb.WriteString("&gt;")
		}
		s = s[i+1:]
	}
}

// fixTimes makes cue times strictly increasing, extends short cues, cuts
// long ones, and removes overlaps.
func (b *cueBuilder) fixTimes(cues []Cue) {
	for i := 1; i < len(cues); i++ {
		if cues[i].Start <= cues[i-1].Start {
			cues[i].Start = cues[i-1].Start + time.Millisecond
		}
	}
	for i := range cues {
		c := &cues[i]
		end := min(max(c.End, c.Start+b.o.MinDuration), c.Start+b.o.MaxDuration, MaxCueTime)
		if i+1 < len(cues) {
			end = min(end, cues[i+1].Start)
		}
		c.End = end
	}
}
