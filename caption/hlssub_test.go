package caption_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/caption"
	"github.com/v100video/v100/hls"
)

// ffmpegTSPlaylist is the media playlist ffmpeg 5.1 writes for a 20-second video
// in 2-second MPEG-TS segments (hls/testdata/ffmpeg).
const ffmpegTSPlaylist = `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-PLAYLIST-TYPE:VOD
#EXTINF:2.002000,
ts0.ts
#EXTINF:2.002000,
ts1.ts
#EXTINF:2.002000,
ts2.ts
#EXTINF:2.002000,
ts3.ts
#EXTINF:2.002000,
ts4.ts
#EXTINF:2.002000,
ts5.ts
#EXTINF:2.002000,
ts6.ts
#EXTINF:2.002000,
ts7.ts
#EXTINF:2.002000,
ts8.ts
#EXTINF:1.968633,
ts9.ts
#EXT-X-ENDLIST
`

// durations returns the segment durations of a media playlist.
func segDurations(t *testing.T, p *hls.MediaPlaylist) []time.Duration {
	t.Helper()
	var ds []time.Duration
	for _, s := range p.Segments {
		ds = append(ds, time.Duration(s.Duration*float64(time.Second)))
	}
	return ds
}

// subtitleCues are captions for the 20-second video: short cues, cues
// across one boundary (at 2.002 s and 6.006 s) and across three, and a
// cue after the end.
var subtitleCues = []caption.Cue{
	mkCue(500, 1500, "first"),
	mkCue(1500, 2500, "across 2.002"),
	mkCue(2002, 3000, "starts on a boundary"),
	mkCue(3500, 4004, "ends on a boundary"),
	mkCue(5000, 11000, "across three boundaries"),
	mkCue(19000, 19970, "in the last segment"),
	mkCue(21000, 22000, "after the end"),
}

func TestSegmentVTT(t *testing.T) {
	video, err := hls.ParseMedia(strings.NewReader(ffmpegTSPlaylist))
	require.NoError(t, err)
	segs := segDurations(t, video)
	subs, err := caption.SegmentVTT(subtitleCues, segs, &caption.HLSOptions{MPEGTS: caption.MPEGTSFFmpeg})
	require.NoError(t, err)

	// The playlist: the video's segment durations and target, VOD, ended,
	// and no lint problem.
	require.Empty(t, hls.LintMedia(subs.Playlist))
	require.Equal(t, hls.VOD, subs.Playlist.Type)
	require.True(t, subs.Playlist.Ended)
	require.Len(t, subs.Playlist.Segments, len(video.Segments))
	for i, s := range subs.Playlist.Segments {
		require.InDelta(t, video.Segments[i].Duration, s.Duration, 0.0005, "segment %d, to the millisecond", i)
		require.Equal(t, subs.Segments[i].Name, s.URI)
	}
	enc, err := subs.Playlist.Encode()
	require.NoError(t, err)
	require.Contains(t, string(enc), "#EXT-X-TARGETDURATION:2\n")

	// Each segment: the header, then every cue shown during it.
	var start time.Duration
	for i := range segs {
		segs[i] = segs[i].Round(msec) // 2.002 is 2001999999 ns as a float64
	}
	for i, seg := range subs.Segments {
		require.Equal(t, fmt.Sprintf("sub_%05d.vtt", i), seg.Name)
		require.True(t, bytes.HasPrefix(seg.Data, []byte("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:126000,LOCAL:00:00:00.000\n\n")),
			"segment %d starts\n%s", i, seg.Data)
		got, err := caption.ParseVTT(bytes.NewReader(seg.Data))
		require.NoError(t, err)
		end := start + segs[i]
		var want []caption.Cue
		for _, c := range subtitleCues {
			if c.Start < end && c.End > start {
				want = append(want, c)
			}
		}
		require.Equal(t, want, got, "segment %d, %v to %v", i, start, end)
		start = end
	}
	require.Contains(t, string(subs.Segments[0].Data), "across 2.002")
	require.Contains(t, string(subs.Segments[1].Data), "across 2.002")
	require.NotContains(t, string(subs.Segments[0].Data), "starts on a boundary")
	require.NotContains(t, string(subs.Segments[2].Data), "ends on a boundary")
	for _, i := range []int{2, 3, 4, 5} {
		require.Contains(t, string(subs.Segments[i].Data), "across three boundaries", "segment %d", i)
	}
	for _, s := range subs.Segments {
		require.NotContains(t, string(s.Data), "after the end")
	}

	// WriteDir writes what is in memory, and the golden files show it.
	dir := t.TempDir()
	require.NoError(t, subs.WriteDir(filepath.Join(dir, "subs", "en"), "index.m3u8"))
	files, err := os.ReadDir(filepath.Join(dir, "subs", "en"))
	require.NoError(t, err)
	require.Len(t, files, len(subs.Segments)+1)
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, "subs", "en", f.Name()))
		require.NoError(t, err)
		cueGolden(t, filepath.Join("subs", f.Name()), b)
	}
}

func TestSegmentVTTDefaults(t *testing.T) {
	subs, err := caption.SegmentVTT(nil, []time.Duration{6 * time.Second, 6 * time.Second}, nil)
	require.NoError(t, err)
	for _, s := range subs.Segments {
		require.Equal(t, "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\n\n", string(s.Data), "the fMP4 default, no cues")
		cues, err := caption.ParseVTT(bytes.NewReader(s.Data))
		require.NoError(t, err)
		require.Empty(t, cues)
	}
	require.Equal(t, []string{"sub_00000.vtt", "sub_00001.vtt"}, []string{subs.Segments[0].Name, subs.Segments[1].Name})

	named, err := caption.SegmentVTT(nil, []time.Duration{time.Second}, &caption.HLSOptions{
		MPEGTS: 1<<33 - 1, Name: func(i int) string { return fmt.Sprintf("en-%d.webvtt", i) }})
	require.NoError(t, err)
	require.Equal(t, "en-0.webvtt", named.Playlist.Segments[0].URI)
	require.Contains(t, string(named.Segments[0].Data), "MPEGTS:8589934591,")
}

func TestSegmentVTTRefuses(t *testing.T) {
	six := []time.Duration{6 * time.Second}
	name := func(n string) *caption.HLSOptions {
		return &caption.HLSOptions{Name: func(int) string { return n }}
	}
	tests := []struct {
		name string
		cues []caption.Cue
		segs []time.Duration
		opts *caption.HLSOptions
		msg  string
	}{
		{"no segments", nil, nil, nil, "no video segments"},
		{"a zero duration", nil, []time.Duration{time.Second, 0}, nil, "video segment 1 has duration 0s"},
		{"a negative duration", nil, []time.Duration{-time.Second}, nil, "duration -1s"},
		{"a duration under half a millisecond", nil, []time.Duration{499 * time.Microsecond}, nil, "duration 499µs"},
		{"a negative MPEGTS", nil, six, &caption.HLSOptions{MPEGTS: -1}, "MPEGTS -1"},
		{"MPEGTS beyond 33 bits", nil, six, &caption.HLSOptions{MPEGTS: 1 << 33}, "MPEGTS 8589934592"},
		{"unsorted cues", []caption.Cue{mkCue(2000, 3000, "b"), mkCue(1000, 2000, "a")}, six, nil, "cue 1"},
		{"an empty cue", []caption.Cue{mkCue(1000, 2000, "")}, six, nil, "empty text"},
		{"a name with a directory", nil, six, name("../sub.vtt"), "not a plain file name"},
		{"a name with a slash", nil, six, name("a/b.vtt"), "not a plain file name"},
		{"a name with a backslash", nil, six, name(`a\b.vtt`), "not a plain file name"},
		{"an empty name", nil, six, name(""), "not a plain file name"},
		{"a name with a space", nil, six, name("a b.vtt"), "not a plain file name"},
		{"a name with a line break", nil, six, name("a\n#EXT-X-ENDLIST"), "not a plain file name"},
		{"a name twice", nil, []time.Duration{time.Second, time.Second}, name("same.vtt"), "used twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			subs, err := caption.SegmentVTT(tc.cues, tc.segs, tc.opts)
			require.Nil(t, subs)
			require.ErrorIs(t, err, caption.ErrInvalid)
			require.ErrorContains(t, err, tc.msg)
		})
	}
	t.Run("WriteDir and a bad playlist name", func(t *testing.T) {
		subs, err := caption.SegmentVTT(nil, six, nil)
		require.NoError(t, err)
		dir := filepath.Join(t.TempDir(), "out")
		err = subs.WriteDir(dir, "../index.m3u8")
		require.ErrorIs(t, err, caption.ErrInvalid)
		require.NoDirExists(t, dir, "nothing written")
	})
}

func TestRendition(t *testing.T) {
	r := caption.Rendition("English", "en", "subs/en/index.m3u8", true)
	require.Equal(t, hls.Rendition{Type: hls.Subtitles, GroupID: "subs", Name: "English", Language: "en",
		Default: true, Autoselect: true, URI: "subs/en/index.m3u8"}, r)
	m := &hls.MasterPlaylist{
		Media: []hls.Rendition{r, caption.Rendition("Français", "fr", "subs/fr/index.m3u8", false)},
		Variants: []hls.Variant{{URI: "720p/index.m3u8", Bandwidth: 3_000_000, Codecs: []string{hls.AVCHigh(31), hls.AACLC},
			Width: 1280, Height: 720, Subtitles: caption.SubtitleGroup}},
	}
	require.Empty(t, hls.LintMaster(m))
	b, err := m.Encode()
	require.NoError(t, err)
	require.Contains(t, string(b), `#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,URI="subs/en/index.m3u8"`)
}

// ffmpegHLS segments a 5-second test clip (libx264 with B-frames, as the
// transcode package encodes, and AAC) into 2-second HLS segments of type
// segType (mpegts or fmp4) in dir, and returns the media playlist.
func ffmpegHLS(t *testing.T, dir, segType string) *hls.MediaPlaylist {
	t.Helper()
	ext := map[string]string{"mpegts": "ts", "fmp4": "m4s"}[segType]
	cmd := exec.Command("ffmpeg", "-nostdin", "-loglevel", "error",
		"-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
		"-t", "5", "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high", "-g", "60", "-sc_threshold", "0",
		"-c:a", "aac", "-ar", "48000",
		"-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod", "-hls_segment_type", segType,
		"-hls_segment_filename", filepath.Join(dir, "seg_%05d."+ext), filepath.Join(dir, "index.m3u8"))
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "ffmpeg: %s", out)
	b, err := os.ReadFile(filepath.Join(dir, "index.m3u8"))
	require.NoError(t, err)
	p, err := hls.ParseMedia(bytes.NewReader(b))
	require.NoError(t, err)
	return p
}

// firstVideoPacket returns the PTS and DTS of the first video packet of
// a file, in 90 kHz units.
func firstVideoPacket(t *testing.T, files ...string) (pts, dts int64) {
	t.Helper()
	in := files[0]
	if len(files) > 1 { // an fMP4 segment after its init section
		var all []byte
		for _, f := range files {
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			all = append(all, b...)
		}
		in = filepath.Join(t.TempDir(), "joined.mp4")
		require.NoError(t, os.WriteFile(in, all, 0o644))
	}
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-read_intervals", "%+#1",
		"-show_entries", "packet=pts_time,dts_time", "-of", "json", in).Output()
	require.NoError(t, err)
	var probe struct {
		Packets []struct {
			PTS float64 `json:"pts_time,string"`
			DTS float64 `json:"dts_time,string"`
		}
	}
	require.NoError(t, json.Unmarshal(out, &probe), "%s", out)
	require.NotEmpty(t, probe.Packets)
	p := probe.Packets[0]
	return int64(p.PTS*90000 + 0.5), int64(p.DTS*90000 + 0.5)
}

// TestMPEGTSFFmpeg measures what MPEGTSFFmpeg documents: ffmpeg's MPEG-TS
// segments start at DTS 126000 (1.4 s), their first PTS later by the
// encoder's reordering delay (under 0.1 s), while its fMP4 segments start
// at zero.
func TestMPEGTSFFmpeg(t *testing.T) {
	dir := t.TempDir()
	ts := ffmpegHLS(t, dir, "mpegts")
	pts, dts := firstVideoPacket(t, filepath.Join(dir, ts.Segments[0].URI))
	require.Equal(t, caption.MPEGTSFFmpeg, dts, "first video DTS of the first TS segment")
	require.Greater(t, pts, dts, "B-frames delay the first picture")
	require.Less(t, pts-dts, int64(9000), "by under 0.1 s")

	dir = t.TempDir()
	fmp4 := ffmpegHLS(t, dir, "fmp4")
	require.NotNil(t, fmp4.Map)
	fpts, fdts := firstVideoPacket(t, filepath.Join(dir, fmp4.Map.URI), filepath.Join(dir, fmp4.Segments[0].URI))
	require.InDelta(t, 0, fdts, 90, "first video DTS of the first fMP4 segment, to a millisecond")
	require.InDelta(t, pts-dts, fpts-fdts, 90, "the same reordering delay")
}

// TestFFmpegReadsSegmentedSubtitles: ffmpeg's HLS demuxer reads the
// subtitle playlist and segments SegmentVTT writes for a video ffmpeg
// segmented, and finds each cue once.
func TestFFmpegReadsSegmentedSubtitles(t *testing.T) {
	dir := t.TempDir()
	video := ffmpegHLS(t, dir, "mpegts")
	cues := []caption.Cue{mkCue(500, 1500, "one"), mkCue(1500, 2500, "across a boundary"), mkCue(3000, 4500, "two\nlines")}
	subs, err := caption.SegmentVTT(cues, segDurations(t, video), &caption.HLSOptions{MPEGTS: caption.MPEGTSFFmpeg})
	require.NoError(t, err)
	require.NoError(t, subs.WriteDir(filepath.Join(dir, "subs"), "index.m3u8"))
	out := filepath.Join(dir, "out.srt")
	cmd := exec.Command("ffmpeg", "-nostdin", "-loglevel", "error", "-allowed_extensions", "ALL",
		"-i", filepath.Join(dir, "subs", "index.m3u8"), out)
	b, err := cmd.CombinedOutput()
	require.NoError(t, err, "ffmpeg: %s", b)
	b, err = os.ReadFile(out)
	require.NoError(t, err)
	got, err := caption.ParseSRT(bytes.NewReader(b))
	require.NoError(t, err)
	require.Equal(t, cues, got)
	require.Contains(t, string(subs.Segments[0].Data), "across a boundary")
	require.Contains(t, string(subs.Segments[1].Data), "across a boundary", "in both segments, once in ffmpeg's output")
}
