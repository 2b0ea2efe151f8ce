package store

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
)

// idLen is the length of an ID: 15 random bytes in lower-case base32.
const idLen = 24

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewID returns a random ID of 120 bits, 24 characters of [a-z2-7]: asset
// IDs and playback IDs are both such, and unrelated to each other.
func NewID() string {
	var b [15]byte
	rand.Read(b[:])
	return idEncoding.EncodeToString(b[:])
}

// ValidID reports whether s has the form NewID returns. Only valid IDs are
// looked up or used in a file path, so a path-like ID ("../x") never reaches
// either.
func ValidID(s string) bool {
	if len(s) != idLen {
		return false
	}
	return strings.Trim(s, "abcdefghijklmnopqrstuvwxyz234567") == ""
}
