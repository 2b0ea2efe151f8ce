package thumbnail_test

import (
	"context"
	"io/fs"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/internal/mediatest"
	"github.com/v100video/v100/thumbnail"
)

// TestHostile holds inputs and arguments every function must refuse, each
// with the error it must give, before or instead of producing an image.
func TestHostile(t *testing.T) {
	t.Parallel()
	clip := mediatest.Clip(t, mediatest.Spec{})
	secret := writeFile(t, "secret.mp4", "not for you")
	inputs := map[string]string{
		"clip":     clip,
		"missing":  filepath.Join(t.TempDir(), "missing.mp4"),
		"empty":    writeFile(t, "empty.mp4", ""),
		"text":     writeFile(t, "notes.mp4", "hello, I am a text file named .mp4\n"),
		"noise":    writeFile(t, "noise.mp4", strings.Repeat("\x00\x01\xfe\xff", 1000)),
		"playlist": writeFile(t, "upload.mp4", "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:1,\n"+secret+"\n#EXT-X-ENDLIST\n"),
		"concat":   writeFile(t, "list.mp4", "ffconcat version 1.0\nfile '"+clip+"'\n"),
		"audio":    mediatest.Clip(t, mediatest.Spec{NoVideo: true, Seconds: 1}),
	}
	frame := func(at time.Duration, o thumbnail.Options) func(string) error {
		return func(in string) error { _, err := thumbnail.Frame(context.Background(), in, at, &o); return err }
	}
	poster := func(o thumbnail.Options) func(string) error {
		return func(in string) error { _, err := thumbnail.ChoosePoster(context.Background(), in, &o); return err }
	}
	storyboard := func(o thumbnail.StoryboardOptions) func(string) error {
		return func(in string) error {
			_, err := thumbnail.WriteStoryboard(context.Background(), in, t.TempDir(), &o)
			return err
		}
	}
	animated := func(start, d time.Duration, o thumbnail.AnimatedOptions) func(string) error {
		return func(in string) error {
			_, err := thumbnail.Animated(context.Background(), in, start, d, &o)
			return err
		}
	}
	cases := []struct {
		name  string
		input string
		call  func(string) error
		want  error
	}{
		// Inputs, through every function.
		{"frame: missing file", "missing", frame(0, thumbnail.Options{}), fs.ErrNotExist},
		{"frame: empty file", "empty", frame(0, thumbnail.Options{}), thumbnail.ErrEmpty},
		{"frame: text file", "text", frame(0, thumbnail.Options{}), thumbnail.ErrNotMedia},
		{"frame: binary noise", "noise", frame(0, thumbnail.Options{}), thumbnail.ErrNotMedia},
		{"frame: playlist upload", "playlist", frame(0, thumbnail.Options{}), thumbnail.ErrPlaylist},
		{"frame: concat list", "concat", frame(0, thumbnail.Options{}), thumbnail.ErrPlaylist},
		{"frame: concat list with Playlist", "concat", frame(0, thumbnail.Options{Playlist: true}), thumbnail.ErrUnsupported},
		{"frame: audio only", "audio", frame(0, thumbnail.Options{}), thumbnail.ErrNoVideo},
		{"poster: missing file", "missing", poster(thumbnail.Options{}), fs.ErrNotExist},
		{"poster: text file", "text", poster(thumbnail.Options{}), thumbnail.ErrNotMedia},
		{"poster: playlist upload", "playlist", poster(thumbnail.Options{}), thumbnail.ErrPlaylist},
		{"poster: audio only", "audio", poster(thumbnail.Options{}), thumbnail.ErrNoVideo},
		{"storyboard: empty file", "empty", storyboard(thumbnail.StoryboardOptions{}), thumbnail.ErrEmpty},
		{"storyboard: text file", "text", storyboard(thumbnail.StoryboardOptions{}), thumbnail.ErrNotMedia},
		{"storyboard: playlist upload", "playlist", storyboard(thumbnail.StoryboardOptions{}), thumbnail.ErrPlaylist},
		{"storyboard: audio only", "audio", storyboard(thumbnail.StoryboardOptions{}), thumbnail.ErrNoVideo},
		{"animated: missing file", "missing", animated(0, time.Second, thumbnail.AnimatedOptions{}), fs.ErrNotExist},
		{"animated: text file", "text", animated(0, time.Second, thumbnail.AnimatedOptions{}), thumbnail.ErrNotMedia},
		{"animated: playlist upload", "playlist", animated(0, time.Second, thumbnail.AnimatedOptions{}), thumbnail.ErrPlaylist},
		{"animated: audio only", "audio", animated(0, time.Second, thumbnail.AnimatedOptions{}), thumbnail.ErrNoVideo},

		// Arguments, on a good clip.
		{"negative time", "clip", frame(-time.Millisecond, thumbnail.Options{}), thumbnail.ErrInvalid},
		{"huge time", "clip", frame(time.Duration(math.MaxInt64), thumbnail.Options{}), thumbnail.ErrPastEnd},
		{"negative width", "clip", frame(0, thumbnail.Options{Width: -2}), thumbnail.ErrInvalid},
		{"huge width", "clip", frame(0, thumbnail.Options{Width: 1 << 40}), thumbnail.ErrInvalid},
		{"width over the limit", "clip", frame(0, thumbnail.Options{Width: thumbnail.MaxSide + 2}), thumbnail.ErrInvalid},
		{"height over the limit", "clip", frame(0, thumbnail.Options{Height: math.MaxInt}), thumbnail.ErrInvalid},
		{"tiny width", "clip", frame(0, thumbnail.Options{Width: 2}), thumbnail.ErrInvalid},
		{"odd width", "clip", frame(0, thumbnail.Options{Width: 321}), thumbnail.ErrInvalid},
		{"unknown fit", "clip", frame(0, thumbnail.Options{Width: 64, Height: 64, Fit: 7}), thumbnail.ErrInvalid},
		{"gif still", "clip", frame(0, thumbnail.Options{Format: thumbnail.GIF}), thumbnail.ErrInvalid},
		{"quality over 100", "clip", frame(0, thumbnail.Options{Quality: 101}), thumbnail.ErrInvalid},
		{"poster: odd height", "clip", poster(thumbnail.Options{Height: 33}), thumbnail.ErrInvalid},
		{"negative interval", "clip", storyboard(thumbnail.StoryboardOptions{Interval: -time.Second}), thumbnail.ErrInvalid},
		{"interval below the minimum", "clip", storyboard(thumbnail.StoryboardOptions{Interval: time.Millisecond}), thumbnail.ErrInvalid},
		{"interval of a nanosecond", "clip", storyboard(thumbnail.StoryboardOptions{Interval: 1}), thumbnail.ErrInvalid},
		{"too many columns", "clip", storyboard(thumbnail.StoryboardOptions{Columns: thumbnail.MaxGrid + 1}), thumbnail.ErrInvalid},
		{"negative rows", "clip", storyboard(thumbnail.StoryboardOptions{Rows: -1}), thumbnail.ErrInvalid},
		{"huge tiles", "clip", storyboard(thumbnail.StoryboardOptions{TileWidth: 1 << 30}), thumbnail.ErrInvalid},
		{"sheet too wide", "clip", storyboard(thumbnail.StoryboardOptions{Columns: 20, TileWidth: 640}), thumbnail.ErrInvalid},
		{"prefix with a newline", "clip", storyboard(thumbnail.StoryboardOptions{URLPrefix: "x\n\n00:00:00.000 --> 99:00:00.000\nevil"}), thumbnail.ErrInvalid},
		{"prefix with an arrow", "clip", storyboard(thumbnail.StoryboardOptions{URLPrefix: "a-->b/"}), thumbnail.ErrInvalid},
		{"gif sheets", "clip", storyboard(thumbnail.StoryboardOptions{Format: thumbnail.GIF}), thumbnail.ErrInvalid},
		{"animated: zero duration", "clip", animated(0, 0, thumbnail.AnimatedOptions{}), thumbnail.ErrInvalid},
		{"animated: too long", "clip", animated(0, thumbnail.MaxAnimatedDuration+time.Millisecond, thumbnail.AnimatedOptions{}), thumbnail.ErrInvalid},
		{"animated: negative start", "clip", animated(-time.Second, time.Second, thumbnail.AnimatedOptions{}), thumbnail.ErrInvalid},
		{"animated: NaN fps", "clip", animated(0, time.Second, thumbnail.AnimatedOptions{FPS: math.NaN()}), thumbnail.ErrInvalid},
		{"animated: infinite fps", "clip", animated(0, time.Second, thumbnail.AnimatedOptions{FPS: math.Inf(1)}), thumbnail.ErrInvalid},
		{"animated: negative fps", "clip", animated(0, time.Second, thumbnail.AnimatedOptions{FPS: -1}), thumbnail.ErrInvalid},
		{"animated: too large", "clip", animated(0, time.Second, thumbnail.AnimatedOptions{Width: thumbnail.MaxAnimatedSide + 2}), thumbnail.ErrInvalid},
		{"animated: jpeg", "clip", animated(0, time.Second, thumbnail.AnimatedOptions{Format: thumbnail.JPEG}), thumbnail.ErrInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call(inputs[tc.input])
			require.ErrorIs(t, err, tc.want)
			require.True(t, strings.HasPrefix(err.Error(), "thumbnail: "), "a clear, prefixed message: %q", err)
			require.NotRegexp(t, `@ 0x[0-9a-f]+`, err.Error(), "no addresses from ffmpeg's log")
		})
	}
}

// TestTooManyTiles: a storyboard of more than MaxTiles tiles is refused
// before ffmpeg runs (1,001 s at one tile every 100 ms).
func TestTooManyTiles(t *testing.T) {
	t.Parallel()
	long := mediatest.Clip(t, mediatest.Spec{Width: 16, Height: 16, FPS: 1, Seconds: 1001, NoAudio: true})
	_, err := thumbnail.WriteStoryboard(context.Background(), long, t.TempDir(),
		&thumbnail.StoryboardOptions{Interval: thumbnail.MinInterval})
	require.ErrorIs(t, err, thumbnail.ErrInvalid)
	require.ErrorContains(t, err, "10010 tiles")
}
