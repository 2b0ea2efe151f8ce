// Package store keeps the platform's metadata, assets and API keys, in an
// embedded SQLite database (modernc.org/sqlite, pure Go, so the binary stays
// static). The same database holds River's job tables (see the jobs package).
//
// # Concurrency
//
// The database has one connection (as River's SQLite driver advises), so
// statements run one at a time; every method is short. A [Store] is safe for
// concurrent use.
//
// # Errors
//
// Lookups of a missing asset return [ErrNotFound]; invalid IDs never reach a
// query or a file path (see [ValidID]).
package store
