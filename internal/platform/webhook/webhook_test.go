package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSignVerify(t *testing.T) {
	secret := []byte("whsec_test")
	body := []byte(`{"type":"video.ready"}`)
	now := time.Unix(1_700_000_000, 0)
	h := Sign(secret, now, body)
	require.Regexp(t, `^t=1700000000,v1=[0-9a-f]{64}$`, h)
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("1700000000." + string(body)))
	require.Equal(t, "t=1700000000,v1="+hex.EncodeToString(m.Sum(nil)), h, "HMAC-SHA256 of \"t.body\"")
	require.NoError(t, Verify(secret, h, body, 5*time.Minute, now.Add(time.Minute)))
	for _, tc := range []struct {
		name   string
		secret []byte
		header string
		body   string
		now    time.Time
		want   error
	}{
		{"other body", secret, h, `{"type":"video.failed"}`, now, ErrMismatch},
		{"other secret", []byte("x"), h, string(body), now, ErrMismatch},
		{"replayed late", secret, h, string(body), now.Add(time.Hour), ErrTooOld},
		{"no v1", secret, "t=1700000000", string(body), now, ErrBadHeader},
		{"no t", secret, "v1=00", string(body), now, ErrBadHeader},
		{"garbage", secret, "garbage", string(body), now, ErrBadHeader},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorIs(t, Verify(tc.secret, tc.header, []byte(tc.body), 5*time.Minute, tc.now), tc.want)
		})
	}
}

func TestSendTimeout(t *testing.T) {
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer hang.Close()
	defer close(release)
	s := &Sender{Secret: []byte("k"), Timeout: 50 * time.Millisecond}
	err := s.Send(context.Background(), hang.URL, []byte("{}"))
	require.ErrorIs(t, err, context.DeadlineExceeded)

	var got []byte
	var sig string
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
		sig = r.Header.Get(SignatureHeader)
	}))
	defer ok.Close()
	require.NoError(t, s.Send(context.Background(), ok.URL, []byte(`{"a":1}`)))
	require.NoError(t, Verify([]byte("k"), sig, got, time.Minute, time.Now()))
}

func TestNextRetry(t *testing.T) {
	s := &Sender{Backoff: time.Second}
	for n, base := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
		d := s.NextRetry(n + 1)
		require.GreaterOrEqual(t, d, base/2)
		require.LessOrEqual(t, d, base*3/2)
	}
	require.LessOrEqual(t, s.NextRetry(100), 90*time.Minute)
}

func TestLoadSecret(t *testing.T) {
	p := filepath.Join(t.TempDir(), "webhook.secret")
	a, err := LoadSecret(p)
	require.NoError(t, err)
	b, err := LoadSecret(p)
	require.NoError(t, err)
	require.Equal(t, a, b, "the secret is kept")
	require.Greater(t, len(a), 32)
}
