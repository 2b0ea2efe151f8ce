package jobs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/v100video/v100/internal/platform/media"
	"github.com/v100video/v100/internal/platform/store"
)

// Storage keys of an asset's files.
func SourceKey(id string) string { return "sources/" + id }
func AssetKey(id string) string  { return "assets/" + id }

type worker struct {
	river.WorkerDefaults[ProcessArgs]
	q *Queue
}

func (w *worker) Work(ctx context.Context, job *river.Job[ProcessArgs]) error {
	cfg := w.q.cfg
	id := job.Args.AssetID
	log := w.q.log.With("asset", id, "job", job.ID, "attempt", job.Attempt)
	a, err := cfg.Store.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		log.Info("asset deleted before processing")
		return nil
	}
	if err != nil {
		return err
	}
	if a.Status == store.Ready || a.Status == store.Failed {
		return nil
	}
	if err := w.q.setProcessing(ctx, id, 0); err != nil {
		return err
	}
	if job.Args.Source != "" {
		if err := w.download(ctx, job); err != nil {
			return err
		}
	}
	src, release, err := cfg.Storage.Local(ctx, SourceKey(id))
	if err != nil {
		return w.fail(ctx, id, "source file missing", river.JobCancel(err))
	}
	defer release()

	base := filepath.Join(cfg.WorkDir, id)
	if err := os.RemoveAll(base); err != nil {
		return err
	}
	if err := os.MkdirAll(base, 0o755); err != nil {
		return err
	}
	defer os.RemoveAll(base)
	out := filepath.Join(base, "out")

	log.Info("processing")
	start := time.Now()
	res, err := cfg.Pipeline.Run(ctx, src, out, w.progress(ctx, id))
	switch {
	case err == nil:
	case media.Permanent(err):
		log.Info("source refused", "err", err)
		return w.fail(ctx, id, media.Reason(err), river.JobCancel(err))
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		// Shutdown or cancellation: run again at the next start without
		// using an attempt.
		log.Info("processing interrupted; will run again")
		return river.JobSnooze(0)
	case job.Attempt >= job.MaxAttempts:
		reason := media.Reason(err)
		if errors.Is(err, context.DeadlineExceeded) {
			reason = fmt.Sprintf("processing took longer than %s", cfg.Timeout)
		}
		return w.fail(ctx, id, reason, err)
	default:
		log.Warn("processing failed; will retry", "err", err)
		if err := w.q.setRequeued(context.WithoutCancel(ctx), id, "retrying: "+media.Reason(err)); err != nil && !errors.Is(err, store.ErrNotFound) {
			log.Error("recording the retry", "err", err)
		}
		return err
	}
	derived, err := treeSize(out)
	if err != nil {
		return err
	}
	if err := cfg.Storage.Import(ctx, AssetKey(id), out); err != nil {
		return err
	}
	err = w.q.setReady(ctx, id, res.Duration.Seconds(), res.Info, derived)
	if errors.Is(err, store.ErrNotFound) {
		// Deleted while processing: remove what was just imported.
		log.Info("asset deleted while processing")
		return cfg.Storage.Delete(ctx, AssetKey(id))
	}
	if err != nil {
		return err
	}
	log.Info("ready", "took", time.Since(start).Round(time.Millisecond), "renditions", len(res.Info.Renditions), "warnings", res.Info.Warnings)
	return nil
}

// fail marks the asset failed for reason and returns jobErr for River.
func (w *worker) fail(ctx context.Context, id, reason string, jobErr error) error {
	if err := w.q.setFailed(context.WithoutCancel(ctx), id, reason); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return jobErr
}

// progress returns a function recording progress at most every half second
// or whole percent.
func (w *worker) progress(ctx context.Context, id string) func(float64) {
	var mu sync.Mutex
	var last float64
	var at time.Time
	return func(p float64) {
		mu.Lock()
		defer mu.Unlock()
		if p-last < 1 && time.Since(at) < 500*time.Millisecond {
			return
		}
		last, at = p, time.Now()
		if err := w.q.setProcessing(ctx, id, p); err != nil && ctx.Err() == nil {
			w.q.log.Debug("recording progress", "asset", id, "err", err)
		}
	}
}

// treeSize returns the bytes of the regular files under dir.
func treeSize(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		n += fi.Size()
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("jobs: measuring the output: %w", err)
	}
	return n, nil
}
