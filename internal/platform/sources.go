package platform

import (
	"github.com/v100video/v100/internal/platform/source"
)

// sources returns the fetcher of videos created from URLs: bounded by the
// largest upload, refusing private addresses but those of cfg.AllowSources.
func sources(cfg Config) *source.Fetcher {
	max := cfg.MaxUpload
	if max <= 0 {
		max = 20 << 30
	}
	return &source.Fetcher{Allow: cfg.AllowSources, MaxBytes: max, Timeout: cfg.SourceTimeout}
}
