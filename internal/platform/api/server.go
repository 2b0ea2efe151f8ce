package api

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/v100video/v100/gateway"
	"github.com/v100video/v100/internal/platform/storage"
	"github.com/v100video/v100/internal/platform/store"
)

// Queue is what the API needs of the job queue.
type Queue interface {
	Enqueue(ctx context.Context, tx *sql.Tx, assetID string) (int64, error)
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
}

// Server serves the API. Close it to stop its cache.
type Server struct {
	cfg     Config
	log     *slog.Logger
	mux     *http.ServeMux
	thumbs  *gateway.Cache
	thumbOK chan struct{} // semaphore of thumbnail runs
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
	m := s.mux
	m.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	m.HandleFunc("GET /readyz", s.ready)
	m.Handle("POST /v1/videos", s.auth(http.HandlerFunc(s.createMultipart)))
	m.Handle("GET /v1/videos", s.auth(http.HandlerFunc(s.list)))
	m.Handle("GET /v1/videos/{id}", s.auth(http.HandlerFunc(s.get)))
	m.Handle("DELETE /v1/videos/{id}", s.auth(http.HandlerFunc(s.delete)))
	m.Handle("/v1/uploads/", s.auth(http.StripPrefix("/v1/uploads/", tus)))
	m.Handle("/v1/uploads", s.auth(http.StripPrefix("/v1/uploads", tus)))
	m.HandleFunc("GET /v1/playback/{pid}/{path...}", s.playback)
	m.HandleFunc("OPTIONS /v1/playback/{pid}/{path...}", s.preflight)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { writeError(w, http.StatusNotFound, "no such endpoint") })
	return s, nil
}

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Close stops the thumbnail cache.
func (s *Server) Close() error { return s.thumbs.Close() }

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
