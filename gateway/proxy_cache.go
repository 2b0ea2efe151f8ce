package gateway

import (
	"io"
	"log/slog"
	"net/http"
)

// newRouteCache puts a Cache configured by cc in front of next, and adds
// it to m under the route's name.
func newRouteCache(next http.Handler, cc *CacheConfig, logger *slog.Logger, m *Metrics, name string) (http.Handler, io.Closer, error) {
	c := NewCache(next, &CacheOptions{
		MaxObjectSize: int64(cc.MaxObjectSize),
		MaxBytes:      int64(cc.MaxBytes),
		Logger:        logger,
	})
	m.AddCache(name, c)
	return c, c, nil
}
