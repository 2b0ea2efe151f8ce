package caption_test

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/caption"
)

// pcmOf returns the PCM samples of a WAV file as bytes.
func pcmOf(t testing.TB, wav string) []byte {
	t.Helper()
	b, err := os.ReadFile(wav)
	require.NoError(t, err)
	samples := wavSamples(t, b)
	pcm := make([]byte, 2*len(samples))
	for i, s := range samples {
		pcm[2*i], pcm[2*i+1] = byte(s), byte(uint16(s)>>8)
	}
	return pcm
}

// readWords reads a stream to its end.
func readWords(t testing.TB, s caption.Stream) []caption.Word {
	t.Helper()
	ws, err := readStream(s)
	require.NoError(t, err)
	return ws
}

// readStream reads a stream to its end; it may run on any goroutine.
func readStream(s caption.Stream) ([]caption.Word, error) {
	var all []caption.Word
	for {
		ws, err := s.Next(context.Background())
		switch {
		case err == io.EOF:
			return all, nil
		case err != nil:
			return all, err
		case len(ws) == 0:
			return all, errors.New("Next returned no words and no error")
		}
		all = append(all, ws...)
	}
}

// readInBackground reads a stream to its end on a goroutine of its own.
func readInBackground(t testing.TB, s caption.Stream) func() []caption.Word {
	type result struct {
		ws  []caption.Word
		err error
	}
	done := make(chan result, 1)
	go func() {
		ws, err := readStream(s)
		done <- result{ws, err}
	}()
	return func() []caption.Word {
		t.Helper()
		r := <-done
		require.NoError(t, r.err)
		return r.ws
	}
}

func TestWindowedStream(t *testing.T) {
	t.Parallel()
	pcm := pcmOf(t, blockAudio(t, 7500*time.Millisecond, overlapBlocks))
	cases := []struct {
		name string
		opts *caption.WindowOptions
	}{
		{"defaults", nil},
		{"2s windows, 0.5s overlap", &caption.WindowOptions{Window: 2 * time.Second, Overlap: 500 * time.Millisecond}},
		{"1.5s windows, 0.6s overlap", &caption.WindowOptions{Window: 1500 * time.Millisecond, Overlap: 600 * time.Millisecond}},
		{"one window", &caption.WindowOptions{Window: 10 * time.Second}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tmp := t.TempDir()
			opts := caption.WindowOptions{}
			if tc.opts != nil {
				opts = *tc.opts
			}
			opts.TempDir = tmp
			s, err := caption.NewWindowedStream(&blockRecognizer{}, &opts).NewStream(context.Background())
			require.NoError(t, err)
			// Write in pieces of random sizes, odd ones included, while
			// the words are read.
			wait := readInBackground(t, s)
			rnd := rand.New(rand.NewPCG(1, 2))
			for rest := pcm; len(rest) > 0; {
				n := min(len(rest), 1+rnd.IntN(20000))
				written, err := s.Write(rest[:n])
				require.NoError(t, err)
				require.Equal(t, n, written)
				rest = rest[n:]
			}
			require.NoError(t, s.Close())
			requireWordsNear(t, blockWords(overlapBlocks), wait(), time.Millisecond)
			_, err = s.Next(context.Background())
			require.Equal(t, io.EOF, err, "EOF again")
			requireEmptyDir(t, tmp)
		})
	}
}

// TestWindowedStreamFull fills the stream while recognition is stuck: the
// write that does not fit is dropped with ErrStreamFull, and the words
// after the gap keep their true times.
func TestWindowedStreamFull(t *testing.T) {
	t.Parallel()
	const ms = time.Millisecond
	blocks := []block{
		{1, 200 * ms, 500 * ms}, {2, 1100 * ms, 1400 * ms}, {3, 1900 * ms, 2300 * ms},
		{4, 2600 * ms, 2900 * ms}, // in the audio dropped
		{5, 3600 * ms, 3900 * ms}, {6, 4400 * ms, 4800 * ms},
	}
	pcm := pcmOf(t, blockAudio(t, 5*time.Second, blocks))
	entered, release := make(chan struct{}), make(chan struct{})
	rec := &blockRecognizer{before: func(ctx context.Context, call int) error {
		if call == 0 {
			close(entered)
			<-release
		}
		return nil
	}}
	s, err := caption.NewWindowedStream(rec, &caption.WindowOptions{
		Window: time.Second, Overlap: 400 * ms, MaxPending: 2 * time.Second,
	}).NewStream(context.Background())
	require.NoError(t, err)
	half := len(pcm) / 10 // 0.5 s
	piece := func(i int) []byte { return pcm[i*half : (i+1)*half] }

	for i := range 2 {
		_, err := s.Write(piece(i))
		require.NoError(t, err)
	}
	<-entered // the first window, 0–1 s, is taken: 0.4 s of it stays for the next
	for i := 2; i < 5; i++ {
		_, err := s.Write(piece(i))
		require.NoError(t, err, "piece %d fits", i)
	}
	// 2.5–3 s and a byte, half a sample: 2.4 s would be waiting.
	n, err := s.Write(pcm[5*half : 6*half+1])
	require.ErrorIs(t, err, caption.ErrStreamFull)
	require.Zero(t, n)
	close(release)

	var got []caption.Word
	for len(got) < 3 { // the words before the gap
		ws, err := s.Next(context.Background())
		require.NoError(t, err)
		got = append(got, ws...)
	}
	_, err = s.Write(pcm[6*half+1 : 7*half]) // the rest, from the second byte of a sample
	require.NoError(t, err)
	for i := 7; i < 10; i++ {
		_, err := s.Write(piece(i))
		require.NoError(t, err)
	}
	require.NoError(t, s.Close())
	got = append(got, readWords(t, s)...)
	requireWordsNear(t, blockWords([]block{blocks[0], blocks[1], blocks[2], blocks[4], blocks[5]}), got, time.Millisecond)
}

func TestWindowedStreamFails(t *testing.T) {
	t.Parallel()
	pcm := pcmOf(t, blockAudio(t, 7500*time.Millisecond, overlapBlocks))
	opts := &caption.WindowOptions{Window: 2 * time.Second, Overlap: 500 * time.Millisecond}

	t.Run("a recognizer error ends the stream", func(t *testing.T) {
		t.Parallel()
		errEngine := errors.New("engine exploded")
		s, err := caption.NewWindowedStream(&blockRecognizer{before: func(ctx context.Context, call int) error {
			if call == 1 {
				return errEngine
			}
			return nil
		}}, opts).NewStream(context.Background())
		require.NoError(t, err)
		_, err = s.Write(pcm)
		require.NoError(t, err)
		ws, err := s.Next(context.Background())
		require.NoError(t, err)
		require.Equal(t, "w1", ws[0].Text, "the first window's words come first")
		_, err = s.Next(context.Background())
		require.ErrorIs(t, err, errEngine)
		_, err = s.Next(context.Background())
		require.ErrorIs(t, err, errEngine, "the error stays")
		_, err = s.Write(pcm[:100])
		require.ErrorIs(t, err, errEngine, "writes fail too")
	})
	t.Run("write after close", func(t *testing.T) {
		t.Parallel()
		s, err := caption.NewWindowedStream(&blockRecognizer{}, opts).NewStream(context.Background())
		require.NoError(t, err)
		require.NoError(t, s.Close())
		require.NoError(t, s.Close(), "closing twice is fine")
		_, err = s.Write(pcm[:100])
		require.ErrorIs(t, err, caption.ErrStreamClosed)
		_, err = s.Next(context.Background())
		require.Equal(t, io.EOF, err, "no audio, no words")
	})
	t.Run("the stream's context ends it", func(t *testing.T) {
		t.Parallel()
		tmp := t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		s, err := caption.NewWindowedStream(&blockRecognizer{before: func(ctx context.Context, call int) error {
			<-ctx.Done()
			return ctx.Err()
		}}, &caption.WindowOptions{Window: time.Second, TempDir: tmp}).NewStream(ctx)
		require.NoError(t, err)
		_, err = s.Write(pcm)
		require.NoError(t, err)
		cancel()
		_, err = s.Next(context.Background())
		require.ErrorIs(t, err, context.Canceled)
		requireEmptyDir(t, tmp)
	})
	t.Run("Next's context bounds only the wait", func(t *testing.T) {
		t.Parallel()
		s, err := caption.NewWindowedStream(&blockRecognizer{}, opts).NewStream(context.Background())
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err = s.Next(ctx)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		_, err = s.Write(pcm)
		require.NoError(t, err)
		require.NoError(t, s.Close())
		requireWordsNear(t, blockWords(overlapBlocks), readWords(t, s), time.Millisecond)
	})
	t.Run("bad options", func(t *testing.T) {
		t.Parallel()
		for _, o := range []caption.WindowOptions{
			{Window: time.Second, Overlap: 500 * time.Millisecond},
			{Window: 50 * time.Millisecond},
		} {
			_, err := caption.NewWindowedStream(&blockRecognizer{}, &o).NewStream(context.Background())
			require.ErrorContains(t, err, "window", "%+v", o)
		}
		_, err := caption.NewWindowedStream(nil, nil).NewStream(context.Background())
		require.Error(t, err)
	})
}
