package jobs

import (
	"context"
	"log/slog"
)

// quiet is a handler that drops records below min: River reports its
// routine at the info level.
type quiet struct {
	slog.Handler
	min slog.Level
}

func (q quiet) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= q.min && q.Handler.Enabled(ctx, l)
}

func (q quiet) WithAttrs(as []slog.Attr) slog.Handler {
	return quiet{q.Handler.WithAttrs(as), q.min}
}

func (q quiet) WithGroup(name string) slog.Handler { return quiet{q.Handler.WithGroup(name), q.min} }
