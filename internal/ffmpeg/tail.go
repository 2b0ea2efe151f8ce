package ffmpeg

import "sync"

// tail is an io.Writer that keeps the last n bytes written to it.
type tail struct {
	mu  sync.Mutex // guards buf
	n   int
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.n; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

// String returns the kept bytes, starting at a line boundary when the
// beginning was cut.
func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := string(t.buf)
	if len(t.buf) == t.n {
		for i := 0; i < len(s); i++ {
			if s[i] == '\n' {
				return s[i+1:]
			}
		}
	}
	return s
}
