package caption

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/v100video/v100/hls"
)

// MPEGTSFFmpeg is the [HLSOptions] MPEGTS value for video segmented by
// ffmpeg as MPEG-TS (-hls_segment_type mpegts): 126000, that is 1.4 s at
// 90 kHz, which ffmpeg's MPEG-TS muxer adds to every timestamp (twice its
// default max_delay of 0.7 s).
//
// Measured with ffmpeg 5.1 on the ladder the transcode package writes
// (libx264 High with B-frames at 30 fps, AAC at 48 kHz): in the first TS
// segment the first video packet has DTS 126000 and PTS 132000, the first
// audio packet PTS 130080. The 6000 ticks past 126000 are the encoder's
// two-frame reordering delay, by which ffmpeg shifts the whole stream so
// that no DTS is negative; its fMP4 segments carry the same shift (video
// start time 0.066 s, audio 0.045 s, with MPEGTS 0). So with 126000 for TS
// and 0 for fMP4, cues are placed the same in both: at most that delay (2
// or 3 frames, well under 0.1 s) before the pictures they belong to. For
// exact placement, pass the first segment's video PTS as ffprobe reports
// it (ffprobe -select_streams v:0 -show_entries stream=start_pts).
const MPEGTSFFmpeg int64 = 126000

// SubtitleGroup is the GROUP-ID of the renditions [Rendition] returns:
// the master playlist's variants name it in their SUBTITLES attribute.
const SubtitleGroup = "subs"

// maxMPEGTS is the largest 33-bit MPEG-TS timestamp.
const maxMPEGTS = 1<<33 - 1

// HLSOptions configures [SegmentVTT]; nil means the defaults.
type HLSOptions struct {
	// MPEGTS is the 90 kHz MPEG-TS timestamp the video has at time zero of
	// the cues (the start of the source), written in every segment as
	// X-TIMESTAMP-MAP=MPEGTS:<MPEGTS>,LOCAL:00:00:00.000 (RFC 8216 3.5).
	// Players place cues by it: without the header (ffmpeg writes none),
	// or with the wrong value, they show cues early or late, by 1.4 s on
	// ffmpeg's TS segments (see MPEGTSFFmpeg). If zero, 0, right for fMP4
	// segments, whose timeline starts at zero. For MPEG-TS
	// segments written by ffmpeg, use MPEGTSFFmpeg. It must be within 0
	// and 2^33-1.
	MPEGTS int64
	// Name returns the file name of segment i, counted from 0: a plain
	// name, without a directory. If nil, "sub_00000.vtt", "sub_00001.vtt"…
	Name func(i int) string
}

// Subtitles is a WebVTT subtitle rendition segmented for HLS: the segment
// files and their media playlist.
type Subtitles struct {
	// Playlist is the VOD media playlist, with EXT-X-ENDLIST, naming the
	// segments by their file names (relative URIs).
	Playlist *hls.MediaPlaylist
	// Segments are the WebVTT segment files, in order.
	Segments []SubtitleSegment
}

// SubtitleSegment is one WebVTT segment file.
type SubtitleSegment struct {
	Name string
	Data []byte
}

// SegmentVTT splits cues into WebVTT segments aligned with a video's
// segments, given the video's segment durations in order, and returns
// them with their media playlist, whose segment durations are the video's,
// so that segment boundaries match.
//
// Segment i holds every cue shown during it: a cue that spans a boundary
// is in both segments, with the same times, as HLS players expect (they
// drop the duplicate). Cue times stay relative to the start of the video
// (LOCAL 00:00:00.000 in the X-TIMESTAMP-MAP line every segment has). A
// segment without cues is a valid WebVTT file with only its header; cues
// that start after the video ends are left out.
//
// Durations are rounded to the millisecond, as the playlist writes them
// (so 2001999999 ns, what 2.002 s becomes through a float64, is 2.002 s).
// cues must be valid as for [WriteVTT]; durations must be at least half a
// millisecond, and segment names plain and distinct. Otherwise the error
// wraps [ErrInvalid].
func SegmentVTT(cues []Cue, segments []time.Duration, opts *HLSOptions) (*Subtitles, error) {
	var o HLSOptions
	if opts != nil {
		o = *opts
	}
	if o.MPEGTS < 0 || o.MPEGTS > maxMPEGTS {
		return nil, fmt.Errorf("%w: MPEGTS %d outside 0 to 2^33-1", ErrInvalid, o.MPEGTS)
	}
	if len(segments) == 0 {
		return nil, fmt.Errorf("%w: no video segments", ErrInvalid)
	}
	if err := checkCues(cues); err != nil {
		return nil, err
	}
	name := o.Name
	if name == nil {
		name = func(i int) string { return fmt.Sprintf("sub_%05d.vtt", i) }
	}
	header := "X-TIMESTAMP-MAP=MPEGTS:" + strconv.FormatInt(o.MPEGTS, 10) + ",LOCAL:00:00:00.000\n"
	subs := &Subtitles{
		Playlist: &hls.MediaPlaylist{Type: hls.VOD, Ended: true},
		Segments: make([]SubtitleSegment, 0, len(segments)),
	}
	seen := make(map[string]bool, len(segments))
	var segStart time.Duration
	lo := 0 // cues before lo ended before segStart
	var in []Cue
	for i, d := range segments {
		if d = d.Round(time.Millisecond); d <= 0 {
			return nil, fmt.Errorf("%w: video segment %d has duration %v", ErrInvalid, i, segments[i])
		}
		n := name(i)
		if err := checkFileName(n); err != nil {
			return nil, fmt.Errorf("%w: segment %d: %v", ErrInvalid, i, err)
		}
		if seen[n] {
			return nil, fmt.Errorf("%w: segment %d: name %q used twice", ErrInvalid, i, n)
		}
		seen[n] = true
		segEnd := segStart + d
		for lo < len(cues) && cues[lo].End <= segStart {
			lo++
		}
		in = in[:0]
		for k := lo; k < len(cues) && cues[k].Start < segEnd; k++ {
			if cues[k].End > segStart {
				in = append(in, cues[k])
			}
		}
		data := appendVTT(nil, header, in)
		subs.Segments = append(subs.Segments, SubtitleSegment{Name: n, Data: data})
		subs.Playlist.Segments = append(subs.Playlist.Segments, hls.Segment{URI: n, Duration: d.Seconds()})
		segStart = segEnd
	}
	return subs, nil
}

// checkFileName checks that a segment or playlist name is a plain file name
// that is safe in a playlist.
func checkFileName(n string) error {
	if n == "" || n == "." || n == ".." || !fs.ValidPath(n) || strings.ContainsAny(n, "/\\") ||
		strings.IndexFunc(n, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0 {
		return fmt.Errorf("name %q is not a plain file name", n)
	}
	return nil
}

// WriteDir writes the segment files and then the playlist, named
// playlist (such as "index.m3u8"), into dir, creating dir if needed.
// Writing the playlist last means no reader sees it name a segment not yet
// written.
func (s *Subtitles) WriteDir(dir, playlist string) error {
	if err := checkFileName(playlist); err != nil {
		return fmt.Errorf("%w: playlist: %v", ErrInvalid, err)
	}
	b, err := s.Playlist.Encode()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, seg := range s.Segments {
		if err := checkFileName(seg.Name); err != nil {
			return fmt.Errorf("%w: segment: %v", ErrInvalid, err)
		}
		if err := os.WriteFile(filepath.Join(dir, seg.Name), seg.Data, 0o644); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, playlist), b, 0o644)
}

// Rendition returns the EXT-X-MEDIA entry of a subtitle rendition for a
// master playlist: TYPE=SUBTITLES, GROUP-ID [SubtitleGroup],
// AUTOSELECT=YES, with the given NAME ("English"), LANGUAGE ("en"), URI of
// its media playlist, and DEFAULT. Each variant then sets Subtitles to
// SubtitleGroup.
func Rendition(name, lang, uri string, def bool) hls.Rendition {
	return hls.Rendition{
		Type:       hls.Subtitles,
		GroupID:    SubtitleGroup,
		Name:       name,
		Language:   lang,
		Default:    def,
		Autoselect: true,
		URI:        uri,
	}
}
