package storage

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/internal/s3test"
)

func TestValidKey(t *testing.T) {
	for key, want := range map[string]bool{
		"assets/x/360p/seg_1.m4s": true,
		"a":                       true,
		"":                        false,
		"/etc/passwd":             false,
		"a/../b":                  false,
		"..":                      false,
		"a/./b":                   false,
		"a//b":                    false,
		"a/":                      false,
		`a\..\b`:                  false,
		"c:/x":                    false,
		"a\x00b":                  false,
	} {
		require.Equal(t, want, ValidKey(key), "%q", key)
	}
}

// implementations returns a fresh Storage of each kind, and the directory
// for the files to import (on the local storage's file system).
func implementations(t *testing.T) map[string]func(t *testing.T) (Storage, string) {
	return map[string]func(t *testing.T) (Storage, string){
		"dir": func(t *testing.T) (Storage, string) {
			root := t.TempDir()
			return &Dir{Root: filepath.Join(root, "media")}, root
		},
		"s3": func(t *testing.T) (Storage, string) {
			srv := s3test.Start(t)
			s, err := ParseS3URL(srv.URL("prefix"))
			require.NoError(t, err)
			s.TempDir = t.TempDir()
			require.NoError(t, s.Check(context.Background()))
			return s, t.TempDir()
		},
	}
}

func TestStorage(t *testing.T) {
	for name, open := range implementations(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			d, root := open(t)
			src := filepath.Join(root, "tree")
			require.NoError(t, os.MkdirAll(filepath.Join(src, "360p"), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(src, "360p", "a.m4s"), []byte("segment"), 0o644))
			require.NoError(t, os.WriteFile(filepath.Join(src, "360p", "old.m4s"), []byte("old"), 0o644))

			require.NoError(t, d.Import(ctx, "assets/x", src))
			_, err := os.Stat(src)
			require.ErrorIs(t, err, os.ErrNotExist, "Import consumes the path")
			o, err := d.Open(ctx, "assets/x/360p/a.m4s")
			require.NoError(t, err)
			b, err := io.ReadAll(o)
			require.NoError(t, err)
			require.NoError(t, o.Close())
			require.Equal(t, "segment", string(b))
			require.EqualValues(t, 7, o.Size())
			require.False(t, o.ModTime().IsZero())

			_, err = d.Open(ctx, "assets/x/360p")
			require.ErrorIs(t, err, ErrNotFound, "a directory is not an object")
			_, err = d.Open(ctx, "assets/x/../../../etc/passwd")
			require.ErrorIs(t, err, ErrInvalidKey)

			// A new tree replaces the old one entirely.
			require.NoError(t, os.MkdirAll(filepath.Join(src, "360p"), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(src, "360p", "a.m4s"), []byte("segment 2"), 0o644))
			require.NoError(t, d.Import(ctx, "assets/x", src))
			_, err = d.Open(ctx, "assets/x/360p/old.m4s")
			require.ErrorIs(t, err, ErrNotFound, "a file of the replaced tree")
			requireContent(t, d, "assets/x/360p/a.m4s", "segment 2")

			// A single file replaces the file at its key.
			f := filepath.Join(root, "master.m3u8")
			require.NoError(t, os.WriteFile(f, []byte("#EXTM3U\n"), 0o644))
			require.NoError(t, d.Import(ctx, "assets/x/master.m3u8", f))
			require.NoError(t, os.WriteFile(f, []byte("#EXTM3U\n#2\n"), 0o644))
			require.NoError(t, d.Import(ctx, "assets/x/master.m3u8", f))
			requireContent(t, d, "assets/x/master.m3u8", "#EXTM3U\n#2\n")

			p, release, err := d.Local(ctx, "assets/x/360p/a.m4s")
			require.NoError(t, err)
			b, err = os.ReadFile(p)
			require.NoError(t, err)
			require.Equal(t, "segment 2", string(b))
			release()
			_, _, err = d.Local(ctx, "assets/x/360p/none.m4s")
			require.ErrorIs(t, err, ErrNotFound)

			require.NoError(t, d.Delete(ctx, "assets/x"))
			_, err = d.Open(ctx, "assets/x/360p/a.m4s")
			require.ErrorIs(t, err, ErrNotFound)
			_, err = d.Open(ctx, "assets/x/master.m3u8")
			require.ErrorIs(t, err, ErrNotFound)
			require.NoError(t, d.Delete(ctx, "assets/x"), "deleting nothing is fine")
		})
	}
}

func requireContent(t *testing.T, d Storage, key, want string) {
	t.Helper()
	o, err := d.Open(context.Background(), key)
	require.NoError(t, err)
	defer o.Close()
	b, err := io.ReadAll(o)
	require.NoError(t, err)
	require.Equal(t, want, string(b))
}

// TestRange reads parts of an object after seeks, as http.ServeContent
// does for a Range request.
func TestRange(t *testing.T) {
	for name, open := range implementations(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			d, root := open(t)
			data := make([]byte, 100_000)
			for i := range data {
				data[i] = byte(i * 7 % 251)
			}
			f := filepath.Join(root, "f")
			require.NoError(t, os.WriteFile(f, data, 0o644))
			require.NoError(t, d.Import(ctx, "a/f.bin", f))
			o, err := d.Open(ctx, "a/f.bin")
			require.NoError(t, err)
			defer o.Close()
			end, err := o.Seek(0, io.SeekEnd)
			require.NoError(t, err)
			require.EqualValues(t, len(data), end)
			for _, r := range [][2]int{{0, 10}, {99_990, 10}, {500, 4096}, {4000, 1}, {0, 100_000}} {
				_, err := o.Seek(int64(r[0]), io.SeekStart)
				require.NoError(t, err)
				buf := make([]byte, r[1])
				_, err = io.ReadFull(o, buf)
				require.NoError(t, err, "%v", r)
				require.Equal(t, data[r[0]:r[0]+r[1]], buf, "%v", r)
			}
			// Reading on from where the last read stopped.
			_, err = o.Seek(50, io.SeekStart)
			require.NoError(t, err)
			buf := make([]byte, 10)
			_, err = io.ReadFull(o, buf)
			require.NoError(t, err)
			_, err = io.ReadFull(o, buf)
			require.NoError(t, err)
			require.Equal(t, data[60:70], buf)
			pos, err := o.Seek(-5, io.SeekCurrent)
			require.NoError(t, err)
			require.EqualValues(t, 65, pos)
			// At and past the end: EOF.
			_, err = o.Seek(int64(len(data)), io.SeekStart)
			require.NoError(t, err)
			n, err := o.Read(buf)
			require.Equal(t, 0, n)
			require.ErrorIs(t, err, io.EOF)
			_, err = o.Seek(-1, io.SeekStart)
			require.Error(t, err)
		})
	}
}

// TestHostileKeys: keys that are not clean relative paths are refused by
// every operation, and odd but valid ones round-trip.
func TestHostileKeys(t *testing.T) {
	bad := []string{"", "/etc/passwd", "../x", "a/../../b", "a//b", "a/", ".", `a\b`, "a\x00b", "a\nb", "c:x", strings.Repeat("a", 1025)}
	good := []string{"a b/c d.m4s", "ü/ñ€.vtt", "a+b=c&d?e#f%20g", "x/'\"<>|*!$@;,~()[]{}.txt", "-/_.~"}
	for name, open := range implementations(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			d, root := open(t)
			for _, key := range bad {
				_, err := d.Open(ctx, key)
				require.ErrorIs(t, err, ErrInvalidKey, "%q", key)
				_, _, err = d.Local(ctx, key)
				require.ErrorIs(t, err, ErrInvalidKey, "%q", key)
				require.ErrorIs(t, d.Import(ctx, key, filepath.Join(root, "none")), ErrInvalidKey, "%q", key)
				require.ErrorIs(t, d.Delete(ctx, key), ErrInvalidKey, "%q", key)
			}
			for i, key := range good {
				f := filepath.Join(root, "f")
				want := "content " + key
				require.NoError(t, os.WriteFile(f, []byte(want), 0o644))
				require.NoError(t, d.Import(ctx, key, f), "%q", key)
				requireContent(t, d, key, want)
				require.NoError(t, d.Delete(ctx, key), "%q", key)
				_, err := d.Open(ctx, key)
				require.ErrorIs(t, err, ErrNotFound, "%d %q", i, key)
			}
		})
	}
}
