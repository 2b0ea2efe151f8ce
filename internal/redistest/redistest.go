// Package redistest starts a real redis-server for tests, on a free loopback
// port, and stops it when the test ends. It can also take the server down
// and bring it back on the same port, for outage tests.
//
// redis-server must be installed (scripts/setup installs it); a test that
// needs it fails, rather than skips, when it is missing, so that CI cannot
// pass without the real component.
package redistest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/v100video/v100/internal/freeport"
)

// Server is a redis-server process owned by one test.
type Server struct {
	t    testing.TB
	Addr string // host:port on 127.0.0.1
	cmd  *exec.Cmd
	dir  string
}

// Start launches a redis-server for t and registers its shutdown with
// t.Cleanup.
func Start(t testing.TB) *Server {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatalf("redis-server not found: run scripts/setup (or make test), which installs it")
	}
	s := &Server{t: t, dir: t.TempDir()}
	var lastErr error
	for range 5 {
		port, err := freeport.Loopback()
		if err != nil {
			t.Fatalf("redistest: finding a free port: %v", err)
		}
		s.Addr = fmt.Sprintf("127.0.0.1:%d", port)
		if lastErr = s.start(); lastErr == nil {
			t.Cleanup(s.Stop)
			return s
		}
	}
	t.Fatalf("redistest: starting redis-server: %v", lastErr)
	return nil
}

// URL returns the server's redis:// URL.
func (s *Server) URL() string { return "redis://" + s.Addr }

func (s *Server) start() error {
	_, port, _ := net.SplitHostPort(s.Addr)
	cmd := exec.Command("redis-server",
		"--bind", "127.0.0.1", "--port", port,
		"--save", "", "--appendonly", "no",
		"--dir", s.dir, "--protected-mode", "yes",
	)
	out, err := os.Create(s.dir + "/redis-" + port + ".log")
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		out.Close()
		return err
	}
	s.cmd = cmd
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if ping(s.Addr) == nil {
			out.Close()
			return nil
		}
		if cmd.ProcessState != nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.kill()
	out.Close()
	log, _ := os.ReadFile(out.Name())
	return fmt.Errorf("redis-server on %s not ready: %s", s.Addr, strings.TrimSpace(string(log)))
}

// Stop ends the server (it is safe to call twice).
func (s *Server) Stop() { s.kill() }

// Restart brings a stopped server back on the same address, empty.
func (s *Server) Restart() {
	s.t.Helper()
	s.kill()
	var err error
	for range 50 { // the port can take a moment to be free again
		if err = s.start(); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.t.Fatalf("redistest: restarting redis-server: %v", err)
}

func (s *Server) kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

func ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "+PONG") {
		return fmt.Errorf("unexpected reply %q", line)
	}
	return nil
}
