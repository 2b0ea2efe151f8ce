package jobs

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/internal/platform/store"
	"github.com/v100video/v100/internal/platform/webhook"
)

// newTestQueue returns a Queue on a fresh database, not started, with two
// webhook URLs.
func newTestQueue(t *testing.T) (*Queue, *store.Store) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "v100.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	q, err := New(ctx, Config{Store: st, Webhooks: &webhook.Sender{URLs: []string{"http://127.0.0.1:9/a", "http://127.0.0.1:9/b"}}})
	require.NoError(t, err)
	return q, st
}

// webhookJobs returns the bodies of the queued webhook deliveries by URL.
func webhookJobs(t *testing.T, st *store.Store) map[string]webhook.Event {
	t.Helper()
	rows, err := st.DB().Query(`SELECT args FROM river_job WHERE kind = ?`, WebhookArgs{}.Kind())
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]webhook.Event{}
	for rows.Next() {
		var raw []byte
		require.NoError(t, rows.Scan(&raw))
		var args WebhookArgs
		require.NoError(t, json.Unmarshal(raw, &args))
		var ev webhook.Event
		require.NoError(t, json.Unmarshal(args.Body, &ev))
		out[args.URL] = ev
	}
	require.NoError(t, rows.Err())
	return out
}

// TestFinalStatusQueuesWebhooks: a final status and its webhook jobs are
// recorded together: both, or neither.
func TestFinalStatusQueuesWebhooks(t *testing.T) {
	ctx := context.Background()

	t.Run("failed", func(t *testing.T) {
		q, st := newTestQueue(t)
		a, err := st.Create(ctx, nil, store.Waiting, "a.mp4", 10)
		require.NoError(t, err)
		require.NoError(t, q.setFailed(ctx, a.ID, "broken"))
		got, err := st.Get(ctx, a.ID)
		require.NoError(t, err)
		require.Equal(t, store.Failed, got.Status)
		jobs := webhookJobs(t, st)
		require.Len(t, jobs, 2)
		for _, u := range []string{"http://127.0.0.1:9/a", "http://127.0.0.1:9/b"} {
			require.Equal(t, webhook.VideoFailed, jobs[u].Type, u)
			require.Equal(t, a.ID, jobs[u].Data.ID)
			require.Equal(t, a.PlaybackID, jobs[u].Data.PlaybackID)
			require.Equal(t, "broken", jobs[u].Data.Error)
		}
	})
	t.Run("ready", func(t *testing.T) {
		q, st := newTestQueue(t)
		a, err := st.Create(ctx, nil, store.Waiting, "a.mp4", 10)
		require.NoError(t, err)
		require.NoError(t, q.setReady(ctx, a.ID, 12.5, store.Info{Width: 320, Height: 180}, 1234))
		got, err := st.Get(ctx, a.ID)
		require.NoError(t, err)
		require.Equal(t, store.Ready, got.Status)
		used, err := st.Usage(ctx, nil)
		require.NoError(t, err)
		require.Equal(t, int64(10+1234), used)
		jobs := webhookJobs(t, st)
		require.Len(t, jobs, 2)
		require.Equal(t, webhook.VideoReady, jobs["http://127.0.0.1:9/a"].Type)
		require.Equal(t, 12.5, jobs["http://127.0.0.1:9/a"].Data.Duration)
	})
	t.Run("deleted asset: no event", func(t *testing.T) {
		q, st := newTestQueue(t)
		require.ErrorIs(t, q.setFailed(ctx, store.NewID(), "broken"), store.ErrNotFound)
		require.Empty(t, webhookJobs(t, st))
	})
	t.Run("queueing fails: no status change", func(t *testing.T) {
		q, st := newTestQueue(t)
		a, err := st.Create(ctx, nil, store.Waiting, "a.mp4", 10)
		require.NoError(t, err)
		// The second delivery's insert fails, as a full disk would make it.
		_, err = st.DB().Exec(`CREATE TRIGGER refuse BEFORE INSERT ON river_job
			WHEN NEW.kind = 'v100_webhook' AND json_extract(NEW.args, '$.url') LIKE '%/b'
			BEGIN SELECT RAISE(ABORT, 'injected failure'); END`)
		require.NoError(t, err)
		require.ErrorContains(t, q.setReady(ctx, a.ID, 1, store.Info{}, 5), "injected failure")
		got, err := st.Get(ctx, a.ID)
		require.NoError(t, err)
		require.Equal(t, store.Waiting, got.Status, "the status change is rolled back with the webhooks")
		require.Empty(t, webhookJobs(t, st), "no delivery of a change that did not happen")
	})
}
