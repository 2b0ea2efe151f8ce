package store

import "context"

// SetSize records the size of an asset's source, once a download from a
// URL knows it.
func (s *Store) SetSize(ctx context.Context, id string, size int64) error {
	return s.update(ctx, nil, id, `UPDATE asset SET size = ?, updated_at = ? WHERE id = ?`, size, now(), id)
}
