// Package mediatest generates test media with ffmpeg's lavfi sources
// (testsrc2 for video, sine for audio), so that tests never download a file.
package mediatest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

// Spec describes a clip. The zero value is a 2 s 320x240 30 fps clip with a
// 440 Hz tone.
type Spec struct {
	Width, Height int     // if zero, 320x240
	FPS           float64 // if zero, 30
	Seconds       float64 // if zero, 2
	NoAudio       bool
	NoVideo       bool
	Rotate        int    // display rotation written in the container (90, 180, 270)
	Container     string // file extension: mp4 (default), mkv, mov, webm, ts
	// Black, if positive, makes the first Black seconds of video black
	// (for poster choosers).
	Black float64
	// Bitrate for the H.264 video, e.g. "2M"; if empty, libx264's CRF 23.
	Bitrate string
	// Preset is libx264's preset; if empty, "ultrafast", quick to make but
	// cheaper to decode than a camera's or an editor's High-profile
	// stream, which "veryfast" and slower presets resemble.
	Preset string
	// Numbered replaces the test pattern with flat grey halves that encode
	// the frame number n (counted from 0) in their luma, on the limited
	// (16–235) scale: the left half is 32+8×(n mod 24), the right half
	// 32+16×⌊n/24⌋. Numbers up to 287 (9.6 s at 30 fps) are distinct and
	// survive JPEG and GIF encoding, so tests can tell exactly which frame
	// an image shows.
	Numbered bool
	// AudioFirst writes the clip through MPEG-TS and remuxes it, as many
	// uploaded MP4s are made: the AAC encoder's priming then puts the
	// audio first, and the video starts about 21 ms after the start of
	// the file. It needs audio and an mp4, mov or mkv container.
	AudioFirst bool
}

func (s Spec) withDefaults() Spec {
	if s.Width == 0 || s.Height == 0 {
		s.Width, s.Height = 320, 240
	}
	if s.FPS == 0 {
		s.FPS = 30
	}
	if s.Seconds == 0 {
		s.Seconds = 2
	}
	if s.Container == "" {
		s.Container = "mp4"
	}
	return s
}

var (
	mu    sync.Mutex
	dir   string
	clips = map[Spec]string{}
)

// Clip returns the path of a clip matching spec, generating it on first use
// in this test binary; later calls with the same spec share the file, so
// tests must not modify it. Call Cleanup from TestMain to remove the clips.
func Clip(tb testing.TB, spec Spec) string {
	tb.Helper()
	spec = spec.withDefaults()
	mu.Lock()
	defer mu.Unlock()
	if p, ok := clips[spec]; ok {
		return p
	}
	if dir == "" {
		d, err := os.MkdirTemp("", "v100-mediatest-")
		if err != nil {
			tb.Fatalf("mediatest: %v", err)
		}
		dir = d
	}
	p := filepath.Join(dir, fmt.Sprintf("clip%d.%s", len(clips), spec.Container))
	if err := Generate(p, spec); err != nil {
		tb.Fatalf("mediatest: %v", err)
	}
	clips[spec] = p
	return p
}

// Cleanup removes the clips Clip generated. Call it from TestMain after
// m.Run.
func Cleanup() {
	mu.Lock()
	defer mu.Unlock()
	if dir != "" {
		os.RemoveAll(dir)
		dir = ""
		clear(clips)
	}
}

// Generate writes a clip matching spec to path.
func Generate(path string, spec Spec) error {
	spec = spec.withDefaults()
	secs := strconv.FormatFloat(spec.Seconds, 'f', 3, 64)
	args := []string{"-hide_banner", "-nostdin", "-loglevel", "error", "-y"}
	if !spec.NoVideo {
		src := fmt.Sprintf("testsrc2=size=%dx%d:rate=%s:duration=%s",
			spec.Width, spec.Height, strconv.FormatFloat(spec.FPS, 'f', -1, 64), secs)
		if spec.Numbered {
			src = fmt.Sprintf("color=c=gray:size=%dx%d:rate=%s:duration=%s,format=yuv420p,"+
				"geq=lum='if(lt(X,W/2),32+8*mod(N,24),32+16*floor(N/24))':cb=128:cr=128",
				spec.Width, spec.Height, strconv.FormatFloat(spec.FPS, 'f', -1, 64), secs)
		}
		if spec.Black > 0 {
			src += fmt.Sprintf(",drawbox=c=black:t=fill:enable='lt(t,%s)'", strconv.FormatFloat(spec.Black, 'f', 3, 64))
		}
		args = append(args, "-f", "lavfi", "-i", src)
	}
	if !spec.NoAudio {
		args = append(args, "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration="+secs)
	}
	if !spec.NoVideo {
		switch spec.Container {
		case "webm":
			args = append(args, "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8")
		default:
			preset := spec.Preset
			if preset == "" {
				preset = "ultrafast"
			}
			args = append(args, "-c:v", "libx264", "-preset", preset, "-pix_fmt", "yuv420p")
		}
		if spec.Bitrate != "" {
			args = append(args, "-b:v", spec.Bitrate)
		}
	}
	if !spec.NoAudio {
		switch spec.Container {
		case "webm":
			args = append(args, "-c:a", "libopus")
		default:
			args = append(args, "-c:a", "aac")
		}
	}
	if spec.AudioFirst {
		// Remux from MPEG-TS: the audio's priming samples start before
		// the video, and the MP4 keeps that offset.
		ts := path + ".tmp.ts"
		if err := run(append(args, "-f", "mpegts", ts)); err != nil {
			return err
		}
		defer os.Remove(ts)
		args = []string{"-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i", ts, "-c", "copy"}
	}
	if spec.Rotate == 0 {
		args = append(args, path)
		return run(args)
	}
	// ffmpeg 5.1 drops a rotate tag on re-encode, so write it on a copy.
	tmp := path + ".tmp." + spec.Container
	if err := run(append(args, tmp)); err != nil {
		return err
	}
	defer os.Remove(tmp)
	return run([]string{"-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i", tmp,
		"-c", "copy", "-metadata:s:v:0", "rotate=" + strconv.Itoa(spec.Rotate), path})
}

func run(args []string) error {
	out, err := exec.Command("ffmpeg", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ffmpeg %v: %v: %s", args, err, out)
	}
	return nil
}
