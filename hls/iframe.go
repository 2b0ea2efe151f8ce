package hls

import "fmt"

// IFrame locates one I-frame (key frame) in a media segment, as ffprobe
// reports packets: its presentation time and its bytes.
type IFrame struct {
	// URI is the segment holding the frame.
	URI string
	// Time is the frame's presentation time in seconds from the start of
	// the presentation.
	Time float64
	// Offset and Length are the frame's bytes in the segment (for MPEG-TS,
	// the TS packets that carry it).
	Offset, Length int64
}

// IFramePlaylist returns the I-frame only VOD playlist of frames, which
// must be in presentation order: each frame becomes a byte-range segment
// lasting until the next frame, the last one until end, the end of the
// presentation. Set Map on the result for fMP4 segments. Its BANDWIDTH for
// an [IFrameVariant] comes from [MeasureBandwidth] over the frames' lengths
// and durations.
func IFramePlaylist(frames []IFrame, end float64) (*MediaPlaylist, error) {
	p := &MediaPlaylist{Type: VOD, IFramesOnly: true, Ended: true, Segments: make([]Segment, len(frames))}
	for i, f := range frames {
		next := end
		if i+1 < len(frames) {
			next = frames[i+1].Time
		}
		d := next - f.Time
		if !validDuration(f.Time) || !validDuration(d) || d == 0 || f.URI == "" || f.Length <= 0 || f.Offset < 0 {
			return nil, fmt.Errorf("%w: I-frame %d (%s at %v s, %d@%d) does not come before the next or the end (%v s)",
				ErrInvalid, i, f.URI, f.Time, f.Length, f.Offset, next)
		}
		p.Segments[i] = Segment{URI: f.URI, Duration: d, ByteRange: &ByteRange{Length: f.Length, Offset: f.Offset}}
	}
	return p, nil
}
