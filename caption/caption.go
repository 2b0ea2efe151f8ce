package caption

import (
	"context"
	"time"
)

// Word is one recognised word and when it is spoken, relative to the start
// of the audio the recogniser was given.
type Word struct {
	Text       string
	Start, End time.Duration
	// Confidence is the recogniser's confidence in [0, 1]; 0 when it gives
	// none.
	Confidence float64
}

// Segment is a stretch of recognised speech, usually a phrase or sentence,
// for recognisers that time phrases rather than words.
type Segment struct {
	Text       string
	Start, End time.Duration
	Words      []Word // the segment's words when the recogniser times them; may be empty
}

// Transcript is what a [Recognizer] returns for one file.
type Transcript struct {
	// Segments in time order, not overlapping. A recogniser that times
	// words fills each segment's Words (a single segment holding every
	// word is fine); one that times only phrases leaves Words empty, and
	// cues are then built from the phrases.
	Segments []Segment
	// Language is the BCP 47 tag of the speech when the recogniser knows
	// it ("en"); empty otherwise.
	Language string
}

// Words returns every timed word of the transcript in order.
func (t *Transcript) Words() []Word {
	var ws []Word
	for _, s := range t.Segments {
		ws = append(ws, s.Words...)
	}
	return ws
}

// Recognizer turns the speech in one audio file into text with times.
//
// The audio is a WAV file of 16 kHz mono 16-bit PCM ([ExtractAudio] makes
// one from any media file). Recognize must return times relative to the
// start of that file, segments in time order and not overlapping, words
// inside their segment, and no text for silence. It must honour ctx: return
// promptly with ctx's error when it is done, leaving no process running. It
// may be called concurrently for different files. Errors should say what
// failed (engine missing, bad response, timeout).
type Recognizer interface {
	Recognize(ctx context.Context, wav string) (*Transcript, error)
}

// StreamRecognizer recognises live audio.
//
// NewStream starts a stream. The caller writes 16 kHz mono 16-bit
// little-endian PCM to it as the audio arrives and reads results with
// [Stream.Next]; a result is final, it is never revised. Times are relative
// to the first byte written.
type StreamRecognizer interface {
	NewStream(ctx context.Context) (Stream, error)
}

// Stream is one live recognition.
type Stream interface {
	// Write adds PCM audio. It does not wait for recognition.
	Write(pcm []byte) (int, error)
	// Next waits for the next final words. After Close it returns the
	// rest, then io.EOF.
	Next(ctx context.Context) ([]Word, error)
	// Close ends the audio; results already due are still delivered
	// through Next.
	Close() error
}
