package transcode

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"

	"github.com/v100video/v100/hls"
)

// MasterName is the master playlist's file name in the output directory.
const MasterName = "master.m3u8"

// writeMaster reads the media playlists ffmpeg wrote in dir, measures each
// rendition's bandwidth from its segment files, finds the codec strings, and
// writes the master playlist.
func writeMaster(dir string, l Ladder, f Format) (*Result, error) {
	res := &Result{Master: MasterName}
	m := &hls.MasterPlaylist{IndependentSegments: true}
	if l.AudioBitrate > 0 {
		a, err := measure(dir, "audio", f, false)
		if err != nil {
			return nil, err
		}
		a.Codecs = aacLC
		res.Audio = a
		if len(l.Rungs) > 0 {
			m.Media = append(m.Media, hls.Rendition{
				Type: hls.Audio, GroupID: "audio", Name: "Audio", Default: true, Autoselect: true,
				URI: a.Playlist, Channels: strconv.Itoa(l.AudioChannels),
			})
		}
	}
	for _, r := range l.Rungs {
		v, err := measure(dir, r.Name, f, true)
		if err != nil {
			return nil, err
		}
		v.Width, v.Height, v.FrameRate = r.Width, r.Height, r.FrameRate
		res.Renditions = append(res.Renditions, *v)
		variant := hls.Variant{
			URI: v.Playlist, Bandwidth: v.Bandwidth, AverageBandwidth: v.AverageBandwidth,
			Codecs: []string{v.Codecs}, Width: v.Width, Height: v.Height, FrameRate: v.FrameRate,
		}
		if a := res.Audio; a != nil {
			// The variant plays the audio rendition alongside, so its
			// bandwidth is the sum of both.
			variant.Bandwidth += a.Bandwidth
			variant.AverageBandwidth += a.AverageBandwidth
			variant.Codecs = append(variant.Codecs, a.Codecs)
			variant.Audio = "audio"
		}
		m.Variants = append(m.Variants, variant)
	}
	if len(l.Rungs) == 0 && res.Audio != nil {
		a := res.Audio
		m.Variants = append(m.Variants, hls.Variant{
			URI: a.Playlist, Bandwidth: a.Bandwidth, AverageBandwidth: a.AverageBandwidth,
			Codecs: []string{a.Codecs},
		})
	}
	b, err := m.Encode()
	if err != nil {
		return nil, fmt.Errorf("transcode: master playlist: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, MasterName), b, 0o644); err != nil {
		return nil, fmt.Errorf("transcode: %w", err)
	}
	return res, nil
}

// measure reads one rendition's media playlist and sizes its segments.
func measure(dir, name string, f Format, video bool) (*Rendition, error) {
	rel := path.Join(name, "index.m3u8")
	raw, err := os.ReadFile(filepath.Join(dir, name, "index.m3u8"))
	if err != nil {
		return nil, fmt.Errorf("transcode: rendition %s: %w", name, err)
	}
	_, mp, err := hls.Parse(bytes.NewReader(raw))
	if err != nil || mp == nil {
		return nil, fmt.Errorf("transcode: rendition %s: reading ffmpeg's playlist: %v", name, err)
	}
	r := &Rendition{Name: name, Playlist: rel, Segments: len(mp.Segments)}
	sizes := make([]hls.SegmentSize, 0, len(mp.Segments)+1)
	var first []byte
	if mp.Map != nil {
		init, err := os.ReadFile(filepath.Join(dir, name, filepath.FromSlash(mp.Map.URI)))
		if err != nil {
			return nil, fmt.Errorf("transcode: rendition %s: %w", name, err)
		}
		first = init
		sizes = append(sizes, hls.SegmentSize{Bytes: int64(len(init))})
	}
	for i, s := range mp.Segments {
		p := filepath.Join(dir, name, filepath.FromSlash(s.URI))
		fi, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("transcode: rendition %s: %w", name, err)
		}
		sizes = append(sizes, hls.SegmentSize{Duration: s.Duration, Bytes: fi.Size()})
		if i == 0 && first == nil && video {
			if first, err = os.ReadFile(p); err != nil {
				return nil, fmt.Errorf("transcode: rendition %s: %w", name, err)
			}
		}
	}
	r.Bandwidth, r.AverageBandwidth = hls.MeasureBandwidth(sizes)
	if video {
		var err error
		if f == TS {
			r.Codecs, err = avcFromAnnexB(first)
		} else {
			r.Codecs, err = avcFromInit(first)
		}
		if err != nil {
			return nil, fmt.Errorf("%w (rendition %s)", err, name)
		}
	}
	return r, nil
}
