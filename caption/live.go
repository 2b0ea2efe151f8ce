package caption

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/v100video/v100/hls"
)

// DefaultLiveSegment is the subtitle segment duration [NewLive] uses when
// none is given.
const DefaultLiveSegment = 4 * time.Second

// LiveOptions configure [NewLive]; nil means the defaults.
type LiveOptions struct {
	// Window is how many segments the playlist lists; if zero, the hls
	// package's default. Segments that leave the playlist are forgotten.
	Window int
	// MPEGTS is the video's 90 kHz timestamp at the stream's time zero,
	// written in every segment's X-TIMESTAMP-MAP (see [HLSOptions]).
	MPEGTS int64
	// Cues shape the cues; nil means the defaults of [BuildCues].
	Cues *CueOptions
	// Name returns segment seq's file name; if nil, "live_<seq>.vtt".
	Name func(seq uint64) string
}

// Live is a live WebVTT subtitle rendition: a sliding-window playlist whose
// segments follow the video's, filled with cues built from the words a
// [Stream] recognises.
//
// Feed it words with [Live.Add] (or [Live.Feed] from a Stream), and call
// [Live.Cut] each time the video segmenter closes a segment, with the media
// time the segment ends at. A word recognised before the cut of the
// segment it is spoken in appears in that segment; one recognised later
// appears in the next segment, from that segment's start. So a cue is
// served at most one segment duration after the recogniser delivers it.
// Live is safe for concurrent use; [Live.Playlist] and [Live.Segment] are
// cheap enough to serve at high rates.
type Live struct {
	opts   LiveOptions
	header string
	win    *hls.Window

	mu      sync.Mutex
	pending []Word // recognised, not yet in a segment
	carry   []Cue  // cues that run past the last cut
	start   time.Duration
	seq     uint64
	segs    map[string][]byte
	order   []string // names in segs, oldest first
}

// NewLive returns an empty live rendition.
func NewLive(opts *LiveOptions) (*Live, error) {
	l := &Live{segs: map[string][]byte{}}
	if opts != nil {
		l.opts = *opts
	}
	if l.opts.MPEGTS < 0 || l.opts.MPEGTS > maxMPEGTS {
		return nil, fmt.Errorf("%w: MPEGTS %d outside 0 to 2^33-1", ErrInvalid, l.opts.MPEGTS)
	}
	if l.opts.Name == nil {
		l.opts.Name = func(seq uint64) string { return "live_" + strconv.FormatUint(seq, 10) + ".vtt" }
	}
	win, err := hls.NewWindow(&hls.WindowOptions{Size: l.opts.Window})
	if err != nil {
		return nil, fmt.Errorf("caption: live window: %w", err)
	}
	l.win = win
	l.header = "X-TIMESTAMP-MAP=MPEGTS:" + strconv.FormatInt(l.opts.MPEGTS, 10) + ",LOCAL:00:00:00.000\n"
	return l, nil
}

// Add queues recognised words for the next [Live.Cut].
func (l *Live) Add(words []Word) {
	l.mu.Lock()
	l.pending = append(l.pending, words...)
	l.mu.Unlock()
}

// Feed adds the words of s as it delivers them until s ends (io.EOF, which
// Feed returns as nil) or ctx is done.
func (l *Live) Feed(ctx context.Context, s Stream) error {
	for {
		words, err := s.Next(ctx)
		l.Add(words)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// Cut closes the current segment at media time end (from the stream's time
// zero), writes it with the cues of the words added so far, and appends it
// to the playlist. end must be after the previous cut.
func (l *Live) Cut(end time.Duration) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	end = end.Round(time.Millisecond)
	if end <= l.start {
		return fmt.Errorf("%w: live cut at %v is not after %v", ErrInvalid, end, l.start)
	}
	cues := BuildCues(l.pending, l.opts.Cues)
	l.pending = l.pending[:0]
	in := make([]Cue, 0, len(l.carry)+len(cues))
	var next []Cue
	for _, c := range l.carry {
		if c.End > l.start {
			in = append(in, c)
		}
	}
	for _, c := range cues {
		// Recognised after its own segment was cut: show it from now.
		if c.Start < l.start {
			d := c.End - c.Start
			c.Start, c.End = l.start, l.start+d
		}
		in = append(in, c)
	}
	sort.SliceStable(in, func(i, j int) bool { return in[i].Start < in[j].Start })
	in = noOverlap(in)
	for _, c := range in {
		if c.End > end {
			next = append(next, c)
		}
	}
	name := l.opts.Name(l.seq)
	if err := checkFileName(name); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	data := appendVTT(nil, l.header, in)
	if err := l.win.Append(hls.Segment{URI: name, Duration: (end - l.start).Seconds()}); err != nil {
		return fmt.Errorf("caption: live playlist: %w", err)
	}
	l.segs[name] = data
	l.order = append(l.order, name)
	// Keep a few more segments than the playlist lists, for players that
	// loaded the previous playlist.
	size := l.opts.Window
	if size <= 0 {
		size = hls.DefaultWindowSize
	}
	keep := size + 3
	for len(l.order) > keep {
		delete(l.segs, l.order[0])
		l.order = l.order[1:]
	}
	l.carry, l.start = next, end
	l.seq++
	return nil
}

// noOverlap shortens cues so that none runs into the next one.
func noOverlap(cues []Cue) []Cue {
	for i := 0; i+1 < len(cues); i++ {
		if cues[i].End > cues[i+1].Start {
			cues[i].End = max(cues[i].Start+time.Millisecond, cues[i+1].Start)
		}
	}
	return cues
}

// End marks the playlist ended (EXT-X-ENDLIST) after a last cut.
func (l *Live) End() { l.win.End() }

// Playlist returns the current subtitle media playlist.
func (l *Live) Playlist() []byte { return l.win.Bytes() }

// Segment returns the WebVTT segment called name, if it is still kept.
func (l *Live) Segment(name string) ([]byte, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.segs[name]
	return b, ok
}
