package caption_test

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/v100video/v100/caption"
)

// benchWords returns n words of speech: English-like word lengths,
// punctuation now and then, and a pause every forty words or so.
func benchWords(n int) []caption.Word {
	r := rand.New(rand.NewPCG(3, 4))
	vocab := strings.Fields("the of and to a in is you that it he was for on are as with his they I at be this have from " +
		"or one had by word but not what all were we when your can said there use an each which she do how their if " +
		"captions recogniser segment playlist transcode")
	words := make([]caption.Word, n)
	at := time.Duration(0)
	for i := range words {
		text := vocab[r.IntN(len(vocab))]
		switch r.IntN(12) {
		case 0:
			text += "."
		case 1:
			text += ","
		}
		if r.IntN(40) == 0 {
			at += time.Second
		}
		d := time.Duration(150+r.IntN(350)) * time.Millisecond
		words[i] = caption.Word{Text: text, Start: at, End: at + d}
		at += d + time.Duration(r.IntN(60))*time.Millisecond
	}
	return words
}

// BenchmarkBuildCues: cues from 10,000 words, about an hour of speech.
// SetBytes is the words' text, so MB/s is text captioned per second.
func BenchmarkBuildCues(b *testing.B) {
	words := benchWords(10_000)
	size := 0
	for _, w := range words {
		size += len(w.Text) + 1
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	var cues []caption.Cue
	for b.Loop() {
		cues = caption.BuildCues(words, nil)
	}
	b.ReportMetric(float64(len(cues)), "cues/op")
}

// BenchmarkParseVTT: a 2,000-cue WebVTT file.
func BenchmarkParseVTT(b *testing.B) {
	cues := caption.BuildCues(benchWords(40_000), nil)[:2000]
	var buf bytes.Buffer
	if err := caption.WriteVTT(&buf, cues); err != nil {
		b.Fatal(err)
	}
	src := buf.Bytes()
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		got, err := caption.ParseVTT(bytes.NewReader(src))
		if err != nil || len(got) != len(cues) {
			b.Fatal(len(got), err)
		}
	}
}

// BenchmarkNormalize: the same 2,000 cues uploaded as SRT.
func BenchmarkNormalize(b *testing.B) {
	cues := caption.BuildCues(benchWords(40_000), nil)[:2000]
	var buf bytes.Buffer
	if err := caption.WriteSRT(&buf, cues); err != nil {
		b.Fatal(err)
	}
	src := buf.Bytes()
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := caption.Normalize(bytes.NewReader(src), "upload.srt"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSegmentVTT: an hour of cues into 600 six-second segments.
func BenchmarkSegmentVTT(b *testing.B) {
	cues := caption.BuildCues(benchWords(10_000), nil)
	segs := make([]time.Duration, 600)
	for i := range segs {
		segs[i] = 6 * time.Second
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := caption.SegmentVTT(cues, segs, nil); err != nil {
			b.Fatal(err)
		}
	}
}
