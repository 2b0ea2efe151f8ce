package platform

import (
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type running struct {
	url, admin, data string
	cancel           context.CancelFunc
	done             chan error
}

// start runs the platform on loopback ports with data in a temporary
// directory.
func start(t *testing.T, cfg Config) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrs, admins := make(chan net.Addr, 1), make(chan net.Addr, 1)
	cfg.Listen, cfg.Data, cfg.NoCaptions = "127.0.0.1:0", t.TempDir(), true
	cfg.Started = func(a net.Addr) { addrs <- a }
	cfg.AdminStarted = func(a net.Addr) { admins <- a }
	r := &running{cancel: cancel, done: make(chan error, 1), data: cfg.Data}
	go func() { r.done <- Run(ctx, cfg) }()
	select {
	case a := <-addrs:
		r.url = "http://" + a.String()
	case err := <-r.done:
		t.Fatalf("Run: %v", err)
	}
	select {
	case a := <-admins:
		r.admin = "http://" + a.String()
	default:
	}
	t.Cleanup(func() {
		cancel()
		<-r.done
	})
	return r
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// TestShutdownDrains shuts the server down while an upload is being
// received: the listener closes, and the upload still completes.
func TestShutdownDrains(t *testing.T) {
	r := start(t, Config{})
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	req, err := http.NewRequest(http.MethodPost, r.url+"/v1/videos", pr)
	require.NoError(t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	type result struct {
		code int
		body string
		err  error
	}
	res := make(chan result, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		pr.CloseWithError(io.ErrClosedPipe) // no write blocks once the request ended
		if err != nil {
			res <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		res <- result{code: resp.StatusCode, body: string(b)}
	}()
	fw, err := mw.CreateFormFile("file", "slow.mp4")
	require.NoError(t, err)
	_, err = fw.Write([]byte("the first half of the upload, "))
	require.NoError(t, err)

	// The handler is running once it has made its temporary file.
	work := filepath.Join(r.data, WorkDir)
	require.Eventually(t, func() bool {
		m, _ := filepath.Glob(filepath.Join(work, "incoming-*"))
		return len(m) == 1
	}, time.Minute, 10*time.Millisecond)

	r.cancel()
	// The listener closes: new connections are refused.
	require.Eventually(t, func() bool {
		c, err := net.Dial("tcp", r.url[len("http://"):])
		if err != nil {
			return true
		}
		c.Close()
		return false
	}, time.Minute, 10*time.Millisecond)
	select {
	case err := <-r.done:
		t.Fatalf("Run returned with a request in flight: %v", err)
	default:
	}

	fw.Write([]byte("and the second half."))
	mw.Close()
	pw.Close()
	got := <-res
	require.NoError(t, got.err)
	require.Equal(t, http.StatusCreated, got.code, got.body)
	select {
	case err := <-r.done:
		require.NoError(t, err)
		r.done <- nil // for the cleanup
	case <-time.After(time.Minute):
		t.Fatal("Run did not return after the last request")
	}
}

func TestAdminListener(t *testing.T) {
	r := start(t, Config{Admin: "127.0.0.1:0"})
	require.NotEmpty(t, r.admin)
	code, body := get(t, r.admin+"/debug/pprof/")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "goroutine")
	code, body = get(t, r.admin+"/debug/pprof/goroutine?debug=1")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "goroutine profile:")
	code, _ = get(t, r.url+"/debug/pprof/")
	require.Equal(t, http.StatusNotFound, code, "pprof is not on the public listener")

	// Off by default.
	r2 := start(t, Config{})
	require.Empty(t, r2.admin)
	code, body = get(t, r2.url+"/metrics")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "v100_videos{status=\"ready\"} 0")
	require.Contains(t, body, fmt.Sprintf("v100_jobs_running %d", 0))
}
