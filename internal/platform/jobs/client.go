package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/v100video/v100/internal/platform/store"
)

// client is what the queue uses of a River client, whatever the type of
// its driver's transactions.
type client interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
	JobCancel(ctx context.Context, id int64) (*rivertype.JobRow, error)
	JobGet(ctx context.Context, id int64) (*rivertype.JobRow, error)
	InsertMany(ctx context.Context, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
	// insertTx inserts a job in a store transaction.
	insertTx(ctx context.Context, tx *store.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	// insertManyTx inserts jobs in a store transaction.
	insertManyTx(ctx context.Context, tx *store.Tx, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
}

// txClient is a River client whose transactions are TTx, taken from store
// transactions by unwrap.
type txClient[TTx any] struct {
	*river.Client[TTx]
	unwrap func(*store.Tx) TTx
}

func (c txClient[TTx]) insertTx(ctx context.Context, tx *store.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	return c.InsertTx(ctx, c.unwrap(tx), args, opts)
}

func (c txClient[TTx]) insertManyTx(ctx context.Context, tx *store.Tx, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error) {
	return c.InsertManyTx(ctx, c.unwrap(tx), params)
}

// newClient migrates River's tables in st's database and makes a client on
// it with driver of st's dialect.
func newClient(ctx context.Context, st *store.Store, cfg *river.Config, log *slog.Logger) (client, error) {
	switch st.Dialect() {
	case store.Postgres:
		return migratedClient(ctx, riverpgxv5.New(st.Pool()), cfg, log, (*store.Tx).Pgx)
	case store.SQLite:
		return migratedClient(ctx, riversqlite.New(st.DB()), cfg, log, (*store.Tx).SQL)
	}
	return nil, fmt.Errorf("jobs: no River driver for %q", st.Dialect())
}

func migratedClient[TTx any](ctx context.Context, driver riverdriver.Driver[TTx], cfg *river.Config, log *slog.Logger, unwrap func(*store.Tx) TTx) (client, error) {
	migrator, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: log})
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return nil, fmt.Errorf("jobs: migrate: %w", err)
	}
	c, err := river.NewClient(driver, cfg)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return txClient[TTx]{c, unwrap}, nil
}

var (
	_ client = txClient[pgx.Tx]{}
	_ client = txClient[*sql.Tx]{}
)
