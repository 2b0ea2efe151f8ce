package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/internal/pgtest"
)

// testTx checks that a transaction's writes are seen only once it commits.
func testTx(t *testing.T, s *Store) {
	ctx := context.Background()
	boom := errors.New("boom")
	var rolledBack, committed *Asset
	err := s.Tx(ctx, func(tx *Tx) error {
		switch s.Dialect() {
		case SQLite:
			require.NotNil(t, tx.SQL())
			require.Nil(t, tx.Pgx())
		case Postgres:
			require.NotNil(t, tx.Pgx())
			require.Nil(t, tx.SQL())
		}
		var err error
		rolledBack, err = s.Create(ctx, tx, Waiting, "a.mp4", 1)
		require.NoError(t, err)
		require.NoError(t, s.SetPolicy(ctx, tx, rolledBack.ID, Signed))
		return boom
	})
	require.ErrorIs(t, err, boom)
	_, err = s.Get(ctx, rolledBack.ID)
	require.ErrorIs(t, err, ErrNotFound)

	require.NoError(t, s.Tx(ctx, func(tx *Tx) error {
		var err error
		committed, err = s.Create(ctx, tx, Uploading, "b.mp4", 2)
		if err != nil {
			return err
		}
		return s.SetWaiting(ctx, tx, committed.ID, 3, 42)
	}))
	got, err := s.Get(ctx, committed.ID)
	require.NoError(t, err)
	require.Equal(t, Waiting, got.Status)
	require.Equal(t, int64(3), got.Size)
	require.Equal(t, int64(42), got.JobID)

	// A panic rolls back and frees the connection (SQLite has only one).
	// (txctx's end would roll back a transaction left open, so that a
	// failure here does not hang the cleanup.)
	txctx, cancelTx := context.WithCancel(ctx)
	defer cancelTx()
	var panicked *Asset
	require.Panics(t, func() {
		s.Tx(txctx, func(tx *Tx) error {
			panicked, _ = s.Create(ctx, tx, Waiting, "p.mp4", 1)
			panic("boom")
		})
	})
	if s.Dialect() == Postgres {
		require.Zero(t, s.Pool().Stat().AcquiredConns(), "connections in use after the panic")
	}
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err = s.Get(tctx, panicked.ID)
	require.ErrorIs(t, err, ErrNotFound)

	// A duplicate ID fails the transaction and leaves the first row.
	err = s.Tx(ctx, func(tx *Tx) error {
		_, err := s.CreateWithID(ctx, tx, committed.ID, Waiting, "c.mp4", 4)
		return err
	})
	require.Error(t, err)
	got, err = s.Get(ctx, committed.ID)
	require.NoError(t, err)
	require.Equal(t, "b.mp4", got.Filename)
}

// testHostileText stores text PostgreSQL refuses as it is (NUL bytes,
// invalid UTF-8), and IDs that must not reach a query.
func testHostileText(t *testing.T, s *Store) {
	ctx := context.Background()
	cases := []struct{ in, want string }{
		{"plain.mp4", "plain.mp4"},
		{"nul\x00.mp4", "nul.mp4"},
		{"bad\xff\xfe.mp4", "bad\uFFFD.mp4"},
		{"quote'; DROP TABLE asset; --", "quote'; DROP TABLE asset; --"},
		{"what?", "what?"}, // a "?" in a value is no placeholder
	}
	for _, c := range cases {
		a, err := s.Create(ctx, nil, Waiting, c.in, 1)
		require.NoError(t, err, "%q", c.in)
		got, err := s.Get(ctx, a.ID)
		require.NoError(t, err)
		require.Equal(t, c.want, got.Filename, "%q", c.in)

		require.NoError(t, s.SetFailed(ctx, a.ID, c.in))
		got, err = s.Get(ctx, a.ID)
		require.NoError(t, err)
		require.Equal(t, c.want, got.Error, "%q", c.in)
		require.NoError(t, s.SetRequeued(ctx, a.ID, c.in))
	}
	for _, id := range []string{"", "?", "' OR 1=1 --", "../../etc/passwd", "\x00"} {
		_, err := s.Get(ctx, id)
		require.ErrorIs(t, err, ErrNotFound, "%q", id)
		_, err = s.ByPlaybackID(ctx, id)
		require.ErrorIs(t, err, ErrNotFound, "%q", id)
		_, err = s.CreateWithID(ctx, nil, id, Waiting, "", 0)
		require.Error(t, err, "%q", id)
	}
	n, err := s.CountByStatus(ctx)
	require.NoError(t, err)
	require.Equal(t, map[Status]int{Waiting: len(cases)}, n)
}

// TestPostgresOpen checks what is particular to PostgreSQL: servers
// starting at once migrate one at a time, reopening keeps the data, and a
// URL that is not PostgreSQL's, or a server that is not there, is an error
// that does not show the password.
func TestPostgresOpen(t *testing.T) {
	ctx := context.Background()
	pg := pgtest.Start(t)
	url := pg.NewDatabase(t)

	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			s, err := OpenPostgres(ctx, url)
			if err == nil {
				err = s.Ping(ctx)
				s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}

	s := openPostgres(t, url)
	key, err := s.CreateKey(ctx)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	s = openPostgres(t, url)
	ok, err := s.CheckKey(ctx, key)
	require.NoError(t, err)
	require.True(t, ok)

	for _, bad := range []string{
		"",
		"mysql://u:hunter22@127.0.0.1/x",
		"postgres://u:hunter22@127.0.0.1:%zz/x",
		"postgres://u:hunter22@127.0.0.1:1/x?sslmode=disable&connect_timeout=2",
		"postgres://u:hunter22@127.0.0.1/x?pool_max_conns=-1",
	} {
		s, err := OpenPostgres(ctx, bad)
		require.Error(t, err, bad)
		require.Nil(t, s)
		require.NotContains(t, err.Error(), "hunter22", bad)
	}
	require.True(t, IsPostgresURL("postgresql://h/db"))
	require.False(t, IsPostgresURL("sqlite:///x.db"))
}
