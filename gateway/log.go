package gateway

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// AccessLog returns next with one log record per request written to
// logger at level Info, after the response: method, host, path (without
// the query, which may carry signatures or tokens), status, bytes of body
// written, duration, the route that served it, the cache's verdict from
// the X-Cache response header, and the peer's address. If logger is nil,
// AccessLog returns next itself.
func AccessLog(logger *slog.Logger, next http.Handler) http.Handler {
	if logger == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec, owned := record(w)
		defer func() {
			// Log a handler's panic too (as a 500 unless headers went
			// out), then let it go on up.
			p := recover()
			status := rec.status
			if p != nil && status == 0 {
				status = http.StatusInternalServerError
			}
			logger.LogAttrs(context.Background(), slog.LevelInfo, "request",
				slog.String("method", r.Method),
				slog.String("host", r.Host),
				slog.String("path", r.URL.Path),
				slog.Int("status", statusOr200(status)),
				slog.Int64("bytes", rec.bytes),
				slog.Duration("duration", time.Since(start)),
				slog.String("route", rec.route),
				slog.String("cache", rec.Header().Get("X-Cache")),
				slog.String("remote", r.RemoteAddr),
			)
			if owned {
				rec.release()
			}
			if p != nil {
				panic(p)
			}
		}()
		if owned {
			w = rec
		}
		next.ServeHTTP(w, r)
	})
}

func statusOr200(s int) int {
	if s == 0 {
		return http.StatusOK
	}
	return s
}
