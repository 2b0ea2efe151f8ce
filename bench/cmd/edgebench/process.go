package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"syscall"
	"time"

	"github.com/v100video/v100/bench/internal/procfs"
)

// proc is a contender's server, a process the harness started.
type proc struct {
	cmd    *exec.Cmd
	url    string // http://127.0.0.1:PORT
	log    string // the file holding its output
	exited chan struct{}
}

// listeningRE matches the line v100 gateway and revproxy print once they
// accept connections.
var listeningRE = regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)

// startProc starts argv with its standard output and error in logPath,
// and returns once it answers GET /ready (which the origin answers) with
// 200. If url is "", the process must print "listening on URL" first.
func startProc(ctx context.Context, argv []string, logPath, url string) (*proc, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		logf.Close()
		return nil, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = pw, pw
	cmd.SysProcAttr = procAttr()
	if err := cmd.Start(); err != nil {
		logf.Close()
		pr.Close()
		pw.Close()
		return nil, err
	}
	pw.Close()
	p := &proc{cmd: cmd, log: logPath, exited: make(chan struct{})}
	go func() {
		cmd.Wait() // its exit is reported through p.exited
		close(p.exited)
	}()

	// Copy the output to the log, watching for the listening line. The
	// copy ends when every process holding the pipe (nginx's workers too)
	// has exited.
	listening := make(chan string, 1)
	go func() {
		defer logf.Close()
		defer pr.Close()
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			fmt.Fprintln(logf, sc.Text())
			if m := listeningRE.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case listening <- m[1]:
				default:
				}
			}
		}
	}()

	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if url == "" {
		select {
		case url = <-listening:
		case <-p.exited:
			return nil, p.failed("exited before listening")
		case <-ctx.Done():
			p.stop()
			return nil, p.failed("printed no \"listening on\" line within 30 s")
		}
	}
	p.url = url
	for {
		if ready(ctx, url+pathReady) {
			return p, nil
		}
		select {
		case <-p.exited:
			return nil, p.failed("exited while starting")
		case <-ctx.Done():
			p.stop()
			return nil, p.failed("did not answer GET " + pathReady + " within 30 s")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// ready reports whether GET url answers 200.
func ready(ctx context.Context, url string) bool {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// failed returns an error saying what went wrong, with the end of the log.
func (p *proc) failed(what string) error {
	time.Sleep(100 * time.Millisecond) // let the last output reach the log
	b, _ := os.ReadFile(p.log)
	return fmt.Errorf("%s %s; its output ends:\n%s", p.cmd.Path, what, indent(tail(string(b), 8)))
}

// stop stops the process with SIGTERM (SIGKILL after 10 s), then kills
// whatever of its descendants (nginx workers, the Varnish child) outlived
// it.
func (p *proc) stop() {
	pid := p.cmd.Process.Pid
	tree := descendantPIDs(pid)
	p.cmd.Process.Signal(syscall.SIGTERM) // an error: it has exited
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
	}
	time.Sleep(200 * time.Millisecond)
	for _, child := range tree {
		if procfs.Alive(child) {
			syscall.Kill(child, syscall.SIGKILL)
		}
	}
}

// output runs argv and returns its combined output.
func output(ctx context.Context, dir string, argv ...string) (string, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return string(out), fmt.Errorf("%s: %w:\n%s", argv[0], err, indent(tail(string(out), 8)))
		}
		return string(out), err
	}
	return string(out), nil
}
