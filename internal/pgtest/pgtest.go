// Package pgtest starts a real PostgreSQL server for tests: initdb into a
// temporary directory, then postgres on a free loopback port with its Unix
// socket in that directory; the server stops (a fast shutdown) and the
// directory goes when the test ends.
//
// PostgreSQL must be installed (scripts/setup installs Debian's postgresql
// package, whose programs are under /usr/lib/postgresql/<version>/bin); a
// test that needs it fails, rather than skips, when it is missing, so that
// CI cannot pass without the real component. PostgreSQL refuses to run as
// root: under root (a CI container) the server runs as the "postgres" user,
// or "nobody" when there is none.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/v100video/v100/internal/freeport"
)

// Server is a postgres process owned by one test.
type Server struct {
	Port int // on 127.0.0.1

	t      testing.TB
	bin    string // directory of initdb and postgres
	dir    string // data directory, socket and log
	as     *runAs
	cmd    *exec.Cmd
	exited chan struct{} // closed when cmd has exited
	dbs    atomic.Int64  // databases made by NewDatabase
}

// runAs is the user a process runs as, when not the test's.
type runAs struct{ uid, gid uint32 }

// Start runs initdb and postgres for t and registers the server's shutdown
// with t.Cleanup.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := binDir()
	if err != nil {
		t.Fatalf("pgtest: %v: run scripts/setup (or make test), which installs PostgreSQL", err)
	}
	s := &Server{t: t, bin: bin}
	if os.Geteuid() == 0 {
		if s.as, err = unprivileged(); err != nil {
			t.Fatalf("pgtest: %v", err)
		}
	}
	// Not t.TempDir: its parent is private to root, and the server may
	// run as another user.
	if s.dir, err = os.MkdirTemp("", "pgtest-"); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(s.dir) })
	if s.as != nil {
		if err := os.Chown(s.dir, int(s.as.uid), int(s.as.gid)); err != nil {
			t.Fatalf("pgtest: %v", err)
		}
	}
	if out, err := s.command("initdb", "-D", s.data(), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync").CombinedOutput(); err != nil {
		t.Fatalf("pgtest: initdb: %v\n%s", err, out)
	}
	var lastErr error
	for range 5 {
		if s.Port, err = freeport.Loopback(); err != nil {
			t.Fatalf("pgtest: finding a free port: %v", err)
		}
		if lastErr = s.start(); lastErr == nil {
			t.Cleanup(s.Stop)
			return s
		}
	}
	t.Fatalf("pgtest: starting postgres: %v", lastErr)
	return nil
}

// URL returns the postgres:// URL of database db, as the superuser
// "postgres" (no password: the server trusts loopback clients).
func (s *Server) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.Port, db)
}

// NewDatabase creates an empty database and returns its URL, so that the
// tests sharing a server do not see each other's tables.
func (s *Server) NewDatabase(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("test_%d", s.dbs.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return s.URL(name)
}

// Stop shuts the server down (a fast shutdown: open sessions are ended)
// and waits for it; it is safe to call twice.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		s.t.Errorf("pgtest: postgres did not stop within 30 s; killing it\n%s", s.log())
		s.cmd.Process.Kill()
		<-s.exited
	}
	s.cmd = nil
}

func (s *Server) data() string { return filepath.Join(s.dir, "data") }

func (s *Server) logPath() string { return filepath.Join(s.dir, "postgres.log") }

func (s *Server) log() string {
	b, _ := os.ReadFile(s.logPath())
	return strings.TrimSpace(string(b))
}

func (s *Server) start() error {
	cmd := s.command("postgres", "-D", s.data(),
		"-h", "127.0.0.1", "-p", strconv.Itoa(s.Port), "-k", s.dir,
		// A test server: durability is not wanted, speed is.
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "shared_buffers=16MB", "-c", "max_connections=100",
	)
	out, err := os.OpenFile(s.logPath(), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return err
	}
	s.cmd, s.exited = cmd, make(chan struct{})
	go func(done chan struct{}) { cmd.Wait(); close(done) }(s.exited)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if err = s.ping(); err == nil {
			return nil
		}
		select {
		case <-s.exited:
			s.cmd = nil
			return fmt.Errorf("postgres on port %d exited: %s", s.Port, s.log())
		case <-time.After(50 * time.Millisecond):
		}
	}
	s.Stop()
	return fmt.Errorf("postgres on port %d not ready: %v\n%s", s.Port, err, s.log())
}

func (s *Server) ping() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	return c.Ping(ctx)
}

// command returns the PostgreSQL program name with args, run as s.as.
func (s *Server) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(s.bin, name), args...)
	cmd.Dir = s.dir
	cmd.SysProcAttr = sysProcAttr(s.as)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	return cmd
}

// binDir finds the directory of initdb and postgres: on PATH, or the
// newest of Debian's /usr/lib/postgresql/<version>/bin.
func binDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		dir := filepath.Dir(p)
		if _, err := os.Stat(filepath.Join(dir, "postgres")); err == nil {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err == nil {
			return dir, nil
		}
	}
	return "", errors.New("PostgreSQL's initdb and postgres not found (on PATH or under /usr/lib/postgresql/*/bin)")
}

// version is the major version in a /usr/lib/postgresql/<version>/bin path.
func version(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

// unprivileged returns the user to run PostgreSQL as under root.
func unprivileged() (*runAs, error) {
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 == nil && err2 == nil {
			return &runAs{uint32(uid), uint32(gid)}, nil
		}
	}
	return nil, errors.New(`running as root, and no "postgres" or "nobody" user to run PostgreSQL as`)
}
