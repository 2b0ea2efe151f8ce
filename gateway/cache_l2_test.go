package gateway

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func l2Sample(c *Cache) *object {
	h := http.Header{"Cache-Control": {"max-age=60"}, "Etag": {`"e"`}, "Vary": {"Accept-Language"},
		"Date": {time.Unix(1e9, 0).UTC().Format(http.TimeFormat)}}
	resp := time.Unix(1e9, 5e8)
	fr := analyse(200, h, resp.Add(-50*time.Millisecond), resp, false, c.maxObject)
	return c.newObject(200, h, []byte("#EXTM3U\n"), fr, resp, 50*time.Millisecond)
}

// A stored response survives its L2 form unchanged.
func TestL2RoundTrip(t *testing.T) {
	c := NewCache(http.NotFoundHandler(), nil)
	defer c.Close()
	obj := l2Sample(c)
	got, err := c.decodeObject(encodeObject(obj))
	require.NoError(t, err)
	require.Equal(t, obj.status, got.status)
	require.Equal(t, obj.body, got.body)
	require.Equal(t, obj.fr, got.fr)
	require.True(t, obj.respTime.Equal(got.respTime))
	require.ElementsMatch(t, obj.fields, got.fields)
	names, err := decodeVary(encodeVary([]string{"Accept-Language", "Cookie"}))
	require.NoError(t, err)
	require.Equal(t, []string{"Accept-Language", "Cookie"}, names)
}

// FuzzL2Decode: an L2 value is input from a shared store; whatever it
// holds, decoding does not panic, and what it accepts is storable and
// within the object size limit.
func FuzzL2Decode(f *testing.F) {
	c := NewCache(http.NotFoundHandler(), &CacheOptions{MaxObjectSize: 1 << 16})
	defer c.Close()
	valid := encodeObject(l2Sample(c))
	f.Add(valid)
	f.Add(valid[:len(valid)-1])
	f.Add(encodeVary([]string{"Accept"}))
	f.Add([]byte{1, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		if obj, err := c.decodeObject(b); err == nil {
			if obj.fr.verdict != verdictStore || int64(len(obj.body)) > c.maxObject {
				t.Fatalf("accepted %+v", obj.fr)
			}
		}
		decodeVary(b)
	})
}

// ttlStore is an L2Store that records the time to live of each Set.
type ttlStore struct {
	mu   sync.Mutex
	ttls map[string]time.Duration
}

func (s *ttlStore) Get(context.Context, string) ([]byte, time.Duration, bool, error) {
	return nil, 0, false, nil
}

func (s *ttlStore) Set(_ context.Context, key string, _ []byte, ttl time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ttls[key] = ttl
	return nil
}

func (s *ttlStore) Delete(context.Context, string) error { return nil }

// L2 keeps a response for its freshness, but no longer than L2MaxTTL.
func TestL2MaxTTL(t *testing.T) {
	for _, tc := range []struct {
		cc     string
		maxTTL time.Duration
		want   time.Duration
	}{
		{"public, max-age=31536000, immutable", 0, 24 * time.Hour},
		{"public, max-age=31536000, immutable", time.Hour, time.Hour},
		{"public, max-age=60", time.Hour, 60 * time.Second},
	} {
		st := &ttlStore{ttls: map[string]time.Duration{}}
		origin := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", tc.cc)
			w.Write([]byte("segment"))
		})
		c := NewCache(origin, &CacheOptions{L2: st, L2MaxTTL: tc.maxTTL})
		w := httptest.NewRecorder()
		c.ServeHTTP(w, httptest.NewRequest("GET", "http://cdn.example/seg.m4s", nil))
		require.Equal(t, 200, w.Code)
		var got []time.Duration
		require.Eventually(t, func() bool {
			st.mu.Lock()
			defer st.mu.Unlock()
			got = got[:0]
			for _, ttl := range st.ttls {
				got = append(got, ttl)
			}
			return len(got) > 0
		}, 10*time.Second, 10*time.Millisecond, "nothing written to L2")
		require.Len(t, got, 1, "%s", tc.cc)
		require.LessOrEqual(t, got[0], tc.want, "%s, L2MaxTTL %v", tc.cc, tc.maxTTL)
		require.Greater(t, got[0], tc.want-time.Second, "%s, L2MaxTTL %v", tc.cc, tc.maxTTL)
		c.Close()
	}
}

// gatedStore is an L2Store whose Sets wait until release is closed.
type gatedStore struct {
	entered chan struct{} // receives when a Set starts waiting
	release chan struct{}
	mu      sync.Mutex
	m       map[string][]byte
}

func (s *gatedStore) Get(context.Context, string) ([]byte, time.Duration, bool, error) {
	return nil, 0, false, nil
}

func (s *gatedStore) Set(_ context.Context, key string, v []byte, _ time.Duration) error {
	s.entered <- struct{}{}
	<-s.release
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = v
	return nil
}

func (s *gatedStore) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}

// A purge does not wait for an L2 write in progress, and the write it
// overtook is undone.
func TestL2WriteOvertakenByPurge(t *testing.T) {
	st := &gatedStore{entered: make(chan struct{}, 1), release: make(chan struct{}), m: map[string][]byte{}}
	origin := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=60")
		w.Write([]byte("old"))
	})
	c := NewCache(origin, &CacheOptions{L2: st, L2Timeout: time.Minute})
	w := httptest.NewRecorder()
	c.ServeHTTP(w, httptest.NewRequest("GET", "http://cdn.example/a/master.m3u8", nil))
	require.Equal(t, 200, w.Code)
	<-st.entered // the write is under way, and waits

	purged := make(chan int)
	go func() { purged <- c.PurgePrefix("", "/a/") }()
	select {
	case n := <-purged:
		require.Equal(t, 1, n)
	case <-time.After(10 * time.Second):
		close(st.release)
		t.Fatal("the purge waited for the L2 write")
	}
	close(st.release)
	c.Close() // waits for the background write
	require.Empty(t, st.m, "the overtaken write stayed in L2")
	require.Zero(t, c.Stats().L2Writes)
}
