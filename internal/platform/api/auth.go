package api

import (
	"net"
	"net/http"
	"strings"
)

// auth lets a request through with a valid API key, or from a loopback
// address while no key exists.
func (s *Server) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions { // CORS preflight, answered by tusd
			next.ServeHTTP(w, r)
			return
		}
		ctx := r.Context()
		if key, ok := bearer(r); ok {
			valid, err := s.cfg.Store.CheckKey(ctx, key)
			if err != nil {
				writeError(w, http.StatusServiceUnavailable, "checking the API key failed")
				return
			}
			if valid {
				next.ServeHTTP(w, r)
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="v100", error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, "invalid API key")
			return
		}
		has, err := s.cfg.Store.HasKeys(ctx)
		if err != nil {
			writeError(w, http.StatusServiceUnavailable, "checking API keys failed")
			return
		}
		if !has && loopback(r.RemoteAddr) {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="v100"`)
		if !has {
			writeError(w, http.StatusUnauthorized, "no API key exists yet: the management API answers loopback clients only; run \"v100 keys create\"")
			return
		}
		writeError(w, http.StatusUnauthorized, "an API key is required (Authorization: Bearer v100_…)")
	})
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, key, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	key = strings.TrimSpace(key)
	return key, key != ""
}

func loopback(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
