package caption

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type nopWriteCloser struct{ *bytes.Buffer }

func (nopWriteCloser) Close() error { return nil }

// TestSphinxStreamEdits checks what a live stream gives pocketsphinx
// (warm-up, silence at a gap of dropped audio) and that it maps the times
// pocketsphinx reports back onto the stream's clock.
func TestSphinxStreamEdits(t *testing.T) {
	var heard bytes.Buffer
	s := &sphinxStream{
		stdin:      nopWriteCloser{&heard},
		warm:       pcmBytes(time.Second),
		gap:        pcmBytes(time.Second),
		cut:        pcmBytes(350 * time.Millisecond),
		pause:      pcmBytes(250 * time.Millisecond),
		maxUtt:     -1,
		maxPending: pcmBytes(2 * time.Second),
		wake:       make(chan struct{}, 1),
		feedCtx:    context.Background(),
	}
	tone := func(d time.Duration, v byte) []byte { return bytes.Repeat([]byte{v, 0x10}, int(pcmBytes(d)/2)) }
	a, b, c := tone(1500*time.Millisecond, 1), tone(time.Second, 2), tone(500*time.Millisecond, 3)
	n, err := s.Write(a)
	require.NoError(t, err)
	require.Equal(t, len(a), n)
	_, err = s.Write(b)
	require.ErrorIs(t, err, ErrStreamFull, "over MaxPending")
	_, err = s.Write(c)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	_, err = s.Write(c)
	require.ErrorIs(t, err, ErrStreamClosed)
	require.NoError(t, s.feed())

	sec := func(d float64) int64 { return pcmBytes(time.Duration(d * float64(time.Second))) }
	var want []byte
	want = append(want, a[:sec(1)]...)           // warm-up
	want = append(want, make([]byte, sec(1))...) // and a second of silence
	want = append(want, a...)
	want = append(want, make([]byte, sec(0.35))...) // the gap where b was dropped
	want = append(want, c...)
	want = append(want, make([]byte, sec(0.35))...) // the end
	require.Equal(t, len(want), heard.Len())
	require.True(t, bytes.Equal(want, heard.Bytes()), "pocketsphinx heard something else")

	for _, tc := range []struct {
		line  string
		start float64 // on the stream's clock; -1: not a word of the stream
	}{
		{"fox 0.2 0.6 0.9", -1},  // in the warm-up
		{"dog 1.5 1.9 0.9", -1},  // in the silence after it
		{"tea 2.5 2.9 0.9", 0.5}, // in a
		{"hot 3.6 3.7 0.9", -1},  // in the gap's silence
		{"pond 4.0 4.2 0.9", 2.65},
		{"end 4.4 4.6 0.9", -1}, // in the silence after the end
	} {
		var prevEnd time.Duration
		w, ok := s.word(strings.Fields(tc.line), &prevEnd)
		if tc.start < 0 {
			require.False(t, ok, tc.line)
			continue
		}
		require.True(t, ok, tc.line)
		require.Equal(t, time.Duration(tc.start*float64(time.Second)), w.Start, tc.line)
	}
}
