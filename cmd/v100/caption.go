package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/v100video/v100/caption"
)

func runCaption(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("caption", "<input> -o <out.vtt|out.srt|-> [flags]", stderr)
	out := fs.String("o", "", "output `file` (.vtt or .srt), or - for standard output")
	format := fs.String("format", "", "vtt or srt (default: from -o's extension, else vtt)")
	backend := fs.String("backend", "sphinx", "recogniser: sphinx (offline), openai (an OpenAI-compatible HTTP API) or command")
	words := fs.String("words", "", "sphinx: comma-separated `list` of the words that may be spoken (much more accurate when known)")
	grammar := fs.String("grammar", "", "sphinx: a JSGF grammar `file` to recognise with")
	baseURL := fs.String("url", caption.DefaultOpenAIBaseURL, "openai: API base `URL`, e.g. http://127.0.0.1:8080/v1 for a whisper.cpp server")
	model := fs.String("model", caption.DefaultOpenAIModel, "openai: model name")
	keyEnv := fs.String("key-env", "OPENAI_API_KEY", "openai: environment `variable` holding the API key")
	lang := fs.String("lang", "", "language of the speech (ISO 639-1, e.g. en), if known")
	command := fs.String("command", "", "command: the `program and arguments`; {wav} is replaced by the audio file, e.g. \"whisper-json {wav}\"")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := exactly("caption", pos, 1, "one input file"); err != nil {
		return err
	}
	if *out == "" {
		return usageError("caption: -o <file> (or -o -) is required")
	}
	f := *format
	if f == "" {
		f = "vtt"
		if strings.EqualFold(filepath.Ext(*out), ".srt") {
			f = "srt"
		}
	}
	if f != "vtt" && f != "srt" {
		return usageError(fmt.Sprintf("caption: -format %q: want vtt or srt", f))
	}

	var rec caption.Recognizer
	switch *backend {
	case "sphinx":
		s := &caption.Sphinx{}
		if *words != "" {
			for _, w := range strings.Split(*words, ",") {
				if w = strings.ToLower(strings.TrimSpace(w)); w != "" {
					s.Words = append(s.Words, w)
				}
			}
		}
		if *grammar != "" {
			g, err := os.ReadFile(*grammar)
			if err != nil {
				return err
			}
			s.Grammar = string(g)
		}
		rec = s
	case "openai":
		rec = &caption.OpenAI{BaseURL: *baseURL, Model: *model, APIKey: os.Getenv(*keyEnv), Language: *lang}
	case "command":
		parts := strings.Fields(*command)
		if len(parts) == 0 {
			return usageError("caption: -backend command needs -command \"program {wav}\"")
		}
		rec = &caption.Command{Path: parts[0], Args: parts[1:], Language: *lang}
	default:
		return usageError(fmt.Sprintf("caption: -backend %q: want sphinx, openai or command", *backend))
	}

	t, err := caption.RecognizeFile(ctx, rec, pos[0], nil)
	if err != nil {
		return err
	}
	cues := caption.CuesFromTranscript(t, nil)
	var buf bytes.Buffer
	if f == "srt" {
		err = caption.WriteSRT(&buf, cues)
	} else {
		err = caption.WriteVTT(&buf, cues)
	}
	if err != nil {
		return err
	}
	if *out == "-" {
		_, err = stdout.Write(buf.Bytes())
		return err
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d cues, %d words\n", *out, len(cues), len(t.Words()))
	return nil
}
