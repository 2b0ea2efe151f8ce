package caption_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/caption"
	"github.com/v100video/v100/internal/mediatest"
)

// writeAll writes pcm to s in 100 ms pieces, as it would arrive live.
func writeAll(t testing.TB, s caption.Stream, pcm []byte) {
	t.Helper()
	for rest := pcm; len(rest) > 0; {
		n := min(len(rest), 3200)
		_, err := s.Write(rest[:n])
		require.NoError(t, err)
		rest = rest[n:]
	}
}

// TestSphinxStream recognises speech written to a Sphinx stream in 100 ms
// pieces, with the word list and with the general model.
func TestSphinxStream(t *testing.T) {
	t.Parallel()
	requireSphinx(t)
	wav, truth := mediatest.Speech(t, speechSentences)
	pcm := pcmOf(t, wav)
	for _, tc := range []struct {
		name     string
		rec      *caption.Sphinx
		accuracy float64
	}{
		{"word list", &caption.Sphinx{Words: vocabulary(truth)}, 0.9},
		{"general model", &caption.Sphinx{}, 0.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := tc.rec.NewStream(context.Background())
			require.NoError(t, err)
			wait := readInBackground(t, s)
			writeAll(t, s, pcm)
			require.NoError(t, s.Close())
			got := wait()
			checkRecognised(t, truth, got, tc.accuracy)
			for i := 1; i < len(got); i++ {
				require.GreaterOrEqual(t, got[i].Start, got[i-1].End, "words in order, none twice")
			}
		})
	}
}

// TestSphinxStreamDeliversAtPauses checks that words come while the stream
// is still open: once the speaker pauses, and, with MaxUtterance, even when
// pocketsphinx hears no pause.
func TestSphinxStreamDeliversAtPauses(t *testing.T) {
	t.Parallel()
	requireSphinx(t)
	wav, truth := mediatest.Speech(t, speechSentences)
	pcm := pcmOf(t, wav)
	words := vocabulary(truth)
	first := truth[len(truth)-1].End // the end of the speech, by default
	for i := 1; i < len(truth); i++ {
		if truth[i].Start-truth[i-1].End > 200*time.Millisecond {
			first = truth[i-1].End
			break
		}
	}
	cases := []struct {
		name  string
		rec   *caption.Sphinx
		audio []byte
		by    time.Duration // the words that must come were spoken before this
	}{
		{
			// The first sentence and a second of silence, the stream
			// left open.
			name:  "pause",
			rec:   &caption.Sphinx{Words: words},
			audio: append(pcm[:2*16000*first.Milliseconds()/1000:2*16000*first.Milliseconds()/1000], make([]byte, 32000)...),
			by:    first,
		},
		{
			// No pause long enough for pocketsphinx, and no silence at
			// the end: only MaxUtterance ends an utterance.
			name:  "max utterance",
			rec:   &caption.Sphinx{Words: words, Pause: 2 * time.Second, MaxUtterance: 2 * time.Second},
			audio: pcm,
			by:    truth[len(truth)-1].Start - 2*time.Second,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			s, err := tc.rec.NewStream(ctx)
			require.NoError(t, err)
			writeAll(t, s, tc.audio)
			// Not closed: the words must come anyway. The deadline only
			// stops a failing test from hanging.
			wctx, wcancel := context.WithTimeout(ctx, 60*time.Second)
			defer wcancel()
			var got []caption.Word
			for len(got) == 0 || got[len(got)-1].End < tc.by-time.Second {
				ws, err := s.Next(wctx)
				require.NoError(t, err, "words so far: %s", joinTexts(got))
				got = append(got, ws...)
			}
			t.Logf("before Close: %s", joinTexts(got))
			var spoken []mediatest.TimedWord
			for _, w := range truth {
				if w.End <= got[len(got)-1].End+200*time.Millisecond {
					spoken = append(spoken, w)
				}
			}
			checkRecognised(t, spoken, got, 0.8)
			require.NoError(t, s.Close())
			_, err = readStream(s)
			require.NoError(t, err)
		})
	}
}

// TestSphinxStreamFails checks that a pocketsphinx that cannot start ends
// the stream with its error.
func TestSphinxStreamFails(t *testing.T) {
	t.Parallel()
	requireSphinx(t)
	s, err := (&caption.Sphinx{HMM: "/nonexistent/model"}).NewStream(context.Background())
	require.NoError(t, err)
	wait := make(chan error, 1)
	go func() {
		_, err := readStream(s)
		wait <- err
	}()
	for range 50 {
		if _, err := s.Write(make([]byte, 3200)); err != nil {
			break
		}
	}
	s.Close()
	err = <-wait
	var pe *caption.ProcessError
	require.ErrorAs(t, err, &pe)
	require.Contains(t, pe.Stderr, "nonexistent")
}

// TestSphinxStreamCancel checks that cancelling the context ends the
// stream with the context's error.
func TestSphinxStreamCancel(t *testing.T) {
	t.Parallel()
	requireSphinx(t)
	ctx, cancel := context.WithCancel(context.Background())
	s, err := (&caption.Sphinx{}).NewStream(ctx)
	require.NoError(t, err)
	_, err = s.Write(make([]byte, 32000))
	require.NoError(t, err)
	cancel()
	_, err = readStream(s)
	require.ErrorIs(t, err, context.Canceled)
}
