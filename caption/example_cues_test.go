package caption_test

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/v100video/v100/caption"
	"github.com/v100video/v100/hls"
)

// cueWords times the words of text as a recogniser would: each word takes
// 60 msec a character, and the words run on without pauses.
func cueWords(text string, at time.Duration) []caption.Word {
	var ws []caption.Word
	for _, w := range strings.Fields(text) {
		d := time.Duration(len(w)+1) * 60 * time.Millisecond
		ws = append(ws, caption.Word{Text: w, Start: at, End: at + d})
		at += d
	}
	return ws
}

// Words become cues of at most two balanced lines, ending at sentence and
// clause ends where they can. The first cue is shown for less than the
// minimum second because the next one starts at once: no silence to extend
// it into.
func ExampleBuildCues() {
	words := cueWords("Welcome back. Today we are going to look at how captions are built, "+
		"one word at a time, from what the recogniser heard.", 0)
	for _, c := range caption.BuildCues(words, nil) {
		fmt.Printf("%v → %v\n%s\n\n", c.Start, c.End, c.Text)
	}
	// Output:
	// 0s → 840ms
	// Welcome back.
	//
	// 840ms → 5.28s
	// Today we are going to look at how
	// captions are built, one word at a time,
	//
	// 5.28s → 7.2s
	// from what the recogniser heard.
}

func ExampleWriteVTT() {
	cues := []caption.Cue{
		{Start: 500 * time.Millisecond, End: 2 * time.Second, Text: "Tom &amp; Jerry"},
		{Start: 2 * time.Second, End: 4 * time.Second, Text: "<i>Later that day…</i>", Settings: "line:0"},
	}
	if err := caption.WriteVTT(os.Stdout, cues); err != nil {
		fmt.Println(err)
	}
	// Output:
	// WEBVTT
	//
	// 00:00:00.500 --> 00:00:02.000
	// Tom &amp; Jerry
	//
	// 00:00:02.000 --> 00:00:04.000 line:0
	// <i>Later that day…</i>
}

// Subtitles for a video in three 4-second MPEG-TS segments written by
// ffmpeg: the cue that spans the first boundary is in both segments.
func ExampleSegmentVTT() {
	cues := []caption.Cue{
		{Start: 3 * time.Second, End: 5 * time.Second, Text: "Across a boundary"},
		{Start: 9 * time.Second, End: 10 * time.Second, Text: "In the last segment"},
	}
	video := []time.Duration{4 * time.Second, 4 * time.Second, 2500 * time.Millisecond}
	subs, err := caption.SegmentVTT(cues, video, &caption.HLSOptions{MPEGTS: caption.MPEGTSFFmpeg})
	if err != nil {
		fmt.Println(err)
		return
	}
	playlist, _ := subs.Playlist.Encode()
	fmt.Printf("%s\n", playlist)
	for _, s := range subs.Segments {
		fmt.Printf("%s:\n%s", s.Name, s.Data)
	}

	master := hls.MasterPlaylist{Media: []hls.Rendition{caption.Rendition("English", "en", "subs/en.m3u8", true)}}
	m, _ := master.Encode()
	fmt.Printf("%s", m)
	// Output:
	// #EXTM3U
	// #EXT-X-VERSION:3
	// #EXT-X-TARGETDURATION:4
	// #EXT-X-MEDIA-SEQUENCE:0
	// #EXT-X-PLAYLIST-TYPE:VOD
	// #EXTINF:4.000,
	// sub_00000.vtt
	// #EXTINF:4.000,
	// sub_00001.vtt
	// #EXTINF:2.500,
	// sub_00002.vtt
	// #EXT-X-ENDLIST
	//
	// sub_00000.vtt:
	// WEBVTT
	// X-TIMESTAMP-MAP=MPEGTS:126000,LOCAL:00:00:00.000
	//
	// 00:00:03.000 --> 00:00:05.000
	// Across a boundary
	//
	// sub_00001.vtt:
	// WEBVTT
	// X-TIMESTAMP-MAP=MPEGTS:126000,LOCAL:00:00:00.000
	//
	// 00:00:03.000 --> 00:00:05.000
	// Across a boundary
	//
	// sub_00002.vtt:
	// WEBVTT
	// X-TIMESTAMP-MAP=MPEGTS:126000,LOCAL:00:00:00.000
	//
	// 00:00:09.000 --> 00:00:10.000
	// In the last segment
	//
	// #EXTM3U
	// #EXT-X-VERSION:1
	// #EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,URI="subs/en.m3u8"
}

// An uploaded SRT with HTML and overlapping cues becomes clean WebVTT.
func ExampleNormalize() {
	upload := "1\r\n00:00:01,000 --> 00:00:03,500\r\n<font color=\"red\">Hello</font> <script>alert(1)</script>world\r\n\r\n" +
		"2\r\n00:00:03,000 --> 00:00:05,000\r\n<I>Fish & chips</I>\r\n"
	cues, err := caption.Normalize(strings.NewReader(upload), "talk.srt")
	if err != nil {
		fmt.Println(err)
		return
	}
	caption.WriteVTT(os.Stdout, cues)
	// Output:
	// WEBVTT
	//
	// 00:00:01.000 --> 00:00:03.000
	// Hello world
	//
	// 00:00:03.000 --> 00:00:05.000
	// <i>Fish &amp; chips</i>
}
