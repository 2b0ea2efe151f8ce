package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The origin's resources, each with the Cache-Control an HLS origin sends.
const (
	pathLive    = "/live.m3u8"    // live media playlist, max-age=1
	pathVOD     = "/vod.m3u8"     // VOD media playlist, max-age=60
	pathSegment = "/seg.m4s"      // fMP4 media segment, a year and immutable
	pathNoStore = "/nostore.m3u8" // a personalised playlist: no-store
	pathReady   = "/ready"        // answered at once, for readiness checks

	playlistSize = 2 << 10
	segmentSize  = 200 << 10
)

// origin is the one upstream every contender fronts. It answers each
// request after delay (the cost of the storage or packager behind a real
// origin) and counts the requests per request URI, path and query, so
// that a phase that asks for a URI of its own reads its own count.
type origin struct {
	delay   time.Duration
	vod     []byte
	segment []byte
	srv     *http.Server
	url     string // http://127.0.0.1:PORT

	mu   sync.Mutex
	hits map[string]int // request URI → requests; guarded by mu
}

// startOrigin starts the origin on a free loopback port.
func startOrigin(delay time.Duration) (*origin, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("origin: %w", err)
	}
	o := &origin{
		delay:   delay,
		vod:     vodPlaylist(),
		segment: make([]byte, segmentSize),
		hits:    map[string]int{},
		url:     "http://" + ln.Addr().String(),
	}
	// Random bytes, so that nothing on the way can compress them.
	rand.NewChaCha8([32]byte{1}).Read(o.segment)
	o.srv = &http.Server{Handler: o, ReadHeaderTimeout: 10 * time.Second}
	go o.srv.Serve(ln) // ErrServerClosed on close
	return o, nil
}

// close stops the origin and drops its connections.
func (o *origin) close() { o.srv.Close() }

// hitsFor returns how many requests the origin has had for uri.
func (o *origin) hitsFor(uri string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.hits[uri]
}

func (o *origin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == pathReady {
		w.Header().Set("Cache-Control", "no-store")
		io.WriteString(w, "ok\n")
		return
	}
	o.mu.Lock()
	o.hits[r.URL.RequestURI()]++
	o.mu.Unlock()

	t := time.NewTimer(o.delay)
	select {
	case <-t.C:
	case <-r.Context().Done():
		t.Stop()
		return
	}
	var body []byte
	h := w.Header()
	switch r.URL.Path {
	case pathLive:
		h.Set("Cache-Control", "public, max-age=1")
		h.Set("Content-Type", "application/vnd.apple.mpegurl")
		body = livePlaylist(time.Now())
	case pathVOD:
		h.Set("Cache-Control", "public, max-age=60")
		h.Set("Content-Type", "application/vnd.apple.mpegurl")
		body = o.vod
	case pathSegment:
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("Content-Type", "video/mp4")
		body = o.segment
	case pathNoStore:
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Type", "application/vnd.apple.mpegurl")
		body = o.vod
	default:
		http.NotFound(w, r)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body) // an error means the client went away
}

// vodPlaylist returns a VOD media playlist of about playlistSize bytes.
func vodPlaylist() []byte {
	var b strings.Builder
	b.WriteString("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:6\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-MAP:URI=\"init.mp4\"\n")
	for i := 0; b.Len() < playlistSize-len("#EXT-X-ENDLIST\n")-40; i++ {
		fmt.Fprintf(&b, "#EXTINF:6.006,\nseg_%05d.m4s\n", i)
	}
	b.WriteString("#EXT-X-ENDLIST\n")
	return []byte(b.String())
}

// livePlaylist returns the sliding window of a live media playlist as it
// stands at now: its media sequence advances once a second, so that every
// refresh fetches a new playlist, about playlistSize bytes long.
func livePlaylist(now time.Time) []byte {
	seq := now.Unix()
	var b strings.Builder
	fmt.Fprintf(&b, "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:%d\n#EXT-X-MAP:URI=\"init.mp4\"\n", seq)
	for i := seq; b.Len() < playlistSize-100; i++ {
		fmt.Fprintf(&b, "#EXT-X-PROGRAM-DATE-TIME:%s\n#EXTINF:1.000,\nlive_%d.m4s\n",
			time.Unix(i, 0).UTC().Format("2006-01-02T15:04:05.000Z"), i)
	}
	return []byte(b.String())
}
