package ffmpeg

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// MediaFormats is the demuxer whitelist [Input] passes to ffmpeg: container
// formats that hold their media themselves and cannot name another file.
// Playlist and list demuxers (hls, dash, concat, image2, …) are left out.
const MediaFormats = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,flv,mpegts,mpeg,mpegvideo,ogg,wav,w64,mp3,aac,ac3,eac3,amr,flac,asf,mxf,h264,hevc,m4v,ivf,dv,nut,caf,aiff"

// InputOptions widen what [Input] lets ffmpeg open.
type InputOptions struct {
	// Playlist allows an HLS media playlist as input (for the platform's own
	// renditions, never for an upload). Its segments are still read only
	// through the file protocol.
	Playlist bool
	// Seek, if positive, is passed as -ss before -i: ffmpeg seeks in the
	// container before decoding, which is what makes a frame at t=10 s cheap.
	Seek float64
}

// Input returns the ffmpeg arguments that open path as the next input, and
// only path: the file protocol alone (pipe too, for pipe:0 inputs), the
// [MediaFormats] demuxer whitelist, and the absolute path prefixed with
// "file:" so that a name such as "concat:a|b" or "-i" is read as a file name.
func Input(path string, opts *InputOptions) ([]string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("ffmpeg: input path %q: %w", path, err)
	}
	formats := MediaFormats
	if opts != nil && opts.Playlist {
		formats = "hls," + formats
	}
	args := []string{"-protocol_whitelist", "file,pipe", "-format_whitelist", formats}
	if opts != nil && opts.Seek > 0 {
		args = append(args, "-ss", formatSeconds(opts.Seek))
	}
	return append(args, "-i", "file:"+abs), nil
}

// formatSeconds writes s with millisecond precision, as ffmpeg's time options accept.
func formatSeconds(s float64) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", s), "0"), ".")
}

// textSignatures are the openings of text formats that reference other
// files, after an optional UTF-8 byte order mark and leading white space.
var textSignatures = []string{
	"#EXTM3U",       // HLS playlists and plain M3U lists
	"ffconcat",      // ffmpeg concat lists
	"file ",         // concat lists without the header
	"[playlist]",    // PLS
	"<?xml",         // DASH MPD, SMIL, XSPF
	"<MPD", "<smil", // without an XML declaration
	"#EXTINF",
}

// Sniff reads the start of the file at path and returns ErrEmpty for an empty
// file and ErrPlaylist for a text playlist or file list, which ffmpeg would
// otherwise try to follow. Any other content passes; ffprobe decides whether
// it is media.
func Sniff(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	buf := make([]byte, 512)
	n, err := io.ReadFull(f, buf)
	if n == 0 {
		if err == io.EOF {
			return ErrEmpty
		}
		return err
	}
	return sniff(buf[:n])
}

func sniff(head []byte) error {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	head = bytes.TrimLeft(head, " \t\r\n")
	for _, sig := range textSignatures {
		if len(head) >= len(sig) && strings.EqualFold(string(head[:len(sig)]), sig) {
			return ErrPlaylist
		}
	}
	return nil
}
