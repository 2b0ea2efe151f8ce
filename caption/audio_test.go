package caption_test

import (
	"context"
	"encoding/binary"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/caption"
	"github.com/v100video/v100/internal/mediatest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	mediatest.Cleanup()
	os.Exit(code)
}

func TestExtractAudio(t *testing.T) {
	t.Parallel()
	for _, spec := range []mediatest.Spec{
		{Seconds: 1.5}, // mp4: H.264 and AAC at 48 kHz
		{Seconds: 1.5, NoVideo: true, Container: "mkv"}, // audio only
		{Seconds: 1.5, Container: "webm"},               // Opus
	} {
		t.Run(spec.Container, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "audio.wav")
			require.NoError(t, caption.ExtractAudio(context.Background(), mediatest.Clip(t, spec), out, nil))
			b, err := os.ReadFile(out)
			require.NoError(t, err)
			samples := wavSamples(t, b)
			require.InDelta(t, 1.5, float64(len(samples))/16000, 0.05, "the audio lasts as long as the clip")
			peak := 0
			for _, s := range samples[8000:16000] {
				peak = max(peak, int(s))
			}
			require.Greater(t, peak, 1000, "the tone is there")
		})
	}
}

// TestExtractAudioRefuses holds inputs ExtractAudio must refuse, each with
// its error; none leaves the output file behind.
func TestExtractAudioRefuses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
		return p
	}
	secret := file("secret.mp4", "not for you")
	clip := mediatest.Clip(t, mediatest.Spec{Seconds: 1})
	cases := []struct {
		name, input string
		want        error
	}{
		{"missing file", filepath.Join(dir, "missing.mp4"), fs.ErrNotExist},
		{"empty file", file("empty.mp4", ""), caption.ErrEmpty},
		{"text file", file("notes.mp4", "hello, I am text named .mp4\n"), caption.ErrNotMedia},
		{"playlist upload", file("up.mp4", "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:1,\n"+secret+"\n#EXT-X-ENDLIST\n"), caption.ErrPlaylist},
		{"concat list", file("list.mp4", "ffconcat version 1.0\nfile '"+clip+"'\n"), caption.ErrPlaylist},
		{"video without sound", mediatest.Clip(t, mediatest.Spec{Seconds: 1, NoAudio: true}), caption.ErrNoAudio},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.wav")
			require.NoError(t, os.WriteFile(out, []byte("stale"), 0o644))
			err := caption.ExtractAudio(context.Background(), tc.input, out, nil)
			require.ErrorIs(t, err, tc.want)
			require.NoFileExists(t, out, "a failed extraction leaves no output")
			if tc.want != fs.ErrNotExist {
				require.NotContains(t, err.Error(), dir, "the error does not reveal server paths")
			}
		})
	}
}

func TestExtractAudioCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := filepath.Join(t.TempDir(), "out.wav")
	err := caption.ExtractAudio(ctx, mediatest.Clip(t, mediatest.Spec{Seconds: 1}), out, nil)
	require.ErrorIs(t, err, context.Canceled)
	require.NoFileExists(t, out)
}

// wavSamples returns the samples of a 16 kHz mono 16-bit WAV file.
func wavSamples(t testing.TB, b []byte) []int16 {
	t.Helper()
	require.Greater(t, len(b), 12)
	require.Equal(t, "RIFF", string(b[:4]))
	require.Equal(t, "WAVE", string(b[8:12]))
	for p := 12; p+8 <= len(b); {
		id, n := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:]))
		p += 8
		switch id {
		case "fmt ":
			require.EqualValues(t, 1, binary.LittleEndian.Uint16(b[p:]), "PCM")
			require.EqualValues(t, 1, binary.LittleEndian.Uint16(b[p+2:]), "mono")
			require.EqualValues(t, 16000, binary.LittleEndian.Uint32(b[p+4:]), "16 kHz")
			require.EqualValues(t, 16, binary.LittleEndian.Uint16(b[p+14:]), "16 bits")
		case "data":
			data := b[p:min(p+n, len(b))]
			s := make([]int16, len(data)/2)
			for i := range s {
				s[i] = int16(binary.LittleEndian.Uint16(data[2*i:]))
			}
			return s
		}
		p += n + n&1
	}
	t.Fatal("no data chunk")
	return nil
}

// writeTestWAV writes samples as a 16 kHz mono 16-bit WAV file.
func writeTestWAV(t testing.TB, path string, samples []int16) string {
	t.Helper()
	b := make([]byte, 44+2*len(samples))
	copy(b, "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+2*len(samples)))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1)
	binary.LittleEndian.PutUint16(b[22:], 1)
	binary.LittleEndian.PutUint32(b[24:], 16000)
	binary.LittleEndian.PutUint32(b[28:], 32000)
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(2*len(samples)))
	for i, s := range samples {
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(s))
	}
	require.NoError(t, os.WriteFile(path, b, 0o644))
	return path
}

// sampleAt is the sample index of d at 16 kHz.
func sampleAt(d time.Duration) int { return int(d.Seconds()*16000 + 0.5) }
