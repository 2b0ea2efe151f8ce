package api

import (
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestTokenVerify(t *testing.T) {
	s := signer{key: []byte("0123456789abcdef0123456789abcdef")}
	now := time.Unix(1_800_000_000, 0)
	pid, other := "aaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbb"
	good := s.token(pid, now.Add(time.Hour))
	exp, sig, ok := strings.Cut(good, ".")
	require.True(t, ok)
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	n, _ := strconv.ParseInt(exp, 10, 64)
	for _, tc := range []struct {
		name, token string
		want        error
	}{
		{"good", good, nil},
		{"missing", "", errTokenMissing},
		{"expired", s.token(pid, now.Add(-time.Second)), errTokenExpired},
		{"expires now", s.token(pid, now), errTokenExpired},
		{"wrong video", s.token(other, now.Add(time.Hour)), errTokenInvalid},
		{"other key", signer{key: []byte("another key of enough length!!")}.token(pid, now.Add(time.Hour)), errTokenInvalid},
		{"tampered signature", exp + "." + flip(sig, 5), errTokenInvalid},
		{"extended expiry", strconv.FormatInt(n+86400, 10) + "." + sig, errTokenInvalid},
		{"no dot", exp + sig, errTokenMalformed},
		{"no signature", exp + ".", errTokenMalformed},
		{"no expiry", "." + sig, errTokenMalformed},
		{"leading zero", "0" + exp + "." + sig, errTokenMalformed},
		{"signed expiry", "+" + exp + "." + sig, errTokenMalformed},
		{"negative expiry", "-" + exp + "." + sig, errTokenMalformed},
		{"expiry overflow", "99999999999999999999." + sig, errTokenMalformed},
		{"two dots", exp + "." + sig + ".x", errTokenMalformed},
		{"padded base64", exp + "." + base64.URLEncoding.EncodeToString(make([]byte, 32)), errTokenMalformed},
		{"std base64", exp + "." + strings.Repeat("+", 43), errTokenMalformed},
		{"short signature", exp + "." + sig[:40], errTokenMalformed},
		{"long signature", exp + "." + sig + "AAAA", errTokenMalformed},
		{"huge", strings.Repeat("9", 10_000), errTokenMalformed},
		{"space", " " + good, errTokenMalformed},
		{"NUL", exp + ".\x00" + sig[1:], errTokenMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.verify(pid, tc.token, now)
			require.Equal(t, tc.want, err, "got %v, want %v", err, tc.want)
		})
	}
}

// FuzzParseToken checks that the parser never panics and accepts only the
// canonical form, which the signer writes back byte for byte.
func FuzzParseToken(f *testing.F) {
	s := signer{key: []byte("0123456789abcdef")}
	f.Add(s.token("aaaaaaaaaaaaaaaaaaaaaaaa", time.Unix(1_800_000_000, 0)))
	for _, seed := range []string{"", ".", "1.", ".x", "0.AAAA", "1.1.1", "-1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		exp, sig, err := parseToken(token)
		if err != nil {
			require.Equal(t, errTokenMalformed, err)
			return
		}
		require.Positive(t, exp)
		require.Len(t, sig, 32)
		require.Equal(t, token, strconv.FormatInt(exp, 10)+"."+base64.RawURLEncoding.EncodeToString(sig))
	})
}
