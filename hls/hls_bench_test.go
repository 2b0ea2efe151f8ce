package hls_test

import (
	"bytes"
	"fmt"
	"strconv"
	"testing"

	"github.com/v100video/v100/hls"
)

// vod1000 is a 1,000-segment fMP4 VOD playlist, about 30 KB.
func vod1000(b *testing.B) []byte {
	b.Helper()
	return mustEncode(b, vod(1000, true))
}

func perSegment(b *testing.B, n int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/segment")
}

func BenchmarkParseVOD1000(b *testing.B) {
	src := vod1000(b)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := hls.ParseMedia(bytes.NewReader(src)); err != nil {
			b.Fatal(err)
		}
	}
	perSegment(b, 1000)
}

func BenchmarkEncodeVOD1000(b *testing.B) {
	p := vod(1000, true)
	b.SetBytes(int64(len(vod1000(b))))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Encode(); err != nil {
			b.Fatal(err)
		}
	}
	perSegment(b, 1000)
}

// BenchmarkParseAttributes parses variants with many attributes: the
// most a tag may have, and a line of the longest size full of them, which
// fails at the limit. The cost per attribute must not grow with their
// number.
func BenchmarkParseAttributes(b *testing.B) {
	for _, tc := range []struct {
		name  string
		attrs int
		ok    bool
	}{{"8", 7, true}, {"64", 63, true}, {"256", 255, true}, {"64KiB-line", 4700, false}} {
		b.Run(tc.name, func(b *testing.B) {
			src := []byte("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1" + attrs(tc.attrs) + "\nv\n")
			if len(src) > hls.DefaultMaxLineBytes {
				b.Fatalf("line of %d bytes", len(src))
			}
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				_, err := hls.ParseMaster(bytes.NewReader(src))
				if (err == nil) != tc.ok {
					b.Fatal(err)
				}
			}
			parsed := min(tc.attrs+1, 257) // parsing stops after 256
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*parsed), "ns/attr")
		})
	}
}

// BenchmarkRewriteBytesToken signs every URI of the playlist, the work a
// server does per request. The token function returns a fixed string so
// the figure is this package's cost, not the signature's.
func BenchmarkRewriteBytesToken(b *testing.B) {
	src := vod1000(b)
	opts := &hls.RewriteOptions{Token: func(string) string { return "exp=1740830400&sig=0123456789abcdef" }}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := hls.RewriteBytes(src, opts); err != nil {
			b.Fatal(err)
		}
	}
	perSegment(b, 1000)
}

// BenchmarkRewriteBytesBaseAndToken also resolves every URI against a CDN
// base.
func BenchmarkRewriteBytesBaseAndToken(b *testing.B) {
	src := vod1000(b)
	opts := &hls.RewriteOptions{
		Base:  mustURL(b, "https://cdn.example/v/42/720p/index.m3u8"),
		Token: func(string) string { return "exp=1740830400&sig=0123456789abcdef" },
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := hls.RewriteBytes(src, opts); err != nil {
			b.Fatal(err)
		}
	}
	perSegment(b, 1000)
}

// BenchmarkRewriteParsed does the same as BenchmarkRewriteBytesToken through
// a full parse, value rewrite and encode, for comparison.
func BenchmarkRewriteParsed(b *testing.B) {
	src := vod1000(b)
	opts := &hls.RewriteOptions{Token: func(string) string { return "exp=1740830400&sig=0123456789abcdef" }}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		p, err := hls.ParseMedia(bytes.NewReader(src))
		if err != nil {
			b.Fatal(err)
		}
		if err := p.Rewrite(opts); err != nil {
			b.Fatal(err)
		}
		if _, err := p.Encode(); err != nil {
			b.Fatal(err)
		}
	}
	perSegment(b, 1000)
}

// BenchmarkWindowAppend is the writer side of a live window: append one
// segment and publish the new playlist.
func BenchmarkWindowAppend(b *testing.B) {
	for _, size := range []int{6, 30} {
		b.Run("size="+strconv.Itoa(size), func(b *testing.B) {
			w := mustWindow(b, &hls.WindowOptions{Size: size, TargetDuration: 5, Map: &hls.Map{URI: "init.mp4"}})
			b.SetBytes(int64(len(w.Bytes())))
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				if err := w.Append(hls.Segment{URI: fmt.Sprintf("s%d.m4s", n), Duration: 4.004, ProgramDateTime: pdt}); err != nil {
					b.Fatal(err)
				}
				n++
			}
			b.SetBytes(int64(len(w.Bytes())))
		})
	}
}

// BenchmarkWindowBytes is the reader side: many goroutines fetching the
// current playlist while a writer appends.
func BenchmarkWindowBytes(b *testing.B) {
	w := mustWindow(b, &hls.WindowOptions{Size: 6, TargetDuration: 5})
	for n := range 6 {
		if err := w.Append(hls.Segment{URI: fmt.Sprintf("s%d.ts", n), Duration: 4}); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(w.Bytes())))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if len(w.Bytes()) == 0 {
				b.Fatal("empty playlist")
			}
		}
	})
}

func BenchmarkEncodeMaster(b *testing.B) {
	m := master()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Encode(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMeasureBandwidth1000(b *testing.B) {
	segs := make([]hls.SegmentSize, 1001)
	for i := range segs {
		segs[i] = hls.SegmentSize{Duration: 6.006, Bytes: int64(700_000 + i*37%90_000)}
	}
	segs[0] = hls.SegmentSize{Bytes: 1200}
	b.ReportAllocs()
	for b.Loop() {
		hls.MeasureBandwidth(segs)
	}
}
