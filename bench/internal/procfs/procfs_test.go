package procfs

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseKV(t *testing.T) {
	status := "Name:\tv100\nState:\tS (sleeping)\nVmHWM:\t   17496 kB\nVmRSS:\t   17428 kB\nThreads:\t8\nbroken line\nEmpty:\n"
	got := ParseKV([]byte(status))
	require.Equal(t, map[string]int64{"VmHWM": 17496, "VmRSS": 17428, "Threads": 8}, got)
}

func TestParseStat(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     Proc
		ok       bool
	}{
		{"plain", "123 (ffmpeg) S 45 123 45 0", Proc{123, 45, "ffmpeg", 'S'}, true},
		{"nginx", "1234 (nginx) S 1200 1234 1234 0 -1", Proc{1234, 1200, "nginx", 'S'}, true},
		{"spaces and parentheses", "7 (a (b) c) R 1 7 7", Proc{7, 1, "a (b) c", 'R'}, true},
		{"zombie", "9 (ffmpeg) Z 1 9 9", Proc{9, 1, "ffmpeg", 'Z'}, true},
		{"no command", "7 S 1", Proc{}, false},
		{"truncated", "7 (x)", Proc{}, false},
		{"unclosed", "77 (cache", Proc{}, false},
		{"bad pid", "x (y) S 1", Proc{}, false},
		{"bad state", "7 (x) SS 1", Proc{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ParseStat([]byte(tc.in))
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestReadMemOfThisProcess(t *testing.T) {
	m, ok := ReadMem(os.Getpid())
	require.True(t, ok)
	require.Positive(t, m.RSS)
	require.GreaterOrEqual(t, m.HWM, m.RSS)
	require.Positive(t, m.Threads)
	_, ok = ReadMem(-1)
	require.False(t, ok)
}

// A child and its child are found below this process, and are alive
// until killed and reaped.
func TestDescendants(t *testing.T) {
	cmd := exec.Command("sh", "-c", "sleep 60 & wait")
	require.NoError(t, cmd.Start())
	var found []Proc
	t.Cleanup(func() {
		for _, p := range found {
			syscall.Kill(p.PID, syscall.SIGKILL) // the sleep outlives sh
		}
		cmd.Process.Kill()
		cmd.Wait()
	})
	// Until sh's child has run sleep: a forked child shows sh's command
	// until it execs.
	for range 500 {
		found = Descendants(os.Getpid())
		if len(found) >= 2 && found[1].Comm == "sleep" {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	require.GreaterOrEqual(t, len(found), 2, "%+v", found)
	require.Equal(t, cmd.Process.Pid, found[0].PID)
	require.Equal(t, os.Getpid(), found[0].PPID)
	require.Equal(t, "sleep", found[1].Comm)
	require.Equal(t, cmd.Process.Pid, found[1].PPID)
	require.True(t, Alive(found[1].PID))
	require.False(t, Alive(-1))
}
