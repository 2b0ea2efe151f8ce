package storage

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"
)

// Errors of the package.
var (
	// ErrNotFound means no object has the key.
	ErrNotFound = errors.New("storage: not found")
	// ErrInvalidKey means a key is not a clean relative path.
	ErrInvalidKey = errors.New("storage: invalid key")
)

// Storage holds media files under keys.
type Storage interface {
	// Open returns the object at key for reading, seeking and serving
	// byte ranges.
	Open(ctx context.Context, key string) (Object, error)
	// Local returns a local file path holding the object at key, for
	// ffmpeg, and a function to call when done with it. For a media
	// playlist (.m3u8), the files it names in its own directory are
	// beside the path too.
	Local(ctx context.Context, key string) (path string, release func(), err error)
	// Import moves the local file or directory tree at path to key (a
	// directory's files go under key/). The path is consumed.
	Import(ctx context.Context, key, path string) error
	// Delete removes the object at key, or the tree under it; a missing
	// key is not an error.
	Delete(ctx context.Context, key string) error
}

// Object is an open stored file.
type Object interface {
	io.ReadSeekCloser
	Size() int64
	ModTime() time.Time
}

// ValidKey reports whether key is a clean relative slash-separated path.
func ValidKey(key string) bool {
	if key == "" || len(key) > 1024 {
		return false
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	for _, r := range key {
		if r < 0x20 || r == 0x7f || r == '\\' || r == ':' {
			return false
		}
	}
	return true
}
