// Package webhook posts the platform's events (video.ready, video.failed) to
// the URLs an operator configures, signed so that receivers can tell them
// from forgeries.
//
// # Signature
//
// Every request carries the header
//
//	V100-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>
//
// where the HMAC, keyed with the shared secret, is of the string
// "<t>.<body>": the timestamp, a dot and the raw request body. To verify,
// split the header on commas, recompute the HMAC over the timestamp and the
// body exactly as received (before parsing the JSON), compare it with v1 in
// constant time (hmac.Equal), and refuse a timestamp older than a few
// minutes, which stops replays. [Verify] does all of this. The scheme is
// Stripe's, so existing verifiers work with the header name changed.
//
// # Delivery
//
// [Sender.Send] makes one attempt, bounded by [Sender.Timeout]; a 2xx answer
// is success. Retries, with exponential backoff and jitter ([Sender.Backoff]),
// are the caller's: the jobs package delivers every event to every URL as a
// durable River job of its own, so that a receiver that hangs delays only
// its own deliveries, and a restart loses none. An event has a unique ID
// that stays the same across attempts, for receivers to drop duplicates.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// SignatureHeader is the header that carries the signature.
const SignatureHeader = "V100-Signature"

// Event types.
const (
	VideoReady  = "video.ready"
	VideoFailed = "video.failed"
)

// Event is the JSON body of a webhook request.
type Event struct {
	ID      string    `json:"id"`
	Type    string    `json:"type"`
	Created time.Time `json:"created_at"`
	Data    Video     `json:"data"`
}

// Video is the video an Event is about.
type Video struct {
	ID         string  `json:"id"`
	PlaybackID string  `json:"playback_id,omitempty"`
	Status     string  `json:"status"`
	Error      string  `json:"error,omitempty"`
	Duration   float64 `json:"duration,omitempty"`
}

// Errors of Verify.
var (
	ErrBadHeader = errors.New("webhook: malformed signature header")
	ErrMismatch  = errors.New("webhook: signature mismatch")
	ErrTooOld    = errors.New("webhook: signature timestamp outside the tolerance")
)

// Sign returns the signature header value of body sent at t.
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + mac(secret, ts, body)
}

func mac(secret []byte, ts string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Verify checks the signature header value header of body: that one of its
// v1 values is the HMAC of its timestamp and body, and that the timestamp
// is within tolerance of now (if tolerance is not zero).
func Verify(secret []byte, header string, body []byte, tolerance time.Duration, now time.Time) error {
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return ErrBadHeader
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ErrBadHeader
	}
	want := []byte(mac(secret, ts, body))
	ok := false
	for _, s := range sigs {
		ok = ok || hmac.Equal([]byte(s), want)
	}
	if !ok {
		return ErrMismatch
	}
	if d := now.Sub(time.Unix(sec, 0)); tolerance > 0 && (d > tolerance || d < -tolerance) {
		return ErrTooOld
	}
	return nil
}

// Defaults of Sender.
const (
	DefaultTimeout  = 10 * time.Second
	DefaultAttempts = 5
	DefaultBackoff  = 10 * time.Second
)

// Sender posts events. Secret is required; other zero fields mean defaults.
type Sender struct {
	// URLs receive every event.
	URLs []string
	// Secret keys the signatures.
	Secret []byte
	// Timeout bounds one attempt; if zero, DefaultTimeout.
	Timeout time.Duration
	// Attempts is how many times a delivery is tried; if zero,
	// DefaultAttempts.
	Attempts int
	// Backoff is the wait before the second attempt, doubled for each
	// later one (with jitter); if zero, DefaultBackoff.
	Backoff time.Duration
	// Client sends the requests; if nil, one that does not follow
	// redirects.
	Client *http.Client
}

// TimeoutOrDefault is Timeout, or its default.
func (s *Sender) TimeoutOrDefault() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return DefaultTimeout
}

// AttemptsOrDefault is Attempts, or its default.
func (s *Sender) AttemptsOrDefault() int {
	if s.Attempts > 0 {
		return s.Attempts
	}
	return DefaultAttempts
}

// NextRetry is how long to wait after failed attempt n (from 1): Backoff
// doubled n-1 times, at most an hour, times a random factor from 0.5 to 1.5.
func (s *Sender) NextRetry(n int) time.Duration {
	b := s.Backoff
	if b <= 0 {
		b = DefaultBackoff
	}
	for i := 1; i < n && b < time.Hour; i++ {
		b *= 2
	}
	b = min(b, time.Hour)
	return time.Duration(float64(b) * (0.5 + rand.Float64()))
}

var noRedirects = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// Send posts body to url once, signed, within Timeout.
func (s *Sender) Send(ctx context.Context, url string, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, s.TimeoutOrDefault())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "v100-webhook/1")
	req.Header.Set(SignatureHeader, Sign(s.Secret, time.Now(), body))
	c := s.Client
	if c == nil {
		c = noRedirects
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("webhook: post %s: %w", url, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook: post %s: %s", url, resp.Status)
	}
	return nil
}

// LoadSecret returns the secret kept in the file at path, making a random
// one (32 bytes, hex) readable only by the owner if the file is missing.
func LoadSecret(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		if s := strings.TrimSpace(string(b)); s != "" {
			return []byte(s), nil
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("webhook: secret: %w", err)
	}
	var r [32]byte
	crand.Read(r[:])
	s := "whsec_" + hex.EncodeToString(r[:])
	if err := os.WriteFile(path, []byte(s+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("webhook: secret: %w", err)
	}
	return []byte(s), nil
}
