package clock

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
)

func TestCoarseTicksAndFallsBackAfterClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := New(10 * time.Millisecond)
		start := c.Coarse()
		time.Sleep(5 * time.Millisecond)
		synctest.Wait()
		require.Equal(t, start, c.Coarse(), "between ticks the coarse time stands still")
		time.Sleep(10 * time.Millisecond)
		synctest.Wait()
		require.Equal(t, start+int64(10*time.Millisecond), c.Coarse(), "a tick advances it")
		require.Equal(t, int64(15*time.Millisecond), c.Since(c.base.Add(15*time.Millisecond)))
		c.Close()
		time.Sleep(time.Second)
		require.Equal(t, int64(time.Second+15*time.Millisecond), c.Coarse(), "after Close it reads the system clock")
	})
}
