package store

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func open(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "v100.db"))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func TestAssetLifecycle(t *testing.T) {
	ctx := context.Background()
	s := open(t)
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

	require.NoError(t, s.Delete(ctx, a.ID))
	_, err = s.Get(ctx, a.ID)
	require.ErrorIs(t, err, ErrNotFound)
	require.ErrorIs(t, s.SetFailed(ctx, a.ID, "x"), ErrNotFound)
}

func TestList(t *testing.T) {
	ctx := context.Background()
	s := open(t)
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

func TestKeys(t *testing.T) {
	ctx := context.Background()
	s := open(t)
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
