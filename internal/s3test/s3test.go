// Package s3test starts a real S3-compatible server for tests: versitygw
// with its posix backend on a free loopback port, storing into a temporary
// directory, with one bucket; the server stops when the test ends.
//
// versitygw must be installed: scripts/setup builds the pinned version
// into ${XDG_CACHE_HOME:-$HOME/.cache}/v100/bin, where Start looks first
// ($V100_VERSITYGW, if set, names the program instead; else it is looked
// up on PATH). A test that needs it fails, rather than skips, when it is
// missing, so that CI cannot pass without the real component.
package s3test

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/v100video/v100/internal/freeport"
)

// Credentials of the server's root account.
const (
	AccessKey = "v100testaccess"
	SecretKey = "v100testsecret/+key"
	Region    = "us-east-1"
)

// Server is a versitygw process owned by one test.
type Server struct {
	Endpoint string // http://127.0.0.1:port
	Bucket   string // made at the start
	Root     string // the posix backend's directory: one subdirectory per bucket

	t      testing.TB
	cmd    *exec.Cmd
	exited chan struct{} // closed when cmd has exited
	log    string
}

// Program returns the path of versitygw.
func Program() (string, error) {
	if p := os.Getenv("V100_VERSITYGW"); p != "" {
		return p, nil
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err == nil {
			cache = filepath.Join(home, ".cache")
		}
	}
	if cache != "" {
		p := filepath.Join(cache, "v100", "bin", "versitygw")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return exec.LookPath("versitygw")
}

// Start launches versitygw for t with the bucket "v100-test" and
// registers its shutdown with t.Cleanup.
func Start(t testing.TB) *Server {
	t.Helper()
	prog, err := Program()
	if err != nil {
		t.Fatalf("versitygw not found: run scripts/setup (or make test), which installs it")
	}
	dir := t.TempDir()
	s := &Server{t: t, Bucket: "v100-test", Root: filepath.Join(dir, "root"), log: filepath.Join(dir, "versitygw.log")}
	// A bucket of the posix backend is a directory of its root.
	if err := os.MkdirAll(filepath.Join(s.Root, s.Bucket), 0o755); err != nil {
		t.Fatalf("s3test: %v", err)
	}
	var lastErr error
	for range 5 {
		port, err := freeport.Loopback()
		if err != nil {
			t.Fatalf("s3test: finding a free port: %v", err)
		}
		if lastErr = s.start(prog, port); lastErr == nil {
			t.Cleanup(s.Stop)
			return s
		}
	}
	t.Fatalf("s3test: starting versitygw: %v", lastErr)
	return nil
}

// URL returns the s3:// URL of the bucket (with the credentials), and of
// the key prefix if not empty, for storage.ParseS3URL.
func (s *Server) URL(prefix string) string {
	u := url.URL{
		Scheme:   "s3",
		User:     url.UserPassword(AccessKey, SecretKey),
		Host:     s.Bucket,
		Path:     "/" + prefix,
		RawQuery: url.Values{"endpoint": {s.Endpoint}, "region": {Region}}.Encode(),
	}
	return u.String()
}

// Files returns the keys of the objects in the bucket, read from the
// backend's directory.
func (s *Server) Files() []string {
	s.t.Helper()
	base := filepath.Join(s.Root, s.Bucket)
	var keys []string
	err := filepath.WalkDir(base, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(base, p)
		if err == nil && !strings.HasPrefix(rel, ".") {
			keys = append(keys, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		s.t.Fatalf("s3test: %v", err)
	}
	return keys
}

func (s *Server) start(prog string, port int) error {
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	out, err := os.OpenFile(s.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer out.Close()
	cmd := exec.Command(prog, "--port", addr, "--region", Region, "--quiet", "posix", s.Root)
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY_ID="+AccessKey, "ROOT_SECRET_ACCESS_KEY="+SecretKey)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	s.cmd, s.exited = cmd, exited
	s.Endpoint = "http://" + addr
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		// Any S3 answer (403 to an anonymous request) means it serves.
		if resp, err := client.Get(s.Endpoint + "/"); err == nil {
			resp.Body.Close()
			if resp.Header.Get("Server") != "" || resp.StatusCode == http.StatusForbidden {
				return nil
			}
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(s.log)
			s.cmd = nil
			return fmt.Errorf("versitygw on %s exited: %s", addr, strings.TrimSpace(string(log)))
		case <-time.After(50 * time.Millisecond):
		}
	}
	s.Stop()
	return errors.New("versitygw on " + addr + " not ready in 20 s")
}

// Stop ends the server (it is safe to call twice).
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}
