package transcode

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// args builds the one ffmpeg command that encodes the whole ladder: decode
// once, split the picture, scale each copy, encode every rung with libx264 and
// the audio once with AAC, and segment all of them with the hls muxer. in is
// the input arguments from ffmpeg.Input. Output paths are relative: ffmpeg
// runs in the directory the renditions go to, so that its name never meets
// the hls muxer's %v and %d templates.
//
// Keyframes are forced at every segment boundary (and scene-cut keyframes are
// off) in every rung, so a player can switch rungs at any segment.
func args(in []string, src *Media, l Ladder, o *Options, maxDuration time.Duration) []string {
	seg := o.segment().Seconds()
	a := append([]string(nil), in...)
	if maxDuration > 0 {
		// Enforced by ffmpeg too, in case the container's duration lies.
		a = append(a, "-t", strconv.FormatFloat(maxDuration.Seconds(), 'f', 3, 64))
	}

	n := len(l.Rungs)
	var streamMap []string
	if n > 0 {
		var g strings.Builder
		fmt.Fprintf(&g, "[0:%d]", src.Video.Index)
		if n > 1 {
			fmt.Fprintf(&g, "split=%d", n)
			for i := range n {
				fmt.Fprintf(&g, "[s%d]", i)
			}
		} else {
			g.WriteString("null[s0]")
		}
		for i, r := range l.Rungs {
			// The fps filter always runs: it drops frames for a lower
			// rung rate and makes variable-rate sources constant, so
			// that the keyframe interval below is exact.
			fmt.Fprintf(&g, ";[s%d]fps=%s,", i, rate(r.FrameRate))
			fmt.Fprintf(&g, "scale=w=%d:h=%d:flags=bicubic,setsar=1,format=yuv420p[v%d]", r.Width, r.Height, i)
		}
		a = append(a, "-filter_complex", g.String())
		for i := range l.Rungs {
			a = append(a, "-map", fmt.Sprintf("[v%d]", i))
		}
		a = append(a,
			"-c:v", "libx264", "-preset", o.preset(), "-profile:v", "high",
			"-sc_threshold", "0",
			"-force_key_frames", "expr:gte(t,n_forced*"+strconv.FormatFloat(seg, 'f', -1, 64)+")",
		)
		for i, r := range l.Rungs {
			gop := max(1, int(math.Round(r.FrameRate*seg)))
			v := strconv.Itoa(i)
			a = append(a,
				"-b:v:"+v, strconv.Itoa(r.Bitrate),
				"-g:v:"+v, strconv.Itoa(gop),
				"-keyint_min:v:"+v, strconv.Itoa(gop),
			)
			if r.MaxRate > 0 {
				buf := r.BufSize
				if buf <= 0 {
					buf = 2 * r.MaxRate
				}
				a = append(a, "-maxrate:v:"+v, strconv.Itoa(r.MaxRate), "-bufsize:v:"+v, strconv.Itoa(buf))
			}
			streamMap = append(streamMap, fmt.Sprintf("v:%d,agroup:audio,name:%s", i, r.Name))
		}
	}
	if l.AudioBitrate > 0 {
		a = append(a, "-map", fmt.Sprintf("0:%d", src.Audio.Index),
			"-c:a", "aac", "-b:a", strconv.Itoa(l.AudioBitrate), "-ac", strconv.Itoa(l.AudioChannels), "-ar", "48000")
		if n > 0 {
			streamMap = append(streamMap, "a:0,agroup:audio,name:audio")
		} else {
			streamMap = append(streamMap, "a:0,name:audio")
		}
	}
	segName := "seg_%05d.m4s"
	segType := "fmp4"
	if o.Format == TS {
		segName, segType = "seg_%05d.ts", "mpegts"
	}
	a = append(a,
		"-f", "hls",
		"-hls_time", strconv.FormatFloat(seg, 'f', -1, 64),
		"-hls_playlist_type", "vod",
		"-hls_segment_type", segType,
		"-hls_flags", "independent_segments",
		"-hls_segment_filename", "%v/"+segName,
		"-var_stream_map", strings.Join(streamMap, " "),
	)
	if segType == "fmp4" {
		a = append(a, "-hls_fmp4_init_filename", "init.mp4")
	}
	return append(a, "%v/index.m3u8")
}

// rate formats a frame rate for ffmpeg, as a fraction for the NTSC rates.
func rate(fps float64) string {
	for _, base := range []float64{24, 30, 60, 120} {
		if math.Abs(fps-base*1000/1001) < 0.01 {
			return strconv.Itoa(int(base*1000)) + "/1001"
		}
	}
	return strconv.FormatFloat(fps, 'f', -1, 64)
}
