package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/v100video/v100/internal/platform/store"
)

// Bounds of a playback token's lifetime, in seconds.
const (
	defaultTokenTTL = 3600
	maxTokenTTL     = 365 * 24 * 3600
)

// policyField is the multipart form field, tus metadata key and JSON field
// that choose a new video's playback policy.
const policyField = "playback_policy"

type tokenView struct {
	PlaybackID string    `json:"playback_id"`
	Token      string    `json:"token"`
	ExpiresAt  time.Time `json:"expires_at"`
	HLS        string    `json:"hls"`
}

// playbackToken mints a token for the video's playback, valid for
// "expires_in" seconds of the optional JSON body (default an hour).
func (s *Server) playbackToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ExpiresIn *int64 `json:"expires_in"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil && !errors.Is(err, io.EOF) {
		writeError(w, http.StatusBadRequest, "want a JSON body such as {\"expires_in\": 3600}: "+err.Error())
		return
	}
	ttl := int64(defaultTokenTTL)
	if req.ExpiresIn != nil {
		ttl = *req.ExpiresIn
	}
	if ttl < 1 || ttl > maxTokenTTL {
		writeError(w, http.StatusBadRequest, "expires_in: want seconds from 1 to 31536000")
		return
	}
	a, err := s.cfg.Store.Get(r.Context(), r.PathValue("id"))
	if s.storeError(w, err) {
		return
	}
	exp := s.play.now().Add(time.Duration(ttl) * time.Second).Truncate(time.Second).UTC()
	tok := s.play.signer.token(a.PlaybackID, exp)
	writeJSON(w, http.StatusCreated, tokenView{
		PlaybackID: a.PlaybackID, Token: tok, ExpiresAt: exp,
		HLS: "/v1/playback/" + a.PlaybackID + "/master.m3u8?" + TokenParam + "=" + tok,
	})
}

// policyOf parses a playback policy given by a client, writing the error
// response if it is not one.
func policyOf(w http.ResponseWriter, v string) (store.Policy, bool) {
	p, ok := store.ParsePolicy(v)
	if !ok {
		writeError(w, http.StatusBadRequest, policyField+": want \"public\" or \"signed\"")
	}
	return p, ok
}
