package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// conn runs the store's statements on a database or a transaction of
// either dialect. Statements are written once, with "?" placeholders; the
// PostgreSQL conn numbers them.
type conn interface {
	// exec runs a statement and returns how many rows it changed.
	exec(ctx context.Context, query string, args ...any) (int64, error)
	query(ctx context.Context, query string, args ...any) (rows, error)
	queryRow(ctx context.Context, query string, args ...any) row
}

type row interface{ Scan(dst ...any) error }

type rows interface {
	Next() bool
	Scan(dst ...any) error
	Err() error
	Close()
}

// sqlQuerier is a *sql.DB or a *sql.Tx.
type sqlQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// sqlConn is the SQLite conn, through database/sql.
type sqlConn struct{ q sqlQuerier }

func (c sqlConn) exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := c.q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (c sqlConn) query(ctx context.Context, query string, args ...any) (rows, error) {
	r, err := c.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{r}, nil
}

func (c sqlConn) queryRow(ctx context.Context, query string, args ...any) row {
	return c.q.QueryRowContext(ctx, query, args...)
}

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { r.Rows.Close() }

// pgQuerier is a *pgxpool.Pool or a pgx.Tx.
type pgQuerier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// pgConn is the PostgreSQL conn, through pgx.
type pgConn struct{ q pgQuerier }

func (c pgConn) exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := c.q.Exec(ctx, numbered(query), args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (c pgConn) query(ctx context.Context, query string, args ...any) (rows, error) {
	return c.q.Query(ctx, numbered(query), args...)
}

func (c pgConn) queryRow(ctx context.Context, query string, args ...any) row {
	return c.q.QueryRow(ctx, numbered(query), args...)
}

// numbered replaces the "?" placeholders of query by PostgreSQL's $1, $2,
// …. The store's statements have no "?" in literals or identifiers.
func numbered(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Text makes s storable as TEXT in both dialects, and as JSON in
// PostgreSQL's jsonb: PostgreSQL refuses NUL bytes and invalid UTF-8, which
// SQLite keeps.
func Text(s string) string { return text(s) }

func text(s string) string {
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
}
