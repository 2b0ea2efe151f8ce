package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/v100video/v100/internal/platform"
	"github.com/v100video/v100/internal/platform/store"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "[flags]", stderr)
	cfg := platform.Config{}
	fs.StringVar(&cfg.Listen, "listen", ":8080", "`address` to listen on")
	fs.StringVar(&cfg.Data, "data", "./data", "data `directory`: database, media, uploads")
	fs.StringVar(&cfg.DB, "db", "", "`URL` of a PostgreSQL database for the metadata and the job queue, postgres://user:pass@host/db (default: $V100_DB, else SQLite in the data directory)")
	fs.StringVar(&cfg.Redis, "redis", "", "`URL` of a Redis or Valkey server, redis://host:port[/db], through which the playback rate limit holds across servers and which is the second tier of the playback cache; if it is down, each server limits and caches alone (default: $V100_REDIS, else per server)")
	fs.StringVar(&cfg.Storage, "storage", "", "`URL` of the media storage: file://dir, or s3://bucket[/prefix]?endpoint=http://host:port&region=R for an S3-compatible server, with access:secret@ before the bucket or $AWS_ACCESS_KEY_ID and $AWS_SECRET_ACCESS_KEY (default: $V100_STORAGE, else media/ in the data directory)")
	steps := fs.String("ladder", "", "rungs as short-side:kbps pairs, largest first, e.g. 720:3000,360:730 (default: 1080p to 240p)")
	fs.DurationVar(&cfg.Segment, "segment", 6*time.Second, "HLS segment `duration`")
	fs.StringVar(&cfg.Preset, "preset", "veryfast", "libx264 `preset`")
	fs.IntVar(&cfg.Workers, "workers", 1, "videos processed at once")
	fs.DurationVar(&cfg.JobTimeout, "job-timeout", time.Hour, "longest processing of one video")
	fs.BoolVar(&cfg.NoCaptions, "no-captions", false, "do not caption speech (PocketSphinx)")
	fs.Int64Var(&cfg.MaxUpload, "max-upload", 20<<30, "largest tus upload in `bytes`")
	fs.Int64Var(&cfg.MaxMultipart, "max-multipart", 512<<20, "largest multipart upload in `bytes`")
	webhookFlags(fs, &cfg.Webhooks)
	sourceFlags(fs, &cfg)
	limitFlags(fs, &cfg)
	fs.StringVar(&cfg.SigningKey, "signing-key", os.Getenv("V100_SIGNING_KEY"), "`key` signing playback tokens, at least 16 bytes (default: $V100_SIGNING_KEY, else made once in the data directory's signing.key)")
	fs.Int64Var(&cfg.CacheSize, "cache-size", 256<<20, "in-memory playback cache size in `bytes`")
	fs.IntVar(&cfg.PlaybackRate, "playback-rate", 100, "playback requests per second per client IP; 0 for no limit")
	fs.IntVar(&cfg.PlaybackBurst, "playback-burst", 1000, "playback requests at once per client IP")
	fs.StringVar(&cfg.Admin, "admin", "", "`address` of a second listener for /debug/pprof/, e.g. 127.0.0.1:6060 (default: off)")
	debug := fs.Bool("debug", false, "log at debug level")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := exactly("serve", pos, 0, "no arguments"); err != nil {
		return err
	}
	// From the environment after parsing, so that -h does not show a
	// password.
	if cfg.DB == "" {
		cfg.DB = os.Getenv("V100_DB")
	}
	if cfg.Redis == "" {
		cfg.Redis = os.Getenv("V100_REDIS")
	}
	if cfg.Storage == "" {
		cfg.Storage = os.Getenv("V100_STORAGE")
	}
	if cfg.Storage != "" && !strings.HasPrefix(cfg.Storage, "file://") && !strings.HasPrefix(cfg.Storage, "s3://") {
		return usageError("serve: -storage: want a file:// or s3:// URL")
	}
	if cfg.DB != "" && !store.IsPostgresURL(cfg.DB) {
		return usageError("serve: -db: want a postgres:// or postgresql:// URL")
	}
	if cfg.PlaybackRate <= 0 {
		cfg.PlaybackRate = -1 // platform.Config's "no limit"
	}
	if *steps != "" {
		if cfg.Steps, err = parseSteps(*steps); err != nil {
			return err
		}
	}
	level := slog.LevelInfo
	if *debug {
		level = slog.LevelDebug
	}
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	cfg.Started = func(addr net.Addr) {
		fmt.Fprintf(stdout, "v100: serving on %s (data in %s)\n", serverURL(addr), cfg.Data)
	}
	cfg.AdminStarted = func(addr net.Addr) {
		fmt.Fprintf(stdout, "v100: admin (pprof) on %s/debug/pprof/\n", serverURL(addr))
	}
	return platform.Run(ctx, cfg)
}

// serverURL is the URL to reach a listener at: localhost for a wildcard
// address.
func serverURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
