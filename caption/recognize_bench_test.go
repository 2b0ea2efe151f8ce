package caption_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/v100video/v100/caption"
	"github.com/v100video/v100/internal/mediatest"
)

// benchSentences are 9 s of espeak-ng speech, 17 words.
var benchSentences = speechSentences[:2]

// BenchmarkSphinx recognises 10 s of synthetic speech with pocketsphinx,
// with a word list and with the general model, each with and without the
// warm-up. It reports the speed as seconds of audio per second of wall
// time (x-realtime) and the word error rate (wer-%).
func BenchmarkSphinx(b *testing.B) {
	requireSphinx(b)
	wav, truth := mediatest.Speech(b, benchSentences)
	st, err := os.Stat(wav)
	if err != nil {
		b.Fatal(err)
	}
	audio := time.Duration(st.Size()-44) * time.Second / (2 * caption.SampleRate)
	words := vocabulary(truth)
	for _, bc := range []struct {
		name string
		rec  *caption.Sphinx
	}{
		{"words", &caption.Sphinx{Words: words}},
		{"words-no-warmup", &caption.Sphinx{Words: words, WarmUp: -1}},
		{"general", &caption.Sphinx{}},
		{"general-no-warmup", &caption.Sphinx{WarmUp: -1}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(st.Size())
			var wer float64
			for b.Loop() {
				tr, err := bc.rec.Recognize(context.Background(), wav)
				if err != nil {
					b.Fatal(err)
				}
				wer, _ = wordErrors(truth, tr.Words())
			}
			b.ReportMetric(audio.Seconds()*float64(b.N)/b.Elapsed().Seconds(), "x-realtime")
			b.ReportMetric(100*wer, "wer-%")
		})
	}
}
