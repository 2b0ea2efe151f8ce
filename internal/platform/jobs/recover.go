package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/v100video/v100/internal/platform/store"
)

// clientID is the River client ID of a process of instance: the instance,
// then the start time, so that each run has its own. Empty (River's
// default) when instance is.
func clientID(instance string) string {
	if instance == "" {
		return ""
	}
	return instance + "_" + time.Now().UTC().Format("20060102T150405.000000")
}

// requeueOrphans makes the jobs a dead process left running available
// again, returning how many. River has no API to requeue a running job: its
// rescuer does, after RescueAfter, for queues shared by processes that may
// still be alive. An embedded SQLite database has one owner, so nothing
// can be running in it now; in a shared PostgreSQL database, only the jobs
// last attempted by an earlier run of this instance are orphans.
func (q *Queue) requeueOrphans(ctx context.Context) (int64, error) {
	kinds := []string{ProcessArgs{}.Kind(), WebhookArgs{}.Kind()}
	switch q.cfg.Store.Dialect() {
	case store.SQLite:
		res, err := q.cfg.Store.DB().ExecContext(ctx,
			`UPDATE river_job SET state = 'available' WHERE state = 'running' AND kind IN (?, ?)`, kinds[0], kinds[1])
		if err != nil {
			return 0, err
		}
		return res.RowsAffected()
	case store.Postgres:
		if q.cfg.Instance == "" {
			return 0, nil
		}
		tag, err := q.cfg.Store.Pool().Exec(ctx,
			`UPDATE river_job SET state = 'available'
			WHERE state = 'running' AND kind = ANY($1)
			AND starts_with(attempted_by[array_length(attempted_by, 1)], $2)`, kinds, q.cfg.Instance+"_")
		if err != nil {
			return 0, err
		}
		return tag.RowsAffected(), nil
	}
	return 0, fmt.Errorf("unknown dialect %q", q.cfg.Store.Dialect())
}
