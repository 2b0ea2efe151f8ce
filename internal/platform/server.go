package platform

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/v100video/v100/caption"
	"github.com/v100video/v100/gateway"
	"github.com/v100video/v100/gateway/redisl2"
	"github.com/v100video/v100/internal/platform/api"
	"github.com/v100video/v100/internal/platform/events"
	"github.com/v100video/v100/internal/platform/jobs"
	"github.com/v100video/v100/internal/platform/media"
	"github.com/v100video/v100/internal/platform/source"
	"github.com/v100video/v100/internal/platform/storage"
	"github.com/v100video/v100/internal/platform/store"
	"github.com/v100video/v100/internal/platform/webhook"
	"github.com/v100video/v100/ratelimit"
	"github.com/v100video/v100/ratelimit/redisstore"
	"github.com/v100video/v100/transcode"
)

// Config configures Run. The zero Config serves on :8080 from ./data.
type Config struct {
	// Listen is the address to listen on; if empty, ":8080".
	Listen string
	// Data is the data directory; if empty, "./data". It holds the
	// database (v100.db), the media (media/), uploads in progress
	// (uploads/) and the jobs' scratch space (work/).
	Data string
	// DB, if not empty, is the URL of a PostgreSQL database
	// (postgres://…) that holds the metadata and the job queue instead of
	// the data directory's SQLite database. Several servers may share it.
	DB string
	// Redis, if not empty, is the URL of a Redis or Valkey server
	// (redis://[user:password@]host:port[/db]) through which the playback
	// rate limit holds across every server sharing it, and which is the
	// second tier of the playback cache. While it is unreachable, each
	// server limits and caches alone.
	Redis string
	// Storage, if not empty, is the URL of the media storage: file://dir
	// for a local directory, or s3://[access:secret@]bucket[/prefix]
	// ?endpoint=URL&region=R for a bucket of an S3-compatible server (see
	// storage.ParseS3URL). If empty, the data directory's media/.
	Storage string
	// Steps is the ladder template; if nil, transcode's default.
	Steps []transcode.Step
	// Segment is the HLS segment duration; if zero, 6 s.
	Segment time.Duration
	// Preset is the libx264 preset; if empty, "veryfast".
	Preset string
	// Limits bound the sources; if nil, transcode.DefaultLimits().
	Limits *transcode.Limits
	// Workers is how many videos are processed at once; if zero, 1.
	Workers int
	// JobTimeout bounds the processing of one video; if zero, 1 hour.
	JobTimeout time.Duration
	// NoCaptions turns off auto captions (PocketSphinx).
	NoCaptions bool
	// MaxUpload bounds a tus upload and MaxMultipart a multipart one; if
	// zero, 20 GiB and 512 MiB.
	MaxUpload, MaxMultipart int64
	// SigningKey signs playback tokens; if empty, the key in the data
	// directory's signing.key, made at the first start.
	SigningKey string
	// CacheSize bounds the in-memory playback cache in bytes; if zero,
	// 256 MiB.
	CacheSize int64
	// PlaybackRate limits playback requests per second per client IP, with
	// bursts of PlaybackBurst; if zero, 100 and 1,000; if negative, none.
	PlaybackRate, PlaybackBurst int
	// Admin, if not empty, is the address of a second listener serving
	// net/http/pprof under /debug/pprof/. Keep it on loopback.
	Admin string
	// AdminStarted, if not nil, is called with the admin listener's
	// address once it listens.
	AdminStarted func(addr net.Addr)
	// Logger; if nil, nothing is logged.
	Logger *slog.Logger
	// Started, if not nil, is called with the address once the server
	// listens and its workers run.
	Started func(addr net.Addr)
	// Webhooks, if it has URLs, receives video.ready and video.failed
	// events; if its Secret is empty, the secret kept in the data
	// directory (WebhookSecretName, made if missing) is used.
	Webhooks webhook.Sender
	// AllowSources are the private addresses videos may be downloaded
	// from (POST /v1/videos {"url": …}); others are refused.
	AllowSources []source.Rule
	// SourceTimeout bounds such a download; if zero, 1 hour.
	SourceTimeout time.Duration
	// Quota, if positive, bounds the bytes of media and uploads (see
	// api.Config.Quota).
	Quota int64
}

// Layout of the data directory.
const (
	DBName    = "v100.db"
	MediaDir  = "media"
	UploadDir = "uploads"
	WorkDir   = "work"
	LockName  = "v100.lock"
)

// OpenStore opens the metadata database: the PostgreSQL database at URL db
// if db is not empty, else the SQLite database of the data directory dir.
func OpenStore(ctx context.Context, dir, db string) (*store.Store, error) {
	if db != "" {
		return store.OpenPostgres(ctx, db)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return store.Open(ctx, filepath.Join(dir, DBName))
}

// Run serves the platform until ctx ends, then shuts down gracefully:
// in-flight requests finish (up to 10 s), and running jobs get 10 s before
// they are cancelled, to run again at the next start.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Listen == "" {
		cfg.Listen = ":8080"
	}
	if cfg.Data == "" {
		cfg.Data = "./data"
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	for _, d := range []string{cfg.Data, filepath.Join(cfg.Data, MediaDir), filepath.Join(cfg.Data, UploadDir), filepath.Join(cfg.Data, WorkDir)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	unlock, err := lockDir(filepath.Join(cfg.Data, LockName))
	if err != nil {
		return err
	}
	defer unlock()
	if err := sweep(filepath.Join(cfg.Data, WorkDir), log); err != nil {
		return err
	}

	st, err := OpenStore(ctx, cfg.Data, cfg.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	instance, err := instanceID(cfg.Data)
	if err != nil {
		return err
	}
	files, err := storage.Open(ctx, cfg.Storage, filepath.Join(cfg.Data, MediaDir), filepath.Join(cfg.Data, WorkDir))
	if err != nil {
		return err
	}
	pipe := &media.Pipeline{
		Steps: cfg.Steps, Segment: cfg.Segment, Preset: cfg.Preset, Limits: cfg.Limits, Logger: log,
	}
	if !cfg.NoCaptions {
		pipe.Recognizer = &caption.Sphinx{}
	}
	broker := &events.Broker{}
	fetcher := sources(cfg)
	hooks, err := webhooks(cfg.Webhooks, cfg.Data, log)
	if err != nil {
		return err
	}
	queue, err := jobs.New(ctx, jobs.Config{
		Store: st, Storage: files, Pipeline: pipe, WorkDir: filepath.Join(cfg.Data, WorkDir),
		Workers: cfg.Workers, Timeout: cfg.JobTimeout, Logger: log, Events: broker, Webhooks: hooks, Sources: fetcher,
		Quota:    cfg.Quota,
		Instance: instance, Queue: jobQueue(cfg.DB, instance),
	})
	if err != nil {
		return err
	}
	key, err := signingKey(cfg.Data, cfg.SigningKey)
	if err != nil {
		return err
	}
	var limits ratelimit.Store
	var l2 gateway.L2Store
	if cfg.Redis != "" {
		ro, err := redis.ParseURL(cfg.Redis)
		if err != nil {
			// The parser's message may repeat the URL, password included.
			return errors.New("platform: invalid Redis URL: want redis://[user:password@]host:port[/db]")
		}
		client := redis.NewClient(ro)
		defer client.Close()
		limits = redisstore.New(client, nil)
		l2 = redisl2.New(client)
	}
	apiSrv, err := api.New(api.Config{
		SigningKey: key, CacheSize: cfg.CacheSize, PlaybackRate: cfg.PlaybackRate, PlaybackBurst: cfg.PlaybackBurst,
		PlaybackStore: limits, PlaybackL2: l2,
		Store: st, Storage: files, Queue: queue,
		UploadDir: filepath.Join(cfg.Data, UploadDir), WorkDir: filepath.Join(cfg.Data, WorkDir),
		MaxUpload: cfg.MaxUpload, MaxMultipart: cfg.MaxMultipart, Logger: log, Events: broker, Sources: fetcher,
		Quota: cfg.Quota,
	})
	if err != nil {
		return err
	}
	defer apiSrv.Close()
	if has, err := st.HasKeys(ctx); err == nil && !has {
		log.Warn("no API key exists: the management API answers loopback clients only (every client looks local behind a reverse proxy on this host); run \"v100 keys create\"")
	}

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           apiSrv,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	srv.RegisterOnShutdown(apiSrv.CloseStreams)
	adm, err := startAdmin(cfg.Admin, log, cfg.AdminStarted)
	if err != nil {
		ln.Close()
		return err
	}
	defer adm.stop()
	if err := queue.Start(ctx); err != nil {
		ln.Close()
		return err
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	if cfg.Started != nil {
		cfg.Started(ln.Addr())
	}

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-served:
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
	}
	jctx, jcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer jcancel()
	if err := queue.Stop(jctx); err != nil {
		log.Error("stopping the workers", "err", err)
	}
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return nil
}

// sweep empties the work directory: what a previous process left there
// (transcodes it was running, ".transcode-partial-*" directories of one
// that died, multipart uploads it was receiving) belongs to no one now.
func sweep(dir string, log *slog.Logger) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("platform: sweep: %w", err)
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return fmt.Errorf("platform: sweep: %w", err)
		}
	}
	if len(entries) > 0 {
		log.Info("removed leftovers of a previous run", "dir", dir, "entries", len(entries))
	}
	return nil
}
