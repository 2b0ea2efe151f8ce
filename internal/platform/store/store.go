package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// ErrNotFound means no asset (or key) has the ID asked for.
var ErrNotFound = errors.New("store: not found")

// Dialect names the SQL database behind a Store.
type Dialect string

// The dialects: embedded SQLite (the default) and PostgreSQL (shared by
// several processes).
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Store is the platform's metadata database.
type Store struct {
	dialect Dialect
	db      *sql.DB       // SQLite
	pool    *pgxpool.Pool // PostgreSQL
	c       conn          // db or pool
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
	s := &Store{dialect: SQLite, db: db, c: sqlConn{db}}
	if err := s.migrateSQLite(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Dialect returns the store's dialect.
func (s *Store) Dialect() Dialect { return s.dialect }

// DB returns the SQLite database, for River; nil for PostgreSQL.
func (s *Store) DB() *sql.DB { return s.db }

// Pool returns the PostgreSQL pool, for River; nil for SQLite.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close closes the database.
func (s *Store) Close() error {
	if s.pool != nil {
		s.pool.Close()
		return nil
	}
	return s.db.Close()
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if s.pool != nil {
		return s.pool.Ping(ctx)
	}
	return s.db.PingContext(ctx)
}

// Tx is a transaction of a Store. Methods taking a *Tx run in it when it is
// not nil; River inserts its jobs in it through [Tx.SQL] or [Tx.Pgx].
type Tx struct {
	c   conn
	sql *sql.Tx // SQLite
	pgx pgx.Tx  // PostgreSQL
}

// SQL returns the SQLite transaction; nil for PostgreSQL.
func (tx *Tx) SQL() *sql.Tx { return tx.sql }

// Pgx returns the PostgreSQL transaction; nil for SQLite.
func (tx *Tx) Pgx() pgx.Tx { return tx.pgx }

// Tx runs fn in a transaction, committed if fn returns nil and rolled back
// otherwise (also if fn panics).
func (s *Store) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	var tx Tx
	var commit, rollback func() error
	if s.pool != nil {
		ptx, err := s.pool.Begin(ctx)
		if err != nil {
			return fmt.Errorf("store: begin: %w", err)
		}
		tx = Tx{c: pgConn{ptx}, pgx: ptx}
		commit = func() error { return ptx.Commit(ctx) }
		rollback = func() error { return ptx.Rollback(context.WithoutCancel(ctx)) }
	} else {
		stx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("store: begin: %w", err)
		}
		tx = Tx{c: sqlConn{stx}, sql: stx}
		commit, rollback = stx.Commit, stx.Rollback
	}
	done := false
	defer func() {
		// Also when fn panics or calls runtime.Goexit: a transaction left
		// open would keep its connection (SQLite's only one) forever.
		if !done {
			rollback()
		}
	}()
	if err := fn(&tx); err != nil {
		return err
	}
	done = true
	if err := commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// q returns tx's conn, or the database's when tx is nil.
func (s *Store) q(tx *Tx) conn {
	if tx != nil {
		return tx.c
	}
	return s.c
}

var sqliteSchema = []string{
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

func (s *Store) migrateSQLite(ctx context.Context) error {
	for _, stmt := range sqliteSchema {
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
