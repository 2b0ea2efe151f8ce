package caption_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/caption"
	"github.com/v100video/v100/internal/mediatest"
)

// A block is a "word" of test audio that blockRecognizer hears exactly: a
// run of samples of one value, 1000×n for the word "wn". A block cut by the
// edge of a chunk is heard as the part of it that the chunk holds, as a
// recogniser hears a clipped word.
type block struct {
	n          int
	start, end time.Duration
}

// blockAudio writes blocks into a WAV file of the given length.
func blockAudio(t testing.TB, length time.Duration, blocks []block) string {
	t.Helper()
	samples := make([]int16, sampleAt(length))
	for _, b := range blocks {
		for i := sampleAt(b.start); i < sampleAt(b.end); i++ {
			samples[i] = int16(1000 * b.n)
		}
	}
	return writeTestWAV(t, filepath.Join(t.TempDir(), "blocks.wav"), samples)
}

// blockWords are the words blocks should be recognised as.
func blockWords(blocks []block) []caption.Word {
	ws := make([]caption.Word, len(blocks))
	for i, b := range blocks {
		ws[i] = caption.Word{Text: "w" + strconv.Itoa(b.n), Start: b.start, End: b.end}
	}
	return ws
}

// blockRecognizer recognises blocks. It is safe for concurrent use, and
// records the calls.
type blockRecognizer struct {
	// before, if set, runs at the start of each call; its error fails
	// the call.
	before func(ctx context.Context, call int) error

	mu       sync.Mutex // guards the fields below
	calls    int
	inFlight int
	maxIn    int
	files    []string
}

func (r *blockRecognizer) Recognize(ctx context.Context, wav string) (*caption.Transcript, error) {
	r.mu.Lock()
	call := r.calls
	r.calls++
	r.inFlight++
	r.maxIn = max(r.maxIn, r.inFlight)
	r.files = append(r.files, wav)
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.inFlight--
		r.mu.Unlock()
	}()
	if r.before != nil {
		if err := r.before(ctx, call); err != nil {
			return nil, err
		}
	}
	b, err := os.ReadFile(wav)
	if err != nil {
		return nil, err
	}
	samples := wavSamplesErr(b)
	seg := caption.Segment{}
	for i := 0; i < len(samples); {
		v := samples[i]
		j := i + 1
		for j < len(samples) && samples[j] == v {
			j++
		}
		if v != 0 {
			seg.Words = append(seg.Words, caption.Word{
				Text:  "w" + strconv.Itoa(int(v)/1000),
				Start: time.Duration(i) * time.Second / 16000,
				End:   time.Duration(j) * time.Second / 16000,
			})
		}
		i = j
	}
	if len(seg.Words) == 0 {
		return &caption.Transcript{}, nil
	}
	seg.Start, seg.End = seg.Words[0].Start, seg.Words[len(seg.Words)-1].End
	for i, w := range seg.Words {
		if i > 0 {
			seg.Text += " "
		}
		seg.Text += w.Text
	}
	return &caption.Transcript{Segments: []caption.Segment{seg}, Language: "xx"}, nil
}

// wavSamplesErr is wavSamples for a recogniser: the data after a 44-byte
// header, or after the "data" chunk of a longer one.
func wavSamplesErr(b []byte) []int16 {
	for p := 12; p+8 <= len(b); {
		id := string(b[p : p+4])
		n := int(uint32(b[p+4]) | uint32(b[p+5])<<8 | uint32(b[p+6])<<16 | uint32(b[p+7])<<24)
		p += 8
		if id == "data" {
			data := b[p:min(p+n, len(b))]
			s := make([]int16, len(data)/2)
			for i := range s {
				s[i] = int16(uint16(data[2*i]) | uint16(data[2*i+1])<<8)
			}
			return s
		}
		p += n + n&1
	}
	return nil
}

// overlapBlocks are words placed around the chunk edges and cuts of 3 s
// chunks overlapping by 1 s: chunks [0,3) [2,5) [4,7.5) (the last one
// stretched to the end), cut at 2.5 and 4.5. No word is longer than the
// smallest overlap of the cases, so the chunk that keeps a word hears it
// whole.
var overlapBlocks = []block{
	{1, 200 * time.Millisecond, 600 * time.Millisecond},
	{2, 1900 * time.Millisecond, 2300 * time.Millisecond}, // in the first overlap, before its cut
	{3, 2400 * time.Millisecond, 2800 * time.Millisecond}, // across the cut: its midpoint is after
	{4, 2850 * time.Millisecond, 3300 * time.Millisecond}, // clipped by the end of the first chunk
	{5, 3900 * time.Millisecond, 4100 * time.Millisecond}, // clipped by the start of the third
	{6, 4300 * time.Millisecond, 4700 * time.Millisecond}, // midpoint on the cut
	{7, 5950 * time.Millisecond, 6050 * time.Millisecond},
	{8, 6400 * time.Millisecond, 7000 * time.Millisecond},
	{9, 7200 * time.Millisecond, 7500 * time.Millisecond}, // to the very end
}

func TestRecognizeFileStitchesOverlaps(t *testing.T) {
	t.Parallel()
	audio := blockAudio(t, 7500*time.Millisecond, overlapBlocks)
	cases := []struct {
		name      string
		opts      caption.FileOptions
		wantCalls int
	}{
		{"3s chunks, 1s overlap, one at a time", caption.FileOptions{Chunk: 3 * time.Second, Overlap: time.Second, Concurrency: 1}, 3},
		{"3s chunks, 1s overlap, concurrently", caption.FileOptions{Chunk: 3 * time.Second, Overlap: time.Second, Concurrency: 4}, 3},
		{"2s chunks, 0.5s overlap", caption.FileOptions{Chunk: 2 * time.Second, Overlap: 500 * time.Millisecond, Concurrency: 3}, 5},
		{"1.5s chunks, 0.6s overlap", caption.FileOptions{Chunk: 1500 * time.Millisecond, Overlap: 600 * time.Millisecond, Concurrency: 2}, 7},
		{"the last chunk stretched to the end", caption.FileOptions{Chunk: 7 * time.Second, Overlap: 500 * time.Millisecond}, 1},
		{"one chunk", caption.FileOptions{}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := &blockRecognizer{}
			tmp := t.TempDir()
			tc.opts.TempDir = tmp
			got, err := caption.RecognizeFile(context.Background(), rec, audio, &tc.opts)
			require.NoError(t, err)
			requireWordsNear(t, blockWords(overlapBlocks), got.Words(), time.Millisecond)
			require.Equal(t, "xx", got.Language)
			checkTranscript(t, got)
			require.Equal(t, tc.wantCalls, rec.calls, "chunks recognised")
			require.LessOrEqual(t, rec.maxIn, max(1, tc.opts.Concurrency))
			requireEmptyDir(t, tmp)
		})
	}
}

// TestRecognizeFileConcurrency checks that chunks are recognised
// Concurrency at a time, not fewer: the first calls wait until that many
// are in flight.
func TestRecognizeFileConcurrency(t *testing.T) {
	t.Parallel()
	audio := blockAudio(t, 10*time.Second, nil)
	const n = 3
	var (
		mu      sync.Mutex
		entered int
		all     = make(chan struct{})
	)
	rec := &blockRecognizer{before: func(ctx context.Context, call int) error {
		mu.Lock()
		entered++
		if entered == n {
			close(all)
		}
		mu.Unlock()
		if call >= n {
			return nil
		}
		select {
		case <-all:
			return nil
		case <-time.After(10 * time.Second):
			return errors.New("the other chunks never started")
		}
	}}
	_, err := caption.RecognizeFile(context.Background(), rec, audio,
		&caption.FileOptions{Chunk: 2 * time.Second, Overlap: 500 * time.Millisecond, Concurrency: n})
	require.NoError(t, err)
	require.Equal(t, n, rec.maxIn)
}

func TestRecognizeFileFails(t *testing.T) {
	t.Parallel()
	audio := blockAudio(t, 10*time.Second, overlapBlocks)
	errEngine := errors.New("engine exploded")
	cases := []struct {
		name   string
		input  string
		opts   caption.FileOptions
		before func(ctx context.Context, call int) error
		cancel bool // cancel the context in the third call
		want   error
	}{
		{"a chunk fails", audio, caption.FileOptions{Chunk: 2 * time.Second, Concurrency: 2},
			func(ctx context.Context, call int) error {
				if call == 2 {
					return errEngine
				}
				return nil
			}, false, errEngine},
		{"the only chunk fails", audio, caption.FileOptions{},
			func(context.Context, int) error { return errEngine }, false, errEngine},
		{"cancelled while chunks run", audio, caption.FileOptions{Chunk: 2 * time.Second, Concurrency: 2},
			func(ctx context.Context, call int) error {
				if call >= 2 {
					<-ctx.Done()
					return fmt.Errorf("engine stopped: %w", ctx.Err())
				}
				return nil
			}, true, context.Canceled},
		{"no sound", mediatest.Clip(t, mediatest.Spec{Seconds: 1, NoAudio: true}), caption.FileOptions{}, nil, false, caption.ErrNoAudio},
		{"not media", writeFileT(t, "x.mp4", "text"), caption.FileOptions{}, nil, false, caption.ErrNotMedia},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			rec := &blockRecognizer{before: tc.before}
			if tc.cancel {
				before := tc.before
				rec.before = func(c context.Context, call int) error {
					if call == 2 {
						cancel()
					}
					return before(c, call)
				}
			}
			tmp := t.TempDir()
			tc.opts.TempDir = tmp
			got, err := caption.RecognizeFile(ctx, rec, tc.input, &tc.opts)
			require.ErrorIs(t, err, tc.want)
			require.Nil(t, got)
			requireEmptyDir(t, tmp)
		})
	}
}

func TestRecognizeFileOptions(t *testing.T) {
	t.Parallel()
	for _, o := range []caption.FileOptions{
		{Chunk: 4 * time.Second, Overlap: 2 * time.Second},
		{Chunk: 500 * time.Millisecond},
	} {
		_, err := caption.RecognizeFile(context.Background(), &blockRecognizer{}, "unused.wav", &o)
		require.ErrorContains(t, err, "chunk", "%+v", o)
	}
}

// requireWordsNear checks the texts of got against want, and their times
// within tolerance.
func requireWordsNear(t testing.TB, want, got []caption.Word, tolerance time.Duration) {
	t.Helper()
	texts := func(ws []caption.Word) []string {
		s := make([]string, len(ws))
		for i, w := range ws {
			s[i] = w.Text
		}
		return s
	}
	require.Equal(t, texts(want), texts(got))
	for i := range want {
		require.InDelta(t, want[i].Start.Seconds(), got[i].Start.Seconds(), tolerance.Seconds(), "start of word %d %q", i, want[i].Text)
		require.InDelta(t, want[i].End.Seconds(), got[i].End.Seconds(), tolerance.Seconds(), "end of word %d %q", i, want[i].Text)
	}
}

// checkTranscript checks the promises of a Recognizer: segments in order
// and not overlapping, words in order inside their segment, no empty text.
func checkTranscript(t testing.TB, tr *caption.Transcript) {
	t.Helper()
	var prev time.Duration
	for i, s := range tr.Segments {
		require.NotEmpty(t, s.Text, "segment %d", i)
		require.GreaterOrEqual(t, s.Start, prev, "segment %d starts after the one before ends", i)
		require.GreaterOrEqual(t, s.End, s.Start, "segment %d", i)
		last := s.Start
		for j, w := range s.Words {
			require.NotEmpty(t, w.Text, "segment %d word %d", i, j)
			require.GreaterOrEqual(t, w.Start, last, "segment %d word %d %q is in order and in its segment", i, j, w.Text)
			require.GreaterOrEqual(t, w.End, w.Start, "segment %d word %d", i, j)
			last = w.End
		}
		require.LessOrEqual(t, last, s.End, "segment %d ends after its words", i)
		prev = s.End
	}
}

func requireEmptyDir(t testing.TB, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "temporary files left in %s", dir)
}

func writeFileT(t testing.TB, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	return p
}

// TestRecognizeFileSphinx recognises the speech of a video in chunks with
// pocketsphinx.
func TestRecognizeFileSphinx(t *testing.T) {
	t.Parallel()
	requireSphinx(t)
	clip, truth := mediatest.SpokenClip(t, speechSentences, mediatest.Spec{Width: 160, Height: 120, FPS: 10})
	tmp := t.TempDir()
	tr, err := caption.RecognizeFile(context.Background(), &caption.Sphinx{Words: vocabulary(truth)}, clip,
		&caption.FileOptions{Chunk: 4 * time.Second, Overlap: time.Second, Concurrency: 2, TempDir: tmp})
	require.NoError(t, err)
	checkTranscript(t, tr)
	checkRecognised(t, truth, tr.Words(), 0.8)
	requireEmptyDir(t, tmp)
}
