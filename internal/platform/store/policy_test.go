package store

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func testPolicy(t *testing.T, s *Store) {
	ctx := context.Background()
	a, err := s.Create(ctx, nil, Waiting, "a.mp4", 10)
	require.NoError(t, err)
	require.Equal(t, Public, a.Policy)
	got, err := s.Get(ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, Public, got.Policy)

	require.NoError(t, s.SetPolicy(ctx, nil, a.ID, Signed))
	got, err = s.ByPlaybackID(ctx, a.PlaybackID)
	require.NoError(t, err)
	require.Equal(t, Signed, got.Policy)
	require.Error(t, s.SetPolicy(ctx, nil, a.ID, "secret"))
	require.ErrorIs(t, s.SetPolicy(ctx, nil, "nosuchid", Signed), ErrNotFound)

	n, err := s.CountByStatus(ctx)
	require.NoError(t, err)
	require.Equal(t, map[Status]int{Waiting: 1}, n)
}

// TestPolicyMigration opens a database made before playback policies: its
// assets become public.
func TestPolicyMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v100.db")
	s, err := Open(ctx, path)
	require.NoError(t, err)
	_, err = s.db.ExecContext(ctx, `ALTER TABLE asset DROP COLUMN playback_policy`)
	require.NoError(t, err)
	_, err = s.db.ExecContext(ctx, `INSERT INTO asset (id, playback_id, status, created_at, updated_at) VALUES ('aaaaaaaaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbbbbb', 'ready', 1, 1)`)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	for range 2 { // and again, when the column is there
		s, err = Open(ctx, path)
		require.NoError(t, err)
		var n int
		require.NoError(t, s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM asset WHERE playback_policy = 'public'`).Scan(&n))
		require.Equal(t, 1, n)
		require.NoError(t, s.Close())
	}
}
