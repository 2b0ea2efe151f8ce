package thumbnail

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writePlaylist writes content as index.m3u8 in a new directory, with an
// empty file for each name in files.
func writePlaylist(t *testing.T, content string, files ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range files {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(dir, "index.m3u8")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadPlaylist(t *testing.T) {
	p := writePlaylist(t, "\ufeff#EXTM3U\r\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n"+
		"#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:2.000000,\nseg_0.m4s\n#EXTINF:1.5,title, with a comma\nsub/seg_1.m4s\n"+
		"#EXT-X-KEY:METHOD=NONE\n#EXTINF:0.333333,\nseg_2.m4s\n#EXT-X-ENDLIST\n",
		"init.mp4", "seg_0.m4s", "sub/seg_1.m4s", "seg_2.m4s")
	pl, err := readPlaylist(p)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(p)
	if pl.init != filepath.Join(dir, "init.mp4") {
		t.Errorf("init %q", pl.init)
	}
	want := []segment{
		{filepath.Join(dir, "seg_0.m4s"), 0, 2 * time.Second},
		{filepath.Join(dir, "sub/seg_1.m4s"), 2 * time.Second, 1500 * time.Millisecond},
		{filepath.Join(dir, "seg_2.m4s"), 3500 * time.Millisecond, 333333 * time.Microsecond},
	}
	if len(pl.segments) != len(want) {
		t.Fatalf("segments %+v", pl.segments)
	}
	for i := range want {
		if pl.segments[i] != want[i] {
			t.Errorf("segment %d: %+v, want %+v", i, pl.segments[i], want[i])
		}
	}
	if pl.duration != 3833333*time.Microsecond {
		t.Errorf("duration %v", pl.duration)
	}
	for at, i := range map[time.Duration]int{0: 0, 1999 * time.Millisecond: 0, 2 * time.Second: 1, 3600 * time.Millisecond: 2, time.Hour: 2} {
		if got := pl.find(at); got != i {
			t.Errorf("find(%v) = %d, want %d", at, got, i)
		}
	}
	if got := pl.files(1, 3); strings.Join(got, " ") != strings.Join([]string{pl.init, want[1].path, want[2].path}, " ") {
		t.Errorf("files(1, 3) = %q", got)
	}
}

// TestReadPlaylistRefuses: what the package cannot feed ffmpeg as one
// stream of local files is ErrUnsupported; a missing segment is
// fs.ErrNotExist; no segment at all is ErrNotMedia.
func TestReadPlaylistRefuses(t *testing.T) {
	const head = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n"
	for name, tc := range map[string]struct {
		content string
		want    error
	}{
		"concat list":      {"ffconcat version 1.0\nfile 'a.mp4'\n", ErrUnsupported},
		"master playlist":  {head + "#EXT-X-STREAM-INF:BANDWIDTH=1000\nlow/index.m3u8\n", ErrUnsupported},
		"absolute path":    {head + "#EXTINF:1,\n/etc/passwd\n", ErrUnsupported},
		"parent directory": {head + "#EXTINF:1,\n../secret.ts\n", ErrUnsupported},
		"URL":              {head + "#EXTINF:1,\nhttp://example.com/a.ts\n", ErrUnsupported},
		"file URL":         {head + "#EXTINF:1,\nfile:a.ts\n", ErrUnsupported},
		"byte range":       {head + "#EXTINF:1,\n#EXT-X-BYTERANGE:100@0\na.ts\n", ErrUnsupported},
		"map byte range":   {head + "#EXT-X-MAP:URI=\"a.ts\",BYTERANGE=\"100@0\"\n#EXTINF:1,\na.ts\n", ErrUnsupported},
		"two maps":         {head + "#EXT-X-MAP:URI=\"a.ts\"\n#EXTINF:1,\na.ts\n#EXT-X-MAP:URI=\"b.ts\"\n#EXTINF:1,\na.ts\n", ErrUnsupported},
		"encrypted":        {head + "#EXT-X-KEY:METHOD=AES-128,URI=\"k\"\n#EXTINF:1,\na.ts\n", ErrUnsupported},
		"discontinuity":    {head + "#EXTINF:1,\na.ts\n#EXT-X-DISCONTINUITY\n#EXTINF:1,\na.ts\n", ErrUnsupported},
		"no EXTINF":        {head + "a.ts\n", ErrUnsupported},
		"NaN EXTINF":       {head + "#EXTINF:NaN,\na.ts\n", ErrUnsupported},
		"negative EXTINF":  {head + "#EXTINF:-1,\na.ts\n", ErrUnsupported},
		"missing segment":  {head + "#EXTINF:1,\na.ts\n#EXTINF:1,\nmissing.ts\n", fs.ErrNotExist},
		"missing init":     {head + "#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:1,\na.ts\n", fs.ErrNotExist},
		"no segment":       {head + "#EXT-X-ENDLIST\n", ErrNotMedia},
	} {
		_, err := readPlaylist(writePlaylist(t, tc.content, "a.ts", "b.ts"))
		if !errors.Is(err, tc.want) || !strings.HasPrefix(err.Error(), "thumbnail: ") {
			t.Errorf("%s: got %v, want %v", name, err, tc.want)
		}
	}
}

// TestFileReader: the files come one after the other; a file that cannot
// be opened ends the stream and is reported in err, not to the reader.
func TestFileReader(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	os.WriteFile(a, []byte("init+"), 0o600)
	os.WriteFile(b, []byte("segment"), 0o600)
	r := &fileReader{files: []string{a, b, a}}
	got, err := io.ReadAll(r)
	if err != nil || string(got) != "init+segmentinit+" || r.err != nil {
		t.Errorf("got %q, %v, %v", got, err, r.err)
	}
	r = &fileReader{files: []string{a, filepath.Join(dir, "missing"), b}}
	got, err = io.ReadAll(r)
	if err != nil || string(got) != "init+" || !errors.Is(r.err, fs.ErrNotExist) {
		t.Errorf("got %q, %v, %v", got, err, r.err)
	}
	r.Close()
}
