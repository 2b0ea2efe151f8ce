package bench

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/v100video/v100/internal/mediatest"
	"github.com/v100video/v100/thumbnail"
)

// BenchmarkThumbnail takes the frame at t=10 s of a 1080p source as a
// 320-wide JPEG:
//
//   - v100: thumbnail.Frame, which seeks in the container before decoding;
//   - ffmpeg-seek-before: the same with a bare ffmpeg command, so the
//     difference is the package's overhead;
//   - ffmpeg-seek-after: -ss after -i, the common recipe, which decodes
//     every frame up to t=10 s.
func BenchmarkThumbnail(b *testing.B) {
	src := mediatest.Clip(b, mediatest.Spec{Width: 1920, Height: 1080, Seconds: 12, NoAudio: true, Bitrate: "8M"})
	ctx := context.Background()
	b.Run("v100", func(b *testing.B) {
		for range b.N {
			img, err := thumbnail.Frame(ctx, src, 10*time.Second, &thumbnail.Options{Width: 320})
			if err != nil || len(img) == 0 {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/frame")
	})
	ffmpeg := func(b *testing.B, args ...string) {
		for range b.N {
			out, err := exec.Command("ffmpeg", append([]string{"-hide_banner", "-nostdin", "-loglevel", "error"}, args...)...).Output()
			if err != nil || len(out) == 0 {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/frame")
	}
	// The package's default JPEG quality (80) is mjpeg's -q:v 8.
	tail := []string{"-frames:v", "1", "-vf", "scale=320:-2", "-f", "image2pipe", "-c:v", "mjpeg", "-q:v", "8", "pipe:1"}
	b.Run("ffmpeg-seek-before", func(b *testing.B) {
		ffmpeg(b, append([]string{"-ss", "10", "-i", src}, tail...)...)
	})
	b.Run("ffmpeg-seek-after", func(b *testing.B) {
		ffmpeg(b, append([]string{"-i", src, "-ss", "10"}, tail...)...)
	})
}
