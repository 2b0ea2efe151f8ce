package ffmpeg

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// ProbeResult is the part of ffprobe's JSON output the media packages use.
type ProbeResult struct {
	Format  ProbeFormat   `json:"format"`
	Streams []ProbeStream `json:"streams"`
}

// ProbeFormat is ffprobe's "format" object.
type ProbeFormat struct {
	FormatName string `json:"format_name"`
	Duration   string `json:"duration"`
	Size       string `json:"size"`
	BitRate    string `json:"bit_rate"`
	NbStreams  int    `json:"nb_streams"`
}

// ProbeStream is one of ffprobe's "streams".
type ProbeStream struct {
	Index         int               `json:"index"`
	CodecType     string            `json:"codec_type"` // video, audio, subtitle, data
	CodecName     string            `json:"codec_name"`
	Profile       string            `json:"profile"`
	Level         int               `json:"level"`
	PixFmt        string            `json:"pix_fmt"`
	Width         int               `json:"width"`
	Height        int               `json:"height"`
	SampleAspect  string            `json:"sample_aspect_ratio"`
	RFrameRate    string            `json:"r_frame_rate"`
	AvgFrameRate  string            `json:"avg_frame_rate"`
	BitRate       string            `json:"bit_rate"`
	Duration      string            `json:"duration"`
	NbFrames      string            `json:"nb_frames"`
	NbReadFrames  string            `json:"nb_read_frames"`
	SampleRate    string            `json:"sample_rate"`
	Channels      int               `json:"channels"`
	ChannelLayout string            `json:"channel_layout"`
	Tags          map[string]string `json:"tags"`
	Disposition   map[string]int    `json:"disposition"`
	SideDataList  []struct {
		SideDataType string  `json:"side_data_type"`
		Rotation     float64 `json:"rotation"`
	} `json:"side_data_list"`
}

// Rotation is the stream's display rotation in degrees, normalised to
// 0, 90, 180 or 270 (from the display matrix, or the legacy rotate tag).
func (s *ProbeStream) Rotation() int {
	r := 0.0
	found := false
	for _, sd := range s.SideDataList {
		if sd.SideDataType == "" || strings.Contains(sd.SideDataType, "Display Matrix") {
			r, found = sd.Rotation, true
			break
		}
	}
	if !found {
		if v, err := strconv.ParseFloat(s.Tags["rotate"], 64); err == nil {
			r = v
		}
	}
	d := int(r) % 360
	if d < 0 {
		d += 360
	}
	return (d + 45) / 90 * 90 % 360
}

// ProbeOptions configure [Probe].
type ProbeOptions struct {
	// Path is the ffprobe executable; if empty, "ffprobe" from PATH.
	Path string
	// Input widens what ffprobe may open; see [Input].
	Input *InputOptions
	// CountFrames decodes the whole input to count frames (slow; for tests
	// and checks): ProbeStream.NbReadFrames is then set.
	CountFrames bool
}

// Probe runs ffprobe on path with the same input restrictions as [Input].
// A file that is empty, a playlist, or has no audio or video stream gives
// ErrEmpty, ErrPlaylist or ErrNotMedia (wrapped with the reason ffprobe gave).
func Probe(ctx context.Context, path string, opts *ProbeOptions) (*ProbeResult, error) {
	if opts == nil {
		opts = &ProbeOptions{}
	}
	if opts.Input == nil || !opts.Input.Playlist {
		if err := Sniff(path); err != nil {
			return nil, err
		}
	}
	return probe(ctx, path, opts)
}

// probe is Probe without the Sniff check, so tests can show that the
// whitelist alone stops what Sniff would.
func probe(ctx context.Context, path string, opts *ProbeOptions) (*ProbeResult, error) {
	in, err := Input(path, opts.Input)
	if err != nil {
		return nil, err
	}
	args := []string{"-hide_banner", "-v", "error", "-of", "json", "-show_format", "-show_streams"}
	if opts.CountFrames {
		args = append(args, "-count_frames")
	}
	args = append(args, in...)
	bin := opts.Path
	if bin == "" {
		bin = "ffprobe"
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout bytes.Buffer
	stderr := NewTail(DefaultStderrTail)
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	err = StartChild(cmd)
	if err == nil {
		err = cmd.Wait()
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			// ffprobe exits 1 for anything it cannot open as media. Its
			// message names the file by its absolute path, which is the
			// server's business: name it as the caller did.
			msg := strings.ReplaceAll(stderr.String(), in[len(in)-1], filepath.Base(path))
			if i := strings.Index(msg, "Format not on whitelist"); i >= 0 {
				if j := strings.Index(msg, "["); j >= 0 && j < i {
					if k := strings.Index(msg[j:], " @"); k > 0 {
						return nil, fmt.Errorf("%w: %s", ErrUnsupported, msg[j+1:j+k])
					}
				}
				return nil, ErrUnsupported
			}
			return nil, fmt.Errorf("%w: %s", ErrNotMedia, lastLine(msg))
		}
		return nil, &Error{Prog: "ffprobe", Args: args, ExitCode: -1, Stderr: stderr.String(), Err: err}
	}
	var res ProbeResult
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		return nil, fmt.Errorf("ffmpeg: decoding ffprobe output: %w", err)
	}
	for _, s := range res.Streams {
		if s.CodecType == "video" || s.CodecType == "audio" {
			return &res, nil
		}
	}
	return nil, fmt.Errorf("%w: no audio or video stream", ErrNotMedia)
}

// ParseRate parses an ffprobe rational such as "30000/1001" or "25"; it
// returns 0 for "0/0" and anything malformed.
func ParseRate(s string) float64 {
	num, den, ok := strings.Cut(s, "/")
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || n < 0 {
		return 0
	}
	if !ok {
		return n
	}
	d, err := strconv.ParseFloat(den, 64)
	if err != nil || d <= 0 {
		return 0
	}
	return n / d
}

// ParseFloat parses an ffprobe decimal field such as "12.345000" or
// "N/A"; it returns 0 for anything that is not a finite non-negative number.
func ParseFloat(s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 || v != v || v > 1e15 {
		return 0
	}
	return v
}
