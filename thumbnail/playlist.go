package thumbnail

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Limits on an HLS media playlist read with the Playlist option.
const (
	maxPlaylistSize     = 4 << 20
	maxPlaylistSegments = 1 << 17
	maxSegmentDuration  = 24 * time.Hour
)

// playlist is an HLS media playlist read for its segments: the package
// feeds ffmpeg the segments it needs itself rather than letting ffmpeg's
// hls demuxer seek, which in ffmpeg 5.1 loses the init section of fMP4
// segments ("Invalid NAL unit size") and decodes nothing.
type playlist struct {
	init     string // the EXT-X-MAP init section, or "" (MPEG-TS segments)
	segments []segment
	duration time.Duration // of all the segments, from their EXTINF
}

// segment is one media segment: its file and its place on the playlist's
// timeline, from the EXTINF durations of the segments before it.
type segment struct {
	path            string
	start, duration time.Duration
}

// readPlaylist reads the HLS media playlist at path: EXTINF, EXT-X-MAP and
// segment URIs, which must name files in the playlist's directory or
// below it. What the package cannot feed ffmpeg as one stream (a master
// playlist, byte ranges, encryption, discontinuities, several init
// sections, URLs) is refused with ErrUnsupported, and a missing segment
// with an error matching fs.ErrNotExist.
func readPlaylist(path string) (*playlist, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("thumbnail: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxPlaylistSize+1))
	if err != nil {
		return nil, fmt.Errorf("thumbnail: %w", err)
	}
	if len(b) > maxPlaylistSize {
		return nil, fmt.Errorf("thumbnail: %w: playlist larger than %d bytes", ErrUnsupported, maxPlaylistSize)
	}
	unsupported := func(format string, a ...any) error {
		return fmt.Errorf("thumbnail: %w: %s", ErrUnsupported, fmt.Sprintf(format, a...))
	}
	dir := filepath.Dir(path)
	pl := &playlist{}
	sc := bufio.NewScanner(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))))
	sc.Buffer(nil, maxPlaylistSize)
	header, mapped := false, false
	extinf := time.Duration(-1) // the EXTINF waiting for its URI
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if !header {
			if line != "#EXTM3U" {
				return nil, unsupported("not an HLS playlist")
			}
			header = true
			continue
		}
		tag, value, _ := strings.Cut(line, ":")
		switch {
		case tag == "#EXTINF":
			secs, _, _ := strings.Cut(value, ",")
			s, err := strconv.ParseFloat(strings.TrimSpace(secs), 64)
			if err != nil || !(s >= 0) || s > maxSegmentDuration.Seconds() {
				return nil, unsupported("line %d: EXTINF duration %q", n, secs)
			}
			extinf = time.Duration(math.Round(s * float64(time.Second)))
		case tag == "#EXT-X-MAP":
			uri, ok := attribute(value, "URI")
			if !ok || strings.Contains(value, "BYTERANGE") {
				return nil, unsupported("line %d: EXT-X-MAP %q", n, value)
			}
			p, err := segmentPath(dir, uri)
			if err != nil {
				return nil, unsupported("line %d: %v", n, err)
			}
			if mapped && p != pl.init {
				return nil, unsupported("line %d: a second init section", n)
			}
			pl.init, mapped = p, true
		case tag == "#EXT-X-STREAM-INF" || tag == "#EXT-X-MEDIA" || tag == "#EXT-X-I-FRAME-STREAM-INF":
			return nil, unsupported("a master playlist; pass a media playlist")
		case tag == "#EXT-X-BYTERANGE" || tag == "#EXT-X-DISCONTINUITY" || tag == "#EXT-X-PART":
			return nil, unsupported("line %d: %s", n, tag)
		case tag == "#EXT-X-KEY":
			if m, _ := attribute(value, "METHOD"); m != "NONE" {
				return nil, unsupported("line %d: encrypted segments", n)
			}
		case strings.HasPrefix(line, "#"):
			// Other tags and comments say nothing the package needs.
		default:
			if extinf < 0 {
				return nil, unsupported("line %d: segment %q without EXTINF", n, line)
			}
			p, err := segmentPath(dir, line)
			if err != nil {
				return nil, unsupported("line %d: %v", n, err)
			}
			if len(pl.segments) == maxPlaylistSegments {
				return nil, unsupported("more than %d segments", maxPlaylistSegments)
			}
			pl.segments = append(pl.segments, segment{path: p, start: pl.duration, duration: extinf})
			pl.duration += extinf
			extinf = -1
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("thumbnail: reading the playlist: %w", err)
	}
	if !header {
		return nil, unsupported("not an HLS playlist")
	}
	if len(pl.segments) == 0 {
		return nil, fmt.Errorf("thumbnail: %w: the playlist lists no segment", ErrNotMedia)
	}
	// Check the files now, for a clear error rather than a stream cut
	// short.
	for _, p := range pl.files(0, len(pl.segments)) {
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("thumbnail: segment of the playlist: %w", err)
		}
	}
	return pl, nil
}

// attribute returns the value of the attribute name in an HLS attribute
// list (NAME=VALUE,NAME="VALUE",…), unquoted.
func attribute(list, name string) (string, bool) {
	for list != "" {
		var kv string
		if i := strings.IndexAny(list, ",\""); i >= 0 && list[i] == '"' {
			// A quoted value may hold commas: cut after its closing quote.
			j := strings.IndexByte(list[i+1:], '"')
			if j < 0 {
				return "", false
			}
			kv, list = list[:i+1+j+1], strings.TrimPrefix(list[i+1+j+1:], ",")
		} else {
			kv, list, _ = strings.Cut(list, ",")
		}
		k, v, ok := strings.Cut(kv, "=")
		if ok && strings.TrimSpace(k) == name {
			v = strings.TrimSpace(v)
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			return v, true
		}
	}
	return "", false
}

// segmentPath resolves a segment or init URI of a playlist in dir: a
// relative file name that stays inside dir.
func segmentPath(dir, uri string) (string, error) {
	switch {
	case uri == "" || strings.ContainsAny(uri, "\x00\\"):
		return "", fmt.Errorf("URI %q", uri)
	case strings.Contains(uri, ":"):
		return "", fmt.Errorf("URI %q is not a relative file name", uri)
	case filepath.IsAbs(uri) || !filepath.IsLocal(uri):
		return "", fmt.Errorf("URI %q names a file outside the playlist's directory", uri)
	}
	return filepath.Join(dir, uri), nil
}

// find returns the index of the segment that holds time t: the last one
// that starts at or before it.
func (pl *playlist) find(t time.Duration) int {
	lo, hi := 0, len(pl.segments) // the answer is in [lo, hi)
	for hi-lo > 1 {
		m := (lo + hi) / 2
		if pl.segments[m].start <= t {
			lo = m
		} else {
			hi = m
		}
	}
	return lo
}

// files returns the files to feed ffmpeg for segments [from, to): the init
// section, if any, then the segments.
func (pl *playlist) files(from, to int) []string {
	files := make([]string, 0, to-from+1)
	if pl.init != "" {
		files = append(files, pl.init)
	}
	for _, s := range pl.segments[from:to] {
		files = append(files, s.path)
	}
	return files
}

// fileReader reads files one after the other, opening each only when it
// is reached: the segments of a playlist as one stream, which is what a
// fragmented MP4 (init section, then fragments) or an MPEG-TS stream is.
// It never returns an error to its reader (ffmpeg would take it for the
// end of the stream): it records it in err and ends the stream.
type fileReader struct {
	files []string
	f     *os.File
	err   error
}

func (r *fileReader) Read(p []byte) (int, error) {
	for {
		if r.f == nil {
			if len(r.files) == 0 || r.err != nil {
				return 0, io.EOF
			}
			f, err := os.Open(r.files[0])
			if err != nil {
				r.err = err
				return 0, io.EOF
			}
			r.f, r.files = f, r.files[1:]
		}
		n, err := r.f.Read(p)
		if err != nil {
			r.f.Close()
			r.f = nil
			if err != io.EOF {
				r.err = err
			}
		}
		switch {
		case n > 0:
			return n, nil
		case r.err != nil:
			return 0, io.EOF
		}
	}
}

// Close closes the file being read, if any.
func (r *fileReader) Close() {
	if r.f != nil {
		r.f.Close()
		r.f = nil
	}
}
