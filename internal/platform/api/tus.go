package api

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"

	"github.com/tus/tusd/v2/pkg/filelocker"
	"github.com/tus/tusd/v2/pkg/filestore"
	tus "github.com/tus/tusd/v2/pkg/handler"
	expslog "golang.org/x/exp/slog"

	"github.com/v100video/v100/internal/platform/jobs"
	"github.com/v100video/v100/internal/platform/store"
)

// Response headers of a tus upload's creation: the video it makes.
const (
	HeaderAssetID    = "V100-Video-Id"
	HeaderPlaybackID = "V100-Playback-Id"
)

// tusHandler serves tus 1.0 uploads. Each upload's ID is the ID of the video
// it creates, which is "uploading" until the last byte arrives; then the
// file moves into storage and processing is queued before the last PATCH is
// answered.
func (s *Server) tusHandler() (http.Handler, error) {
	if err := os.MkdirAll(s.cfg.UploadDir, 0o755); err != nil {
		return nil, err
	}
	composer := tus.NewStoreComposer()
	filestore.New(s.cfg.UploadDir).UseIn(composer)
	filelocker.New(s.cfg.UploadDir).UseIn(composer)
	h, err := tus.NewHandler(tus.Config{
		BasePath:                  "/v1/uploads/",
		StoreComposer:             composer,
		MaxSize:                   s.cfg.MaxUpload,
		DisableDownload:           true,
		DisableConcatenation:      true,
		PreUploadCreateCallback:   s.tusCreate,
		PreFinishResponseCallback: s.tusFinish,
		Cors: &tus.CorsConfig{
			AllowOrigin:      tus.DefaultCorsConfig.AllowOrigin,
			AllowCredentials: false,
			AllowMethods:     tus.DefaultCorsConfig.AllowMethods,
			AllowHeaders:     tus.DefaultCorsConfig.AllowHeaders + ", Authorization",
			MaxAge:           tus.DefaultCorsConfig.MaxAge,
			ExposeHeaders:    tus.DefaultCorsConfig.ExposeHeaders + ", " + HeaderAssetID + ", " + HeaderPlaybackID,
		},
		// tusd logs through golang.org/x/exp/slog; keep its warnings only.
		Logger: expslog.New(expslog.NewTextHandler(s.cfg.TusLog, &expslog.HandlerOptions{Level: expslog.LevelWarn})),
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

func (s *Server) tusCreate(hook tus.HookEvent) (tus.HTTPResponse, tus.FileInfoChanges, error) {
	up := hook.Upload
	if !up.SizeIsDeferred && up.Size == 0 {
		return tus.HTTPResponse{}, tus.FileInfoChanges{}, tus.NewError("ERR_EMPTY_UPLOAD", "the file is empty", http.StatusBadRequest)
	}
	policy, ok := store.ParsePolicy(up.MetaData[policyField])
	if !ok {
		return tus.HTTPResponse{}, tus.FileInfoChanges{}, tus.NewError("ERR_PLAYBACK_POLICY", policyField+`: want "public" or "signed"`, http.StatusBadRequest)
	}
	if s.cfg.Quota > 0 && up.SizeIsDeferred {
		return tus.HTTPResponse{}, tus.FileInfoChanges{}, tus.NewError("ERR_LENGTH_REQUIRED", "this server has a disk quota: declare the Upload-Length", http.StatusBadRequest)
	}
	var a *store.Asset
	err := s.cfg.Store.Tx(hook.Context, func(tx *store.Tx) error {
		if err := s.cfg.Store.Reserve(hook.Context, tx, s.cfg.Quota, up.Size); err != nil {
			return err
		}
		var err error
		if a, err = s.cfg.Store.Create(hook.Context, tx, store.Uploading, cleanName(up.MetaData["filename"]), up.Size); err != nil {
			return err
		}
		return s.cfg.Store.SetPolicy(hook.Context, tx, a.ID, policy)
	})
	if errors.Is(err, store.ErrQuota) {
		return tus.HTTPResponse{}, tus.FileInfoChanges{}, tus.NewError("ERR_QUOTA", quotaMessage(err), http.StatusInsufficientStorage)
	}
	if err != nil {
		s.log.Error("creating a video for an upload", "err", err)
		return tus.HTTPResponse{}, tus.FileInfoChanges{}, tus.NewError("ERR_INTERNAL", "creating the video failed", http.StatusInternalServerError)
	}
	resp := tus.HTTPResponse{Header: tus.HTTPHeader{HeaderAssetID: a.ID, HeaderPlaybackID: a.PlaybackID}}
	return resp, tus.FileInfoChanges{ID: a.ID, MetaData: tus.MetaData{"filename": a.Filename}}, nil
}

func (s *Server) tusFinish(hook tus.HookEvent) (tus.HTTPResponse, error) {
	ctx := context.WithoutCancel(hook.Context)
	up := hook.Upload
	path := up.Storage[filestore.StorageKeyPath]
	if up.Size == 0 {
		return tus.HTTPResponse{}, tus.NewError("ERR_EMPTY_UPLOAD", "the file is empty", http.StatusBadRequest)
	}
	err := s.cfg.Store.Tx(ctx, func(tx *store.Tx) error {
		return s.enqueue(ctx, tx, up.ID, path, up.Size)
	})
	if errors.Is(err, store.ErrNotFound) {
		s.cfg.Storage.Delete(ctx, jobs.SourceKey(up.ID))
		return tus.HTTPResponse{}, tus.NewError("ERR_VIDEO_DELETED", "the video was deleted", http.StatusGone)
	}
	if err != nil {
		s.log.Error("queueing an uploaded video", "asset", up.ID, "err", err)
		s.cfg.Store.SetFailed(ctx, up.ID, "storing the upload failed")
		return tus.HTTPResponse{}, tus.NewError("ERR_INTERNAL", "queueing the video failed", http.StatusInternalServerError)
	}
	s.removeUpload(up.ID)
	return tus.HTTPResponse{Header: tus.HTTPHeader{HeaderAssetID: up.ID}}, nil
}

// removeUpload removes what tusd keeps of upload id.
func (s *Server) removeUpload(id string) {
	if !store.ValidID(id) {
		return
	}
	os.Remove(filepath.Join(s.cfg.UploadDir, id+".info"))
	os.Remove(filepath.Join(s.cfg.UploadDir, id))
}
