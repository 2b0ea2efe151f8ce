package storage

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
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

func TestDir(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	d := &Dir{Root: filepath.Join(root, "media")}
	src := filepath.Join(root, "tree")
	require.NoError(t, os.MkdirAll(filepath.Join(src, "360p"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(src, "360p", "a.m4s"), []byte("segment"), 0o644))

	require.NoError(t, d.Import(ctx, "assets/x", src))
	o, err := d.Open(ctx, "assets/x/360p/a.m4s")
	require.NoError(t, err)
	b, err := io.ReadAll(o)
	require.NoError(t, err)
	require.NoError(t, o.Close())
	require.Equal(t, "segment", string(b))
	require.EqualValues(t, 7, o.Size())

	_, err = d.Open(ctx, "assets/x/360p")
	require.ErrorIs(t, err, ErrNotFound, "a directory is not an object")
	_, err = d.Open(ctx, "assets/x/../../../etc/passwd")
	require.ErrorIs(t, err, ErrInvalidKey)

	require.NoError(t, d.Delete(ctx, "assets/x"))
	_, err = d.Open(ctx, "assets/x/360p/a.m4s")
	require.ErrorIs(t, err, ErrNotFound)
	require.NoError(t, d.Delete(ctx, "assets/x"), "deleting nothing is fine")
}
