package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// ErrNotFound means no asset (or key) has the ID asked for.
var ErrNotFound = errors.New("store: not found")

// Store is the platform's metadata database.
type Store struct {
	db *sql.DB
}

// Open opens (creating if needed) the SQLite database at path and brings its
// schema up to date.
func Open(ctx context.Context, path string) (*Store, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	// SQLite runs one writer at a time; River's driver asks for one
	// connection so that its concurrent work waits in the pool instead of
	// failing with SQLITE_BUSY.
	db.SetMaxOpenConns(1)
	s := &Store{db: db}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// DB returns the database, for River.
func (s *Store) DB() *sql.DB { return s.db }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// Tx runs fn in a transaction, committed if fn returns nil.
func (s *Store) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

var schema = []string{
	`CREATE TABLE IF NOT EXISTS asset (
		seq INTEGER PRIMARY KEY AUTOINCREMENT,
		id TEXT NOT NULL UNIQUE,
		playback_id TEXT NOT NULL UNIQUE,
		status TEXT NOT NULL,
		progress REAL NOT NULL DEFAULT 0,
		error TEXT NOT NULL DEFAULT '',
		filename TEXT NOT NULL DEFAULT '',
		size INTEGER NOT NULL DEFAULT 0,
		duration REAL NOT NULL DEFAULT 0,
		info TEXT NOT NULL DEFAULT '{}',
		job_id INTEGER NOT NULL DEFAULT 0,
		created_at INTEGER NOT NULL,
		updated_at INTEGER NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS asset_status ON asset (status)`,
	`CREATE TABLE IF NOT EXISTS api_key (
		id TEXT PRIMARY KEY,
		hash TEXT NOT NULL UNIQUE,
		created_at INTEGER NOT NULL
	)`,
}

func (s *Store) migrate(ctx context.Context) error {
	for _, stmt := range schema {
		if _, err := s.db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
	}
	if err := s.addColumn(ctx, "asset", "playback_policy", `TEXT NOT NULL DEFAULT 'public'`); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if err := s.addColumn(ctx, "asset", "derived", `INTEGER NOT NULL DEFAULT 0`); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}
