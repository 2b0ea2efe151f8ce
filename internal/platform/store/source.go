package store

import (
	"context"
	"database/sql"
)

// SetSize records the size of an asset's source, in tx if not nil, once a
// download from a URL knows it.
func (s *Store) SetSize(ctx context.Context, tx *sql.Tx, id string, size int64) error {
	return s.update(ctx, tx, id, `UPDATE asset SET size = ?, updated_at = ? WHERE id = ?`, size, now(), id)
}
