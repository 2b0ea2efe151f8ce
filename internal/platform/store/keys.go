package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// KeyPrefix starts every API key, so that a leaked key is easy to recognise.
const KeyPrefix = "v100_"

// CreateKey makes a new API key, stores its SHA-256 hash (never the key) and
// returns the key, which cannot be shown again.
func (s *Store) CreateKey(ctx context.Context) (string, error) {
	var b [32]byte
	rand.Read(b[:])
	key := KeyPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	_, err := s.c.exec(ctx, `INSERT INTO api_key (id, hash, created_at) VALUES (?, ?, ?)`,
		NewID(), hashKey(key), time.Now().UnixNano())
	if err != nil {
		return "", fmt.Errorf("store: create key: %w", err)
	}
	return key, nil
}

// CheckKey reports whether key is a stored API key.
func (s *Store) CheckKey(ctx context.Context, key string) (bool, error) {
	if !strings.HasPrefix(key, KeyPrefix) || len(key) > 128 {
		return false, nil
	}
	var n int
	if err := s.c.queryRow(ctx, `SELECT count(*) FROM api_key WHERE hash = ?`, hashKey(key)).Scan(&n); err != nil {
		return false, fmt.Errorf("store: check key: %w", err)
	}
	return n > 0, nil
}

// HasKeys reports whether any API key exists.
func (s *Store) HasKeys(ctx context.Context) (bool, error) {
	var n int
	if err := s.c.queryRow(ctx, `SELECT count(*) FROM api_key`).Scan(&n); err != nil {
		return false, fmt.Errorf("store: %w", err)
	}
	return n > 0, nil
}

// hashKey is the stored form of a key: keys are 256 random bits, so a plain
// SHA-256 (no salt, no stretching) cannot be reversed.
func hashKey(key string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:])
}
