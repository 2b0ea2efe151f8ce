package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/v100video/v100/gateway"
	"github.com/v100video/v100/internal/platform/events"
	"github.com/v100video/v100/internal/platform/source"
	"github.com/v100video/v100/internal/platform/storage"
	"github.com/v100video/v100/internal/platform/store"
	"github.com/v100video/v100/internal/platform/web"
	"github.com/v100video/v100/ratelimit"
)

// Queue is what the API needs of the job queue.
type Queue interface {
	Enqueue(ctx context.Context, tx *store.Tx, assetID string) (int64, error)
	Cancel(ctx context.Context, jobID int64) error
}

// Config configures New. Store, Storage, Queue, UploadDir and WorkDir are
// required.
type Config struct {
	Store   *store.Store
	Storage storage.Storage
	Queue   Queue
	// UploadDir holds tus uploads in progress and WorkDir multipart
	// uploads being received; both must be on Storage's file system.
	UploadDir, WorkDir string
	// MaxUpload bounds a tus upload, MaxMultipart a multipart one, in
	// bytes; if zero, 20 GiB and 512 MiB.
	MaxUpload, MaxMultipart int64
	// Thumbnails bounds concurrent on-demand thumbnail runs; if zero, 2.
	Thumbnails int
	// Logger; if nil, nothing is logged.
	Logger *slog.Logger
	// TusLog receives the warnings of the tus handler; if nil, none.
	TusLog io.Writer
	// SigningKey signs playback tokens; if empty, a random key that lasts
	// as long as the Server.
	SigningKey []byte
	// CacheSize bounds the playback cache in bytes; if zero, 256 MiB.
	CacheSize int64
	// PlaybackRate limits playback requests per second per client IP, with
	// bursts of PlaybackBurst (at least PlaybackRate); if zero, 100 with
	// bursts of 1,000; if negative, playback is not limited.
	PlaybackRate, PlaybackBurst int
	// PlaybackStore, if not nil, makes the playback limit global: it holds
	// across every server sharing the store (ratelimit/redisstore). While
	// the store is unreachable, each server limits alone.
	PlaybackStore ratelimit.Store
	// PlaybackL2, if not nil, is the second tier of the playback files
	// cache, shared by the servers given the same one; a purge reaches it.
	PlaybackL2 gateway.L2Store
	// Events, if not nil, feeds GET /v1/videos/{id}/events; Heartbeat is
	// how often an idle stream gets a comment, if zero 15 s.
	Events    *events.Broker
	Heartbeat time.Duration
	// Sources, if not nil, lets POST /v1/videos take {"url": …}.
	Sources *source.Fetcher
	// Quota, if positive, bounds the bytes of the videos' files: uploads
	// that would exceed it get 507 Insufficient Storage (see quota.go).
	Quota int64
}

// Server serves the API. Close it to stop its cache.
type Server struct {
	cfg     Config
	log     *slog.Logger
	mux     *http.ServeMux
	thumbs  *gateway.Cache
	thumbOK chan struct{} // semaphore of thumbnail runs
	play    playbackChain
	ops     ops
	streams streams // ends event streams at shutdown
	// subsMu serialises caption uploads, which rewrite master playlists.
	subsMu sync.Mutex
}

// New returns the API's handler.
func New(cfg Config) (*Server, error) {
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = 20 << 30
	}
	if cfg.MaxMultipart <= 0 {
		cfg.MaxMultipart = 512 << 20
	}
	if cfg.Thumbnails <= 0 {
		cfg.Thumbnails = 2
	}
	if cfg.TusLog == nil {
		cfg.TusLog = io.Discard
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, log: log, mux: http.NewServeMux(), thumbOK: make(chan struct{}, cfg.Thumbnails)}
	s.thumbs = gateway.NewCache(http.HandlerFunc(s.thumbnail), &gateway.CacheOptions{MaxBytes: 64 << 20, Logger: log})

	tus, err := s.tusHandler()
	if err != nil {
		return nil, err
	}
	if err := s.initPlayback(); err != nil {
		s.thumbs.Close()
		return nil, err
	}
	if err := s.initOps(); err != nil {
		s.Close()
		return nil, err
	}
	m := s.mux
	m.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	m.HandleFunc("GET /readyz", s.ready)
	m.Handle("POST /v1/videos", s.auth(http.HandlerFunc(s.create)))
	m.Handle("GET /v1/videos", s.auth(http.HandlerFunc(s.list)))
	m.Handle("GET /v1/videos/{id}", s.auth(http.HandlerFunc(s.get)))
	m.Handle("DELETE /v1/videos/{id}", s.auth(http.HandlerFunc(s.delete)))
	m.Handle("GET /v1/videos/{id}/events", s.auth(http.HandlerFunc(s.events)))
	m.Handle("PUT /v1/videos/{id}/captions/{lang}", s.auth(http.HandlerFunc(s.putCaptions)))
	m.Handle("/v1/uploads/", s.auth(http.StripPrefix("/v1/uploads/", tus)))
	m.Handle("/v1/uploads", s.auth(http.StripPrefix("/v1/uploads", tus)))
	m.Handle("GET /v1/playback/{pid}/{path...}", s.play.handler)
	m.Handle("POST /v1/videos/{id}/playback-token", s.auth(http.HandlerFunc(s.playbackToken)))
	m.Handle("GET /metrics", s.auth(http.HandlerFunc(s.serveMetrics)))
	m.HandleFunc("GET /v1/openapi.json", serveOpenAPI)
	m.HandleFunc("OPTIONS /v1/playback/{pid}/{path...}", s.preflight)
	page := web.New() // the web page at / and its files under /ui/
	m.Handle("GET /{$}", page)
	m.Handle("GET /ui/", page)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { writeError(w, http.StatusNotFound, "no such endpoint") })
	return s, nil
}

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.ops.handler.ServeHTTP(w, r) }

// Close stops the caches and the playback rate limiter.
func (s *Server) Close() error {
	err := s.play.close()
	if err2 := s.thumbs.Close(); err == nil {
		err = err2
	}
	return err
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.cfg.Store.Ping(ctx); err != nil {
		writeError(w, http.StatusServiceUnavailable, "database: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]any{"error": map[string]any{"status": code, "message": msg}})
}
