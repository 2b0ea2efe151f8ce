package transcode

import (
	"context"
	"sync"
)

// Gate bounds how many encodes run at once. Share one Gate between the
// callers of [Transcode] that should queue behind each other. The zero Gate
// lets one encode run at a time; a nil *Gate lets every encode start at
// once.
type Gate struct {
	once  sync.Once
	slots chan struct{}
}

// NewGate returns a Gate that lets n encodes run at once (at least 1).
func NewGate(n int) *Gate {
	return &Gate{slots: make(chan struct{}, max(n, 1))}
}

func (g *Gate) ch() chan struct{} {
	g.once.Do(func() {
		if g.slots == nil {
			g.slots = make(chan struct{}, 1)
		}
	})
	return g.slots
}

// acquire waits for a slot or for ctx; on cancellation it returns ctx's
// error and holds nothing.
func (g *Gate) acquire(ctx context.Context) error {
	if g == nil {
		return ctx.Err()
	}
	select {
	case g.ch() <- struct{}{}:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

func (g *Gate) release() {
	if g != nil {
		<-g.ch()
	}
}

// Running reports how many encodes hold a slot.
func (g *Gate) Running() int {
	if g == nil {
		return 0
	}
	return len(g.ch())
}
