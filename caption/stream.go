package caption

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// Defaults of [WindowOptions].
const (
	DefaultWindow        = 4 * time.Second
	DefaultWindowOverlap = time.Second
	DefaultMaxPending    = 30 * time.Second
)

// WindowOptions configure [NewWindowedStream]. The zero value (or nil)
// means 4 s windows overlapping by 1 s, and up to 30 s of audio waiting.
type WindowOptions struct {
	// Window is the length of audio recognised at once; if zero,
	// DefaultWindow. Words are delivered about Window after they are
	// spoken, plus the time recognition takes.
	Window time.Duration
	// Overlap is how much consecutive windows share; if zero,
	// DefaultWindowOverlap or a quarter of Window, whichever is less;
	// negative means none. It must be less than half of Window.
	Overlap time.Duration
	// MaxPending bounds the audio written but not yet taken for
	// recognition; if zero, DefaultMaxPending; never less than two
	// windows. See [Windowed] for what happens beyond it.
	MaxPending time.Duration
	// TempDir is where the windows are written for the recogniser; if
	// empty, os.TempDir().
	TempDir string
}

// Windowed is a [StreamRecognizer] made of a [Recognizer] by
// [NewWindowedStream]: it cuts the live audio into overlapping windows and
// recognises one window at a time.
//
// Words are final once the window after them has been heard: the words of
// a window are delivered when their midpoint is before the middle of its
// overlap with the next window (the rule [RecognizeFile] applies to
// chunks), so a word no longer than the overlap that the end of a window
// clips is delivered from the next window, whole, and no word twice. Times
// are relative to the first byte written.
//
// Write never waits for recognition. When recognition falls behind and
// MaxPending of audio is waiting, Write drops the audio it is given and
// returns ErrStreamFull: the stream's clock still counts the dropped audio,
// so later words keep their true times, and the audio before the gap is
// recognised to its end as if the stream had closed there. Words not yet
// read hold recognition up, so a reader that falls behind makes writes
// fail the same way. A recogniser that fails ends the stream: Next returns
// its error.
//
// A recogniser that times only phrases gives one Word per phrase.
type Windowed struct {
	rec  Recognizer
	opts WindowOptions
}

// NewWindowedStream returns a [StreamRecognizer] that recognises live
// audio with rec, window by window; opts nil means defaults.
func NewWindowedStream(rec Recognizer, opts *WindowOptions) *Windowed {
	w := &Windowed{rec: rec}
	if opts != nil {
		w.opts = *opts
	}
	return w
}

var _ StreamRecognizer = (*Windowed)(nil)

// NewStream starts a stream. ctx bounds the whole stream: when it is done,
// recognition stops and Next returns ctx's error. A stream's goroutine runs
// until Next has returned io.EOF or an error, or ctx is done; cancel ctx to
// abandon a stream without reading it to the end.
func (w *Windowed) NewStream(ctx context.Context) (Stream, error) {
	o := w.opts
	if o.Window == 0 {
		o.Window = DefaultWindow
	}
	switch {
	case o.Overlap == 0:
		o.Overlap = min(DefaultWindowOverlap, o.Window/4)
	case o.Overlap < 0:
		o.Overlap = 0
	}
	if o.MaxPending == 0 {
		o.MaxPending = DefaultMaxPending
	}
	o.MaxPending = max(o.MaxPending, 2*o.Window)
	if o.Window < 100*time.Millisecond || 2*o.Overlap >= o.Window {
		return nil, fmt.Errorf("caption: window %v with overlap %v: the window must be at least 100ms and more than twice the overlap", o.Window, o.Overlap)
	}
	if w.rec == nil {
		return nil, errors.New("caption: windowed stream without a recognizer")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(o.TempDir, "v100-stream-")
	if err != nil {
		return nil, fmt.Errorf("caption: %w", err)
	}
	s := &windowedStream{
		rec:        w.rec,
		window:     pcmBytes(o.Window),
		overlap:    pcmBytes(o.Overlap),
		maxPending: pcmBytes(o.MaxPending),
		dir:        dir,
		ctx:        ctx,
		wake:       make(chan struct{}, 1),
		results:    make(chan []Word, 16),
	}
	go s.run()
	return s, nil
}

// windowedStream is the Stream of a Windowed.
type windowedStream struct {
	rec                         Recognizer
	window, overlap, maxPending int64 // in bytes of PCM
	dir                         string
	ctx                         context.Context
	wake                        chan struct{} // a Write or Close for the worker
	results                     chan []Word   // closed by the worker when it ends

	mu      sync.Mutex // guards the fields below
	runs    []pcmRun   // audio not yet taken for recognition, in order
	pending int64      // bytes in runs
	pos     int64      // the stream's clock: bytes written or dropped
	closed  bool
	err     error // why the worker ended; nil at the end of the audio
}

// pcmRun is contiguous audio; a gap of dropped audio starts a new run.
type pcmRun struct {
	start int64 // on the stream's clock, in bytes
	pcm   []byte
	ended bool // nothing will be added: a gap follows, or the stream is closed
	taken bool // a window of it has been taken
}

// Write adds audio. It returns ErrStreamFull, having dropped p, when the
// stream holds MaxPending of audio already, and ErrStreamClosed after
// Close; after the stream has failed it returns the failure.
func (s *windowedStream) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return 0, ErrStreamClosed
	case s.err != nil:
		return 0, s.err
	case len(p) == 0:
		return 0, nil
	}
	if s.pending+int64(len(p)) > s.maxPending {
		s.pos += int64(len(p))
		if n := len(s.runs); n > 0 {
			s.runs[n-1].ended = true
		}
		s.notify()
		return 0, fmt.Errorf("%w: %v of audio at %v", ErrStreamFull, pcmDuration(int64(len(p))), pcmDuration(s.pos-int64(len(p))))
	}
	n := len(p)
	if k := len(s.runs); k == 0 || s.runs[k-1].ended {
		start := s.pos
		if start%2 == 1 { // after a gap, resume at a whole sample
			start, p = start+1, p[1:]
		}
		s.runs = append(s.runs, pcmRun{start: start})
	}
	r := &s.runs[len(s.runs)-1]
	r.pcm = append(r.pcm, p...)
	s.pending += int64(len(p))
	s.pos += int64(n)
	s.notify()
	return n, nil
}

// Close ends the audio. The words of the audio written so far are still
// delivered through Next.
func (s *windowedStream) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		if n := len(s.runs); n > 0 {
			s.runs[n-1].ended = true
		}
		s.notify()
	}
	return nil
}

// notify wakes the worker; s.mu is held.
func (s *windowedStream) notify() { wake(s.wake) }

// Next returns the next final words, waiting for them; io.EOF after the
// last ones once the stream is closed.
func (s *windowedStream) Next(ctx context.Context) ([]Word, error) {
	return nextWords(ctx, s.results, func() error {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.err
	})
}

// pcmWindow is audio taken for recognition.
type pcmWindow struct {
	start  int64 // on the stream's clock, in bytes
	pcm    []byte
	final  bool // the last window of its run
	first  bool // the first window of its run
	serial int
}

// run is the worker: it recognises windows until the audio ends or
// recognition fails, then closes results.
func (s *windowedStream) run() {
	err := s.recognizeAll()
	os.RemoveAll(s.dir)
	s.mu.Lock()
	s.err, s.runs, s.pending = err, nil, 0
	s.mu.Unlock()
	close(s.results)
}

func (s *windowedStream) recognizeAll() error {
	var (
		st stitcher
		lo = time.Duration(math.MinInt64)
	)
	for serial := 0; ; serial++ {
		w, ok, err := s.take(serial)
		if err != nil || !ok {
			return err
		}
		if w.first {
			lo = math.MinInt64
		}
		start := pcmDuration(w.start)
		hi := time.Duration(math.MaxInt64)
		if !w.final {
			hi = start + pcmDuration(s.window) - pcmDuration(s.overlap)/2
		}
		t, err := s.recognize(w)
		if err != nil {
			return err
		}
		var words []Word
		for _, seg := range st.add(t, start, lo, hi) {
			if len(seg.Words) == 0 {
				words = append(words, Word{Text: seg.Text, Start: seg.Start, End: seg.End})
			}
			words = append(words, seg.Words...)
		}
		if n := len(st.segs); n > 1 { // keep only what the next window is checked against
			st.segs = append(st.segs[:0:0], st.segs[n-1])
		}
		lo = hi
		if len(words) == 0 {
			continue
		}
		select {
		case s.results <- words:
		case <-s.ctx.Done():
			return s.ctx.Err()
		}
	}
}

// take waits for the next window: a whole one, or the rest of a run that
// has ended. It reports false when the stream is closed and every window
// taken.
func (s *windowedStream) take(serial int) (pcmWindow, bool, error) {
	for {
		s.mu.Lock()
		w, ok := s.cut(serial)
		done := !ok && s.closed && len(s.runs) == 0
		s.mu.Unlock()
		switch {
		case ok:
			return w, true, nil
		case done:
			return pcmWindow{}, false, nil
		}
		select {
		case <-s.wake:
		case <-s.ctx.Done():
			return pcmWindow{}, false, s.ctx.Err()
		}
	}
}

// cut takes the next window if one is ready; s.mu is held.
func (s *windowedStream) cut(serial int) (pcmWindow, bool) {
	for len(s.runs) > 0 {
		r := &s.runs[0]
		size := int64(len(r.pcm))
		switch {
		case r.ended && size <= s.window+s.overlap:
			// The last window of the run takes all of it.
			w := pcmWindow{start: r.start, pcm: r.pcm[:size&^1], final: true, first: !r.taken, serial: serial}
			s.runs[0] = pcmRun{}
			s.runs = s.runs[1:]
			s.pending -= size
			if len(w.pcm) == 0 {
				continue
			}
			return w, true
		case size >= s.window:
			w := pcmWindow{start: r.start, pcm: r.pcm[:s.window], first: !r.taken, serial: serial}
			step := s.window - s.overlap
			r.pcm = r.pcm[step:]
			r.start += step
			r.taken = true
			s.pending -= step
			return w, true
		}
		return pcmWindow{}, false
	}
	return pcmWindow{}, false
}

// recognize writes a window to a WAV file and recognises it.
func (s *windowedStream) recognize(w pcmWindow) (*Transcript, error) {
	path := filepath.Join(s.dir, "window"+strconv.Itoa(w.serial)+".wav")
	if err := writeWAVFile(path, bytes.NewReader(w.pcm), int64(len(w.pcm))); err != nil {
		return nil, err
	}
	defer os.Remove(path)
	t, err := s.rec.Recognize(s.ctx, path)
	if err != nil {
		if s.ctx.Err() != nil {
			return nil, s.ctx.Err()
		}
		return nil, fmt.Errorf("caption: stream window at %v: %w", pcmDuration(w.start), err)
	}
	return t, nil
}

// nextWords is the Next of a stream whose worker sends final words on
// results and closes it when it ends, leaving why in failure: nil at the
// end of the audio, which Next reports as io.EOF.
func nextWords(ctx context.Context, results <-chan []Word, failure func() error) ([]Word, error) {
	select {
	case ws, ok := <-results:
		if ok {
			return ws, nil
		}
		if err := failure(); err != nil {
			return nil, err
		}
		return nil, io.EOF
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// wake signals ch, a channel of capacity one, without waiting.
func wake(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
