package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
)

// TokenParam is the query parameter that carries a playback token.
const TokenParam = "token"

// Why a playback token is refused. Each is answered 403 with its message.
var (
	errTokenMissing   = errors.New("this video's playback is signed: add ?token= with a token from POST /v1/videos/{id}/playback-token")
	errTokenMalformed = errors.New("the playback token is malformed")
	errTokenExpired   = errors.New("the playback token has expired")
	errTokenInvalid   = errors.New("the playback token is not valid for this video")
)

// maxTokenLen bounds what the token parser looks at: a real token is
// "<unix seconds>.<43 characters>", under 64 bytes.
const maxTokenLen = 128

// signer makes and checks playback tokens: "<expiry>.<signature>", the
// expiry in Unix seconds and the signature the unpadded base64url
// HMAC-SHA256, under the server's key, of the playback ID and the expiry.
// A token is bound to one playback ID, so it cannot open another video.
type signer struct {
	key []byte
}

func (s signer) sign(pid string, exp int64) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("v100 playback token\x00"))
	m.Write([]byte(pid))
	m.Write([]byte{0})
	m.Write([]byte(strconv.FormatInt(exp, 10)))
	return m.Sum(nil)
}

// token returns a token for playback ID pid valid until exp.
func (s signer) token(pid string, exp time.Time) string {
	e := exp.Unix()
	return strconv.FormatInt(e, 10) + "." + base64.RawURLEncoding.EncodeToString(s.sign(pid, e))
}

// verify checks token for playback ID pid at time now.
func (s signer) verify(pid, token string, now time.Time) error {
	if token == "" {
		return errTokenMissing
	}
	exp, sig, err := parseToken(token)
	if err != nil {
		return err
	}
	if !hmac.Equal(sig, s.sign(pid, exp)) {
		return errTokenInvalid
	}
	if now.Unix() >= exp {
		return errTokenExpired
	}
	return nil
}

// parseToken splits a token into its expiry and signature, accepting only
// the canonical form token makes: a positive decimal expiry without
// leading zeros or sign, a dot, and 32 bytes in unpadded base64url.
func parseToken(token string) (exp int64, sig []byte, err error) {
	if len(token) > maxTokenLen {
		return 0, nil, errTokenMalformed
	}
	e, b64, ok := strings.Cut(token, ".")
	if !ok || e == "" || len(e) > 18 || e[0] == '0' {
		return 0, nil, errTokenMalformed
	}
	for i := 0; i < len(e); i++ {
		if e[i] < '0' || e[i] > '9' {
			return 0, nil, errTokenMalformed
		}
	}
	exp, err = strconv.ParseInt(e, 10, 64)
	if err != nil {
		return 0, nil, errTokenMalformed
	}
	sig, err = base64.RawURLEncoding.Strict().DecodeString(b64)
	if err != nil || len(sig) != sha256.Size {
		return 0, nil, errTokenMalformed
	}
	return exp, sig, nil
}
