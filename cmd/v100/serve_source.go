package main

import (
	"flag"
	"strings"
	"time"

	"github.com/v100video/v100/internal/platform"
	"github.com/v100video/v100/internal/platform/source"
)

// sourceFlags defines the flags of downloads from source URLs into cfg.
func sourceFlags(fs *flag.FlagSet, cfg *platform.Config) {
	fs.Func("allow-source-host", "private `address` that videos may be downloaded from: an IP, a CIDR prefix or IP:port (repeatable, or a comma list)", func(v string) error {
		for _, s := range strings.Split(v, ",") {
			r, err := source.ParseRule(strings.TrimSpace(s))
			if err != nil {
				return err
			}
			cfg.AllowSources = append(cfg.AllowSources, r)
		}
		return nil
	})
	fs.DurationVar(&cfg.SourceTimeout, "source-timeout", time.Hour, "longest download of a source URL")
}
