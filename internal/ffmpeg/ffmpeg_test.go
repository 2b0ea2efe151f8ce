package ffmpeg

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/v100video/v100/internal/mediatest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	mediatest.Cleanup()
	os.Exit(code)
}

func TestRunReportsProgress(t *testing.T) {
	clip := mediatest.Clip(t, mediatest.Spec{Seconds: 2})
	in, err := Input(clip, nil)
	require.NoError(t, err)
	var (
		mu      sync.Mutex
		reports []Progress
	)
	c := &Cmd{
		Args:     append(in, "-f", "null", "-"),
		Duration: 2 * time.Second,
		OnProgress: func(p Progress) {
			mu.Lock()
			reports = append(reports, p)
			mu.Unlock()
		},
	}
	require.NoError(t, c.Run(context.Background()))
	require.Positive(t, c.CPU)
	require.NotEmpty(t, reports)
	last := reports[len(reports)-1]
	require.True(t, last.Done, "the last report is the end")
	require.Equal(t, 100.0, last.Percent)
	require.EqualValues(t, 60, last.Frame, "2 s at 30 fps")
	for i := 1; i < len(reports); i++ {
		require.GreaterOrEqual(t, reports[i].Percent, reports[i-1].Percent, "progress never goes back")
	}
}

func TestRunErrorCarriesStderrTail(t *testing.T) {
	c := &Cmd{Args: []string{"-i", "file:" + filepath.Join(t.TempDir(), "missing.mp4"), "-f", "null", "-"}}
	err := c.Run(context.Background())
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, 1, e.ExitCode)
	require.Contains(t, e.Stderr, "No such file or directory")
	require.Contains(t, err.Error(), "No such file or directory", "the message names ffmpeg's reason")
}

func TestRunCancelStopsGracefully(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.mp4")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		once sync.Once
		done bool
	)
	c := &Cmd{
		// -re paces the input at real time, so the run lasts a minute
		// unless cancelled.
		Args: []string{"-re", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10:duration=60",
			"-c:v", "libx264", "-preset", "ultrafast", "-y", out},
		Duration: time.Minute,
		Grace:    time.Minute, // the graceful path, however loaded the machine
		OnProgress: func(p Progress) {
			done = done || p.Done || p.Percent == 100
			if p.Frame > 0 {
				once.Do(cancel)
			}
		},
	}
	err := c.Run(ctx)
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, done, "a cancelled run never reports Done or 100%")
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, 255, e.ExitCode, "ffmpeg exited on SIGINT, not killed")
	// A graceful stop writes the MP4 trailer, so the partial file is readable.
	res, err := Probe(context.Background(), out, nil)
	require.NoError(t, err)
	require.Less(t, ParseFloat(res.Format.Duration), 60.0)
}

func TestRunCancelKillsAfterGrace(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "stubborn")
	// A stand-in for an ffmpeg that ignores SIGINT.
	require.NoError(t, os.WriteFile(fake, []byte("#!/bin/sh\ntrap '' INT\nsleep 60\n"), 0o755))
	ctx, cancel := context.WithCancel(context.Background())
	c := &Cmd{Path: fake, Grace: 50 * time.Millisecond}
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	err := c.Run(ctx)
	require.ErrorIs(t, err, context.Canceled)
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, -1, e.ExitCode, "killed by a signal")
}

func TestRunCancelledBeforeStart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := &Cmd{Path: filepath.Join(t.TempDir(), "never-run")}
	require.ErrorIs(t, c.Run(ctx), context.Canceled)
}

func TestProbe(t *testing.T) {
	ctx := context.Background()
	t.Run("video and audio", func(t *testing.T) {
		res, err := Probe(ctx, mediatest.Clip(t, mediatest.Spec{Width: 640, Height: 360, Seconds: 1}), nil)
		require.NoError(t, err)
		require.Equal(t, "mov,mp4,m4a,3gp,3g2,mj2", res.Format.FormatName)
		require.Len(t, res.Streams, 2)
		v := res.Streams[0]
		require.Equal(t, "video", v.CodecType)
		require.Equal(t, 640, v.Width)
		require.Equal(t, 360, v.Height)
		require.Equal(t, 30.0, ParseRate(v.AvgFrameRate))
		require.Equal(t, 0, v.Rotation())
		require.InDelta(t, 1.0, ParseFloat(res.Format.Duration), 0.1)
	})
	t.Run("rotated", func(t *testing.T) {
		res, err := Probe(ctx, mediatest.Clip(t, mediatest.Spec{Seconds: 1, Rotate: 90, NoAudio: true}), nil)
		require.NoError(t, err)
		require.Contains(t, []int{90, 270}, res.Streams[0].Rotation())
	})
	t.Run("counted frames", func(t *testing.T) {
		res, err := Probe(ctx, mediatest.Clip(t, mediatest.Spec{Seconds: 1, NoAudio: true}), &ProbeOptions{CountFrames: true})
		require.NoError(t, err)
		require.Equal(t, "30", res.Streams[0].NbReadFrames)
	})
}

// TestHostileInputs holds files that must never be read as media, and the
// reason each is refused.
func TestHostileInputs(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret.mp4")
	require.NoError(t, os.WriteFile(secret, []byte("not for you"), 0o600))
	real := mediatest.Clip(t, mediatest.Spec{Seconds: 1})
	cases := []struct {
		name    string
		content string
		want    error
	}{
		{"empty", "", ErrEmpty},
		{"hls playlist", "#EXTM3U\n#EXTINF:1,\n" + real + "\n#EXT-X-ENDLIST\n", ErrPlaylist},
		{"hls playlist with bom and blank lines", "\xef\xbb\xbf\n\n#EXTM3U\n#EXTINF:1,\n" + real + "\n", ErrPlaylist},
		{"ffconcat", "ffconcat version 1.0\nfile '" + real + "'\n", ErrPlaylist},
		{"concat without header", "file '" + real + "'\n", ErrPlaylist},
		{"pls", "[playlist]\nFile1=" + real + "\n", ErrPlaylist},
		{"dash", "<?xml version=\"1.0\"?><MPD><BaseURL>file://" + secret + "</BaseURL></MPD>", ErrPlaylist},
		{"smil", "<smil><body><video src=\"" + real + "\"/></body></smil>", ErrPlaylist},
		{"text", "hello, I am a text file named .mp4\n", ErrNotMedia},
		{"truncated mp4", truncated(t, real), ErrNotMedia},
		{"binary noise", strings.Repeat("\x00\x01\xfe\xff", 1000), ErrNotMedia},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".mp4")
			require.NoError(t, os.WriteFile(p, []byte(tc.content), 0o600))
			_, err := Probe(context.Background(), p, nil)
			require.ErrorIs(t, err, tc.want)
		})
	}
}

// TestWhitelistBlocksReferencesWithoutSniff checks the second line of
// defence: with Sniff bypassed, ffmpeg and ffprobe themselves refuse a
// playlist and a concat list, for the whitelist's reason.
func TestWhitelistBlocksReferencesWithoutSniff(t *testing.T) {
	dir := t.TempDir()
	// Relative references: the concat demuxer's safe mode would refuse an
	// absolute path on its own, so only the whitelist stops these.
	require.NoError(t, os.Link(mediatest.Clip(t, mediatest.Spec{Seconds: 1, Container: "ts"}), filepath.Join(dir, "seg.ts")))
	for name, content := range map[string]string{
		"playlist": "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:1,\nseg.ts\n#EXT-X-ENDLIST\n",
		"concat":   "ffconcat version 1.0\nfile 'seg.ts'\n",
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, name+".m3u8")
			require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
			in, err := Input(p, nil)
			require.NoError(t, err)
			err = (&Cmd{Args: append(in, "-f", "null", "-")}).Run(context.Background())
			var e *Error
			require.ErrorAs(t, err, &e, "ffmpeg must not follow %s", name)
			require.Contains(t, e.Stderr, "not on whitelist")

			_, err = probe(context.Background(), p, &ProbeOptions{})
			require.ErrorIs(t, err, ErrUnsupported, "ffprobe must not follow %s", name)
		})
	}
	t.Run("protocol prefix in the name is a file name", func(t *testing.T) {
		in, err := Input("concat:a.mp4|b.mp4", nil)
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(in[len(in)-1], "file:/"), "got %q", in[len(in)-1])
	})
}

func TestProbeUnsupportedContainer(t *testing.T) {
	p := filepath.Join(t.TempDir(), "raw.y4m")
	require.NoError(t, (&Cmd{Args: []string{"-f", "lavfi", "-i", "testsrc2=size=64x48:duration=0.2", "-f", "yuv4mpegpipe", p}}).Run(context.Background()))
	_, err := Probe(context.Background(), p, nil)
	require.ErrorIs(t, err, ErrUnsupported)
	require.ErrorContains(t, err, "yuv4mpegpipe")
	require.NotContains(t, err.Error(), filepath.Dir(p), "no server path in the message")
}

func TestRunInDir(t *testing.T) {
	// A directory name ffmpeg's hls muxer would read as a template.
	dir := filepath.Join(t.TempDir(), "50%v off: %d")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	c := &Cmd{Dir: dir, Args: []string{"-f", "lavfi", "-i", "testsrc2=size=64x48:duration=0.5", "-f", "hls", "-hls_time", "1",
		"-hls_segment_filename", "seg%d.ts", "out.m3u8"}}
	require.NoError(t, c.Run(context.Background()))
	require.FileExists(t, filepath.Join(dir, "out.m3u8"))
	require.FileExists(t, filepath.Join(dir, "seg0.ts"), "relative output paths are taken in Dir")
}

func truncated(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b[:len(b)/3])
}

func TestTailKeepsLastBytesFromALineStart(t *testing.T) {
	tl := NewTail(16)
	_, _ = tl.Write([]byte("first line\nsecond line\nthird\n"))
	require.Equal(t, "third\n", tl.String())
	short := NewTail(100)
	_, _ = short.Write([]byte("a\nb\n"))
	require.Equal(t, "a\nb\n", short.String())
}

func TestErrorMessage(t *testing.T) {
	e := &Error{Prog: "ffmpeg", ExitCode: 1, Stderr: "x\nInvalid data found\n\n"}
	require.Equal(t, "ffmpeg: exit status 1: Invalid data found", e.Error())
	generic := &Error{Prog: "ffmpeg", ExitCode: 1, Stderr: "x\nProtocol not found\nError initializing output stream 0:0 -- \n"}
	require.Equal(t, "ffmpeg: exit status 1: Protocol not found / Error initializing output stream 0:0 --", generic.Error(),
		"the line that explains comes with ffmpeg's generic closing line")
	wrapped := &Error{Prog: "ffmpeg", Err: context.Canceled}
	require.True(t, errors.Is(wrapped, context.Canceled))
}

// TestErrorMessageHidesAddresses: the context ffmpeg's log names ("[mjpeg
// @ 0x559d5e0a8c40]") keeps its name and loses its address, which changes
// from run to run and tells a caller nothing.
func TestErrorMessageHidesAddresses(t *testing.T) {
	e := &Error{Prog: "ffmpeg", ExitCode: 1, Stderr: "[mjpeg @ 0x559d5e0a8c40] bad marker\n" +
		"[mov,mp4,m4a,3gp,3g2,mj2 @ 0x5604a1b2c3d0] moov atom not found\nConversion failed!\n"}
	require.Equal(t, "ffmpeg: exit status 1: [mov,mp4,m4a,3gp,3g2,mj2] moov atom not found / Conversion failed!", e.Error())
	e = &Error{Prog: "ffmpeg", ExitCode: 1, Stderr: "[AVFilterGraph @ 0x55d1] No such filter: 'x'\n"}
	require.Equal(t, "ffmpeg: exit status 1: [AVFilterGraph] No such filter: 'x'", e.Error())
	e = &Error{Prog: "ffmpeg", ExitCode: 1, Stderr: "file name [a @ 0xzz] kept\n"}
	require.Equal(t, "ffmpeg: exit status 1: file name [a @ 0xzz] kept", e.Error(), "only hexadecimal addresses")
}

func TestParseRate(t *testing.T) {
	for in, want := range map[string]float64{
		"30/1": 30, "30000/1001": 30000.0 / 1001, "25": 25, "0/0": 0, "1/0": 0, "-1/2": 0, "": 0, "x/y": 0,
	} {
		require.Equal(t, want, ParseRate(in), in)
	}
}

func FuzzSniff(f *testing.F) {
	for _, s := range []string{"#EXTM3U\n", "ffconcat version 1.0", "\x00\x00\x00\x20ftypisom", "", "\xef\xbb\xbf<?xml"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		err := sniff(b)
		if err != nil && !errors.Is(err, ErrPlaylist) {
			t.Fatalf("unexpected error %v", err)
		}
		if len(b) > 0 && b[0] == 0 && err != nil {
			t.Fatalf("binary input %q refused", b)
		}
	})
}

func FuzzProgress(f *testing.F) {
	f.Add("frame=10\nfps=30.0\nout_time_us=333333\nspeed=2.5x\nprogress=continue\n", int64(time.Second))
	f.Add("out_time_us=-5\nprogress=end\n", int64(0))
	f.Fuzz(func(t *testing.T, s string, total int64) {
		readProgress(strings.NewReader(s), time.Duration(total), func(p Progress) {
			if p.Percent < 0 || p.Percent > 100 {
				t.Fatalf("percent %v out of range", p.Percent)
			}
			if p.ETA < 0 {
				t.Fatalf("negative ETA %v", p.ETA)
			}
		})
	})
}

func TestPacketEnd(t *testing.T) {
	var p PacketEnd
	_, _ = p.Write([]byte("#software: Lavf59\n#tb 0: 1/1000\n#media_type 0: video\n0,   0,  33, 33, 100, 0x1\n0, 33, "))
	_, _ = p.Write([]byte("1967, 33, 100, 0x2\n1, 0, 5000, 20, 10, 0x3\n" + strings.Repeat("9", 300) + "\n0, 0, 100, 33, 1, 0x4\n"))
	require.Equal(t, 2*time.Second, p.End(), "the largest pts+duration of stream 0, across writes; other streams and over-long lines ignored")

	var none PacketEnd
	_, _ = none.Write([]byte("0, 0, 100, 33, 1, 0x4\n"))
	require.Zero(t, none.End(), "no time base, no end")
}

func TestMeasureReadsTheRealEnd(t *testing.T) {
	clip := mediatest.Clip(t, mediatest.Spec{Seconds: 2, NoAudio: true})
	in, err := Input(clip, nil)
	require.NoError(t, err)
	var end PacketEnd
	require.NoError(t, (&Cmd{Args: append(in, MeasureArgs("0:V:0")...), Stdout: &end}).Run(context.Background()))
	require.Equal(t, 2*time.Second, end.End(), "60 frames at 30 fps")
}
