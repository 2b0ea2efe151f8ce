package caption

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/v100video/v100/internal/ffmpeg"
)

// sphinxFrame is the unit in which a live stream looks for a quiet moment
// to end an over-long utterance: 20 ms of PCM.
const sphinxFrame = 2 * SampleRate / 50

// sphinxForceAfter is how long past MaxUtterance a stream waits for a quiet
// moment before it ends the utterance anyway.
const sphinxForceAfter = 2 * time.Second

// maxSphinxLine bounds a line of pocketsphinx's output in a live stream.
const maxSphinxLine = 64 << 10

// NewStream starts live recognition: one pocketsphinx_continuous process
// reads the audio as it is written, ends an utterance at each pause of
// s.Pause (or after s.MaxUtterance), and prints its words, which Next then
// returns. Words therefore come about Pause after the end of their
// utterance, plus the time recognition takes (a tenth of real time with
// Words, half of it with the general model, on one core).
//
// Like [Sphinx.Recognize], the stream first plays s.WarmUp of the audio
// and a second of silence, so the first words come only once WarmUp of
// audio has been written (or the stream closed), and then catch up. Times
// are relative to the first byte written.
//
// Write never waits for recognition. When s.MaxPending of audio is
// waiting for pocketsphinx, Write drops what it is given and returns
// ErrStreamFull; the stream's clock counts the dropped audio, so later
// words keep their true times. Words not yet read hold recognition up, so
// a reader that falls behind makes writes fail the same way. ctx bounds
// the whole stream: when it is done the process is killed and Next
// returns ctx's error. The process runs until Next has returned io.EOF or
// an error, or ctx is done.
func (s *Sphinx) NewStream(ctx context.Context) (Stream, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pause := s.Pause
	if pause <= 0 {
		pause = DefaultSphinxPause
	}
	maxUtt := s.MaxUtterance
	if maxUtt == 0 {
		maxUtt = DefaultSphinxMaxUtterance
	}
	maxPending := s.MaxPending
	if maxPending <= 0 {
		maxPending = DefaultMaxPending
	}
	args, cleanup, err := s.args()
	if err != nil {
		return nil, err
	}
	frames := max(int64(pause/(10*time.Millisecond)), 1) // pocketsphinx counts 10 ms frames
	args = append([]string{"-vad_postspeech", fmt.Sprint(frames)}, args...)

	runCtx, cancel := context.WithCancel(ctx)
	path := orDefault(s.Path, "pocketsphinx_continuous")
	cmd := exec.CommandContext(runCtx, path, args...)
	cmd.WaitDelay = DefaultWaitDelay
	stderr := ffmpeg.NewTail(16 << 10)
	cmd.Stderr = stderr
	stdin, err := cmd.StdinPipe()
	if err == nil {
		var stdout io.ReadCloser
		if stdout, err = cmd.StdoutPipe(); err == nil {
			if err = ffmpeg.StartChild(cmd); err == nil {
				st := &sphinxStream{
					cmd:        cmd,
					stdin:      stdin,
					stdout:     stdout,
					stderr:     stderr,
					ctx:        ctx,
					runCtx:     runCtx,
					cancel:     cancel,
					cleanup:    cleanup,
					warm:       pcmBytes(s.warmUp()),
					gap:        pcmBytes(sphinxWarmUpGap),
					cut:        pcmBytes(pause + 100*time.Millisecond),
					pause:      pcmBytes(pause),
					maxUtt:     -1,
					maxPending: pcmBytes(maxPending),
					wake:       make(chan struct{}, 1),
					results:    make(chan []Word, 16),
				}
				if maxUtt > 0 {
					st.maxUtt = pcmBytes(maxUtt)
				}
				go st.run()
				return st, nil
			}
		}
	}
	cancel()
	cleanup()
	return nil, fmt.Errorf("caption: sphinx: %w", err)
}

// sphinxStream is the Stream of [Sphinx.NewStream].
type sphinxStream struct {
	cmd            *exec.Cmd
	stdin          io.WriteCloser
	stdout         io.Reader
	stderr         *ffmpeg.Tail
	ctx, runCtx    context.Context
	feedCtx        context.Context // for the feeder: done when the process's output has ended
	cancel         context.CancelFunc
	cleanup        func()
	warm, gap, cut int64 // bytes: warm-up, silence after it, silence that ends an utterance
	pause          int64 // bytes: the pause that ends an utterance
	maxUtt         int64 // bytes; negative: never end an utterance
	maxPending     int64
	wake           chan struct{} // a Write or Close for the feeder
	results        chan []Word   // closed when the process has ended

	mu      sync.Mutex // guards the fields below
	queue   []sphinxChunk
	pending int64 // bytes in queue
	pos     int64 // the stream's clock: bytes written or dropped
	closed  bool
	err     error        // why the stream ended; nil at the end of the audio
	edits   []sphinxEdit // how the audio pocketsphinx hears differs from the stream's, in order
	heard   int64        // where pocketsphinx's last reported utterance ended, in its bytes
}

// sphinxChunk is audio written to the stream.
type sphinxChunk struct {
	pcm     []byte
	dropped int64 // bytes of the stream dropped just before pcm
}

// sphinxEdit says that at byte at of what pocketsphinx hears, inserted bytes
// of audio not from the stream begin (warm-up, silence), and that the
// stream skips skipped bytes there (audio it dropped). off is the stream's
// position minus pocketsphinx's after the edit, all edits so far counted.
type sphinxEdit struct {
	at, inserted, skipped, off int64
}

// Write adds audio. It returns ErrStreamFull, having dropped p, when
// MaxPending of audio is waiting already, and ErrStreamClosed after Close;
// after the stream has failed it returns the failure.
func (s *sphinxStream) Write(p []byte) (int, error) {
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
		if n := len(s.queue); n > 0 && s.queue[n-1].pcm == nil {
			s.queue[n-1].dropped += int64(len(p))
		} else {
			s.queue = append(s.queue, sphinxChunk{dropped: int64(len(p))})
		}
		s.notify()
		return 0, fmt.Errorf("%w: %v of audio at %v", ErrStreamFull, pcmDuration(int64(len(p))), pcmDuration(s.pos-int64(len(p))))
	}
	if n := len(s.queue); n > 0 && s.queue[n-1].pcm == nil {
		s.queue[n-1].pcm = append([]byte(nil), p...) // the audio after a gap
	} else {
		s.queue = append(s.queue, sphinxChunk{pcm: append([]byte(nil), p...)})
	}
	s.pending += int64(len(p))
	s.pos += int64(len(p))
	s.notify()
	return len(p), nil
}

// Close ends the audio; the words of what was written are still delivered
// through Next.
func (s *sphinxStream) Close() error {
	s.mu.Lock()
	s.closed = true
	s.notify()
	s.mu.Unlock()
	return nil
}

// notify wakes the feeder; s.mu is held.
func (s *sphinxStream) notify() { wake(s.wake) }

// Next returns the next final words, waiting for them; io.EOF after the
// last ones once the stream is closed.
func (s *sphinxStream) Next(ctx context.Context) ([]Word, error) {
	return nextWords(ctx, s.results, func() error {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.err
	})
}

// run owns the process: it feeds it on another goroutine, reads its words
// on this one, and ends the stream when the process has exited.
func (s *sphinxStream) run() {
	fed := make(chan error, 1)
	feedCtx, stopFeed := context.WithCancel(s.runCtx)
	s.feedCtx = feedCtx
	go func() {
		err := s.feed()
		if cerr := s.stdin.Close(); err == nil {
			err = cerr
		}
		fed <- err
	}()
	readErr := s.read()
	stopFeed() // the process has ended, or its words can no longer be read
	if readErr != nil {
		s.cancel() // stop the process; its words can no longer be read
	}
	feedErr := <-fed
	waitErr := s.cmd.Wait()
	s.cancel()
	s.cleanup()

	var err error
	switch {
	case s.ctx.Err() != nil:
		err = s.ctx.Err()
	case readErr != nil:
		err = readErr
	case waitErr != nil:
		msg := sphinxErrors(s.stderr.String())
		e := &ProcessError{Prog: s.cmd.Path, Args: s.cmd.Args[1:], ExitCode: -1, Stderr: msg, Err: waitErr}
		var exit *exec.ExitError
		if errors.As(waitErr, &exit) {
			e.ExitCode = exit.ExitCode()
			if e.ExitCode >= 0 {
				e.Err = nil
			}
		}
		err = fmt.Errorf("caption: %w", e)
	case feedErr != nil && !errors.Is(feedErr, context.Canceled):
		err = fmt.Errorf("caption: sphinx: writing audio: %w", feedErr)
	}
	s.mu.Lock()
	// Writes after the end fail: with the error, or as after Close.
	s.err, s.queue, s.pending, s.closed = err, nil, 0, true
	s.mu.Unlock()
	close(s.results)
}

// take waits for the next chunk; ok is false once the stream is closed and
// everything written has been taken, or the process has ended.
func (s *sphinxStream) take() (c sphinxChunk, ok bool) {
	for {
		s.mu.Lock()
		if len(s.queue) > 0 {
			c = s.queue[0]
			s.queue[0] = sphinxChunk{}
			s.queue = s.queue[1:]
			s.pending -= int64(len(c.pcm))
			s.mu.Unlock()
			return c, true
		}
		closed := s.closed
		s.mu.Unlock()
		if closed {
			return c, false
		}
		select {
		case <-s.wake:
		case <-s.feedCtx.Done():
			return c, false
		}
	}
}

// waitWarm waits until the warm-up is written, the stream is closed or
// the process has ended, and returns a copy of the start of the audio to
// warm up with.
func (s *sphinxStream) waitWarm() []byte {
	for {
		s.mu.Lock()
		if s.pending >= s.warm || s.closed {
			var warm []byte
			for _, c := range s.queue {
				if c.dropped > 0 && len(warm) > 0 {
					break
				}
				warm = append(warm, c.pcm[:min(int64(len(c.pcm)), s.warm-int64(len(warm)))]...)
				if int64(len(warm)) >= s.warm {
					break
				}
			}
			s.mu.Unlock()
			return warm[:len(warm)&^1]
		}
		s.mu.Unlock()
		select {
		case <-s.wake:
		case <-s.feedCtx.Done():
			return nil
		}
	}
}

// feeder writes the audio into pocketsphinx.
type feeder struct {
	s       *sphinxStream
	spos    int64   // bytes given to pocketsphinx
	carry   []byte  // the start of a frame not yet written
	lastCut int64   // where the last utterance is thought to have ended, in pocketsphinx's bytes
	level   float64 // the loudness of the last second or so, as frame RMS
	quiet   int64   // bytes of quiet frames in a row
}

// silentRMS is a frame RMS below which a frame is quiet however quiet the
// audio around it: -60 dBFS.
const silentRMS = 32

// feed writes the warm-up and then the audio into pocketsphinx as it
// comes, ending over-long utterances, until the stream is closed.
func (s *sphinxStream) feed() error {
	f := &feeder{s: s}
	if s.warm > 0 {
		warm := s.waitWarm()
		if len(warm) > 0 {
			if err := f.insert(append(warm, make([]byte, s.gap)...), 0); err != nil {
				return err
			}
			f.lastCut = f.spos // the warm-up is an utterance of its own
		}
	}
	for {
		c, ok := s.take()
		if !ok {
			break
		}
		if c.dropped > 0 {
			// Drop the odd byte of a frame cut short, so that samples
			// stay whole, and end the utterance at the gap.
			skipped := c.dropped
			if len(f.carry)%2 == 1 {
				f.carry, skipped = f.carry[:len(f.carry)-1], skipped+1
			}
			if err := f.flush(); err != nil {
				return err
			}
			if err := f.insert(make([]byte, s.cut), skipped); err != nil {
				return err
			}
			if skipped%2 == 1 && len(c.pcm) > 0 { // resume at a whole sample
				c.pcm = c.pcm[1:]
			}
		}
		if err := f.audio(c.pcm); err != nil {
			return err
		}
	}
	if err := f.flush(); err != nil {
		return err
	}
	if err := s.feedCtx.Err(); err != nil {
		return err
	}
	// Silence after the end, so that the last utterance ends.
	return f.insert(make([]byte, s.cut), 0)
}

// insert writes audio that is not the stream's, recording the edit.
func (f *feeder) insert(pcm []byte, skipped int64) error {
	s := f.s
	s.mu.Lock()
	off := int64(0)
	if n := len(s.edits); n > 0 {
		off = s.edits[n-1].off
	}
	s.edits = append(s.edits, sphinxEdit{at: f.spos, inserted: int64(len(pcm)), skipped: skipped, off: off + skipped - int64(len(pcm))})
	s.mu.Unlock()
	return f.write(pcm)
}

func (f *feeder) write(p []byte) error {
	if len(p) == 0 {
		return nil
	}
	_, err := f.s.stdin.Write(p)
	f.spos += int64(len(p))
	return err
}

// flush writes the partial frame held back.
func (f *feeder) flush() error {
	err := f.write(f.carry)
	f.carry = f.carry[:0]
	return err
}

// audio writes the stream's audio frame by frame, ending the utterance at
// the first quiet frame once it has run for MaxUtterance.
func (f *feeder) audio(p []byte) error {
	s := f.s
	for len(p) > 0 {
		n := min(len(p), sphinxFrame-len(f.carry))
		f.carry = append(f.carry, p[:n]...)
		p = p[n:]
		if len(f.carry) < sphinxFrame {
			break
		}
		rms := frameRMS(f.carry)
		quiet := rms < silentRMS || rms < f.level/4
		f.level += (rms - f.level) / 50 // about a second
		if err := f.flush(); err != nil {
			return err
		}
		if s.maxUtt < 0 {
			continue
		}
		// A pause as long as the one pocketsphinx ends utterances at
		// probably ended one; so did every utterance it has reported.
		if quiet {
			f.quiet += sphinxFrame
		} else {
			f.quiet = 0
		}
		if f.quiet >= s.pause {
			f.lastCut = f.spos
		}
		s.mu.Lock()
		since := f.spos - max(s.heard, f.lastCut)
		s.mu.Unlock()
		if since > s.maxUtt && (quiet || since > s.maxUtt+pcmBytes(sphinxForceAfter)) {
			if err := f.insert(make([]byte, s.cut), 0); err != nil {
				return err
			}
			f.lastCut = f.spos
		}
	}
	return nil
}

// frameRMS is the root mean square of 16-bit little-endian samples.
func frameRMS(p []byte) float64 {
	var sum float64
	n := len(p) / 2
	for i := 0; i < n; i++ {
		v := float64(int16(uint16(p[2*i]) | uint16(p[2*i+1])<<8))
		sum += v * v
	}
	if n == 0 {
		return 0
	}
	return math.Sqrt(sum / float64(n))
}

// read reads pocketsphinx's output until it ends, and delivers the words
// of each utterance as soon as it is printed.
func (s *sphinxStream) read() error {
	br := bufio.NewReaderSize(s.stdout, 4096)
	var (
		batch   []Word
		prevEnd time.Duration
		long    bool // in a line longer than maxSphinxLine, being skipped
		line    []byte
	)
	for {
		frag, err := br.ReadSlice('\n')
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			if !long {
				line = append(line, frag...)
				if len(line) > maxSphinxLine {
					long, line = true, line[:0]
				}
			}
		case err == nil:
			if !long {
				line = append(line, frag...)
				if w, ok := s.word(strings.Fields(string(line)), &prevEnd); ok {
					batch = append(batch, w)
				}
			}
			long, line = false, line[:0]
		}
		if len(batch) > 0 && (br.Buffered() == 0 || err != nil) {
			select {
			case s.results <- batch:
			case <-s.runCtx.Done():
				return nil
			}
			batch = nil
		}
		switch {
		case err == nil, errors.Is(err, bufio.ErrBufferFull):
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrClosedPipe), errors.Is(err, context.Canceled):
			return nil
		default:
			if s.runCtx.Err() != nil {
				return nil
			}
			return fmt.Errorf("caption: sphinx: reading its output: %w", err)
		}
	}
}

// word turns a line of pocketsphinx's output into a word on the stream's
// clock. It reports false for other lines, fillers, words in audio the
// stream inserted, and words that start before the previous one ends.
func (s *sphinxStream) word(fields []string, prevEnd *time.Duration) (Word, bool) {
	w, ok := sphinxWordLine(fields)
	if !ok {
		return Word{}, false
	}
	start, end := pcmBytes(w.Start), pcmBytes(w.End)
	s.mu.Lock()
	s.heard = max(s.heard, end)
	off, ok := editOffset(s.edits, start+(end-start)/2)
	s.mu.Unlock()
	if !ok || w.Text == "" {
		return Word{}, false
	}
	w.Start, w.End = pcmDuration(max(start+off, 0)), pcmDuration(max(end+off, 0))
	if w.Start < *prevEnd {
		return Word{}, false
	}
	*prevEnd = w.End
	return w, true
}

// editOffset returns the stream's position minus pocketsphinx's at byte
// pos of what pocketsphinx heard, and false if pos is in inserted audio.
func editOffset(edits []sphinxEdit, pos int64) (int64, bool) {
	i := sort.Search(len(edits), func(i int) bool { return edits[i].at > pos }) - 1
	if i < 0 {
		return 0, true
	}
	e := edits[i]
	if pos < e.at+e.inserted {
		return 0, false
	}
	return e.off, true
}
