package storage

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Dir is a Storage in a local directory. Import renames, so the files to
// import should be on the same file system (a work directory beside Root).
type Dir struct {
	// Root is the directory; it is created if missing.
	Root string
}

var _ Storage = (*Dir)(nil)

func (d *Dir) path(key string) (string, error) {
	if !ValidKey(key) {
		return "", fmt.Errorf("%w: %q", ErrInvalidKey, key)
	}
	return filepath.Join(d.Root, filepath.FromSlash(key)), nil
}

type file struct {
	*os.File
	size int64
	mod  time.Time
}

func (f file) Size() int64        { return f.size }
func (f file) ModTime() time.Time { return f.mod }

// Open opens the file at key; a directory is ErrNotFound.
func (d *Dir) Open(_ context.Context, key string) (Object, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, notFound(key, err)
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	return file{f, st.Size(), st.ModTime()}, nil
}

// Local returns the file's own path.
func (d *Dir) Local(_ context.Context, key string) (string, func(), error) {
	p, err := d.path(key)
	if err != nil {
		return "", nil, err
	}
	if _, err := os.Stat(p); err != nil {
		return "", nil, notFound(key, err)
	}
	return p, func() {}, nil
}

// Import renames path to key's place, replacing what was there.
func (d *Dir) Import(_ context.Context, key, path string) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	if err := os.RemoveAll(p); err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	if err := os.Rename(path, p); err != nil {
		return fmt.Errorf("storage: import %s: %w", key, err)
	}
	return nil
}

// Delete removes the file or tree at key.
func (d *Dir) Delete(_ context.Context, key string) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(p); err != nil {
		return fmt.Errorf("storage: delete %s: %w", key, err)
	}
	return nil
}

func notFound(key string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	return fmt.Errorf("storage: %s: %w", key, err)
}
