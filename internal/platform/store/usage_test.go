package store

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func testUsageAndReserve(t *testing.T, s *Store) {
	ctx := context.Background()
	a, err := s.Create(ctx, nil, Waiting, "a.mp4", 100)
	require.NoError(t, err)
	b, err := s.Create(ctx, nil, Waiting, "b.mp4", 50)
	require.NoError(t, err)
	require.NoError(t, s.SetProcessed(ctx, nil, a.ID, 1, Info{}, 400))
	used, err := s.Usage(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, int64(550), used)

	for _, tc := range []struct {
		quota, n int64
		ok       bool
	}{
		{0, 1 << 60, true}, // no quota
		{-1, 1 << 60, true},
		{1000, 450, true},
		{1000, 451, false},
		{550, 0, true},
		{549, 0, false},
	} {
		err := s.Reserve(ctx, nil, tc.quota, tc.n)
		if tc.ok {
			require.NoError(t, err, "quota %d, n %d", tc.quota, tc.n)
		} else {
			require.ErrorIs(t, err, ErrQuota, "quota %d, n %d", tc.quota, tc.n)
		}
	}

	// A caption upload's SetReady keeps the processed bytes.
	require.NoError(t, s.SetReady(ctx, a.ID, 1, Info{Captions: []string{"en"}}))
	used, err = s.Usage(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, int64(550), used)

	// Deletes free the space; in a transaction the count sees its own
	// writes.
	require.NoError(t, s.Delete(ctx, a.ID))
	require.NoError(t, s.Tx(ctx, func(tx *Tx) error {
		require.NoError(t, s.SetSize(ctx, tx, b.ID, 70))
		used, err := s.Usage(ctx, tx)
		require.NoError(t, err)
		require.Equal(t, int64(70), used)
		return nil
	}))

	// Concurrent uploads for the last free space: one gets it. Each waits
	// after its check for the others to check too (for a while: where
	// checks are serialised, the others wait on it).
	used, err = s.Usage(ctx, nil)
	require.NoError(t, err)
	var wg sync.WaitGroup
	var won, checked atomic.Int32
	for range 8 {
		wg.Go(func() {
			err := s.Tx(ctx, func(tx *Tx) error {
				if err := s.Reserve(ctx, tx, used+100, 100); err != nil {
					return err
				}
				checked.Add(1)
				for i := 0; i < 40 && checked.Load() < 8; i++ {
					time.Sleep(5 * time.Millisecond)
				}
				_, err := s.Create(ctx, tx, Waiting, "c.mp4", 100)
				return err
			})
			if err == nil {
				won.Add(1)
			} else {
				require.ErrorIs(t, err, ErrQuota)
			}
		})
	}
	wg.Wait()
	require.Equal(t, int32(1), won.Load(), "uploads that took the last free space")
}
