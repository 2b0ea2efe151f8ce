package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/v100video/v100/internal/platform/events"
	"github.com/v100video/v100/internal/platform/media"
	"github.com/v100video/v100/internal/platform/source"
	"github.com/v100video/v100/internal/platform/storage"
	"github.com/v100video/v100/internal/platform/store"
	"github.com/v100video/v100/internal/platform/webhook"
)

// MaxAttempts is how many times a job runs before its asset fails.
const MaxAttempts = 3

// ProcessArgs is the job that processes one asset.
type ProcessArgs struct {
	AssetID string `json:"asset_id"`
	// Source, if not empty, is the URL to download the source from.
	Source string `json:"source_url,omitempty"`
}

// Kind is the job's kind in River's table.
func (ProcessArgs) Kind() string { return "v100_process" }

// InsertOpts bounds the attempts.
func (ProcessArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: MaxAttempts} }

// Config configures New.
type Config struct {
	Store    *store.Store
	Storage  storage.Storage
	Pipeline *media.Pipeline
	// WorkDir is where jobs write their output before it is imported
	// into Storage; it must be on Storage's file system for a local
	// Storage.
	WorkDir string
	// Workers is how many jobs run at once; if zero, 1.
	Workers int
	// Timeout bounds one run of a job; if zero, 1 hour.
	Timeout time.Duration
	// RescueAfter is how long a job may stay running before River's
	// rescuer retries it; if zero, Timeout plus a minute. It must be more
	// than Timeout.
	RescueAfter time.Duration
	// PollInterval is how often workers look for new jobs; if zero, 1 s.
	PollInterval time.Duration
	// Logger; if nil, nothing is logged.
	Logger *slog.Logger
	// Events, if not nil, receives every change of status and progress.
	Events *events.Broker
	// Webhooks, if not nil, receives the final statuses (see
	// WebhookArgs).
	Webhooks *webhook.Sender
	// Instance, if not empty, identifies the process's data directory
	// among the processes sharing a PostgreSQL database: at Start, jobs
	// that an earlier process with the same Instance left running are
	// requeued at once instead of by River's rescuer. At most one process
	// may run with an Instance at a time (the data directory's lock sees
	// to it). It must not contain "_".
	Instance string
	// Queue is the River queue of the processing jobs; if empty, River's
	// default. Servers that share a database but not their storage (a
	// local directory each) must each have their own, so that a server
	// processes only the sources it holds.
	Queue string
	// Sources downloads the sources of assets created from a URL; if
	// nil, such assets fail.
	Sources *source.Fetcher
	// Quota, if positive, bounds the bytes of the assets' files (see
	// store.Store.Usage): a downloaded source that does not fit fails.
	Quota int64
}

// Queue is the processing queue and its workers.
type Queue struct {
	cfg    Config
	client client
	log    *slog.Logger
}

// New migrates River's tables in cfg.Store's database and returns a Queue;
// call Start to run its workers.
func New(ctx context.Context, cfg Config) (*Queue, error) {
	if cfg.Workers <= 0 {
		cfg.Workers = 1
	}
	if cfg.Queue == "" {
		cfg.Queue = river.QueueDefault
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = time.Hour
	}
	if cfg.RescueAfter <= 0 {
		cfg.RescueAfter = cfg.Timeout + time.Minute
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	riverLog := slog.New(quiet{log.Handler(), slog.LevelWarn}).With("component", "river")
	q := &Queue{cfg: cfg, log: log}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &webhookWorker{q: q}); err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	if err := river.AddWorkerSafely(workers, &worker{q: q}); err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	var err error
	q.client, err = newClient(ctx, cfg.Store, &river.Config{
		Queues:               map[string]river.QueueConfig{cfg.Queue: {MaxWorkers: cfg.Workers}, WebhookQueue: {MaxWorkers: webhookWorkers}},
		Workers:              workers,
		JobTimeout:           cfg.Timeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		FetchPollInterval:    cfg.PollInterval,
		Logger:               riverLog,
		ID:                   clientID(cfg.Instance),
	}, riverLog)
	if err != nil {
		return nil, err
	}
	return q, nil
}

// Start recovers what a previous process left running, then starts the
// workers. It must be called only by the process that owns the database.
func (q *Queue) Start(ctx context.Context) error {
	if err := q.recover(ctx); err != nil {
		return err
	}
	if err := q.client.Start(ctx); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	return nil
}

// Stop waits for running jobs until ctx ends, then cancels them; cancelled
// jobs run again at the next start.
func (q *Queue) Stop(ctx context.Context) error {
	err := q.client.Stop(ctx)
	if err == nil {
		return nil
	}
	cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := q.client.StopAndCancel(cctx); err != nil {
		return fmt.Errorf("jobs: stop: %w", err)
	}
	return nil
}

// Enqueue queues the processing of asset id in tx, returning the job's ID.
func (q *Queue) Enqueue(ctx context.Context, tx *store.Tx, id string) (int64, error) {
	res, err := q.client.insertTx(ctx, tx, ProcessArgs{AssetID: id}, &river.InsertOpts{Queue: q.cfg.Queue})
	if err != nil {
		return 0, fmt.Errorf("jobs: enqueue %s: %w", id, err)
	}
	return res.Job.ID, nil
}

// Cancel cancels job id, if it has not finished; a running job stops when
// River notices (its asset is gone, so it does nothing more).
func (q *Queue) Cancel(ctx context.Context, id int64) error {
	if id == 0 {
		return nil
	}
	_, err := q.client.JobCancel(ctx, id)
	if err != nil && !errors.Is(err, river.ErrNotFound) {
		return fmt.Errorf("jobs: cancel %d: %w", id, err)
	}
	return nil
}

// recover makes the jobs a dead process left running available again and
// resets their assets to waiting; then fails the assets whose job is gone
// or finished without making them ready (discarded by the rescuer, say).
func (q *Queue) recover(ctx context.Context) error {
	n, err := q.requeueOrphans(ctx)
	if err != nil {
		return fmt.Errorf("jobs: recover: %w", err)
	}
	if n > 0 {
		q.log.Warn("requeued jobs left running by a previous process", "jobs", n)
	}
	assets, err := q.cfg.Store.Unfinished(ctx)
	if err != nil {
		return err
	}
	for _, a := range assets {
		job, err := q.client.JobGet(ctx, a.JobID)
		if err == nil && job.Queue != q.cfg.Queue {
			continue // another server's job (a shared database): its own to recover
		}
		switch {
		case errors.Is(err, river.ErrNotFound):
			err = q.setFailed(ctx, a.ID, "processing job lost")
		case err != nil:
			return fmt.Errorf("jobs: recover: %w", err)
		case job.State == rivertype.JobStateDiscarded || job.State == rivertype.JobStateCancelled || job.State == rivertype.JobStateCompleted:
			err = q.setFailed(ctx, a.ID, "processing did not finish: "+lastError(job))
		case a.Status == store.Processing && job.State != rivertype.JobStateRunning:
			err = q.setRequeued(ctx, a.ID, "restarted after an interruption")
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	return nil
}

func lastError(job *rivertype.JobRow) string {
	if n := len(job.Errors); n > 0 {
		return job.Errors[n-1].Error
	}
	return string(job.State)
}
