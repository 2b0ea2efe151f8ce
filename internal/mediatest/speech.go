package mediatest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
)

// TimedWord is a word of generated speech and when it is heard.
type TimedWord struct {
	Text       string // lower case, without punctuation
	Start, End time.Duration
}

// Gaps of silence in generated speech.
const (
	SpeechLead        = 300 * time.Millisecond // before the first word
	SpeechWordGap     = 120 * time.Millisecond // between words
	SpeechSentenceGap = 500 * time.Millisecond // between sentences
	SpeechTail        = 300 * time.Millisecond // after the last word
)

// SpeechVoice is the espeak-ng voice of generated speech: American
// English, as PocketSphinx's default model, with the Klatt synthesiser, which
// the model recognises better than espeak-ng's default voice.
const SpeechVoice = "en-us+klatt2"

// speechRate is the sample rate of the speech files, the one recognisers
// take.
const speechRate = 16000

type spokenKey struct {
	text  string
	video Spec
	clip  bool
}

type spoken struct {
	path  string
	words []TimedWord
}

var speeches = map[spokenKey]spoken{}

// Speech returns a 16 kHz mono 16-bit WAV file of sentences spoken by
// espeak-ng, and every word with the time it is heard. Each word is
// synthesised alone, its silence trimmed, and the words are joined with
// fixed gaps ([SpeechWordGap], [SpeechSentenceGap], after [SpeechLead]), so
// the times are exact to the sample. Words are split at white space and
// lower-cased, without punctuation. Like [Clip], the file is shared by
// later calls with the same sentences.
func Speech(tb testing.TB, sentences []string) (wav string, words []TimedWord) {
	tb.Helper()
	return speech(tb, spokenKey{text: strings.Join(sentences, "\n")})
}

// SpokenClip returns a video clip of testsrc2 with the speech of
// sentences as its audio, and the words with their times, as [Speech]. The
// video follows spec (its audio fields are ignored); if spec.Seconds is
// zero, the clip lasts as long as the speech. Words that would end after the
// clip are cut from it and left out of words.
func SpokenClip(tb testing.TB, sentences []string, video Spec) (clip string, words []TimedWord) {
	tb.Helper()
	video.NoAudio, video.NoVideo = false, false
	return speech(tb, spokenKey{text: strings.Join(sentences, "\n"), video: video, clip: true})
}

func speech(tb testing.TB, key spokenKey) (string, []TimedWord) {
	tb.Helper()
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		tb.Fatalf("mediatest: espeak-ng is needed for speech (scripts/setup installs it): %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if s, ok := speeches[key]; ok {
		if _, err := os.Stat(s.path); err == nil { // not removed by Cleanup
			return s.path, append([]TimedWord(nil), s.words...)
		}
	}
	if dir == "" {
		d, err := os.MkdirTemp("", "v100-mediatest-")
		if err != nil {
			tb.Fatalf("mediatest: %v", err)
		}
		dir = d
	}
	base := filepath.Join(dir, fmt.Sprintf("speech%d", len(speeches)))
	wav := base + ".wav"
	words, err := writeSpeech(wav, strings.Split(key.text, "\n"))
	if err != nil {
		tb.Fatalf("mediatest: %v", err)
	}
	path := wav
	if key.clip {
		spec := key.video
		if spec.Seconds == 0 {
			spec.Seconds = speechDuration(words).Seconds()
		}
		spec = spec.withDefaults()
		path = base + "." + spec.Container
		if err := muxSpeech(path, wav, spec); err != nil {
			tb.Fatalf("mediatest: %v", err)
		}
		end := time.Duration(spec.Seconds * float64(time.Second))
		for len(words) > 0 && words[len(words)-1].End > end {
			words = words[:len(words)-1]
		}
	}
	speeches[key] = spoken{path, words}
	return path, append([]TimedWord(nil), words...)
}

// WriteSpeech writes sentences spoken by espeak-ng into a 16 kHz mono
// 16-bit WAV file at path, as [Speech] does, for programs that are not
// tests (benchmark commands).
func WriteSpeech(path string, sentences []string) ([]TimedWord, error) {
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		return nil, fmt.Errorf("mediatest: espeak-ng is needed for speech (scripts/setup installs it): %w", err)
	}
	return writeSpeech(path, sentences)
}

// speechDuration is the length of the speech whose last word is words'.
func speechDuration(words []TimedWord) time.Duration {
	if len(words) == 0 {
		return SpeechLead + SpeechTail
	}
	return words[len(words)-1].End + SpeechTail
}

// writeSpeech synthesises sentences into a 16 kHz WAV file at path.
func writeSpeech(path string, sentences []string) ([]TimedWord, error) {
	tmp, err := os.MkdirTemp(filepath.Dir(path), "words-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	// The words are joined at espeak-ng's own rate, then resampled once.
	var (
		rate  int
		pcm   []int16
		words []TimedWord
		said  = map[string][]int16{}
	)
	samples := func(d time.Duration) int { return int(d.Seconds()*float64(rate) + 0.5) }
	at := func(n int) time.Duration { return time.Duration(n) * time.Second / time.Duration(rate) }
	for _, s := range sentences {
		for i, w := range splitWords(s) {
			voice, ok := said[w]
			if !ok {
				var r int
				if voice, r, err = synthesise(tmp, w, len(said)); err != nil {
					return nil, err
				}
				if rate == 0 {
					rate = r
				} else if r != rate {
					return nil, fmt.Errorf("espeak-ng %q: sample rate %d, other words %d", w, r, rate)
				}
				said[w] = voice
			}
			switch {
			case len(words) == 0:
				pcm = make([]int16, samples(SpeechLead))
			case i == 0:
				pcm = append(pcm, make([]int16, samples(SpeechSentenceGap))...)
			default:
				pcm = append(pcm, make([]int16, samples(SpeechWordGap))...)
			}
			words = append(words, TimedWord{Text: w, Start: at(len(pcm)), End: at(len(pcm) + len(voice))})
			pcm = append(pcm, voice...)
		}
	}
	if rate == 0 {
		rate = speechRate
		pcm = make([]int16, samples(SpeechLead))
	}
	pcm = append(pcm, make([]int16, samples(SpeechTail))...)
	joined := filepath.Join(tmp, "joined.wav")
	if err := writeWAV(joined, pcm, rate); err != nil {
		return nil, err
	}
	return words, run([]string{"-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i", joined,
		"-ar", strconv.Itoa(speechRate), "-ac", "1", "-c:a", "pcm_s16le", "-bitexact", "-map_metadata", "-1", path})
}

// splitWords splits a sentence into lower-case words without punctuation.
func splitWords(s string) []string {
	var ws []string
	for _, f := range strings.Fields(s) {
		f = strings.ToLower(strings.TrimFunc(f, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r)
		}))
		if f != "" {
			ws = append(ws, f)
		}
	}
	return ws
}

// synthesise speaks one word with espeak-ng and returns its samples without
// the silence around them, and their rate.
func synthesise(tmp, word string, n int) ([]int16, int, error) {
	raw := filepath.Join(tmp, strconv.Itoa(n)+".wav")
	if out, err := exec.Command("espeak-ng", "-v", SpeechVoice, "-z", "-w", raw, "--", word).CombinedOutput(); err != nil {
		return nil, 0, fmt.Errorf("espeak-ng %q: %v: %s", word, err, out)
	}
	pcm, rate, err := readWAV(raw)
	if err != nil {
		return nil, 0, fmt.Errorf("espeak-ng %q: %w", word, err)
	}
	// espeak-ng writes exact zeros around a word; the threshold (-60
	// dBFS) keeps the fade of the last phoneme.
	const quiet = 32
	first, last := -1, -1
	for i, s := range pcm {
		if s > quiet || s < -quiet {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return nil, 0, fmt.Errorf("espeak-ng %q: no sound", word)
	}
	return pcm[first : last+1], rate, nil
}

// readWAV reads the samples and the rate of a 16-bit mono PCM WAV file.
func readWAV(path string) ([]int16, int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, 0, errors.New("not a WAV file")
	}
	rate := 0
	for p := 12; p+8 <= len(b); {
		id, size := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:p+8]))
		p += 8
		switch {
		case id == "fmt " && p+16 <= len(b):
			if binary.LittleEndian.Uint16(b[p:]) == 1 && binary.LittleEndian.Uint16(b[p+2:]) == 1 &&
				binary.LittleEndian.Uint16(b[p+14:]) == 16 {
				rate = int(binary.LittleEndian.Uint32(b[p+4:]))
			}
		case id == "data":
			if rate <= 0 {
				return nil, 0, errors.New("WAV file is not 16-bit mono PCM")
			}
			data := b[p:min(p+size, len(b))]
			pcm := make([]int16, len(data)/2)
			for i := range pcm {
				pcm[i] = int16(binary.LittleEndian.Uint16(data[2*i:]))
			}
			return pcm, rate, nil
		}
		p += size + size&1
	}
	return nil, 0, errors.New("WAV file has no data")
}

// writeWAV writes samples as a mono 16-bit PCM WAV file.
func writeWAV(path string, pcm []int16, rate int) error {
	b := make([]byte, 44+2*len(pcm))
	copy(b, "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+2*len(pcm)))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1) // PCM
	binary.LittleEndian.PutUint16(b[22:], 1) // mono
	binary.LittleEndian.PutUint32(b[24:], uint32(rate))
	binary.LittleEndian.PutUint32(b[28:], uint32(2*rate))
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(2*len(pcm)))
	for i, s := range pcm {
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(s))
	}
	return os.WriteFile(path, b, 0o644)
}

// muxSpeech writes a testsrc2 clip following spec with the speech in wav as
// its audio, padded with silence or cut to the clip's length.
func muxSpeech(path, wav string, spec Spec) error {
	video := path + ".video." + spec.Container
	spec.NoAudio = true
	if err := Generate(video, spec); err != nil {
		return err
	}
	defer os.Remove(video)
	codec := "aac"
	if spec.Container == "webm" {
		codec = "libopus"
	}
	secs := strconv.FormatFloat(spec.Seconds, 'f', 3, 64)
	return run([]string{"-hide_banner", "-nostdin", "-loglevel", "error", "-y",
		"-i", video, "-i", wav, "-map", "0:v", "-map", "1:a", "-c:v", "copy",
		"-af", "apad", "-t", secs, "-c:a", codec, path})
}
