package caption_test

import (
	"bytes"
	"context"
	"strings"
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

// TestSphinxLive captions speech live: a Sphinx stream feeds a Live
// rendition, which is cut every 2 s of audio written, as a segmenter
// would. Every segment carries X-TIMESTAMP-MAP, and the cues, read back
// from the segments, hold the words at their times.
func TestSphinxLive(t *testing.T) {
	t.Parallel()
	requireSphinx(t)
	wav, truth := mediatest.Speech(t, speechSentences)
	pcm := pcmOf(t, wav)
	live, err := caption.NewLive(&caption.LiveOptions{Window: 100, MPEGTS: 126000})
	require.NoError(t, err)
	s, err := (&caption.Sphinx{Words: vocabulary(truth)}).NewStream(context.Background())
	require.NoError(t, err)
	fed := make(chan error, 1)
	go func() { fed <- live.Feed(context.Background(), s) }()
	const seg = 2 * time.Second
	cuts := time.Duration(0)
	step := 3200 // 100 ms
	for i := 0; i < len(pcm); i += step {
		_, err := s.Write(pcm[i:min(i+step, len(pcm))])
		require.NoError(t, err)
		if written := time.Duration(min(i+step, len(pcm))/32) * time.Millisecond; written >= cuts+seg {
			cuts += seg
			require.NoError(t, live.Cut(cuts))
		}
	}
	require.NoError(t, s.Close())
	require.NoError(t, <-fed)
	cuts += seg
	require.NoError(t, live.Cut(cuts))
	live.End()

	pl := string(live.Playlist())
	require.Contains(t, pl, "#EXT-X-ENDLIST")
	var (
		cues []caption.Cue
		got  []caption.Word
		seen = map[string]bool{}
	)
	for _, line := range strings.Split(pl, "\n") {
		if !strings.HasSuffix(line, ".vtt") {
			continue
		}
		body, ok := live.Segment(line)
		require.True(t, ok, line)
		require.Contains(t, string(body), "X-TIMESTAMP-MAP=MPEGTS:126000,LOCAL:00:00:00.000")
		cs, err := caption.ParseVTT(bytes.NewReader(body))
		require.NoError(t, err, line)
		for _, c := range cs {
			key := c.Start.String() + c.Text // a cue that spans a cut is in both segments
			if !seen[key] {
				seen[key] = true
				cues = append(cues, c)
				for _, f := range strings.Fields(c.Text) {
					got = append(got, caption.Word{Text: strings.Trim(strings.ToLower(f), ".,?!")})
				}
			}
		}
	}
	wer, _ := wordErrors(truth, got)
	t.Logf("WER %.0f%%, %d cues: %s", 100*wer, len(cues), joinTexts(got))
	require.LessOrEqual(t, wer, 0.2)
	// The audio was written faster than real time, so words came after
	// the cuts of their segments and Live showed them from the next
	// segment: a cue may start late, never early.
	next := 0
	for _, c := range cues {
		first := strings.Trim(strings.ToLower(strings.Fields(c.Text)[0]), ".,?!")
		for i := next; i < len(truth); i++ {
			if truth[i].Text == first {
				require.GreaterOrEqual(t, c.Start, truth[i].Start-500*time.Millisecond, "cue %q", c.Text)
				next = i + 1
				break
			}
		}
	}
}
