package caption

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/v100video/v100/internal/ffmpeg"
)

// ProcessError is a failed run of ffmpeg, pocketsphinx or a [Command]: the
// arguments, the exit code (-1 when it did not exit normally) and the tail
// of its standard error. Use errors.As to get it.
type ProcessError = ffmpeg.Error

// SampleRate is the rate of the PCM audio recognisers take: 16 kHz, mono,
// 16-bit little-endian samples.
const SampleRate = 16000

// bytesPerSecond is the size of one second of [SampleRate] PCM.
const bytesPerSecond = 2 * SampleRate

// AudioOptions configure [ExtractAudio]. The zero value runs ffmpeg and
// ffprobe from PATH.
type AudioOptions struct {
	// FFmpeg and FFprobe are the executables; if empty, "ffmpeg" and
	// "ffprobe" from PATH.
	FFmpeg, FFprobe string
}

// ExtractAudio writes the first audio stream of the media file input to
// wavOut as a WAV file of 16 kHz mono 16-bit PCM, the format every
// [Recognizer] takes, replacing wavOut if it exists.
//
// The input is opened as ffmpeg's [Input] rules allow and nothing else: a
// playlist or file list gives ErrPlaylist, an empty file ErrEmpty,
// something that is not media ErrNotMedia, and media without sound
// ErrNoAudio. On any error wavOut is removed.
func ExtractAudio(ctx context.Context, input, wavOut string, opts *AudioOptions) (err error) {
	if opts == nil {
		opts = &AudioOptions{}
	}
	out, err := filepath.Abs(wavOut)
	if err != nil {
		return fmt.Errorf("caption: extract audio: %w", err)
	}
	defer func() {
		if err != nil {
			os.Remove(out)
		}
	}()
	res, err := ffmpeg.Probe(ctx, input, &ffmpeg.ProbeOptions{Path: opts.FFprobe})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("caption: extract audio: %w", err)
	}
	hasAudio := false
	for _, s := range res.Streams {
		hasAudio = hasAudio || s.CodecType == "audio"
	}
	if !hasAudio {
		return ErrNoAudio
	}
	in, err := ffmpeg.Input(input, nil)
	if err != nil {
		return fmt.Errorf("caption: extract audio: %w", err)
	}
	c := &ffmpeg.Cmd{Path: opts.FFmpeg, Args: append(in,
		"-map", "0:a:0", "-vn", "-sn", "-dn", "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le",
		"-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact",
		"-f", "wav", "-y", "file:"+out)}
	if err := c.Run(ctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("caption: extract audio: %w", err)
	}
	return nil
}

// wavPCM is where the PCM samples of a WAV file are.
type wavPCM struct {
	offset, size int64 // in bytes
}

// duration is the length of the audio.
func (w wavPCM) duration() time.Duration { return pcmDuration(w.size) }

// pcmDuration is the length of n bytes of PCM at SampleRate.
func pcmDuration(n int64) time.Duration {
	return time.Duration(n/2) * time.Second / SampleRate
}

// pcmBytes is the size of d of PCM at SampleRate, a whole number of
// samples.
func pcmBytes(d time.Duration) int64 {
	return 2 * int64(d.Seconds()*SampleRate+0.5)
}

// maxWAVChunks bounds the RIFF chunks readWAVHeader skips before "data".
const maxWAVChunks = 64

// readWAVHeader reads a RIFF WAV header from r and says where its samples
// are. The audio must be 16 kHz mono 16-bit PCM. size is the size of the
// file, to which the data chunk is clipped (ffmpeg writes a huge size when
// it cannot seek back).
func readWAVHeader(r io.ReaderAt, size int64) (wavPCM, error) {
	bad := func(why string) (wavPCM, error) {
		return wavPCM{}, fmt.Errorf("caption: audio is not a 16 kHz mono 16-bit PCM WAV file: %s", why)
	}
	var h [12]byte
	if _, err := r.ReadAt(h[:], 0); err != nil || string(h[:4]) != "RIFF" || string(h[8:]) != "WAVE" {
		return bad("no RIFF WAVE header")
	}
	formatOK := false
	off := int64(12)
	for range maxWAVChunks {
		var ch [8]byte
		if _, err := r.ReadAt(ch[:], off); err != nil {
			break
		}
		id, n := string(ch[:4]), int64(binary.LittleEndian.Uint32(ch[4:]))
		off += 8
		switch id {
		case "fmt ":
			var f [16]byte
			if n < 16 {
				return bad("short fmt chunk")
			}
			if _, err := r.ReadAt(f[:], off); err != nil {
				return bad("short fmt chunk")
			}
			format := binary.LittleEndian.Uint16(f[0:])
			channels := binary.LittleEndian.Uint16(f[2:])
			rate := binary.LittleEndian.Uint32(f[4:])
			bits := binary.LittleEndian.Uint16(f[14:])
			if format == 0xfffe && n >= 40 { // WAVE_FORMAT_EXTENSIBLE: the subformat says
				var sub [2]byte
				if _, err := r.ReadAt(sub[:], off+24); err == nil {
					format = binary.LittleEndian.Uint16(sub[:])
				}
			}
			if format != 1 || channels != 1 || rate != SampleRate || bits != 16 {
				return bad(fmt.Sprintf("format %d, %d channels, %d Hz, %d bits", format, channels, rate, bits))
			}
			formatOK = true
		case "data":
			if !formatOK {
				return bad("data before fmt")
			}
			n = min(n, size-off)
			return wavPCM{offset: off, size: n &^ 1}, nil
		}
		off += n + n&1
	}
	return bad("no data chunk")
}

// openWAV opens a recogniser's input file and reads its header.
func openWAV(path string) (*os.File, wavPCM, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, wavPCM{}, fmt.Errorf("caption: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, wavPCM{}, fmt.Errorf("caption: %w", err)
	}
	pcm, err := readWAVHeader(f, st.Size())
	if err != nil {
		f.Close()
		return nil, wavPCM{}, fmt.Errorf("%w: %s", err, filepath.Base(path))
	}
	return f, pcm, nil
}

// wavHeader returns the 44-byte header of a WAV file holding n bytes of
// SampleRate mono 16-bit PCM.
func wavHeader(n int64) []byte {
	b := make([]byte, 44)
	copy(b, "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(min(36+n, 1<<32-1)))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1) // PCM
	binary.LittleEndian.PutUint16(b[22:], 1) // mono
	binary.LittleEndian.PutUint32(b[24:], SampleRate)
	binary.LittleEndian.PutUint32(b[28:], bytesPerSecond)
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(min(n, 1<<32-1)))
	return b
}

// writeWAVFile writes n bytes of PCM read from r to a new WAV file at path.
func writeWAVFile(path string, r io.Reader, n int64) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("caption: %w", err)
	}
	_, err = f.Write(wavHeader(n))
	if err == nil {
		_, err = io.CopyN(f, r, n)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("caption: writing audio: %w", err)
	}
	return nil
}
