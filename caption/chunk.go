package caption

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
)

// Defaults of [FileOptions].
const (
	DefaultChunk        = 30 * time.Second
	DefaultChunkOverlap = 2 * time.Second
)

// FileOptions configure [RecognizeFile]. The zero value (or nil) means
// 30 s chunks overlapping by 2 s, recognised GOMAXPROCS at a time.
type FileOptions struct {
	// Audio configures the extraction of the audio; nil means defaults.
	Audio *AudioOptions
	// Chunk is the length of the pieces the audio is cut into; if zero,
	// DefaultChunk. Audio no longer than Chunk is recognised whole.
	Chunk time.Duration
	// Overlap is how much consecutive chunks share; if zero,
	// DefaultChunkOverlap or a quarter of Chunk, whichever is less;
	// negative means none. It must be less than half of Chunk. Words
	// longer than Overlap may come out clipped or split at a cut.
	Overlap time.Duration
	// Concurrency is how many chunks are recognised at once; if zero,
	// GOMAXPROCS.
	Concurrency int
	// TempDir is where the audio and its chunks are written while they
	// are recognised; if empty, os.TempDir(). Everything written there is
	// removed before RecognizeFile returns.
	TempDir string
}

func (o *FileOptions) withDefaults() (FileOptions, error) {
	var f FileOptions
	if o != nil {
		f = *o
	}
	if f.Chunk == 0 {
		f.Chunk = DefaultChunk
	}
	switch {
	case f.Overlap == 0:
		f.Overlap = min(DefaultChunkOverlap, f.Chunk/4)
	case f.Overlap < 0:
		f.Overlap = 0
	}
	if f.Concurrency <= 0 {
		f.Concurrency = runtime.GOMAXPROCS(0)
	}
	if f.Chunk < time.Second || 2*f.Overlap >= f.Chunk {
		return f, fmt.Errorf("caption: chunk %v with overlap %v: the chunk must be at least 1s and more than twice the overlap", f.Chunk, f.Overlap)
	}
	return f, nil
}

// RecognizeFile recognises the speech of a media file of any length with
// rec: it extracts the audio ([ExtractAudio]), cuts it into chunks that
// overlap (opts.Chunk, opts.Overlap), recognises up to opts.Concurrency
// chunks at once, and joins their transcripts with times relative to the
// start of the file.
//
// Words in an overlap are heard by two chunks; the transcript keeps each
// once. The cut is the middle of the overlap: a word (or a segment without
// words) comes from the earlier chunk when its midpoint is before the cut
// and from the later chunk otherwise. So a word no longer than the overlap
// comes from a chunk that heard all of it, never from one that heard it
// clipped by its edge. A word on the cut that both chunks put on their own
// side (their times differ slightly) is kept once: when the last word
// before the cut and the first after it have the same text and overlap in
// time, the later one is dropped.
//
// The first error, from extraction or from any chunk, cancels the rest and
// is returned; so is ctx's error when it is done first. Temporary files are
// removed in every case.
func RecognizeFile(ctx context.Context, rec Recognizer, input string, opts *FileOptions) (*Transcript, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(o.TempDir, "v100-caption-")
	if err != nil {
		return nil, fmt.Errorf("caption: %w", err)
	}
	defer os.RemoveAll(dir)
	audio := filepath.Join(dir, "audio.wav")
	if err := ExtractAudio(ctx, input, audio, o.Audio); err != nil {
		return nil, err
	}
	f, pcm, err := openWAV(audio)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	chunks := planChunks(pcm.size, pcmBytes(o.Chunk), pcmBytes(o.Overlap))
	if len(chunks) == 1 {
		t, err := rec.Recognize(ctx, audio)
		if err != nil {
			return nil, recognizeError(ctx, err)
		}
		var s stitcher
		s.add(t, 0, math.MinInt64, math.MaxInt64)
		return s.transcript(), nil
	}

	parent := ctx
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	results := make([]*Transcript, len(chunks))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(o.Concurrency, len(chunks)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if ctx.Err() != nil {
					continue
				}
				t, err := recognizeChunk(ctx, rec, f, pcm, chunks[i], filepath.Join(dir, "chunk"+strconv.Itoa(i)+".wav"))
				if err != nil {
					cancel(err)
					continue
				}
				results[i] = t
			}
		}()
	}
feed:
	for i := range chunks {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if ctx.Err() != nil {
		if parent.Err() != nil {
			return nil, parent.Err()
		}
		return nil, context.Cause(ctx) // the first chunk's error
	}

	var s stitcher
	for i, c := range chunks {
		lo, hi := time.Duration(math.MinInt64), time.Duration(math.MaxInt64)
		if i > 0 {
			lo = cutBetween(chunks[i-1], c)
		}
		if i < len(chunks)-1 {
			hi = cutBetween(c, chunks[i+1])
		}
		s.add(results[i], pcmDuration(c.start), lo, hi)
	}
	return s.transcript(), nil
}

// recognizeError returns ctx's error when ctx is done (a recogniser may
// wrap it), else err.
func recognizeError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// recognizeChunk writes one chunk of the audio to its own WAV file,
// recognises it and removes the file.
func recognizeChunk(ctx context.Context, rec Recognizer, f io.ReaderAt, pcm wavPCM, c pcmSpan, path string) (*Transcript, error) {
	if err := writeWAVFile(path, io.NewSectionReader(f, pcm.offset+c.start, c.end-c.start), c.end-c.start); err != nil {
		return nil, err
	}
	defer os.Remove(path)
	t, err := rec.Recognize(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("caption: chunk at %v: %w", pcmDuration(c.start), err)
	}
	return t, nil
}

// pcmSpan is a stretch of PCM, in bytes from the start of the audio.
type pcmSpan struct{ start, end int64 }

// planChunks cuts size bytes of PCM into chunks of chunk bytes, each
// starting overlap bytes before the previous one ends. A chunk is
// stretched to the end of the audio when no more than overlap would be left
// after it, so that no chunk holds only audio its neighbour has.
func planChunks(size, chunk, overlap int64) []pcmSpan {
	var cs []pcmSpan
	for start := int64(0); ; start += chunk - overlap {
		end := start + chunk
		if end+overlap >= size {
			return append(cs, pcmSpan{start, max(size, start)})
		}
		cs = append(cs, pcmSpan{start, end})
	}
}

// cutBetween is the time that divides two overlapping chunks: the middle of
// their overlap.
func cutBetween(a, b pcmSpan) time.Duration {
	return pcmDuration(b.start) + (pcmDuration(a.end)-pcmDuration(b.start))/2
}

// stitcher joins the transcripts of consecutive pieces of audio.
type stitcher struct {
	segs     []Segment
	lastWord *Word // the last word kept, to drop its twin from the next piece
	lang     string
}

// add keeps the part of t, a transcript of audio starting at offset, that
// lies in [lo, hi): the words whose midpoints do, and the segments
// without words whose midpoints do. It returns the segments added.
func (s *stitcher) add(t *Transcript, offset, lo, hi time.Duration) []Segment {
	if t == nil {
		return nil
	}
	if s.lang == "" {
		s.lang = t.Language
	}
	in := func(start, end time.Duration) bool {
		mid := start + (end-start)/2
		return mid >= lo && mid < hi
	}
	first := len(s.segs)
	fresh := true // no word of t kept yet
	for _, seg := range t.Segments {
		seg.Start += offset
		seg.End += offset
		if len(seg.Words) == 0 {
			if in(seg.Start, seg.End) && strings.TrimSpace(seg.Text) != "" {
				s.append(seg)
			}
			continue
		}
		kept := make([]Word, 0, len(seg.Words))
		firstKept, lastKept := -1, -1
		for i, w := range seg.Words {
			w.Start += offset
			w.End += offset
			if !in(w.Start, w.End) {
				continue
			}
			if l := s.lastWord; fresh && l != nil && w.Start < l.End && sameWord(l.Text, w.Text) {
				continue // the twin of the word kept last, from the piece before
			}
			kept = append(kept, w)
			fresh = false
			if firstKept < 0 {
				firstKept = i
			}
			lastKept = i
		}
		if len(kept) == 0 {
			continue
		}
		if len(kept) < len(seg.Words) {
			texts := make([]string, len(kept))
			for i, w := range kept {
				texts[i] = w.Text
			}
			seg.Text = strings.Join(texts, " ")
			if firstKept > 0 {
				seg.Start = kept[0].Start
			}
			if lastKept < len(seg.Words)-1 {
				seg.End = kept[len(kept)-1].End
			}
		}
		seg.Words = kept
		s.append(seg)
	}
	return s.segs[first:]
}

// append adds a segment, moving its start past the end of the one before
// so that segments never overlap.
func (s *stitcher) append(seg Segment) {
	if n := len(s.segs); n > 0 {
		prev := s.segs[n-1].End
		seg.Start = max(seg.Start, prev)
		seg.End = max(seg.End, seg.Start)
		for i := range seg.Words {
			w := &seg.Words[i]
			w.Start = max(w.Start, seg.Start)
			w.End = max(w.End, w.Start)
		}
	}
	s.segs = append(s.segs, seg)
	if n := len(seg.Words); n > 0 {
		w := seg.Words[n-1]
		s.lastWord = &w
	}
}

func (s *stitcher) transcript() *Transcript {
	return &Transcript{Segments: s.segs, Language: s.lang}
}

// sameWord reports whether two recognised words are the same word, ignoring
// case and punctuation.
func sameWord(a, b string) bool {
	norm := func(s string) string {
		return strings.ToLower(strings.TrimFunc(s, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r)
		}))
	}
	return norm(a) == norm(b)
}
