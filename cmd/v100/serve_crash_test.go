package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/v100video/v100/internal/mediatest"
	"github.com/v100video/v100/internal/pgtest"
)

// TestServeHelperProcess is not a test: TestServeKilledMidJob runs the test
// binary with it to have "v100 serve" in a process of its own to kill.
func TestServeHelperProcess(t *testing.T) {
	raw := os.Getenv("V100_SERVE_HELPER_ARGS")
	if raw == "" {
		t.Skip("helper process for TestServeKilledMidJob")
	}
	var args []string
	if err := json.Unmarshal([]byte(raw), &args); err != nil {
		t.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(exitCode(run(ctx, args, os.Stdout, os.Stderr)))
}

// TestServeKilledMidJob kills the server and its ffmpeg while a video is
// being transcoded, as a crash or the OOM killer would, and checks that the
// restarted server sweeps the partial output and finishes the video, on
// the embedded SQLite database and on PostgreSQL (where the job is
// requeued at once, not after River's rescue delay).
func TestServeKilledMidJob(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testServeKilledMidJob(t) })
	t.Run("postgres", func(t *testing.T) {
		testServeKilledMidJob(t, "-db", pgtest.Start(t).NewDatabase(t))
	})
}

// testServeKilledMidJob is TestServeKilledMidJob with extra serve flags.
func testServeKilledMidJob(t *testing.T, extra ...string) {
	clip := mediatest.Clip(t, mediatest.Spec{Width: 1280, Height: 720, Seconds: 30})
	src, err := os.ReadFile(clip)
	require.NoError(t, err)
	dir := t.TempDir()

	args, _ := json.Marshal(append(append(append([]string{"serve", "-listen", "127.0.0.1:0", "-data", dir, "-no-captions"}, testServeArgs...),
		"-ladder", "720:2000,360:600", "-preset", "medium"), extra...))
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeHelperProcess$")
	cmd.Env = append(os.Environ(), "V100_SERVE_HELPER_ARGS="+string(args))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // to kill ffmpeg too
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	require.NoError(t, cmd.Start())
	// At the end, kill the process group in case something survived.
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); cmd.Wait() })

	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := servingRE.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
	}()
	first := &server{stderr: stderr}
	select {
	case first.url = <-urls:
	case <-time.After(time.Minute):
		t.Fatalf("serve did not start:\n%s", stderr)
	}

	code, v, resp := first.multipartUpload(t, "long.mp4", src)
	require.Equal(t, 201, code, resp)
	deadline := time.Now().Add(3 * time.Minute)
	for {
		got := first.video(t, v.ID)
		require.NotEqual(t, "ready", got.Status, "finished before the kill: make the test clip longer")
		require.NotEqual(t, "failed", got.Status, got.Error)
		if got.Status == "processing" && got.Progress > 1 {
			break
		}
		require.True(t, time.Now().Before(deadline), "processing did not start:\n%s", stderr)
		time.Sleep(100 * time.Millisecond)
	}
	// Kill the server alone, not its process group: its ffmpeg must die
	// with it (the parent-death signal), not be left encoding.
	children := childProcesses(t, cmd.Process.Pid)
	var encoders []int
	for pid, name := range children {
		if name == "ffmpeg" {
			encoders = append(encoders, pid)
		}
	}
	require.NotEmpty(t, encoders, "no ffmpeg child while processing: %v", children)
	require.NoError(t, cmd.Process.Kill())
	cmd.Wait()
	for _, pid := range encoders {
		require.Eventually(t, func() bool { return !alive(pid) }, 30*time.Second, 50*time.Millisecond,
			"ffmpeg %d outlived the killed server", pid)
	}
	partial, _ := filepath.Glob(filepath.Join(dir, "work", v.ID, ".transcode-partial-*"))
	require.NotEmpty(t, partial, "the kill left no partial transcode")

	srv := startServe(t, dir, append([]string{"-no-captions", "-ladder", "720:2000,360:600"}, extra...)...)
	got := srv.video(t, v.ID)
	require.NotEqual(t, "failed", got.Status, got.Error)
	if got.Status == "waiting" {
		require.True(t, strings.Contains(got.Message(), "interruption"), got.Message())
	}
	got = srv.waitFor(t, v.ID)
	require.Equal(t, "ready", got.Status, got.Error)
	partial, _ = filepath.Glob(filepath.Join(dir, "work", "*", ".transcode-partial-*"))
	require.Empty(t, partial)
	code, _, body := srv.get(t, "/v1/playback/"+got.PlaybackID+"/master.m3u8", nil)
	require.Equal(t, 200, code)
	require.Contains(t, string(body), "RESOLUTION=1280x720")
}

// childProcesses returns the PIDs and command names of the processes whose
// parent is ppid, from /proc.
func childProcesses(t *testing.T, ppid int) map[int]string {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	require.NoError(t, err)
	out := map[int]string{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		name, state, parent, ok := procStat(pid)
		if ok && parent == ppid && state != "Z" {
			out[pid] = name
		}
	}
	return out
}

// alive reports whether process pid exists and is not a zombie (a zombie
// has exited; whether it is reaped depends on the machine's init).
func alive(pid int) bool {
	_, state, _, ok := procStat(pid)
	return ok && state != "Z"
}

// procStat reads the command name, state and parent PID of pid from
// /proc/pid/stat.
func procStat(pid int) (name, state string, ppid int, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", "", 0, false
	}
	// "pid (comm) state ppid …": comm may hold spaces and parentheses.
	s := string(b)
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return "", "", 0, false
	}
	f := strings.Fields(s[end+1:])
	if len(f) < 2 {
		return "", "", 0, false
	}
	ppid, err = strconv.Atoi(f[1])
	return s[open+1 : end], f[0], ppid, err == nil
}
