package jobs

import (
	"context"

	"github.com/v100video/v100/internal/platform/events"
	"github.com/v100video/v100/internal/platform/store"
)

// The queue's changes of an asset's status go through these methods, which
// record the change, then publish it to Config.Events and, for a final
// status, queue the webhooks.

func (q *Queue) setProcessing(ctx context.Context, id string, progress float64) error {
	if err := q.cfg.Store.SetProcessing(ctx, id, progress); err != nil {
		return err
	}
	q.cfg.Events.Publish(events.Event{Asset: id, Status: store.Processing, Progress: progress})
	return nil
}

func (q *Queue) setRequeued(ctx context.Context, id, why string) error {
	if err := q.cfg.Store.SetRequeued(ctx, id, why); err != nil {
		return err
	}
	q.cfg.Events.Publish(events.Event{Asset: id, Status: store.Waiting, Reason: why})
	return nil
}

func (q *Queue) setReady(ctx context.Context, id string, duration float64, info store.Info) error {
	if err := q.cfg.Store.SetReady(ctx, id, duration, info); err != nil {
		return err
	}
	q.finished(ctx, events.Event{Asset: id, Status: store.Ready, Progress: 100})
	return nil
}

func (q *Queue) setFailed(ctx context.Context, id, reason string) error {
	if err := q.cfg.Store.SetFailed(ctx, id, reason); err != nil {
		return err
	}
	q.finished(ctx, events.Event{Asset: id, Status: store.Failed, Reason: reason})
	return nil
}

func (q *Queue) finished(ctx context.Context, e events.Event) {
	q.cfg.Events.Publish(e)
	q.queueWebhooks(context.WithoutCancel(ctx), e)
}
