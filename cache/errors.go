package cache

import "errors"

var (
	// ErrNotFound is returned by a loader to say that the key does not exist,
	// and by GetOrLoad for a key whose not-found answer is cached.
	ErrNotFound = errors.New("cache: not found")

	// errClosed ends a background refresh that would start after Close.
	errClosed = errors.New("cache: closed")
)
