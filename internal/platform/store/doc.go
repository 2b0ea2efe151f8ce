// Package store keeps the platform's metadata, assets and API keys, in an
// embedded SQLite database (modernc.org/sqlite, pure Go, so the binary stays
// static) or, for several servers, in PostgreSQL (pgx). The same database
// holds River's job tables (see the jobs package).
//
// # Dialects
//
// [Open] opens SQLite and [OpenPostgres] PostgreSQL; both bring the schema
// up to date (one definition per dialect; PostgreSQL's migrations take an
// advisory lock, so servers starting at once migrate in turn). Statements
// are written once, with "?" placeholders that the PostgreSQL side numbers.
// Text is stored as valid UTF-8 without NUL bytes, which PostgreSQL
// requires, in both dialects. [Store.Tx] hands its function a [Tx] from
// which River takes the driver's own transaction ([Tx.SQL] or [Tx.Pgx]), so
// that a job is queued in the transaction that changes its asset.
//
// # Concurrency
//
// The SQLite database has one connection (as River's SQLite driver
// advises), so statements run one at a time; every method is short.
// PostgreSQL has a pool (16 connections unless the URL's pool_max_conns
// says otherwise). A [Store] is safe for concurrent use.
//
// # Errors
//
// Lookups of a missing asset return [ErrNotFound]; invalid IDs never reach a
// query or a file path (see [ValidID]).
package store
