package caption_test

import (
	"context"
	"fmt"
	"log"

	"github.com/v100video/v100/caption"
)

// A Command wraps any speech-to-text program that prints a transcript in
// the verbose_json shape; here a script stands in for one.
func ExampleCommand() {
	rec := &caption.Command{
		Path: "testdata/command/transcribe.sh",
		Args: []string{"--model", "base.en", "{wav}"},
	}
	t, err := rec.Recognize(context.Background(), "testdata/command/hello.wav")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(t.Language, t.Segments[0].Text)
	for _, w := range t.Words() {
		fmt.Printf("%v–%v %s\n", w.Start, w.End, w.Text)
	}
	// Output:
	// en Hello, world.
	// 100ms–500ms Hello,
	// 600ms–1.1s world.
}

// RecognizeFile takes any media file: it extracts the audio, recognises it
// in overlapping chunks, several at once, and joins the transcripts.
func ExampleRecognizeFile() {
	rec := &caption.Command{Path: "testdata/command/transcribe.sh"}
	t, err := caption.RecognizeFile(context.Background(), rec, "testdata/command/hello.wav", nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range t.Segments {
		fmt.Printf("%v–%v %s\n", s.Start, s.End, s.Text)
	}
	// Output:
	// 0s–1.2s Hello, world.
}

// Any Recognizer becomes a live one: write PCM as it arrives, read final
// words as they are recognised.
func ExampleNewWindowedStream() {
	live := caption.NewWindowedStream(&caption.Command{Path: "testdata/command/transcribe.sh"}, nil)
	s, err := live.NewStream(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	second := make([]byte, 2*caption.SampleRate) // one second of silence
	s.Write(second)
	s.Write(second)
	s.Close()
	for {
		words, err := s.Next(context.Background())
		if err != nil {
			break // io.EOF after the last words
		}
		for _, w := range words {
			fmt.Printf("%v %s\n", w.Start, w.Text)
		}
	}
	// Output:
	// 100ms Hello,
	// 600ms world.
}
