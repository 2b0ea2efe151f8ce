package stripe

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCounterCountsEveryAdd(t *testing.T) {
	var c Counter
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				c.Add()
			}
		}()
	}
	wg.Wait()
	require.Equal(t, uint64(8000), c.Load())
}
