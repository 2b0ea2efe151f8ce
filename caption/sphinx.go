package caption

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Defaults of [Sphinx]: Debian's pocketsphinx-en-us model.
const (
	DefaultSphinxModel  = "/usr/share/pocketsphinx/model/en-us/en-us"
	DefaultSphinxLM     = "/usr/share/pocketsphinx/model/en-us/en-us.lm.bin"
	DefaultSphinxDict   = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict"
	DefaultSphinxWarmUp = 3 * time.Second

	DefaultSphinxPause        = 250 * time.Millisecond
	DefaultSphinxMaxUtterance = 5 * time.Second
)

// sphinxWarmUpGap is the silence between the warm-up and the audio, long
// enough for pocketsphinx to end an utterance in it.
const sphinxWarmUpGap = time.Second

// Sphinx is the offline [Recognizer]: it runs PocketSphinx's
// pocketsphinx_continuous (version 0.8 or 5prealpha), which recognises
// speech on the CPU with no network, one core per call, almost twice as
// fast as real time with its general English model.
//
// The general model is weak: on clear synthetic speech it gets one word in
// two or two in three right, fewer on noisy audio. When the vocabulary is
// known (commands, a quiz, a product's names), set Words: recognition is
// then restricted to those words and ten times faster. It is exact on a
// small vocabulary of distinct words, but a word list is no language
// model: with short words in it ("a", "in") pocketsphinx hears them
// between the others. Grammar gives full control with a JSGF grammar.
// BenchmarkSphinx, and bench/cmd/captionbench on longer speech, measure
// both.
//
// pocketsphinx adapts to the loudness and colour of the audio (cepstral
// mean normalisation) only after its first utterance, which it recognises
// poorly. Sphinx therefore plays the first WarmUp of the audio, then a
// second of silence, before the audio itself, and drops what it hears in
// that prelude. It costs WarmUp of extra recognition per call.
//
// The zero value uses Debian's model paths and the general model. Sphinx
// is a [StreamRecognizer] too: [Sphinx.NewStream] recognises live audio
// with one long-running pocketsphinx process, and delivers each
// utterance's words as soon as the speaker pauses.
type Sphinx struct {
	// Path is the pocketsphinx_continuous executable; if empty, from
	// PATH.
	Path string
	// HMM, LM and Dict are the acoustic model directory, the language
	// model and the pronunciation dictionary; if empty,
	// DefaultSphinxModel, DefaultSphinxLM and DefaultSphinxDict.
	HMM, LM, Dict string
	// Words, if not empty, restricts recognition to these words, in any
	// order. Each must be in Dict (lower case for the default one).
	Words []string
	// Grammar, if set, is a JSGF grammar to recognise with instead of the
	// language model, e.g. "#JSGF V1.0; grammar g; public <s> = ( yes |
	// no )* ;". It overrides Words.
	Grammar string
	// WarmUp is how much of the start of the audio is played first so
	// that pocketsphinx adapts to it; if zero, DefaultSphinxWarmUp;
	// negative means none.
	WarmUp time.Duration
	// Args are more arguments for pocketsphinx_continuous, such as
	// "-beam", "1e-60".
	Args []string
	// Pause is the silence that ends an utterance in live recognition
	// (pocketsphinx's -vad_postspeech); if zero, DefaultSphinxPause.
	// Live words are delivered when their utterance ends, so a shorter
	// pause delivers them sooner, in shorter utterances.
	Pause time.Duration
	// MaxUtterance bounds how long a live utterance runs before Sphinx
	// ends it, at the next quiet moment between words (or 2 s later
	// regardless), by putting Pause of silence into the audio it gives
	// pocketsphinx; if zero, DefaultSphinxMaxUtterance; negative means
	// never. It bounds how late words come when the speaker does not
	// pause.
	MaxUtterance time.Duration
	// MaxPending bounds the live audio written but not yet read by
	// pocketsphinx; if zero, DefaultMaxPending. See [Sphinx.NewStream].
	MaxPending time.Duration
}

var (
	_ Recognizer       = (*Sphinx)(nil)
	_ StreamRecognizer = (*Sphinx)(nil)
)

// Recognize runs pocketsphinx_continuous on wav.
func (s *Sphinx) Recognize(ctx context.Context, wav string) (*Transcript, error) {
	f, pcm, err := openWAV(wav)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	args, cleanup, err := s.args()
	if err != nil {
		return nil, err
	}
	defer cleanup()
	warm := s.warmUp()
	prelude := int64(0) // bytes of warm-up and silence before the audio
	audio := io.NewSectionReader(f, pcm.offset, pcm.size)
	stdin := io.Reader(audio)
	if warm > 0 && pcm.size > 0 {
		n := min(pcmBytes(warm), pcm.size)
		gap := pcmBytes(sphinxWarmUpGap)
		prelude = n + gap
		stdin = io.MultiReader(io.NewSectionReader(f, pcm.offset, n), io.LimitReader(silenceReader{}, gap), audio)
	}
	out, err := runProcess(ctx, process{
		path:   orDefault(s.Path, "pocketsphinx_continuous"),
		args:   args,
		stdin:  stdin,
		stderr: sphinxErrors,
		tail:   16 << 10, // the configuration pocketsphinx prints is 10 kB
	})
	if err != nil {
		return nil, err
	}
	return parseSphinx(out, pcmDuration(prelude))
}

// args returns pocketsphinx_continuous's arguments for reading raw PCM
// from stdin, and a function that removes the grammar file they name.
func (s *Sphinx) args() (args []string, cleanup func(), err error) {
	cleanup = func() {}
	grammar, err := s.grammar()
	if err != nil {
		return nil, cleanup, err
	}
	args = []string{
		"-infile", "/dev/stdin", // raw PCM, written by the caller
		"-time", "yes",
		"-hmm", orDefault(s.HMM, DefaultSphinxModel),
		"-dict", orDefault(s.Dict, DefaultSphinxDict),
	}
	if grammar != "" {
		g, err := os.CreateTemp("", "v100-sphinx-*.gram")
		if err != nil {
			return nil, cleanup, fmt.Errorf("caption: sphinx: %w", err)
		}
		cleanup = func() { os.Remove(g.Name()) }
		_, err = g.WriteString(grammar)
		if cerr := g.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			cleanup()
			return nil, func() {}, fmt.Errorf("caption: sphinx: %w", err)
		}
		args = append(args, "-jsgf", g.Name())
	} else {
		args = append(args, "-lm", orDefault(s.LM, DefaultSphinxLM))
	}
	return append(args, s.Args...), cleanup, nil
}

// warmUp is how much audio s plays first; 0 for none.
func (s *Sphinx) warmUp() time.Duration {
	switch {
	case s.WarmUp == 0:
		return DefaultSphinxWarmUp
	case s.WarmUp < 0:
		return 0
	}
	return s.WarmUp
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// silenceReader reads as endless zero bytes.
type silenceReader struct{}

func (silenceReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// grammar returns the JSGF grammar to recognise with, or "" for the
// language model.
func (s *Sphinx) grammar() (string, error) {
	if strings.TrimSpace(s.Grammar) != "" {
		return s.Grammar, nil
	}
	if len(s.Words) == 0 {
		return "", nil
	}
	seen := map[string]bool{}
	var alts []string
	for _, w := range s.Words {
		w = strings.TrimSpace(w)
		if w == "" || seen[w] {
			continue
		}
		for _, r := range w {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("'-._", r) {
				return "", fmt.Errorf("caption: sphinx: word %q: only letters, digits and ' - . _ can be in a grammar", w)
			}
		}
		seen[w] = true
		alts = append(alts, w)
	}
	if len(alts) == 0 {
		return "", nil
	}
	return "#JSGF V1.0;\ngrammar words;\npublic <s> = ( " + strings.Join(alts, " | ") + " )* ;\n", nil
}

// sphinxErrors picks pocketsphinx's ERROR and FATAL lines out of its log;
// the rest is configuration and statistics.
func sphinxErrors(log string) string {
	var keep []string
	for _, l := range strings.Split(log, "\n") {
		if strings.HasPrefix(l, "ERROR:") || strings.HasPrefix(l, "FATAL") {
			keep = append(keep, l)
		}
	}
	if len(keep) == 0 {
		return log
	}
	return strings.Join(keep, "\n")
}

// maxSphinxTime bounds the times parseSphinx accepts (100 hours).
const maxSphinxTime = 100 * 3600.0

// parseSphinx reads the output of pocketsphinx_continuous -time yes: for
// each utterance a line of its text, then a line per word, "word start end
// confidence", times in seconds. Each utterance becomes a segment. Fillers
// (<s>, </s>, <sil>, [NOISE], ++NOISE++, (NULL)) are dropped, alternate
// pronunciations ("the(2)") named by their word, and words heard before
// skip are dropped and the rest moved back by skip. Lines that are not
// well formed, and words that start before the previous one ends, are
// ignored.
func parseSphinx(out []byte, skip time.Duration) (*Transcript, error) {
	skip = max(skip, 0)
	t := &Transcript{}
	var (
		seg     *Segment
		prevEnd time.Duration
	)
	flush := func() {
		if seg != nil && len(seg.Words) > 0 {
			seg.Text = joinWords(seg.Words)
			seg.Start, seg.End = seg.Words[0].Start, seg.Words[len(seg.Words)-1].End
			t.Segments = append(t.Segments, *seg)
		}
		seg = nil
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		w, ok := sphinxWordLine(fields)
		if !ok {
			if len(fields) > 0 {
				flush() // the text of the next utterance
			}
			continue
		}
		if w.Text == "" || w.Start < prevEnd || w.Start+(w.End-w.Start)/2 < skip {
			continue
		}
		prevEnd = w.End
		w.Start, w.End = max(w.Start-skip, 0), w.End-skip
		if seg == nil {
			seg = &Segment{}
		}
		seg.Words = append(seg.Words, w)
	}
	flush()
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("caption: sphinx: %w: %v", ErrBadResponse, err)
	}
	return t, nil
}

// sphinxWordLine parses "word start end [confidence]". It reports false for
// a line that is not one; a filler gives a Word with no text.
func sphinxWordLine(f []string) (Word, bool) {
	if len(f) != 3 && len(f) != 4 {
		return Word{}, false
	}
	var nums [3]float64
	for i, s := range f[1:] {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return Word{}, false
		}
		nums[i] = v
	}
	start, end, conf := nums[0], nums[1], nums[2]
	if start < 0 || end < start || end > maxSphinxTime {
		return Word{}, false
	}
	if len(f) == 3 || conf < 0 || conf > 1 {
		conf = 0
	}
	w := Word{
		Start:      time.Duration(math.Round(start*1000)) * time.Millisecond,
		End:        time.Duration(math.Round(end*1000)) * time.Millisecond,
		Confidence: conf,
	}
	text := f[0]
	if i := strings.IndexByte(text, '('); i > 0 && strings.HasSuffix(text, ")") {
		if _, err := strconv.Atoi(text[i+1 : len(text)-1]); err == nil {
			text = text[:i] // an alternate pronunciation: the(2)
		}
	}
	switch {
	case strings.ContainsAny(text[:1], "<[(+"):
		// a filler: <s>, </s>, <sil>, [NOISE], ++NOISE++, (NULL)
	case !utf8Printable(text):
	default:
		w.Text = text
	}
	return w, true
}

// utf8Printable reports whether s is valid UTF-8 with no control
// characters.
func utf8Printable(s string) bool {
	for _, r := range s {
		if r == unicode.ReplacementChar || unicode.IsControl(r) {
			return false
		}
	}
	return true
}
