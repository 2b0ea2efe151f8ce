package hls_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/hls"
)

func seg(n int) hls.Segment {
	return hls.Segment{URI: fmt.Sprintf("s%d.m4s", n), Duration: 4.004, ProgramDateTime: pdt.Add(time.Duration(n) * 4004 * time.Millisecond)}
}

func uris(p *hls.MediaPlaylist) []string {
	var out []string
	for _, s := range p.Segments {
		out = append(out, s.URI)
	}
	return out
}

func TestWindowSlides(t *testing.T) {
	w := mustWindow(t, &hls.WindowOptions{Size: 3, TargetDuration: 4, MediaSequence: 100, Map: &hls.Map{URI: "init.mp4"}, IndependentSegments: true})
	require.Equal(t, "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:100\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MAP:URI=\"init.mp4\"\n", string(w.Bytes()))
	for n := range 5 {
		s := seg(n)
		s.Discontinuity = n == 1
		require.NoError(t, w.Append(s))
	}
	p := w.Playlist()
	require.Equal(t, []string{"s2.m4s", "s3.m4s", "s4.m4s"}, uris(p))
	require.Equal(t, uint64(102), p.MediaSequence)
	require.Equal(t, uint64(1), p.DiscontinuitySequence, "the discontinuity before s1 left the window")
	require.Equal(t, "init.mp4", p.Map.URI)
	golden(t, "window.m3u8", w.Bytes())
	require.Empty(t, hls.Lint(w.Bytes()))

	w.End()
	w.End()
	require.True(t, strings.HasSuffix(string(w.Bytes()), "s4.m4s\n#EXT-X-ENDLIST\n"))
	require.ErrorIs(t, w.Append(seg(5)), hls.ErrInvalid)
}

func TestWindowCarriesOver(t *testing.T) {
	w := mustWindow(t, &hls.WindowOptions{Size: 2, Map: &hls.Map{URI: "init1.mp4"}})
	key := []hls.Key{{Method: "AES-128", URI: "k1"}}
	s0, s1, s2, s3 := seg(0), seg(1), seg(2), seg(3)
	s0.Keys = key
	s1.ProgramDateTime = time.Time{}
	s2.ProgramDateTime = time.Time{}
	s2.Map, s2.Discontinuity = &hls.Map{URI: "init2.mp4"}, true
	for _, s := range []hls.Segment{s0, s1, s2} {
		require.NoError(t, w.Append(s))
	}
	p := w.Playlist()
	require.Equal(t, []string{"s1.m4s", "s2.m4s"}, uris(p))
	require.Equal(t, key, p.Segments[0].Keys, "keys carry to the new first segment")
	require.Equal(t, pdt.Add(4004*time.Millisecond), p.Segments[0].ProgramDateTime, "date-time carried forward by the duration")
	require.Equal(t, "init1.mp4", p.Map.URI)

	s3.ProgramDateTime = pdt.Add(20 * time.Second) // after a gap
	require.NoError(t, w.Append(s3))
	p = w.Playlist()
	require.Equal(t, pdt.Add(20*time.Second), p.Segments[1].ProgramDateTime)
	require.NoError(t, w.Append(seg(4)))
	require.Equal(t, pdt.Add(20*time.Second), w.Playlist().Segments[0].ProgramDateTime, "a first segment's own date-time is kept")
	require.Equal(t, "init2.mp4", p.Map.URI, "the new first segment's map moves to the header")
	require.Nil(t, p.Segments[0].Map)
	require.True(t, p.Segments[0].Discontinuity)
	require.Equal(t, pdt.Add(8008*time.Millisecond), p.Segments[0].ProgramDateTime)
	require.Empty(t, hls.Lint(w.Bytes()))
}

// A key applies until the next key with the same KEYFORMAT (RFC 8216
// 4.3.2.4): when the first segment leaves, each of its keys moves to the
// new first segment unless that has a key of the same format.
func TestWindowCarriesKeysByFormat(t *testing.T) {
	const fairplay = "com.apple.streamingkeydelivery"
	id1 := hls.Key{Method: "AES-128", URI: "k1"}
	id2 := hls.Key{Method: "AES-128", URI: "k2", KeyFormat: "identity"} // the same format as none
	fp1 := hls.Key{Method: "SAMPLE-AES", URI: "skd://k1", KeyFormat: fairplay}
	fp2 := hls.Key{Method: "SAMPLE-AES", URI: "skd://k2", KeyFormat: fairplay}
	none := hls.Key{Method: "NONE"}
	for _, tc := range []struct {
		name       string
		gone, next []hls.Key
		want       []hls.Key
	}{
		{"all carried to a segment without keys", []hls.Key{id1, fp1}, nil, []hls.Key{id1, fp1}},
		{"the other format carried", []hls.Key{id1, fp1}, []hls.Key{id2}, []hls.Key{fp1, id2}},
		{"identity carried to a FairPlay key", []hls.Key{id1}, []hls.Key{fp2}, []hls.Key{id1, fp2}},
		{"the same format replaces", []hls.Key{fp1}, []hls.Key{fp2}, []hls.Key{fp2}},
		{"NONE ends every key", []hls.Key{id1, fp1}, []hls.Key{none}, []hls.Key{none}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := mustWindow(t, &hls.WindowOptions{Size: 1})
			gone, next := seg(0), seg(1)
			gone.Keys, next.Keys = slices.Clone(tc.gone), slices.Clone(tc.next)
			require.NoError(t, w.Append(gone))
			first := w.Playlist()
			require.NoError(t, w.Append(next))
			require.Equal(t, tc.want, w.Playlist().Segments[0].Keys)
			require.Equal(t, tc.gone, first.Segments[0].Keys, "the published playlist is unchanged")
			require.Empty(t, hls.Lint(w.Bytes()))
		})
	}
}

// The window keeps copies of what it is given: changing a segment's keys,
// map, byte range or tags, or the options' map, afterwards changes nothing
// (and is no data race with the readers).
func TestWindowCopiesInputs(t *testing.T) {
	m := &hls.Map{URI: "init.mp4", ByteRange: &hls.ByteRange{Length: 10}}
	opts := &hls.WindowOptions{Size: 3, Map: m, Tags: []string{"#EXT-X-START:TIME-OFFSET=0"}}
	w := mustWindow(t, opts)
	s := seg(0)
	s.Keys = []hls.Key{{Method: "AES-128", URI: "k1"}}
	s.Map = &hls.Map{URI: "init2.mp4", ByteRange: &hls.ByteRange{Length: 5}}
	s.ByteRange = &hls.ByteRange{Length: 100}
	s.Tags = []string{"#EXT-X-CUE-OUT:30"}
	require.NoError(t, w.Append(s))
	want := w.Playlist()

	m.URI, m.ByteRange.Length, opts.Tags[0] = "changed", 1, "#EXT-X-CHANGED"
	s.Keys[0].URI, s.Map.URI, s.Map.ByteRange.Length, s.ByteRange.Length, s.Tags[0] = "changed", "changed", 1, 1, "#EXT-X-CHANGED"
	require.Equal(t, want, w.Playlist())
	require.NoError(t, w.Append(seg(1))) // encodes the first segment again
	require.NotContains(t, string(w.Bytes()), "CHANGED")
	require.NotContains(t, string(w.Bytes()), "changed")
	got := w.Playlist()
	got.Segments = got.Segments[:1]
	require.Equal(t, want, got)
}

// EXT-X-VERSION never goes down between reloads of a window, though the
// segment that needed it leaves, and starts at 3 (decimal durations), or
// at WindowOptions.Version.
func TestWindowVersionNeverGoesDown(t *testing.T) {
	version := func(w *hls.Window) int {
		p := mustMedia(t, string(w.Bytes()))
		require.Equal(t, p.Version, w.Playlist().Version)
		return p.Version
	}
	ranged, sampleAES := seg(1), seg(3)
	ranged.ByteRange = &hls.ByteRange{Length: 10, Offset: 0}
	sampleAES.Keys = []hls.Key{{Method: "SAMPLE-AES", URI: "skd://k"}}
	w := mustWindow(t, &hls.WindowOptions{Size: 1})
	got := []int{version(w)}
	for _, s := range []hls.Segment{seg(0), ranged, seg(2), sampleAES, seg(4)} {
		require.NoError(t, w.Append(s))
		got = append(got, version(w))
	}
	require.Equal(t, []int{3, 3, 4, 4, 5, 5}, got)

	w = mustWindow(t, &hls.WindowOptions{Size: 1, Version: 7})
	require.Equal(t, 7, version(w))
	require.NoError(t, w.Append(seg(0)))
	require.Equal(t, 7, version(w))
}

func TestWindowTarget(t *testing.T) {
	w := mustWindow(t, &hls.WindowOptions{TargetDuration: 4})
	require.NoError(t, w.Append(hls.Segment{URI: "a", Duration: 4.4}))
	before := string(w.Bytes())
	err := w.Append(hls.Segment{URI: "b", Duration: 4.6})
	require.ErrorIs(t, err, hls.ErrInvalid)
	require.Contains(t, err.Error(), "longer than the target duration 4")
	require.Equal(t, before, string(w.Bytes()), "a rejected segment changes nothing")

	w = mustWindow(t, nil)
	require.NoError(t, w.Append(hls.Segment{URI: "a", Duration: 2}))
	require.NoError(t, w.Append(hls.Segment{URI: "b", Duration: 6.2}))
	require.NoError(t, w.Append(hls.Segment{URI: "c", Duration: 2}))
	require.Equal(t, 6, w.Playlist().TargetDuration, "computed: the longest so far")
}

func TestWindowRejectsBadSegments(t *testing.T) {
	w := mustWindow(t, &hls.WindowOptions{Size: 1})
	require.NoError(t, w.Append(seg(0)))
	before := string(w.Bytes())
	for _, s := range []hls.Segment{
		{URI: "a\n#EXT-X-ENDLIST", Duration: 1},
		{URI: "", Duration: 1},
		{URI: "a", Duration: -1},
	} {
		require.ErrorIs(t, w.Append(s), hls.ErrInvalid, "%+v", s)
		require.Equal(t, before, string(w.Bytes()))
	}
	require.Len(t, w.Playlist().Segments, 1)
	require.NoError(t, w.Append(seg(1)), "a rejected segment leaves no trace")
	require.Equal(t, []string{"s1.m4s"}, uris(w.Playlist()))
	require.Equal(t, uint64(1), w.Playlist().MediaSequence)
}

func TestWindowDefaults(t *testing.T) {
	for _, opts := range []*hls.WindowOptions{nil, {}} {
		w := mustWindow(t, opts)
		for n := range 10 {
			require.NoError(t, w.Append(seg(n)))
		}
		require.Len(t, w.Playlist().Segments, hls.DefaultWindowSize, "%+v", opts)
	}
}

func TestNewWindowErrors(t *testing.T) {
	for _, opts := range []*hls.WindowOptions{
		{Size: -1},
		{TargetDuration: -1},
		{TargetDuration: 2e9},
		{Version: -1},
		{Version: 256},
		{Map: &hls.Map{}},
		{Map: &hls.Map{URI: `a"b`}},
		{Tags: []string{"not a tag"}},
		{Tags: []string{"#EXT-X-A\n#EXT-X-ENDLIST"}},
	} {
		w, err := hls.NewWindow(opts)
		require.ErrorIs(t, err, hls.ErrInvalid, "%+v", opts)
		require.Nil(t, w)
	}
}

func TestWindowBytesDoesNotAllocate(t *testing.T) {
	w := mustWindow(t, nil)
	require.NoError(t, w.Append(seg(0)))
	require.Zero(t, testing.AllocsPerRun(100, func() { _ = w.Bytes() }))
}

// Successive versions of a window are valid reloads of each other, across
// discontinuities and map changes.
func TestWindowUpdatesLintClean(t *testing.T) {
	w := mustWindow(t, &hls.WindowOptions{Size: 4, TargetDuration: 5, Map: &hls.Map{URI: "i0.mp4"}})
	prev := w.Playlist()
	for n := range 30 {
		s := seg(n)
		if n%7 == 3 {
			s.Discontinuity, s.Map = true, &hls.Map{URI: fmt.Sprintf("i%d.mp4", n)}
		}
		require.NoError(t, w.Append(s))
		next := w.Playlist()
		require.Empty(t, hls.LintUpdate(prev, next), "after segment %d", n)
		require.Empty(t, hls.Lint(w.Bytes()), "after segment %d", n)
		parsed := mustMedia(t, string(w.Bytes()))
		require.Equal(t, next.MediaSequence, parsed.MediaSequence)
		require.Empty(t, hls.LintUpdate(mustMedia(t, string(mustEncode(t, prev))), parsed))
		prev = next
	}
}

// One writer, many readers: run with -race.
func TestWindowConcurrent(t *testing.T) {
	w := mustWindow(t, &hls.WindowOptions{Size: 5, TargetDuration: 5})
	const segments = 200
	var wg sync.WaitGroup
	done := make(chan struct{})
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var last uint64
			for {
				select {
				case <-done:
					return
				default:
				}
				p, err := hls.ParseMedia(strings.NewReader(string(w.Bytes())))
				if err != nil {
					t.Error(err)
					return
				}
				if p.MediaSequence < last {
					t.Errorf("media sequence went back from %d to %d", last, p.MediaSequence)
					return
				}
				last = p.MediaSequence
				_ = w.Playlist()
			}
		}()
	}
	for n := range segments {
		require.NoError(t, w.Append(seg(n)))
	}
	close(done)
	wg.Wait()
	require.Equal(t, uint64(segments-5), w.Playlist().MediaSequence)
}
