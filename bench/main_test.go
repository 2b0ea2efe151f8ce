package bench

import (
	"os"
	"testing"

	"github.com/v100video/v100/internal/mediatest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	mediatest.Cleanup() // the clips the media benchmarks generated
	os.Exit(code)
}
