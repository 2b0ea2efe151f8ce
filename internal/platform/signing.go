package platform

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// SigningKeyName is the file of the data directory that holds the key
// signing playback tokens, made at the first start.
const SigningKeyName = "signing.key"

// minSigningKey is the shortest signing key accepted, in bytes.
const minSigningKey = 16

// signingKey returns given (from --signing-key or V100_SIGNING_KEY) if not
// empty, else the key kept in the data directory dir, which it makes (32
// random bytes, hex, mode 0600) when there is none.
func signingKey(dir, given string) ([]byte, error) {
	if given != "" {
		if len(given) < minSigningKey {
			return nil, fmt.Errorf("platform: the signing key must be at least %d bytes", minSigningKey)
		}
		return []byte(given), nil
	}
	path := filepath.Join(dir, SigningKeyName)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		var key [32]byte
		rand.Read(key[:])
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("platform: signing key: %w", err)
		}
		_, err = f.WriteString(hex.EncodeToString(key[:]) + "\n")
		if err2 := f.Sync(); err == nil {
			err = err2
		}
		if err2 := f.Close(); err == nil {
			err = err2
		}
		if err != nil {
			os.Remove(path)
			return nil, fmt.Errorf("platform: signing key: %w", err)
		}
		return key[:], nil
	}
	if err != nil {
		return nil, fmt.Errorf("platform: signing key: %w", err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) < minSigningKey {
		return nil, fmt.Errorf("platform: signing key %s: want at least %d bytes in hex", path, minSigningKey)
	}
	return key, nil
}
