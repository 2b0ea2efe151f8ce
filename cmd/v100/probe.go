package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/v100video/v100/transcode"
)

func runProbe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("probe", "<input> [-json]", stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := exactly("probe", pos, 1, "one input file"); err != nil {
		return err
	}
	m, err := transcode.Probe(ctx, pos[0], nil)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(m)
	}
	fmt.Fprintf(stdout, "container  %s\nduration   %s\nsize       %d bytes\nbit rate   %d kb/s\n",
		m.Container, m.Duration.Round(time.Millisecond), m.Size, m.BitRate/1000)
	if v := m.Video; v != nil {
		w, h := v.DisplaySize()
		fmt.Fprintf(stdout, "video      %s %s %s, %dx%d coded, %dx%d shown, rotation %d, %.3f fps, %d kb/s\n",
			v.Codec, v.Profile, v.PixFmt, v.Width, v.Height, w, h, v.Rotation, v.FrameRate, v.BitRate/1000)
	} else {
		fmt.Fprintln(stdout, "video      none")
	}
	if a := m.Audio; a != nil {
		fmt.Fprintf(stdout, "audio      %s %d Hz %d channels (%s), %d kb/s\n", a.Codec, a.SampleRate, a.Channels, a.Layout, a.BitRate/1000)
	} else {
		fmt.Fprintln(stdout, "audio      none")
	}
	return nil
}
