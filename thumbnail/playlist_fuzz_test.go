package thumbnail

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzReadPlaylist feeds readPlaylist hostile playlists beside two real
// (empty) segment files. It must never panic, and what it accepts must
// name only files inside the playlist's directory, on a timeline that
// never goes back.
func FuzzReadPlaylist(f *testing.F) {
	for _, s := range []string{
		"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:2.000,\nseg0.m4s\n#EXTINF:1.5,\nseg1.m4s\n#EXT-X-ENDLIST\n",
		"#EXTM3U\n#EXTINF:2,\nseg0.m4s\n",
		"#EXTM3U\n#EXTINF:2,\n../seg0.m4s\n",
		"#EXTM3U\n#EXTINF:-1,\nseg0.m4s\n",
		"#EXTM3U\n#EXTINF:NaN,\nseg0.m4s\n",
		"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nseg0.m4s\n",
		"#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI=\"k\"\n#EXTINF:2,\nseg0.m4s\n",
		"#EXTM3U\n#EXT-X-MAP:URI=\"/etc/passwd\"\n#EXTINF:2,\nseg0.m4s\n",
		"#EXTM3U\r\n#EXTINF:1e300,\r\nseg1.m4s\r\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, content string) {
		dir := t.TempDir()
		for _, name := range []string{"init.mp4", "seg0.m4s", "seg1.m4s"} {
			if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		p := filepath.Join(dir, "index.m3u8")
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		pl, err := readPlaylist(p)
		if err != nil {
			return
		}
		inside := func(path string) {
			if rel, err := filepath.Rel(dir, path); err != nil || !filepath.IsLocal(rel) {
				t.Fatalf("accepted %q outside %s", path, dir)
			}
		}
		if pl.init != "" {
			inside(pl.init)
		}
		var last time.Duration
		for i, s := range pl.segments {
			inside(s.path)
			if s.duration < 0 || s.start < last {
				t.Fatalf("segment %d: start %v duration %v after %v", i, s.start, s.duration, last)
			}
			last = s.start
		}
		if pl.duration < 0 || (len(pl.segments) > 0 && pl.duration < last) {
			t.Fatalf("duration %v", pl.duration)
		}
		if strings.Contains(content, "\x00") && len(pl.segments) > 0 {
			for _, s := range pl.segments {
				if strings.Contains(s.path, "\x00") {
					t.Fatalf("NUL in %q", s.path)
				}
			}
		}
	})
}
