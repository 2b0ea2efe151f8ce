package caption_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/v100video/v100/caption"
	"github.com/v100video/v100/hls"
)

func w(text string, start, end float64) caption.Word {
	return caption.Word{Text: text, Start: time.Duration(start * float64(time.Second)), End: time.Duration(end * float64(time.Second))}
}

func TestLive(t *testing.T) {
	l, err := caption.NewLive(&caption.LiveOptions{Window: 3, MPEGTS: caption.MPEGTSFFmpeg})
	require.NoError(t, err)

	l.Add([]caption.Word{w("hello", 1, 1.4), w("world.", 1.5, 2)})
	require.NoError(t, l.Cut(4*time.Second))
	seg, ok := l.Segment("live_0.vtt")
	require.True(t, ok)
	cues, err := caption.ParseVTT(strings.NewReader(string(seg)))
	require.NoError(t, err)
	require.Len(t, cues, 1)
	require.Equal(t, "hello world.", cues[0].Text)
	require.Equal(t, time.Second, cues[0].Start, "at the time it is spoken")
	require.Contains(t, string(seg), "X-TIMESTAMP-MAP=MPEGTS:126000,LOCAL:00:00:00.000")

	// Recognised after its segment was cut: shown from the next one's start.
	l.Add([]caption.Word{w("late", 3, 3.5)})
	require.NoError(t, l.Cut(8*time.Second))
	seg, _ = l.Segment("live_1.vtt")
	cues, err = caption.ParseVTT(strings.NewReader(string(seg)))
	require.NoError(t, err)
	require.Len(t, cues, 1)
	require.Equal(t, "late", cues[0].Text)
	require.Equal(t, 4*time.Second, cues[0].Start)

	for i := 3; i <= 9; i++ {
		require.NoError(t, l.Cut(time.Duration(i)*4*time.Second))
	}
	pl, err := hls.ParseMedia(strings.NewReader(string(l.Playlist())))
	require.NoError(t, err)
	require.Len(t, pl.Segments, 3, "a sliding window")
	require.EqualValues(t, 6, pl.MediaSequence)
	require.Equal(t, "live_8.vtt", pl.Segments[2].URI)
	require.Empty(t, hls.LintMedia(pl))
	_, ok = l.Segment("live_0.vtt")
	require.False(t, ok, "old segments are forgotten")

	_, ok = l.Segment("live_5.vtt")
	require.True(t, ok, "a few segments past the window are kept for slow players")
	require.ErrorIs(t, l.Cut(10*time.Second), caption.ErrInvalid, "a cut before the last one")
	l.End()
	pl, err = hls.ParseMedia(strings.NewReader(string(l.Playlist())))
	require.NoError(t, err)
	require.True(t, pl.Ended)
}

func TestLiveCueSpanningACut(t *testing.T) {
	l, err := caption.NewLive(nil)
	require.NoError(t, err)
	l.Add([]caption.Word{w("across", 3.5, 4.5)})
	require.NoError(t, l.Cut(4*time.Second))
	require.NoError(t, l.Cut(8*time.Second))
	for _, name := range []string{"live_0.vtt", "live_1.vtt"} {
		seg, ok := l.Segment(name)
		require.True(t, ok)
		require.Contains(t, string(seg), "across", "a cue over a boundary is in both segments")
	}
}

// stubStream delivers fixed batches of words, then io.EOF.
type stubStream struct{ batches [][]caption.Word }

func (s *stubStream) Write(p []byte) (int, error) { return len(p), nil }
func (s *stubStream) Close() error                { return nil }
func (s *stubStream) Next(context.Context) ([]caption.Word, error) {
	if len(s.batches) == 0 {
		return nil, io.EOF
	}
	b := s.batches[0]
	s.batches = s.batches[1:]
	return b, nil
}

func TestLiveFeed(t *testing.T) {
	l, err := caption.NewLive(nil)
	require.NoError(t, err)
	s := &stubStream{batches: [][]caption.Word{{w("one", 0.5, 0.9)}, {w("two.", 1, 1.4)}}}
	require.NoError(t, l.Feed(context.Background(), s))
	require.NoError(t, l.Cut(4*time.Second))
	seg, _ := l.Segment("live_0.vtt")
	require.Contains(t, string(seg), "one two.")
}
