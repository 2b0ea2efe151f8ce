package caption_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/caption"
	"github.com/v100video/v100/internal/mediatest"
)

// speechSentences are what the tests with real speech say: espeak-ng's
// voice reads them, about 8 s.
var speechSentences = []string{
	"The quick brown fox jumps over the lazy dog.",
	"My brother likes hot tea and warm bread.",
	"Nine large frogs swim in the cold pond.",
}

// vocabulary returns the distinct words of timed words.
func vocabulary(words []mediatest.TimedWord) []string {
	seen := map[string]bool{}
	var v []string
	for _, w := range words {
		if !seen[w.Text] {
			seen[w.Text] = true
			v = append(v, w.Text)
		}
	}
	return v
}

// wordErrors scores the recognised words against the true ones (see
// mediatest.WordErrors).
func wordErrors(truth []mediatest.TimedWord, got []caption.Word) (wer float64, matches [][2]int) {
	texts := make([]string, len(got))
	for i, w := range got {
		texts[i] = w.Text
	}
	return mediatest.WordErrors(mediatest.Texts(truth), texts)
}

// requireSphinx skips the test when pocketsphinx is not installed; CI
// installs it (scripts/setup).
func requireSphinx(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("pocketsphinx_continuous"); err != nil {
		t.Skip("pocketsphinx_continuous not installed (scripts/setup installs it)")
	}
	if _, err := os.Stat(caption.DefaultSphinxModel); err != nil {
		t.Skip("pocketsphinx-en-us model not installed (scripts/setup installs it)")
	}
}

// checkRecognised asserts that words were recognised with at least
// accuracy (1 - WER) and that each word recognised right starts within
// 0.5 s of its true start.
func checkRecognised(t *testing.T, truth []mediatest.TimedWord, got []caption.Word, accuracy float64) {
	t.Helper()
	wer, matches := wordErrors(truth, got)
	t.Logf("WER %.0f%%, %d of %d words: %s", 100*wer, len(matches), len(truth), joinTexts(got))
	require.GreaterOrEqual(t, 1-wer, accuracy, "word accuracy")
	for _, m := range matches {
		want, w := truth[m[0]], got[m[1]]
		require.InDelta(t, want.Start.Seconds(), w.Start.Seconds(), 0.5, "start of %q, word %d", want.Text, m[0])
	}
}

func joinTexts(ws []caption.Word) string {
	s := make([]string, len(ws))
	for i, w := range ws {
		s[i] = w.Text
	}
	return strings.Join(s, " ")
}

func TestSphinxWithWordList(t *testing.T) {
	t.Parallel()
	requireSphinx(t)
	wav, truth := mediatest.Speech(t, speechSentences)
	rec := &caption.Sphinx{Words: vocabulary(truth)}
	tr, err := rec.Recognize(context.Background(), wav)
	require.NoError(t, err)
	checkTranscript(t, tr)
	checkRecognised(t, truth, tr.Words(), 0.8)
}

// TestSphinxGeneralModel only logs the word error rate of the general
// model on synthetic speech, which is poor.
func TestSphinxGeneralModel(t *testing.T) {
	t.Parallel()
	requireSphinx(t)
	wav, truth := mediatest.Speech(t, speechSentences[:1])
	tr, err := (&caption.Sphinx{}).Recognize(context.Background(), wav)
	require.NoError(t, err)
	checkTranscript(t, tr)
	wer, _ := wordErrors(truth, tr.Words())
	t.Logf("general model: WER %.0f%% on %q: heard %q", 100*wer, speechSentences[0], joinTexts(tr.Words()))
}

func TestSphinxGrammar(t *testing.T) {
	t.Parallel()
	requireSphinx(t)
	wav, truth := mediatest.Speech(t, speechSentences[:1])
	rec := &caption.Sphinx{
		Words:   []string{"ignored"}, // Grammar wins
		Grammar: "#JSGF V1.0;\ngrammar fox;\npublic <s> = the quick brown fox jumps over the lazy dog ;\n",
	}
	tr, err := rec.Recognize(context.Background(), wav)
	require.NoError(t, err)
	checkRecognised(t, truth, tr.Words(), 1)
}

func TestSphinxFails(t *testing.T) {
	t.Parallel()
	requireSphinx(t)
	wav, _ := mediatest.Speech(t, speechSentences[:1])
	dir := t.TempDir()
	stereo := filepath.Join(dir, "stereo.wav")
	out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=duration=0.5", "-ac", "2", stereo).CombinedOutput()
	require.NoError(t, err, "%s", out)
	cases := []struct {
		name    string
		rec     caption.Sphinx
		wav     string
		want    error  // errors.Is, if set
		message string // in the message, if set
	}{
		{"no such executable", caption.Sphinx{Path: filepath.Join(dir, "pocketsphinx")}, wav, fs.ErrNotExist, ""},
		{"word missing from the dictionary", caption.Sphinx{Words: []string{"fox", "zzxqv"}}, wav, nil, "'zzxqv' is missing in the dictionary"},
		{"word that breaks the grammar", caption.Sphinx{Words: []string{"fox", "a|b"}}, wav, nil, `word "a|b"`},
		{"bad model directory", caption.Sphinx{HMM: dir}, wav, nil, "acoustic model definition"},
		{"not a WAV file", caption.Sphinx{}, writeFileT(t, "x.wav", "hello"), nil, "not a 16 kHz mono 16-bit PCM WAV"},
		{"stereo", caption.Sphinx{}, stereo, nil, "2 channels"},
		{"missing WAV file", caption.Sphinx{}, filepath.Join(dir, "missing.wav"), fs.ErrNotExist, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := tc.rec.Recognize(context.Background(), tc.wav)
			require.Error(t, err)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
			}
			require.Contains(t, err.Error(), tc.message)
			require.True(t, strings.HasPrefix(err.Error(), "caption: "), "package prefix: %v", err)
		})
	}
}

// TestSphinxCancel cancels a run that would last ten minutes: Recognize
// returns ctx's error.
func TestSphinxCancel(t *testing.T) {
	t.Parallel()
	wav, _ := mediatest.Speech(t, speechSentences[:1])
	slow := writeScript(t, "slow-sphinx", "exec sleep 600\n")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := recognizeOrHang(t, ctx, &caption.Sphinx{Path: slow}, wav)
	require.ErrorIs(t, err, context.Canceled)
}

// recognizeOrHang runs rec.Recognize, and fails the test if it has not
// returned a minute after ctx is done: the process was not killed.
func recognizeOrHang(t testing.TB, ctx context.Context, rec caption.Recognizer, wav string) (*caption.Transcript, error) {
	t.Helper()
	type result struct {
		tr  *caption.Transcript
		err error
	}
	done := make(chan result, 1)
	go func() {
		tr, err := rec.Recognize(ctx, wav)
		done <- result{tr, err}
	}()
	select {
	case r := <-done:
		return r.tr, r.err
	case <-ctx.Done():
	}
	select {
	case r := <-done:
		return r.tr, r.err
	case <-time.After(time.Minute):
		t.Fatal("Recognize still running a minute after its context was cancelled")
		return nil, nil
	}
}

// writeScript writes an executable shell script.
func writeScript(t testing.TB, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o755))
	return p
}

// TestSphinxWarmUp checks, with a fake pocketsphinx, what Sphinx gives it
// (the first WarmUp of the audio, a second of silence, then the audio) and
// that what it hears in that prelude is dropped and the rest moved back.
func TestSphinxWarmUp(t *testing.T) {
	t.Parallel()
	samples := make([]int16, 2*16000)
	for i := range samples {
		samples[i] = int16(i%1000 + 1)
	}
	wav := writeTestWAV(t, filepath.Join(t.TempDir(), "in.wav"), samples)
	pcm := pcmOf(t, wav)
	second := func(n float64) int { return 2 * int(n*16000) }
	cases := []struct {
		name      string
		rec       caption.Sphinx
		wantInput []byte
		wantWords []caption.Word
		wantArgs  []string
		noArgs    []string
	}{
		{"default: 3 s, all of a 2 s file", caption.Sphinx{},
			bytes.Join([][]byte{pcm, make([]byte, second(1)), pcm}, nil),
			[]caption.Word{{Text: "real", Start: 500 * time.Millisecond, End: 900 * time.Millisecond, Confidence: 0.5}},
			[]string{"-infile /dev/stdin", "-time yes", "-hmm " + caption.DefaultSphinxModel, "-dict " + caption.DefaultSphinxDict, "-lm " + caption.DefaultSphinxLM},
			[]string{"-jsgf"}},
		{"1 s", caption.Sphinx{WarmUp: time.Second, Words: []string{"real"}, Args: []string{"-beam", "1e-60"}},
			bytes.Join([][]byte{pcm[:second(1)], make([]byte, second(1)), pcm}, nil),
			[]caption.Word{{Text: "real", Start: 1500 * time.Millisecond, End: 1900 * time.Millisecond, Confidence: 0.5}},
			[]string{"-jsgf /", "-beam 1e-60"},
			[]string{"-lm"}},
		{"none", caption.Sphinx{WarmUp: -1, HMM: "/m", LM: "/lm", Dict: "/d"},
			pcm,
			[]caption.Word{
				{Text: "warm", Start: 500 * time.Millisecond, End: 900 * time.Millisecond, Confidence: 1},
				{Text: "real", Start: 3500 * time.Millisecond, End: 3900 * time.Millisecond, Confidence: 0.5},
			},
			[]string{"-hmm /m", "-lm /lm", "-dict /d"},
			nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			stdin, args := filepath.Join(dir, "stdin"), filepath.Join(dir, "args")
			tc.rec.Path = writeScript(t, "fake-sphinx", `echo "$*" > `+args+`
cat > `+stdin+`
printf 'warm real\n<s> 0.000 0.400 1.0\nwarm 0.500 0.900 1.0\n</s> 0.900 1.000 1.0\nreal(2) 3.500 3.900 0.5\n'
`)
			tr, err := tc.rec.Recognize(context.Background(), wav)
			require.NoError(t, err)
			require.Equal(t, tc.wantWords, tr.Words())
			got, err := os.ReadFile(stdin)
			require.NoError(t, err)
			require.Equal(t, len(tc.wantInput), len(got), "bytes given to pocketsphinx")
			require.True(t, bytes.Equal(tc.wantInput, got), "pocketsphinx is given the warm-up, silence and the audio")
			a, err := os.ReadFile(args)
			require.NoError(t, err)
			for _, want := range tc.wantArgs {
				require.Contains(t, string(a), want)
			}
			for _, no := range tc.noArgs {
				require.NotContains(t, string(a), no)
			}
		})
	}
}
