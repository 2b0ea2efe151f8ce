package ffmpeg

import "sync"

// Tail is an io.Writer that keeps the last n bytes written to it, for the
// standard error of a process: [NewTail] makes one.
type Tail struct {
	mu  sync.Mutex // guards buf
	n   int
	buf []byte
}

// NewTail returns a Tail that keeps the last n bytes (at least 1).
func NewTail(n int) *Tail { return &Tail{n: max(n, 1)} }

func (t *Tail) Write(p []byte) (int, error) {
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
func (t *Tail) String() string {
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
