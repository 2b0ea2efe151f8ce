// Benchmarks of v100's hls package against github.com/grafov/m3u8 and
// github.com/Eyevinn/hls-m3u8.

package bench

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	ey "github.com/Eyevinn/hls-m3u8/m3u8"
	gr "github.com/grafov/m3u8"

	"github.com/v100video/v100/hls"
)

// playlistSegments is how many segments the benchmarked playlist has.
const playlistSegments = 1000

// vodPlaylist returns a playlistSegments-segment fMP4 VOD media playlist
// of 6.006 s segments after an EXT-X-MAP, about 30 KB, written by hand so
// that no library under test produced it.
func vodPlaylist() []byte {
	var b bytes.Buffer
	b.WriteString("#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:0\n" +
		"#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-MAP:URI=\"init.mp4\"\n")
	for i := range playlistSegments {
		fmt.Fprintf(&b, "#EXTINF:6.006,\nseg%05d.m4s\n", i)
	}
	b.WriteString("#EXT-X-ENDLIST\n")
	return b.Bytes()
}

// checkEncoded fails b unless out holds the whole playlist.
func checkEncoded(b *testing.B, out string) {
	b.Helper()
	if n := strings.Count(out, "#EXTINF:6.006,"); n != playlistSegments {
		b.Fatalf("encoded %d segments, want %d", n, playlistSegments)
	}
	if !strings.Contains(out, `#EXT-X-MAP:URI="init.mp4"`) {
		b.Fatal("EXT-X-MAP lost")
	}
}

// BenchmarkPlaylistParse parses the playlist into each library's value.
// The peers parse strictly, so that, like v100, they report malformed
// lines rather than skip them.
func BenchmarkPlaylistParse(b *testing.B) {
	src := vodPlaylist()
	b.Run("v100", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			if _, err := hls.ParseMedia(bytes.NewReader(src)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("grafov", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			if _, _, err := gr.DecodeFrom(bytes.NewReader(src), true); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("eyevinn", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			if _, _, err := ey.DecodeFrom(bytes.NewReader(src), true); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkPlaylistEncode encodes the playlist from each library's own
// parse of it. The peers cache their output in a buffer of the playlist,
// which ResetCache empties so that every iteration encodes; they then
// write into that buffer again, and v100 likewise appends into one reused
// buffer with AppendEncode.
func BenchmarkPlaylistEncode(b *testing.B) {
	src := vodPlaylist()
	b.Run("v100", func(b *testing.B) {
		p, err := hls.ParseMedia(bytes.NewReader(src))
		if err != nil {
			b.Fatal(err)
		}
		out, err := p.Encode()
		if err != nil {
			b.Fatal(err)
		}
		checkEncoded(b, string(out))
		b.ReportAllocs()
		b.SetBytes(int64(len(src)))
		buf := make([]byte, 0, len(out))
		for b.Loop() {
			if buf, err = p.AppendEncode(buf[:0]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("grafov", func(b *testing.B) {
		pl, _, err := gr.DecodeFrom(bytes.NewReader(src), true)
		if err != nil {
			b.Fatal(err)
		}
		p := pl.(*gr.MediaPlaylist)
		checkEncoded(b, p.Encode().String())
		b.ReportAllocs()
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			p.ResetCache()
			p.Encode()
		}
	})
	b.Run("eyevinn", func(b *testing.B) {
		pl, _, err := ey.DecodeFrom(bytes.NewReader(src), true)
		if err != nil {
			b.Fatal(err)
		}
		p := pl.(*ey.MediaPlaylist)
		checkEncoded(b, p.Encode().String())
		b.ReportAllocs()
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			p.ResetCache()
			p.Encode()
		}
	})
}
