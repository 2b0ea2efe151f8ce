package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
)

// IsPostgresURL reports whether u names a PostgreSQL database
// (postgres:// or postgresql://).
func IsPostgresURL(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// defaultPoolSize is the pool's size when the URL does not set
// pool_max_conns: River holds one connection to listen for new jobs and
// takes others to fetch and complete them, beside the API's queries.
const defaultPoolSize = 16

// OpenPostgres connects to the PostgreSQL database at url (postgres://…;
// pgx's parameters such as pool_max_conns are accepted) and brings its
// schema up to date. Several processes may share the database.
func OpenPostgres(ctx context.Context, url string) (*Store, error) {
	if !IsPostgresURL(url) {
		return nil, errors.New("store: not a postgres:// or postgresql:// URL")
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's message may repeat the URL, password included.
		return nil, errors.New("store: invalid PostgreSQL URL")
	}
	if !strings.Contains(url, "pool_max_conns=") {
		cfg.MaxConns = defaultPoolSize
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: postgres: %w", err)
	}
	s := &Store{dialect: Postgres, pool: pool, c: pgConn{pool}}
	if err := s.migratePostgres(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// postgresSchema is sqliteSchema in PostgreSQL's types, with the columns
// SQLite databases gained later.
var postgresSchema = []string{
	`CREATE TABLE IF NOT EXISTS asset (
		seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		id TEXT NOT NULL UNIQUE,
		playback_id TEXT NOT NULL UNIQUE,
		status TEXT NOT NULL,
		progress DOUBLE PRECISION NOT NULL DEFAULT 0,
		error TEXT NOT NULL DEFAULT '',
		filename TEXT NOT NULL DEFAULT '',
		size BIGINT NOT NULL DEFAULT 0,
		duration DOUBLE PRECISION NOT NULL DEFAULT 0,
		info TEXT NOT NULL DEFAULT '{}',
		job_id BIGINT NOT NULL DEFAULT 0,
		created_at BIGINT NOT NULL,
		updated_at BIGINT NOT NULL,
		playback_policy TEXT NOT NULL DEFAULT 'public',
		derived BIGINT NOT NULL DEFAULT 0
	)`,
	`CREATE INDEX IF NOT EXISTS asset_status ON asset (status)`,
	`CREATE TABLE IF NOT EXISTS api_key (
		id TEXT PRIMARY KEY,
		hash TEXT NOT NULL UNIQUE,
		created_at BIGINT NOT NULL
	)`,
}

// migrateLock is the advisory lock that serialises the migrations of
// processes starting at once ("v100" in ASCII).
const migrateLock = 0x76313030

func (s *Store) migratePostgres(ctx context.Context) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLock); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	for _, stmt := range postgresSchema {
		if _, err := tx.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}
