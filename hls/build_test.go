package hls_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/hls"
)

func TestMeasureBandwidth(t *testing.T) {
	const mb = 750_000 // bytes of one 6-second segment at 1 Mb/s
	for _, tc := range []struct {
		name          string
		segs          []hls.SegmentSize
		peak, average int
	}{
		{"none", nil, 0, 0},
		{"uniform", []hls.SegmentSize{{6, mb}, {6, mb}, {6, mb}}, 1_000_000, 1_000_000},
		{"a spike sets the peak", []hls.SegmentSize{{6, mb}, {6, 3 * mb}, {6, mb}}, 3_000_000, 1_666_667},
		{"fMP4 init counts with the first segment", []hls.SegmentSize{{0, 1500}, {6, mb}, {6, mb}}, 1_002_000, 1_001_000},
		{"a short segment is averaged with a neighbour", []hls.SegmentSize{{6, mb}, {1, 500_000}, {6, mb}},
			int(math.Ceil((mb + 500_000) * 8 / 7.0)), int(math.Ceil((2*mb + 500_000) * 8 / 13.0))},
		{"a short last segment counts with its neighbour", []hls.SegmentSize{{6, mb}, {6, mb}, {1, 200_000}}, 1_085_715, 1_046_154},
		{"all shorter than half a second", []hls.SegmentSize{{0.4, 100}, {0.2, 100}}, 4000, 2667},
		{"init with only short segments", []hls.SegmentSize{{0, 1500}, {0.4, 100}}, 32000, 32000},
		{"the peak is never below the average", []hls.SegmentSize{{6, mb}, {0, 1_000_000}, {6, mb}}, 1_666_667, 1_666_667},
		{"invalid entries skipped", []hls.SegmentSize{{math.NaN(), 1}, {-1, 1}, {6, -1}, {math.Inf(1), 1}, {6, mb}}, 1_000_000, 1_000_000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			peak, avg := hls.MeasureBandwidth(tc.segs)
			require.Equal(t, tc.peak, peak, "peak")
			require.Equal(t, tc.average, avg, "average")
		})
	}
}

func TestCodecs(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{hls.AVC(100, 0, 31), "avc1.64001f"},
		{hls.AVC(0xff, 0xff, 0xff), "avc1.ffffff"},
		{hls.AVCHigh(40), "avc1.640028"},
		{hls.AVCMain(30), "avc1.4d401e"},
		{hls.AVCBaseline(30), "avc1.42c01e"},
		{hls.AACLC, "mp4a.40.2"},
		{hls.HEAAC, "mp4a.40.5"},
	} {
		require.Equal(t, tc.want, tc.got)
	}
}

func TestIFramePlaylist(t *testing.T) {
	p, err := hls.IFramePlaylist([]hls.IFrame{
		{URI: "a.ts", Time: 10, Offset: 0, Length: 100},
		{URI: "a.ts", Time: 12.5, Offset: 5000, Length: 90},
	}, 14)
	require.NoError(t, err)
	require.Equal(t, &hls.MediaPlaylist{Type: hls.VOD, IFramesOnly: true, Ended: true, Segments: []hls.Segment{
		{URI: "a.ts", Duration: 2.5, ByteRange: &hls.ByteRange{Length: 100, Offset: 0}},
		{URI: "a.ts", Duration: 1.5, ByteRange: &hls.ByteRange{Length: 90, Offset: 5000}},
	}}, p)
	require.Empty(t, hls.Lint(mustEncode(t, p)))

	for _, tc := range []struct {
		name   string
		frames []hls.IFrame
		end    float64
	}{
		{"times not increasing", []hls.IFrame{{URI: "a", Time: 2, Length: 1}, {URI: "a", Time: 1, Length: 1}}, 3},
		{"end before the last frame", []hls.IFrame{{URI: "a", Time: 2, Length: 1}}, 2},
		{"no length", []hls.IFrame{{URI: "a", Time: 0}}, 1},
		{"no URI", []hls.IFrame{{Time: 0, Length: 1}}, 1},
		{"NaN time", []hls.IFrame{{URI: "a", Time: math.NaN(), Length: 1}}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := hls.IFramePlaylist(tc.frames, tc.end)
			require.ErrorIs(t, err, hls.ErrInvalid)
		})
	}
}
