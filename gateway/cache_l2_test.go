package gateway

import (
	"net/http"
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
