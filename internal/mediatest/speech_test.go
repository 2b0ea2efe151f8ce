package mediatest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) {
	code := m.Run()
	Cleanup()
	os.Exit(code)
}

// TestSpeechTimes checks the times Speech gives against the samples: each
// word is loud at its start and its end, and the gaps between words are
// silent.
func TestSpeechTimes(t *testing.T) {
	t.Parallel()
	sentences := []string{"Hello, world.", "The quick brown fox; the fox."}
	wav, words := Speech(t, sentences)
	texts := make([]string, len(words))
	for i, w := range words {
		texts[i] = w.Text
	}
	require.Equal(t, []string{"hello", "world", "the", "quick", "brown", "fox", "the", "fox"}, texts)

	pcm, rate, err := readWAV(wav)
	require.NoError(t, err)
	require.Equal(t, 16000, rate)
	sample := func(d time.Duration) int { return int(d.Seconds() * float64(rate)) }
	peak := func(from, to time.Duration) int {
		p := 0
		for _, s := range pcm[max(0, sample(from)):min(len(pcm), sample(to))] {
			p = max(p, int(s), -int(s))
		}
		return p
	}
	const ms = time.Millisecond
	silent := 40 // the resampler rings a little around each word
	prev := time.Duration(0)
	for i, w := range words {
		require.Greater(t, w.End, w.Start, "word %d %q", i, w.Text)
		require.Greater(t, peak(w.Start, w.Start+20*ms), silent, "word %d %q is heard from its start", i, w.Text)
		require.Greater(t, peak(w.End-20*ms, w.End), silent, "word %d %q is heard until its end", i, w.Text)
		gap := SpeechWordGap
		switch {
		case i == 0:
			gap = SpeechLead
		case w.Text == "the" && words[i-1].Text == "world":
			gap = SpeechSentenceGap
		}
		require.InDelta(t, gap.Seconds(), (w.Start - prev).Seconds(), 0.001, "gap before word %d %q", i, w.Text)
		require.LessOrEqual(t, peak(prev+5*ms, w.Start-5*ms), silent, "silence before word %d %q", i, w.Text)
		prev = w.End
	}
	require.InDelta(t, (prev + SpeechTail).Seconds(), float64(len(pcm))/float64(rate), 0.001, "the speech ends after its tail")

	again, words2 := Speech(t, sentences)
	require.Equal(t, wav, again, "the file is shared")
	require.Equal(t, words, words2)
}

func TestSpokenClip(t *testing.T) {
	t.Parallel()
	clip, words := SpokenClip(t, []string{"one two three"}, Spec{Width: 160, Height: 120, Seconds: 1})
	require.True(t, strings.HasSuffix(clip, ".mp4"), clip)
	for _, w := range words {
		require.LessOrEqual(t, w.End, time.Second, "words past the clip's end are left out")
	}
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "stream=codec_type,sample_rate",
		"-of", "csv=p=0", clip).Output()
	require.NoError(t, err)
	require.Equal(t, "video\naudio,16000\n", strings.ReplaceAll(string(out), ",\n", "\n"))

	full, all := SpokenClip(t, []string{"one two three"}, Spec{Width: 160, Height: 120})
	require.NotEqual(t, clip, full)
	require.Len(t, all, 3, "a zero Seconds lasts as long as the speech")
	require.Greater(t, len(all), len(words))
}
