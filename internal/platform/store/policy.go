package store

import (
	"context"
	"fmt"
)

// Policy says who may play an asset.
type Policy string

// The playback policies: anyone who knows a Public asset's playback ID may
// play it; a Signed asset's playback also needs a token signed by the
// server, valid for that playback ID and not expired.
const (
	Public Policy = "public"
	Signed Policy = "signed"
)

// ParsePolicy returns the policy named s; empty means Public.
func ParsePolicy(s string) (Policy, bool) {
	switch Policy(s) {
	case "", Public:
		return Public, true
	case Signed:
		return Signed, true
	}
	return "", false
}

// SetPolicy sets the playback policy of asset id, in tx if not nil.
func (s *Store) SetPolicy(ctx context.Context, tx *Tx, id string, p Policy) error {
	if _, ok := ParsePolicy(string(p)); !ok {
		return fmt.Errorf("store: invalid playback policy %q", p)
	}
	return s.update(ctx, tx, id, `UPDATE asset SET playback_policy = ?, updated_at = ? WHERE id = ?`, string(p), now(), id)
}

// CountByStatus returns how many assets have each status.
func (s *Store) CountByStatus(ctx context.Context) (map[Status]int, error) {
	rows, err := s.c.query(ctx, `SELECT status, COUNT(*) FROM asset GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("store: count: %w", err)
	}
	defer rows.Close()
	out := map[Status]int{}
	for rows.Next() {
		var st Status
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("store: count: %w", err)
		}
		out[st] = n
	}
	return out, rows.Err()
}

// addColumn adds a column to a table unless it is there: SQLite has no
// ADD COLUMN IF NOT EXISTS.
func (s *Store) addColumn(ctx context.Context, table, column, def string) error {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_table_info(?) WHERE name = ?`, table, column).Scan(&n)
	if err != nil || n > 0 {
		return err
	}
	_, err = s.db.ExecContext(ctx, `ALTER TABLE `+table+` ADD COLUMN `+column+` `+def)
	return err
}
