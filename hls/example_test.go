package hls_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/v100video/v100/hls"
)

// A master playlist for a two-rung ladder with an English subtitle track,
// with bandwidths measured from the segments the encoder wrote.
func ExampleMasterPlaylist_Encode() {
	// Sizes of the 720p rendition's fMP4 segments: init, then media.
	peak, avg := hls.MeasureBandwidth([]hls.SegmentSize{
		{Duration: 0, Bytes: 1_200},
		{Duration: 6.006, Bytes: 2_100_000},
		{Duration: 6.006, Bytes: 2_600_000},
		{Duration: 3.003, Bytes: 900_000},
	})
	m := &hls.MasterPlaylist{
		IndependentSegments: true,
		Media: []hls.Rendition{{
			Type: hls.Subtitles, GroupID: "subs", Name: "English", Language: "en",
			Autoselect: true, URI: "subs/en.m3u8",
		}},
		Variants: []hls.Variant{
			{URI: "720p/index.m3u8", Bandwidth: peak, AverageBandwidth: avg,
				Codecs: []string{hls.AVC(100, 0, 31), hls.AACLC}, Width: 1280, Height: 720,
				FrameRate: 29.97, Subtitles: "subs", ClosedCaptions: "NONE"},
			{URI: "360p/index.m3u8", Bandwidth: 950_000, AverageBandwidth: 800_000,
				Codecs: []string{hls.AVCMain(30), hls.AACLC}, Width: 640, Height: 360,
				FrameRate: 29.97, Subtitles: "subs", ClosedCaptions: "NONE"},
		},
		IFrameVariants: []hls.IFrameVariant{
			{URI: "720p/iframes.m3u8", Bandwidth: 380_000, Codecs: []string{hls.AVCHigh(31)}, Width: 1280, Height: 720},
		},
	}
	b, err := m.Encode()
	if err != nil {
		panic(err)
	}
	fmt.Print(string(b))
	// Output:
	// #EXTM3U
	// #EXT-X-VERSION:1
	// #EXT-X-INDEPENDENT-SEGMENTS
	// #EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",DEFAULT=NO,AUTOSELECT=YES,URI="subs/en.m3u8"
	// #EXT-X-STREAM-INF:BANDWIDTH=3463204,AVERAGE-BANDWIDTH=2984323,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,FRAME-RATE=29.970,SUBTITLES="subs",CLOSED-CAPTIONS=NONE
	// 720p/index.m3u8
	// #EXT-X-STREAM-INF:BANDWIDTH=950000,AVERAGE-BANDWIDTH=800000,CODECS="avc1.4d401e,mp4a.40.2",RESOLUTION=640x360,FRAME-RATE=29.970,SUBTITLES="subs",CLOSED-CAPTIONS=NONE
	// 360p/index.m3u8
	// #EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=380000,CODECS="avc1.64001f",RESOLUTION=1280x720,URI="720p/iframes.m3u8"
}

// A VOD fMP4 playlist: the version (6, for EXT-X-MAP) and the target
// duration (6, for 6.006-second segments) are computed.
func ExampleMediaPlaylist_Encode() {
	p := &hls.MediaPlaylist{
		Type:  hls.VOD,
		Map:   &hls.Map{URI: "init.mp4"},
		Ended: true,
		Segments: []hls.Segment{
			{URI: "seg0.m4s", Duration: 6.006},
			{URI: "seg1.m4s", Duration: 6.006},
			{URI: "seg2.m4s", Duration: 3.003},
		},
	}
	b, err := p.Encode()
	if err != nil {
		panic(err)
	}
	fmt.Print(string(b))
	// Output:
	// #EXTM3U
	// #EXT-X-VERSION:6
	// #EXT-X-TARGETDURATION:6
	// #EXT-X-MEDIA-SEQUENCE:0
	// #EXT-X-PLAYLIST-TYPE:VOD
	// #EXT-X-MAP:URI="init.mp4"
	// #EXTINF:6.006,
	// seg0.m4s
	// #EXTINF:6.006,
	// seg1.m4s
	// #EXTINF:3.003,
	// seg2.m4s
	// #EXT-X-ENDLIST
}

// A live window of three segments: as segments fall out, the media
// sequence advances, and the discontinuity sequence with them when one
// started a discontinuity.
func ExampleWindow() {
	w, err := hls.NewWindow(&hls.WindowOptions{Size: 3, TargetDuration: 4})
	if err != nil {
		panic(err)
	}
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for n := range 5 {
		err := w.Append(hls.Segment{
			URI:             fmt.Sprintf("live%d.ts", n),
			Duration:        4,
			ProgramDateTime: start.Add(time.Duration(n) * 4 * time.Second),
			Discontinuity:   n == 1, // the encoder restarted
		})
		if err != nil {
			panic(err)
		}
	}
	fmt.Print(string(w.Bytes())) // what an HTTP handler serves
	// Output:
	// #EXTM3U
	// #EXT-X-VERSION:3
	// #EXT-X-TARGETDURATION:4
	// #EXT-X-MEDIA-SEQUENCE:2
	// #EXT-X-DISCONTINUITY-SEQUENCE:1
	// #EXT-X-PROGRAM-DATE-TIME:2025-03-01T12:00:08.000Z
	// #EXTINF:4.000,
	// live2.ts
	// #EXT-X-PROGRAM-DATE-TIME:2025-03-01T12:00:12.000Z
	// #EXTINF:4.000,
	// live3.ts
	// #EXT-X-PROGRAM-DATE-TIME:2025-03-01T12:00:16.000Z
	// #EXTINF:4.000,
	// live4.ts
}

// Linting an fMP4 playlist written as version 5 (as grafov/m3u8 writes
// them), with a segment too long for its target and no EXT-X-ENDLIST.
func ExampleLint() {
	src := `#EXTM3U
#EXT-X-VERSION:5
#EXT-X-MAP:URI="init.mp4"
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-TARGETDURATION:7
#EXT-X-PLAYLIST-TYPE:VOD
#EXTINF:6.006,
seg0.m4s
#EXTINF:7.600,
seg1.m4s
`
	for _, p := range hls.Lint([]byte(src)) {
		fmt.Println(p)
	}
	// Output:
	// line 2: version: EXT-X-VERSION:5 is too low: EXT-X-MAP in a playlist without EXT-X-I-FRAMES-ONLY needs version 6
	// line 6: endlist: a VOD playlist must end with EXT-X-ENDLIST
	// line 9: target-duration: segment 1 ("seg1.m4s") lasts 7.600 s, which rounds to 8, over EXT-X-TARGETDURATION:7
}

// Checking a live reload against the previous version of the playlist.
func ExampleLintUpdate() {
	prev := &hls.MediaPlaylist{TargetDuration: 4, MediaSequence: 10, Segments: []hls.Segment{
		{URI: "a.ts", Duration: 4, Discontinuity: true}, {URI: "b.ts", Duration: 4},
	}}
	next := &hls.MediaPlaylist{TargetDuration: 4, MediaSequence: 11, Segments: []hls.Segment{
		{URI: "b.ts", Duration: 4}, {URI: "c.ts", Duration: 4},
	}}
	for _, p := range hls.LintUpdate(prev, next) {
		fmt.Println(p)
	}
	// Output:
	// discontinuity-sequence: EXT-X-DISCONTINUITY-SEQUENCE is 0, want 1 (1 discontinuities left the playlist)
}

// Signing every URI of a stored playlist per request, moving relative URIs
// to the CDN.
func ExampleRewriteBytes() {
	stored := []byte(`#EXTM3U
#EXT-X-VERSION:6
#EXT-X-TARGETDURATION:6
#EXT-X-MAP:URI="init.mp4"
#EXT-X-KEY:METHOD=AES-128,URI="/keys/42"
#EXTINF:6.006,
seg0.m4s
#EXT-X-ENDLIST
`)
	cdn, _ := url.Parse("https://cdn.example/v/42/720p/index.m3u8")
	secret := []byte("not a real secret")
	expires := "1740830400"
	out, err := hls.RewriteBytes(stored, &hls.RewriteOptions{
		Base: cdn,
		Token: func(uri string) string {
			u, _ := url.Parse(uri)
			mac := hmac.New(sha256.New, secret)
			mac.Write([]byte(u.Path + expires))
			return "exp=" + expires + "&sig=" + hex.EncodeToString(mac.Sum(nil))[:16]
		},
	})
	if err != nil {
		panic(err)
	}
	fmt.Print(string(out))
	// Output:
	// #EXTM3U
	// #EXT-X-VERSION:6
	// #EXT-X-TARGETDURATION:6
	// #EXT-X-MAP:URI="https://cdn.example/v/42/720p/init.mp4?exp=1740830400&sig=56fb95202823ce95"
	// #EXT-X-KEY:METHOD=AES-128,URI="https://cdn.example/keys/42?exp=1740830400&sig=d7928a4b9f6d7dc5"
	// #EXTINF:6.006,
	// https://cdn.example/v/42/720p/seg0.m4s?exp=1740830400&sig=c8b21db7157b416a
	// #EXT-X-ENDLIST
}

// Parsing keeps the tags the package does not model.
func ExampleParse() {
	src := `#EXTM3U
#EXT-X-VERSION:6
#EXT-X-TARGETDURATION:6
#EXT-X-START:TIME-OFFSET=30
#EXTINF:6.006,
a.ts
#EXT-X-CUE-OUT:DURATION=30
#EXTINF:6.006,
b.ts
`
	_, p, err := hls.Parse(strings.NewReader(src))
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Tags, p.Segments[1].Tags)
	p.Segments = p.Segments[1:]
	p.MediaSequence++
	b, _ := p.Encode()
	fmt.Print(string(b))
	// Output:
	// [#EXT-X-START:TIME-OFFSET=30] [#EXT-X-CUE-OUT:DURATION=30]
	// #EXTM3U
	// #EXT-X-VERSION:6
	// #EXT-X-TARGETDURATION:6
	// #EXT-X-MEDIA-SEQUENCE:1
	// #EXT-X-START:TIME-OFFSET=30
	// #EXT-X-CUE-OUT:DURATION=30
	// #EXTINF:6.006,
	// b.ts
}
