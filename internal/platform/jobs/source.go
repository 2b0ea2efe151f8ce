package jobs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/riverqueue/river"

	"github.com/v100video/v100/internal/platform/media"
	"github.com/v100video/v100/internal/platform/source"
	"github.com/v100video/v100/internal/platform/storage"
	"github.com/v100video/v100/internal/platform/store"
)

// EnqueueSource queues, in tx, the processing of asset id from a source
// that the job first downloads from url, returning the job's ID.
func (q *Queue) EnqueueSource(ctx context.Context, tx *store.Tx, id, url string) (int64, error) {
	res, err := q.client.insertTx(ctx, tx, ProcessArgs{AssetID: id, Source: url}, &river.InsertOpts{Queue: q.cfg.Queue})
	if err != nil {
		return 0, fmt.Errorf("jobs: enqueue %s: %w", id, err)
	}
	return res.Job.ID, nil
}

// download fetches the job's source URL into storage, unless an earlier
// attempt did. Its error is the job's.
func (w *worker) download(ctx context.Context, job *river.Job[ProcessArgs]) error {
	cfg := w.q.cfg
	id := job.Args.AssetID
	if obj, err := cfg.Storage.Open(ctx, SourceKey(id)); err == nil {
		obj.Close()
		return nil
	} else if !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	if cfg.Sources == nil {
		return w.fail(ctx, id, "downloads from URLs are not enabled", river.JobCancel(errors.New("no fetcher")))
	}
	tmp := filepath.Join(cfg.WorkDir, id+".download")
	defer os.Remove(tmp)
	size, err := cfg.Sources.Fetch(ctx, job.Args.Source, tmp)
	switch {
	case err == nil:
	case source.Permanent(err):
		return w.fail(ctx, id, media.Reason(err), river.JobCancel(err))
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		return river.JobSnooze(0)
	case job.Attempt >= job.MaxAttempts:
		return w.fail(ctx, id, media.Reason(err), err)
	default:
		if err := w.q.setRequeued(context.WithoutCancel(ctx), id, "retrying: "+media.Reason(err)); err != nil && !errors.Is(err, store.ErrNotFound) {
			w.q.log.Error("recording the retry", "err", err)
		}
		return err
	}
	if size == 0 {
		return w.fail(ctx, id, "the source URL gave an empty file", river.JobCancel(errors.New("empty source")))
	}
	// Record the size and check the quota before the file joins the media.
	err = cfg.Store.Tx(ctx, func(tx *store.Tx) error {
		if err := cfg.Store.SetSize(ctx, tx, id, size); err != nil {
			return err
		}
		return cfg.Store.Reserve(ctx, tx, cfg.Quota, 0)
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return river.JobCancel(err) // deleted while downloading
	case errors.Is(err, store.ErrQuota):
		return w.fail(ctx, id, fmt.Sprintf("the source (%d bytes) does not fit in the disk quota", size), river.JobCancel(err))
	case err != nil:
		return err
	}
	if err := cfg.Storage.Import(ctx, SourceKey(id), tmp); err != nil {
		return err
	}
	if _, err := cfg.Store.Get(ctx, id); errors.Is(err, store.ErrNotFound) {
		// Deleted while importing: remove what was just imported.
		if derr := cfg.Storage.Delete(ctx, SourceKey(id)); derr != nil {
			return derr
		}
		return river.JobCancel(err)
	}
	return nil
}
