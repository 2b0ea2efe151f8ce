package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/v100video/v100/internal/platform/events"
	"github.com/v100video/v100/internal/platform/store"
	"github.com/v100video/v100/internal/platform/webhook"
)

// WebhookQueue is the River queue of webhook deliveries, apart from the
// processing queue so that slow receivers never hold a video back.
const WebhookQueue = "webhook"

// webhookWorkers is how many deliveries run at once: a receiver that hangs
// holds one for at most the sender's timeout.
const webhookWorkers = 4

// WebhookArgs is the job that delivers one event to one URL.
type WebhookArgs struct {
	URL  string          `json:"url"`
	Body json.RawMessage `json:"body"`
}

// Kind is the job's kind in River's table.
func (WebhookArgs) Kind() string { return "v100_webhook" }

type webhookWorker struct {
	river.WorkerDefaults[WebhookArgs]
	q *Queue
}

func (w *webhookWorker) Work(ctx context.Context, job *river.Job[WebhookArgs]) error {
	s := w.q.cfg.Webhooks
	if s == nil {
		return river.JobCancel(errors.New("webhooks are not configured"))
	}
	err := s.Send(ctx, job.Args.URL, job.Args.Body)
	if err != nil {
		w.q.log.Warn("webhook delivery failed", "url", job.Args.URL, "attempt", job.Attempt, "of", job.MaxAttempts, "err", err)
	}
	return err
}

// Timeout leaves the sender's own timeout to end the attempt.
func (w *webhookWorker) Timeout(*river.Job[WebhookArgs]) time.Duration {
	if s := w.q.cfg.Webhooks; s != nil {
		return s.TimeoutOrDefault() + 5*time.Second
	}
	return 0
}

// NextRetry backs off exponentially, with jitter.
func (w *webhookWorker) NextRetry(job *river.Job[WebhookArgs]) time.Time {
	if s := w.q.cfg.Webhooks; s != nil {
		return time.Now().Add(s.NextRetry(job.Attempt))
	}
	return time.Time{}
}

// queueWebhooks queues, in tx, the delivery of the final event e to every
// webhook URL, one job each.
func (q *Queue) queueWebhooks(ctx context.Context, tx *store.Tx, e events.Event) error {
	s := q.cfg.Webhooks
	if s == nil || len(s.URLs) == 0 {
		return nil
	}
	ev := webhook.Event{ID: "evt_" + store.NewID(), Type: webhook.VideoReady, Created: time.Now().UTC(),
		Data: webhook.Video{ID: e.Asset, Status: string(e.Status), Error: store.Text(e.Reason)}}
	if e.Status == store.Failed {
		ev.Type = webhook.VideoFailed
	}
	if a, err := q.cfg.Store.GetTx(ctx, tx, e.Asset); err == nil {
		ev.Data.PlaybackID, ev.Data.Duration = a.PlaybackID, a.Duration
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("jobs: webhook event: %w", err)
	}
	var params []river.InsertManyParams
	for _, u := range s.URLs {
		params = append(params, river.InsertManyParams{
			Args:       WebhookArgs{URL: u, Body: body},
			InsertOpts: &river.InsertOpts{Queue: WebhookQueue, MaxAttempts: s.AttemptsOrDefault()},
		})
	}
	if _, err := q.client.insertManyTx(ctx, tx, params); err != nil {
		return fmt.Errorf("jobs: queueing webhooks of %s: %w", e.Asset, err)
	}
	return nil
}
