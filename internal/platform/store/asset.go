package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Status is where an asset is in its life.
type Status string

// The statuses, in order: an asset uploaded by tus is Uploading until its
// last byte arrives; then Waiting for a worker, Processing (with a progress
// percentage), and finally Ready or Failed (with a reason).
const (
	Uploading  Status = "uploading"
	Waiting    Status = "waiting"
	Processing Status = "processing"
	Ready      Status = "ready"
	Failed     Status = "failed"
)

// Asset is a video and what processing made of it.
type Asset struct {
	ID         string
	PlaybackID string
	Status     Status
	Progress   float64 // percent, 0 to 100
	Error      string  // why it failed
	Filename   string  // as uploaded
	Size       int64   // bytes of the source
	Duration   float64 // seconds
	Info       Info
	JobID      int64
	Policy     Policy // who may play it
	Created    time.Time
	Updated    time.Time
}

// Info is what processing learnt about an asset.
type Info struct {
	Width      int         `json:"width,omitempty"`
	Height     int         `json:"height,omitempty"`
	Renditions []Rendition `json:"renditions,omitempty"`
	Captions   []string    `json:"captions,omitempty"` // languages
	Poster     bool        `json:"poster,omitempty"`
	Storyboard bool        `json:"storyboard,omitempty"`
	Warnings   []string    `json:"warnings,omitempty"`
}

// Rendition is one video rendition of a ready asset.
type Rendition struct {
	Name      string `json:"name"`
	Playlist  string `json:"playlist"` // relative to the master
	Width     int    `json:"width"`
	Height    int    `json:"height"`
	Bandwidth int    `json:"bandwidth"`
}

const assetColumns = `id, playback_id, status, progress, error, filename, size, duration, info, job_id, created_at, updated_at, playback_policy`

func scanAsset(row interface{ Scan(...any) error }) (*Asset, error) {
	var a Asset
	var info string
	var created, updated int64
	err := row.Scan(&a.ID, &a.PlaybackID, &a.Status, &a.Progress, &a.Error, &a.Filename, &a.Size, &a.Duration, &info, &a.JobID, &created, &updated, &a.Policy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if err := json.Unmarshal([]byte(info), &a.Info); err != nil {
		return nil, fmt.Errorf("store: asset %s info: %w", a.ID, err)
	}
	a.Created, a.Updated = time.Unix(0, created).UTC(), time.Unix(0, updated).UTC()
	return &a, nil
}

// Create inserts a new asset with fresh IDs and the given status, in tx if
// not nil.
func (s *Store) Create(ctx context.Context, tx *Tx, status Status, filename string, size int64) (*Asset, error) {
	return s.CreateWithID(ctx, tx, NewID(), status, filename, size)
}

// CreateWithID is Create with the asset ID chosen by the caller (an upload's
// ID); it must be valid.
func (s *Store) CreateWithID(ctx context.Context, tx *Tx, id string, status Status, filename string, size int64) (*Asset, error) {
	if !ValidID(id) {
		return nil, fmt.Errorf("store: invalid asset id %q", id)
	}
	now := time.Now().UTC()
	a := &Asset{ID: id, PlaybackID: NewID(), Status: status, Policy: Public, Filename: filename, Size: size, Created: now, Updated: now}
	_, err := s.q(tx).exec(ctx, `INSERT INTO asset (id, playback_id, status, filename, size, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.PlaybackID, a.Status, text(a.Filename), a.Size, now.UnixNano(), now.UnixNano())
	if err != nil {
		return nil, fmt.Errorf("store: create asset: %w", err)
	}
	return a, nil
}

// Get returns the asset with ID id.
func (s *Store) Get(ctx context.Context, id string) (*Asset, error) {
	return s.GetTx(ctx, nil, id)
}

// ByPlaybackID returns the asset with playback ID pid.
func (s *Store) ByPlaybackID(ctx context.Context, pid string) (*Asset, error) {
	if !ValidID(pid) {
		return nil, ErrNotFound
	}
	return scanAsset(s.c.queryRow(ctx, `SELECT `+assetColumns+` FROM asset WHERE playback_id = ?`, pid))
}

// List returns up to limit assets, newest first, after the cursor a
// previous call returned (empty for the first page), and the cursor of the
// next page (empty when there is none).
func (s *Store) List(ctx context.Context, cursor string, limit int) ([]*Asset, string, error) {
	before := int64(1<<63 - 1)
	if cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(cursor)
		n, err2 := strconv.ParseInt(string(b), 10, 64)
		if err != nil || err2 != nil || n < 0 {
			return nil, "", ErrBadCursor
		}
		before = n
	}
	rows, err := s.c.query(ctx, `SELECT seq, `+assetColumns+` FROM asset WHERE seq < ? ORDER BY seq DESC LIMIT ?`, before, limit+1)
	if err != nil {
		return nil, "", fmt.Errorf("store: list: %w", err)
	}
	defer rows.Close()
	var out []*Asset
	var seqs []int64
	for rows.Next() {
		var seq int64
		a, err := scanAsset(seqScanner{rows, &seq})
		if err != nil {
			return nil, "", err
		}
		out, seqs = append(out, a), append(seqs, seq)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("store: list: %w", err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(seqs[limit-1], 10)))
	}
	return out, next, nil
}

// ErrBadCursor means a list cursor was not one List returned.
var ErrBadCursor = errors.New("store: invalid cursor")

// seqScanner scans the seq column before the asset's.
type seqScanner struct {
	rows rows
	seq  *int64
}

func (s seqScanner) Scan(dst ...any) error { return s.rows.Scan(append([]any{s.seq}, dst...)...) }

// Delete removes the asset's row.
func (s *Store) Delete(ctx context.Context, id string) error {
	return s.update(ctx, nil, id, `DELETE FROM asset WHERE id = ?`, id)
}

// SetWaiting marks an asset as queued under job jobID, in tx.
func (s *Store) SetWaiting(ctx context.Context, tx *Tx, id string, size int64, jobID int64) error {
	return s.update(ctx, tx, id, `UPDATE asset SET status = ?, progress = 0, error = '', size = ?, job_id = ?, updated_at = ? WHERE id = ?`,
		Waiting, size, jobID, now(), id)
}

// SetProcessing marks an asset as being processed, progress percent done.
func (s *Store) SetProcessing(ctx context.Context, id string, progress float64) error {
	return s.update(ctx, nil, id, `UPDATE asset SET status = ?, progress = ?, error = '', updated_at = ? WHERE id = ?`,
		Processing, progress, now(), id)
}

// SetReady marks an asset as ready to play, with what processing found.
func (s *Store) SetReady(ctx context.Context, id string, duration float64, info Info) error {
	b, err := json.Marshal(info)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return s.update(ctx, nil, id, `UPDATE asset SET status = ?, progress = 100, error = '', duration = ?, info = ?, updated_at = ? WHERE id = ?`,
		Ready, duration, string(b), now(), id)
}

// SetFailed marks an asset as failed for reason. A ready asset stays
// ready: that is ErrNotFound, as for a deleted one.
func (s *Store) SetFailed(ctx context.Context, id string, reason string) error {
	return s.SetFailedTx(ctx, nil, id, reason)
}

// Unfinished returns the assets waiting for or in processing.
func (s *Store) Unfinished(ctx context.Context) ([]*Asset, error) {
	rows, err := s.c.query(ctx, `SELECT `+assetColumns+` FROM asset WHERE status IN (?, ?) ORDER BY seq`, Waiting, Processing)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []*Asset
	for rows.Next() {
		a, err := scanAsset(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func (s *Store) update(ctx context.Context, tx *Tx, id, query string, args ...any) error {
	n, err := s.q(tx).exec(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store: asset %s: %w", id, err)
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

func now() int64 { return time.Now().UnixNano() }

// SetRequeued puts an asset back to waiting for another run, saying why.
func (s *Store) SetRequeued(ctx context.Context, id, why string) error {
	return s.update(ctx, nil, id, `UPDATE asset SET status = ?, progress = 0, error = ?, updated_at = ? WHERE id = ? AND status <> ?`,
		Waiting, text(why), now(), id, Ready)
}
