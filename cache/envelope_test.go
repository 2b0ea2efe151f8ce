package cache

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestEnvelopeRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name     string
		negative bool
		stale    time.Duration
		payload  string
	}{
		{"empty", false, 0, ""},
		{"value", false, 0, `{"a":1}`},
		{"negative", true, 0, ""},
		{"stale window", false, 90 * time.Second, "x"},
		{"long stale window", false, 30 * 24 * time.Hour, "y"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := append(appendEnvelope(nil, tc.negative, tc.stale), tc.payload...)
			neg, stale, payload, ok := parseEnvelope(b)
			require.True(t, ok)
			require.Equal(t, tc.negative, neg)
			require.Equal(t, tc.stale, stale)
			require.Equal(t, tc.payload, string(payload))
		})
	}
}

func TestEnvelopeRejectsHostileInput(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"empty", ""},
		{"short", "\x01\x00"},
		{"wrong version", "\x02\x00\x00"},
		{"unknown flag", "\x01\x02\x00"},
		{"unterminated varint", "\x01\x00\x80\x80"},
		{"overlong varint", "\x01\x00\xff\xff\xff\xff\xff\xff\xff\xff\x01"},
		{"plain text", "hello"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, _, ok := parseEnvelope([]byte(tc.in))
			require.False(t, ok)
		})
	}
}

func FuzzParseEnvelope(f *testing.F) {
	f.Add([]byte("\x01\x00\x00payload"))
	f.Add([]byte("\x01\x01\x90\x4e"))
	f.Add([]byte("\x01\x00\xff\xff\xff\xff\xff\xff\xff\xff\x01"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, b []byte) {
		neg, stale, payload, ok := parseEnvelope(b)
		if !ok {
			return
		}
		if stale < 0 {
			t.Fatalf("negative stale window %v from %q", stale, b)
		}
		// What parses must re-encode to the same header and payload.
		again := append(appendEnvelope(nil, neg, stale), payload...)
		neg2, stale2, payload2, ok2 := parseEnvelope(again)
		if !ok2 || neg2 != neg || stale2 != stale || !bytes.Equal(payload2, payload) {
			t.Fatalf("round trip of %q changed it", b)
		}
	})
}
