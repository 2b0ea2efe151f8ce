package bench

import (
	"context"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/v100video/v100/internal/mediatest"
	"github.com/v100video/v100/transcode"
)

// BenchmarkLadder encodes the default ladder (1080p to 240p, five rungs, and
// AAC audio) of a 6 s 1080p source three ways, with identical encoder
// settings:
//
//   - v100: transcode.Transcode, one ffmpeg process that decodes once and
//     encodes every rung;
//   - process-per-rung: one transcode.Transcode per rung, all started at
//     once as a shell script would, each decoding the source itself (audio
//     encoded by the first);
//   - ffmpeg-direct: the exact command v100 ran, run directly, so the
//     difference is the orchestration's overhead (probe, progress pipe,
//     playlist measuring and master writing).
//
// Metrics: cpu-s/op is the user+system CPU time of the ffmpeg processes,
// wall-s/op the elapsed time.
func BenchmarkLadder(b *testing.B) {
	// A High-profile source, as cameras and editors write, so that the
	// decodes one process saves are priced fairly.
	src := mediatest.Clip(b, mediatest.Spec{Width: 1920, Height: 1080, Seconds: 6, Bitrate: "8M", Preset: "veryfast"})
	ctx := context.Background()
	media, err := transcode.Probe(ctx, src, nil)
	if err != nil {
		b.Fatal(err)
	}
	ladder := transcode.Plan(media, nil)
	opts := func() *transcode.Options { return &transcode.Options{Media: media} }
	var command []string

	b.Run("v100", func(b *testing.B) {
		var cpu time.Duration
		start := time.Now()
		for range b.N {
			res, err := transcode.Transcode(ctx, src, filepath.Join(b.TempDir(), "out"), ladder, opts())
			if err != nil {
				b.Fatal(err)
			}
			cpu += res.CPU
			command = res.Command
		}
		report(b, cpu, time.Since(start))
	})

	b.Run("process-per-rung", func(b *testing.B) {
		var cpu time.Duration
		start := time.Now()
		for range b.N {
			var (
				wg   sync.WaitGroup
				mu   sync.Mutex
				errs []error
			)
			for i, r := range ladder.Rungs {
				one := transcode.Ladder{Rungs: []transcode.Rung{r}}
				if i == 0 {
					one.AudioBitrate, one.AudioChannels = ladder.AudioBitrate, ladder.AudioChannels
				}
				out := filepath.Join(b.TempDir(), r.Name)
				wg.Add(1)
				go func() {
					defer wg.Done()
					res, err := transcode.Transcode(ctx, src, out, one, opts())
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						errs = append(errs, err)
						return
					}
					cpu += res.CPU
				}()
			}
			wg.Wait()
			if len(errs) > 0 {
				b.Fatal(errs[0])
			}
		}
		report(b, cpu, time.Since(start))
	})

	b.Run("ffmpeg-direct", func(b *testing.B) {
		if command == nil {
			b.Skip("needs the v100 run's command")
		}
		// Without the progress pipe, which only an orchestrator reads.
		var direct []string
		for i := 0; i < len(command); i++ {
			if command[i] == "-progress" || command[i] == "-stats_period" {
				i++
				continue
			}
			direct = append(direct, command[i])
		}
		var cpu time.Duration
		start := time.Now()
		for range b.N {
			// The command's output paths are relative to the directory
			// it runs in, as Transcode runs it.
			b.StopTimer()
			dir := b.TempDir()
			b.StartTimer()
			cmd := exec.Command(direct[0], direct[1:]...)
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("%v: %s", err, out)
			}
			cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		}
		report(b, cpu, time.Since(start))
	})
}

func report(b *testing.B, cpu, wall time.Duration) {
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(wall.Seconds()/float64(b.N), "wall-s/op")
}
