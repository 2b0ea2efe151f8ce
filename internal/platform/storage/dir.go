package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Dir is a Storage in a local directory. Import renames, so the files to
// import should be on the same file system (a work directory beside Root);
// from another file system, it copies them.
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
	err = os.Rename(path, p)
	if errors.Is(err, syscall.EXDEV) {
		if err = copyTree(path, p); err == nil {
			err = os.RemoveAll(path)
		} else {
			os.RemoveAll(p)
		}
	}
	if err != nil {
		return fmt.Errorf("storage: import %s: %w", key, err)
	}
	return nil
}

// copyTree copies the regular file or the tree at src to dst.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(to, 0o755)
		case d.Type().IsRegular():
			return copyFile(p, to)
		}
		return nil // not a file: nothing the platform writes
	})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
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
