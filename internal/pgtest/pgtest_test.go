package pgtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

func TestStartNewDatabaseStop(t *testing.T) {
	ctx := context.Background()
	s := Start(t)
	a, b := s.NewDatabase(t), s.NewDatabase(t)
	require.NotEqual(t, a, b)

	c, err := pgx.Connect(ctx, a)
	require.NoError(t, err)
	_, err = c.Exec(ctx, `CREATE TABLE x (n int)`)
	require.NoError(t, err)
	require.NoError(t, c.Close(ctx))

	c, err = pgx.Connect(ctx, b)
	require.NoError(t, err)
	var n int
	require.NoError(t, c.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE tablename = 'x'`).Scan(&n))
	require.Equal(t, 0, n, "databases are separate")
	require.NoError(t, c.Close(ctx))

	exited := s.exited
	s.Stop()
	<-exited
	require.Contains(t, s.log(), "database system is shut down", "a clean shutdown")
	_, err = pgx.Connect(ctx, a)
	require.Error(t, err)
	s.Stop() // twice is fine
}
