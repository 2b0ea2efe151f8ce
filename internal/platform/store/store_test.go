package store

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/internal/pgtest"
)

// storeCases run on a fresh, empty Store of each dialect.
var storeCases = []struct {
	name string
	fn   func(t *testing.T, s *Store)
}{
	{"AssetLifecycle", testAssetLifecycle},
	{"List", testList},
	{"Keys", testKeys},
	{"Policy", testPolicy},
	{"Tx", testTx},
	{"HostileText", testHostileText},
	{"UsageAndReserve", testUsageAndReserve},
}

// TestStore runs every case on SQLite and on a real PostgreSQL server.
func TestStore(t *testing.T) {
	pg := pgtest.Start(t)
	dialects := []struct {
		dialect Dialect
		open    func(t *testing.T) *Store
	}{
		{SQLite, openSQLite},
		{Postgres, func(t *testing.T) *Store { return openPostgres(t, pg.NewDatabase(t)) }},
	}
	for _, d := range dialects {
		t.Run(string(d.dialect), func(t *testing.T) {
			for _, c := range storeCases {
				t.Run(c.name, func(t *testing.T) {
					s := d.open(t)
					require.Equal(t, d.dialect, s.Dialect())
					c.fn(t, s)
				})
			}
		})
	}
}

func openSQLite(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "v100.db"))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func openPostgres(t *testing.T, url string) *Store {
	t.Helper()
	s, err := OpenPostgres(context.Background(), url)
	require.NoError(t, err)
	t.Cleanup(func() {
		// Closing waits for every connection; a failed test may have
		// left one in use.
		if !t.Failed() || s.Pool().Stat().AcquiredConns() == 0 {
			s.Close()
		}
	})
	return s
}

func testAssetLifecycle(t *testing.T, s *Store) {
	ctx := context.Background()
	a, err := s.Create(ctx, nil, Waiting, "a.mp4", 10)
	require.NoError(t, err)
	require.True(t, ValidID(a.ID))
	require.True(t, ValidID(a.PlaybackID))
	require.NotEqual(t, a.ID, a.PlaybackID)

	require.NoError(t, s.SetProcessing(ctx, a.ID, 42.5))
	got, err := s.Get(ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, Processing, got.Status)
	require.Equal(t, 42.5, got.Progress)

	info := Info{Width: 640, Height: 360, Renditions: []Rendition{{Name: "360p", Playlist: "360p/index.m3u8", Width: 640, Height: 360}}}
	require.NoError(t, s.SetReady(ctx, a.ID, 10, info))
	got, err = s.ByPlaybackID(ctx, a.PlaybackID)
	require.NoError(t, err)
	require.Equal(t, Ready, got.Status)
	require.Equal(t, info, got.Info)
	// A late failure or requeue (a replica's recovery, say) leaves it ready.
	require.ErrorIs(t, s.SetFailed(ctx, a.ID, "late"), ErrNotFound)
	require.ErrorIs(t, s.SetRequeued(ctx, a.ID, "late"), ErrNotFound)
	got, err = s.Get(ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, Ready, got.Status)

	require.NoError(t, s.Delete(ctx, a.ID))
	_, err = s.Get(ctx, a.ID)
	require.ErrorIs(t, err, ErrNotFound)
	require.ErrorIs(t, s.SetFailed(ctx, a.ID, "x"), ErrNotFound)
}

func testList(t *testing.T, s *Store) {
	ctx := context.Background()
	var ids []string
	for range 5 {
		a, err := s.Create(ctx, nil, Waiting, "", 1)
		require.NoError(t, err)
		ids = append([]string{a.ID}, ids...) // newest first
	}
	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		require.Less(t, pages, 5)
		page, next, err := s.List(ctx, cursor, 2)
		require.NoError(t, err)
		for _, a := range page {
			got = append(got, a.ID)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	require.Equal(t, ids, got)
	_, _, err := s.List(ctx, "not a cursor", 2)
	require.ErrorIs(t, err, ErrBadCursor)
}

func testKeys(t *testing.T, s *Store) {
	ctx := context.Background()
	has, err := s.HasKeys(ctx)
	require.NoError(t, err)
	require.False(t, has)
	key, err := s.CreateKey(ctx)
	require.NoError(t, err)
	ok, err := s.CheckKey(ctx, key)
	require.NoError(t, err)
	require.True(t, ok)
	for _, bad := range []string{"", key + "x", KeyPrefix, "Bearer " + key} {
		ok, err := s.CheckKey(ctx, bad)
		require.NoError(t, err)
		require.False(t, ok, bad)
	}
}

func TestValidID(t *testing.T) {
	require.True(t, ValidID(NewID()))
	for _, bad := range []string{"", "../../../../../../etc/pwd", "ABCDEFGHIJKLMNOPQRSTUVWX", "abcdefghijklmnopqrstuvw1", "abcdefghijklmnopqrstuvwxy"} {
		require.False(t, ValidID(bad), bad)
	}
}
