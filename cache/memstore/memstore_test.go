package memstore_test

import (
	"testing"

	"github.com/v100video/v100/cache"
	"github.com/v100video/v100/cache/cachetest"
	"github.com/v100video/v100/cache/memstore"
)

func TestConformance(t *testing.T) {
	// Stores made within one sub-test share a backend, as the suite asks.
	var shared *memstore.Store
	var owner *testing.T
	cachetest.Run(t, func(t *testing.T) cache.Store {
		if owner != t {
			owner, shared = t, memstore.New()
		}
		return shared
	})
}
