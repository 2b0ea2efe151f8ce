package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// quotaLock is the advisory lock that serialises quota checks on
// PostgreSQL ("quot" in ASCII).
const quotaLock = 0x71756f74

// ErrQuota means storing more would exceed the disk quota; the error that
// wraps it says by how much.
var ErrQuota = errors.New("store: disk quota exceeded")

// Disk use is accounted per asset, from sizes known when they are
// written: the source's size (the declared length of a tus upload from
// its creation, the bytes received for a multipart upload, the bytes
// downloaded for a source URL) and the bytes of the files processing made
// (SetProcessed). Deleting an asset's row frees both. The sum bounds what
// the media and upload directories hold; scratch files of running jobs
// and the database are not counted.

// Usage returns the bytes of every asset's source and processed files, in
// tx if not nil.
//
// On PostgreSQL, in a transaction, it first takes a lock held until the
// transaction ends, so that of two transactions checking the quota the
// second sees what the first recorded (SQLite transactions here are
// serialised already).
func (s *Store) Usage(ctx context.Context, tx *Tx) (int64, error) {
	if tx != nil && tx.pgx != nil {
		if _, err := tx.c.exec(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(quotaLock)); err != nil {
			return 0, fmt.Errorf("store: usage: %w", err)
		}
	}
	var n int64
	if err := s.q(tx).queryRow(ctx, `SELECT COALESCE(SUM(size + derived), 0) FROM asset`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: usage: %w", err)
	}
	return n, nil
}

// Reserve returns an error wrapping ErrQuota if storing n more bytes
// would take the usage over quota; a quota of zero or less is no limit.
// Call it in the transaction that records the n bytes, so that two
// uploads cannot both take the last free space.
func (s *Store) Reserve(ctx context.Context, tx *Tx, quota, n int64) error {
	if quota <= 0 {
		return nil
	}
	used, err := s.Usage(ctx, tx)
	if err != nil {
		return err
	}
	if used+n > quota {
		if n == 0 {
			return fmt.Errorf("%w: %d of %d bytes used", ErrQuota, used, quota)
		}
		return fmt.Errorf("%w: %d of %d bytes used, %d more needed", ErrQuota, used, quota, n)
	}
	return nil
}

// SetProcessed marks an asset as ready to play, in tx if not nil, with
// what processing found and the bytes of the files it made.
func (s *Store) SetProcessed(ctx context.Context, tx *Tx, id string, duration float64, info Info, derived int64) error {
	b, err := json.Marshal(info)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return s.update(ctx, tx, id, `UPDATE asset SET status = ?, progress = 100, error = '', duration = ?, info = ?, derived = ?, updated_at = ? WHERE id = ?`,
		Ready, duration, string(b), derived, now(), id)
}

// SetFailedTx is SetFailed in tx, if not nil.
func (s *Store) SetFailedTx(ctx context.Context, tx *Tx, id string, reason string) error {
	return s.update(ctx, tx, id, `UPDATE asset SET status = ?, error = ?, updated_at = ? WHERE id = ? AND status <> ?`,
		Failed, text(reason), now(), id, Ready)
}

// GetTx is Get in tx, if not nil.
func (s *Store) GetTx(ctx context.Context, tx *Tx, id string) (*Asset, error) {
	if !ValidID(id) {
		return nil, ErrNotFound
	}
	return scanAsset(s.q(tx).queryRow(ctx, `SELECT `+assetColumns+` FROM asset WHERE id = ?`, id))
}
