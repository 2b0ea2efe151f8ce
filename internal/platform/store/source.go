package store

import "context"

// SetSize records the size of an asset's source, in tx if not nil, once a
// download from a URL knows it.
func (s *Store) SetSize(ctx context.Context, tx *Tx, id string, size int64) error {
	return s.update(ctx, tx, id, `UPDATE asset SET size = ?, updated_at = ? WHERE id = ?`, size, now(), id)
}
