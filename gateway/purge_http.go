package gateway

import (
	"context"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
)

// MethodPurge is the request method that purges a Gateway's caches: PURGE
// /path purges that target on the request's host (every Vary variant),
// and PURGE /path/* every target under /path/. A Gateway accepts it only
// from the addresses in Config.PurgeFrom, and answers 200 with the number
// of responses removed from L1 as a text body; from anyone else, 403.
const MethodPurge = "PURGE"

// purgeAllowedKey marks a request's context: its PURGE comes from an
// address allowed to purge.
type purgeAllowedKey struct{}

// purgeGate answers PURGE requests from addresses outside allowed with
// 403, and passes on those from inside, marked for the caches behind it.
func purgeGate(allowed []netip.Prefix, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != MethodPurge {
			next.ServeHTTP(w, r)
			return
		}
		if a, ok := peerAddr(r.RemoteAddr); !ok || !isTrusted(a, allowed) {
			http.Error(w, "403 forbidden: purge is not allowed from this address", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), purgeAllowedKey{}, true)))
	})
}

// servePurge purges what r names (see MethodPurge), if its context allows
// it; it reports whether r was a purge it answered.
func (c *Cache) servePurge(w http.ResponseWriter, r *http.Request) bool {
	if allowed, _ := r.Context().Value(purgeAllowedKey{}).(bool); !allowed {
		return false
	}
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	target := r.URL.EscapedPath()
	if r.URL.RawQuery != "" || r.URL.ForceQuery {
		target += "?" + r.URL.RawQuery
	}
	var n int
	if p, ok := strings.CutSuffix(target, "*"); ok {
		n = c.PurgePrefix(host, p)
	} else {
		n = c.Purge(host, target)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte(strconv.Itoa(n) + "\n"))
	return true
}
