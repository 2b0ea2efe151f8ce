//go:build unix

package platform

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockDir takes an exclusive lock on the file at path, so that one process
// at a time owns a data directory (its SQLite database and its jobs).
func lockDir(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("platform: another v100 serve is using this data directory (%s is locked)", path)
		}
		return nil, fmt.Errorf("platform: lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}
