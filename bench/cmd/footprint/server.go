package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/v100video/v100/bench/internal/procfs"
	"github.com/v100video/v100/internal/freeport"
)

// server is a "v100 serve" process the bench started.
type server struct {
	cmd    *exec.Cmd
	url    string // http://127.0.0.1:PORT
	log    string // file holding its output
	exited chan struct{}
	ready  time.Duration // from exec to the first 200 of /readyz
}

// startServer runs bin serve on a free loopback port with data dir data and
// the extra flags, and returns once GET /readyz answers 200, polling every
// millisecond (a refused connection costs microseconds on loopback).
func startServer(ctx context.Context, bin, data, logDir string, extra ...string) (*server, error) {
	port, err := freeport.Loopback()
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	logf, err := os.CreateTemp(logDir, "serve-*.log")
	if err != nil {
		return nil, err
	}
	defer logf.Close() // the child holds its own descriptor
	args := append([]string{"serve", "--listen", addr, "--data", data}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM} // dies with the bench
	s := &server{cmd: cmd, url: "http://" + addr, log: logf.Name(), exited: make(chan struct{})}

	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 2 * time.Second}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		cmd.Wait() // its exit is reported through s.exited
		close(s.exited)
	}()
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	for {
		resp, err := client.Get(s.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				s.ready = time.Since(start)
				return s, nil
			}
		}
		select {
		case <-s.exited:
			return nil, s.failed("exited while starting")
		case <-deadline.C:
			s.stop()
			return nil, s.failed("did not answer GET /readyz within 30 s")
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
}

// pid is the server's process id.
func (s *server) pid() int { return s.cmd.Process.Pid }

// failed returns an error saying what went wrong, with the end of the log.
func (s *server) failed(what string) error {
	b, _ := os.ReadFile(s.log)
	return fmt.Errorf("v100 serve %s; its output ends:\n%s", what, tail(string(b), 10))
}

// stop stops the server with SIGTERM (SIGKILL after 15 s), then kills
// whatever of its descendants (ffmpeg, pocketsphinx) outlived it, by pid.
func (s *server) stop() {
	kids := procfs.Descendants(s.pid())
	s.cmd.Process.Signal(syscall.SIGTERM) // an error: it has exited
	select {
	case <-s.exited:
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
	}
	for _, k := range kids {
		if p, ok := procfs.Stat(k.PID); ok && p.Comm == k.Comm {
			syscall.Kill(k.PID, syscall.SIGKILL)
		}
	}
}

// buildV100 builds cmd/v100 of the main module into dir, stripped as make
// build does and not stripped, and returns the two paths.
func buildV100(ctx context.Context, dir string) (stripped, full string, err error) {
	root, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}", "github.com/v100video/v100").Output()
	if err != nil {
		return "", "", fmt.Errorf("locating the v100 module: %w", err)
	}
	stripped, full = filepath.Join(dir, "v100"), filepath.Join(dir, "v100-full")
	for _, b := range []struct {
		out   string
		flags []string
	}{
		{stripped, []string{"-trimpath", "-ldflags=-s -w"}},
		{full, nil},
	} {
		args := append(append([]string{"build"}, b.flags...), "-o", b.out, "./cmd/v100")
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = strings.TrimSpace(string(root))
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", "", fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out)
		}
	}
	return stripped, full, nil
}

// run runs argv and returns an error with the end of its output if it
// fails.
func run(ctx context.Context, argv ...string) error {
	out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return fmt.Errorf("%s: %w:\n%s", argv[0], err, tail(string(out), 8))
	}
	return err
}

// tail returns the last n lines of s, indented.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "    " + strings.Join(lines, "\n    ")
}
