package jobs

import (
	"context"

	"github.com/v100video/v100/internal/platform/events"
	"github.com/v100video/v100/internal/platform/store"
)

// The queue's changes of an asset's status go through these methods, which
// record the change, then publish it to Config.Events. A final status and
// the jobs delivering its webhooks are recorded in one transaction, so a
// crash can neither lose the event nor send it for a change that did not
// happen.

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

// setReady records that asset id is ready, with derived bytes of
// processed files.
func (q *Queue) setReady(ctx context.Context, id string, duration float64, info store.Info, derived int64) error {
	e := events.Event{Asset: id, Status: store.Ready, Progress: 100}
	return q.finish(ctx, e, func(tx *store.Tx) error {
		return q.cfg.Store.SetProcessed(ctx, tx, id, duration, info, derived)
	})
}

func (q *Queue) setFailed(ctx context.Context, id, reason string) error {
	e := events.Event{Asset: id, Status: store.Failed, Reason: reason}
	return q.finish(ctx, e, func(tx *store.Tx) error {
		return q.cfg.Store.SetFailedTx(ctx, tx, id, reason)
	})
}

// finish runs update and queues the webhooks of the final event e in one
// transaction, then publishes e.
func (q *Queue) finish(ctx context.Context, e events.Event, update func(tx *store.Tx) error) error {
	err := q.cfg.Store.Tx(ctx, func(tx *store.Tx) error {
		if err := update(tx); err != nil {
			return err
		}
		return q.queueWebhooks(ctx, tx, e)
	})
	if err != nil {
		return err
	}
	q.cfg.Events.Publish(e)
	return nil
}
