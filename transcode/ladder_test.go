package transcode

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func video(w, h int, fps float64, rot int) *Media {
	return &Media{Video: &VideoStream{Width: w, Height: h, FrameRate: fps, Rotation: rot, SAR: 1}, Audio: &AudioStream{Channels: 2}}
}

type size struct{ W, H int }

func sizes(l Ladder) []size {
	var s []size
	for _, r := range l.Rungs {
		s = append(s, size{r.Width, r.Height})
	}
	return s
}

func TestPlan(t *testing.T) {
	cases := []struct {
		name string
		src  *Media
		want []size
	}{
		{"1080p landscape", video(1920, 1080, 30, 0), []size{{1920, 1080}, {1280, 720}, {960, 540}, {640, 360}, {426, 240}}},
		{"4k is capped at 1080p", video(3840, 2160, 30, 0), []size{{1920, 1080}, {1280, 720}, {960, 540}, {640, 360}, {426, 240}}},
		{"720p never upscales", video(1280, 720, 30, 0), []size{{1280, 720}, {960, 540}, {640, 360}, {426, 240}}},
		{"portrait phone", video(1080, 1920, 30, 0), []size{{1080, 1920}, {720, 1280}, {540, 960}, {360, 640}, {240, 426}}},
		{"rotated landscape coding is portrait", video(1920, 1080, 30, 90), []size{{1080, 1920}, {720, 1280}, {540, 960}, {360, 640}, {240, 426}}},
		{"upside down stays landscape", video(1280, 720, 30, 180), []size{{1280, 720}, {960, 540}, {640, 360}, {426, 240}}},
		{"4:3 keeps its aspect", video(640, 480, 30, 0), []size{{640, 480}, {480, 360}, {320, 240}}},
		{"between steps keeps the source size on top", video(1600, 900, 30, 0), []size{{1600, 900}, {1280, 720}, {960, 540}, {640, 360}, {426, 240}}},
		{"just over a step does not add a rung", video(1320, 742, 30, 0), []size{{1280, 720}, {960, 540}, {640, 360}, {426, 240}}},
		{"tiny source gets one rung at its size", video(160, 120, 30, 0), []size{{160, 120}}},
		{"odd sizes become even, never larger", video(175, 99, 30, 0), []size{{174, 98}}},
		{"a pixel short of a step gets its own rung", video(1918, 1078, 30, 0), []size{{1918, 1078}, {1280, 720}, {960, 540}, {640, 360}, {426, 240}}},
		{"ultrawide", video(2560, 1080, 30, 0), []size{{2560, 1080}, {1706, 720}, {1280, 540}, {852, 360}, {568, 240}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := Plan(tc.src, nil)
			require.Equal(t, tc.want, sizes(l))
			for i, r := range l.Rungs {
				require.Zero(t, r.Width%2, "even width")
				require.Zero(t, r.Height%2, "even height")
				require.Positive(t, r.Bitrate)
				require.GreaterOrEqual(t, r.MaxRate, r.Bitrate)
				if i > 0 {
					require.Less(t, r.Bitrate, l.Rungs[i-1].Bitrate, "bit rates fall down the ladder")
				}
			}
		})
	}
}

func TestPlanAnamorphic(t *testing.T) {
	// DVD PAL widescreen: 720x576 coded with 64:45 pixels shows as 1024x576.
	src := &Media{Video: &VideoStream{Width: 720, Height: 576, SAR: 64.0 / 45, FrameRate: 25}}
	l := Plan(src, nil)
	require.Equal(t, []size{{960, 540}, {640, 360}, {426, 240}}, sizes(l), "576 is within 15% of 540: no extra rung")
}

func TestPlanFrameRates(t *testing.T) {
	l := Plan(video(1920, 1080, 60, 0), nil)
	got := map[string]float64{}
	for _, r := range l.Rungs {
		got[r.Name] = r.FrameRate
	}
	require.Equal(t, map[string]float64{"1080p": 60, "720p": 60, "540p": 30, "360p": 30, "240p": 30}, got)
	require.Equal(t, 9_000_000, l.Rungs[0].Bitrate, "60 fps rungs carry 1.5× the bits")

	l = Plan(video(1920, 1080, 120, 0), nil)
	require.Equal(t, 60.0, l.Rungs[0].FrameRate, "120 fps is halved to the cap")
	l = Plan(video(1280, 720, 29.97, 0), nil)
	require.InDelta(t, 29.97, l.Rungs[0].FrameRate, 0.001, "NTSC rates are kept")
}

func TestPlanAudio(t *testing.T) {
	silent := &Media{Video: &VideoStream{Width: 1280, Height: 720, FrameRate: 30}}
	require.Zero(t, Plan(silent, nil).AudioBitrate, "no audio rendition for a silent source")

	mono := video(1280, 720, 30, 0)
	mono.Audio.Channels = 1
	l := Plan(mono, nil)
	require.Equal(t, 64_000, l.AudioBitrate)
	require.Equal(t, 1, l.AudioChannels)

	surround := video(1280, 720, 30, 0)
	surround.Audio.Channels = 6
	require.Equal(t, 2, Plan(surround, nil).AudioChannels, "downmixed to stereo")

	audioOnly := &Media{Audio: &AudioStream{Channels: 2}}
	l = Plan(audioOnly, nil)
	require.Empty(t, l.Rungs)
	require.Equal(t, 128_000, l.AudioBitrate)
}

func TestLimits(t *testing.T) {
	lim := DefaultLimits()
	cases := []struct {
		name string
		m    *Media
		want error
	}{
		{"fine", &Media{Size: 1 << 20, Duration: 60e9, Video: &VideoStream{Width: 1920, Height: 1080, FrameRate: 30}}, nil},
		{"too big a file", &Media{Size: 21 << 30}, ErrSizeLimit},
		{"too long", &Media{Duration: 7 * 3600e9}, ErrDurationLimit},
		{"too wide", &Media{Video: &VideoStream{Width: 10000, Height: 100}}, ErrDimensionsLimit},
		{"too many pixels", &Media{Video: &VideoStream{Width: 7680, Height: 4320}}, ErrDimensionsLimit},
		{"too fast", &Media{Video: &VideoStream{Width: 640, Height: 360, FrameRate: 1000}}, ErrFrameRateLimit},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := lim.Check(tc.m)
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.want)
			var le *LimitError
			require.ErrorAs(t, err, &le)
			require.NotEmpty(t, le.Value)
			require.NotEmpty(t, le.Max)
		})
	}
}

func TestCodecStrings(t *testing.T) {
	init := []byte("\x00\x00\x00\x2favcC\x01\x64\x00\x1f\xff\xe1")
	got, err := avcFromInit(init)
	require.NoError(t, err)
	require.Equal(t, "avc1.64001f", got)
	_, err = avcFromInit([]byte("no box here"))
	require.Error(t, err)

	annexB := []byte{0, 0, 0, 1, 0x09, 0xf0, 0, 0, 0, 1, 0x67, 0x4d, 0x40, 0x1e, 0xaa}
	got, err = avcFromAnnexB(annexB)
	require.NoError(t, err)
	require.Equal(t, "avc1.4d401e", got)
	_, err = avcFromAnnexB([]byte{0, 0, 1, 0x65, 1, 2, 3, 4})
	require.Error(t, err)
}

func FuzzCodecStrings(f *testing.F) {
	f.Add([]byte("avcC\x01\x64\x00\x1f"))
	f.Add([]byte{0x47, 0x40, 0x00, 0x10, 0, 0, 1, 0x67, 0x64, 0, 0x28})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, fn := range []func([]byte) (string, error){avcFromInit, avcFromAnnexB} {
			s, err := fn(b)
			if err == nil && len(s) != len("avc1.64001f") {
				t.Fatalf("codec string %q", s)
			}
		}
	})
}

func TestLadderValidate(t *testing.T) {
	good := Plan(video(1280, 720, 30, 0), nil)
	require.NoError(t, good.Validate())
	cases := []struct {
		name   string
		mutate func(l *Ladder)
	}{
		{"nothing to encode", func(l *Ladder) { l.Rungs, l.AudioBitrate = nil, 0 }},
		{"name escapes the directory", func(l *Ladder) { l.Rungs[0].Name = "../../escaped" }},
		{"name with a space", func(l *Ladder) { l.Rungs[0].Name = "HD 720" }},
		{"name with a template", func(l *Ladder) { l.Rungs[0].Name = "%v" }},
		{"name of the audio rendition", func(l *Ladder) { l.Rungs[0].Name = "audio" }},
		{"empty name", func(l *Ladder) { l.Rungs[0].Name = "" }},
		{"duplicate name", func(l *Ladder) { l.Rungs[1].Name = l.Rungs[0].Name }},
		{"odd width", func(l *Ladder) { l.Rungs[0].Width = 1279 }},
		{"zero height", func(l *Ladder) { l.Rungs[0].Height = 0 }},
		{"no bit rate", func(l *Ladder) { l.Rungs[0].Bitrate = 0 }},
		{"no frame rate", func(l *Ladder) { l.Rungs[0].FrameRate = 0 }},
		{"surround audio", func(l *Ladder) { l.AudioChannels = 6 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := Plan(video(1280, 720, 30, 0), nil)
			tc.mutate(&l)
			require.ErrorIs(t, l.Validate(), ErrInvalidLadder)
		})
	}
}
