// Package bench compares v100's packages with the peer libraries a user
// would otherwise pick, in one run on one machine, so that the numbers can be
// read side by side:
//
//   - [github.com/v100video/v100/coalesce] against
//     [golang.org/x/sync/singleflight];
//   - the L1 of [github.com/v100video/v100/cache] against
//     [github.com/hashicorp/golang-lru/v2] (plain and expirable),
//     [github.com/maypok86/otter/v2] and [github.com/dgraph-io/ristretto/v2];
//   - [github.com/v100video/v100/ratelimit] against
//     [golang.org/x/time/rate] and [go.uber.org/ratelimit];
//   - [github.com/v100video/v100/hls] against [github.com/grafov/m3u8] and
//     [github.com/Eyevinn/hls-m3u8/m3u8];
//   - [github.com/v100video/v100/transcode] against one ffmpeg process per
//     rung and against its own ffmpeg command run directly, and
//     [github.com/v100video/v100/thumbnail] against seeking after the input.
//
// It is a module of its own, so the peers never become dependencies of the
// SDK. It holds benchmarks and one test, TestPeerPlaylistLibraries; the
// command benchtable turns the benchmarks' output into Markdown tables with
// a "vs v100" column.
//
// # Running
//
// CI runs every benchmark once, so none rot:
//
//	cd bench && go test -run '^$' -bench . -benchtime 1x ./...
//
// The comparison (make bench), about three and a half minutes on two cores,
// prints Markdown tables and fails if a benchmark does:
//
//	cd bench && go test -run '^$' -bench . -cpu 1,2 -benchtime 2s ./... | go run ./cmd/benchtable
//
// # What is measured
//
// BenchmarkCoalesceUniqueKey is the cost of a call that finds no execution
// to join, the path every miss takes. BenchmarkCoalesceHerd starts 10,000
// goroutines on one key whose function sleeps 20 ms, and reports how many
// times the function ran (executions/herd, which must be 1) and how long
// after it returned the last waiter was released (release-ms). Both run
// v100 with a context that cannot be cancelled and with one that can (the
// function then runs on a goroutine of its own), and singleflight's Do and,
// as the counterpart of the second, DoChan. floor-close-chan is the
// runtime's own floor for reference: the herd blocked on one channel that a
// single close releases, with no coalescing.
//
// BenchmarkCacheGet and BenchmarkCacheMixed (90% Get, 10% Set) run on every
// CPU over a warm cache that holds the whole key space, with keys drawn from
// a Zipf distribution (s = 1.01) over 100k keys. A million accesses touch
// most of the key space, so each hit there is bound by memory latency;
// BenchmarkCacheGetHot replays the trace's first 4,096 accesses instead, a
// working set that fits in the CPU caches like the hot playlists and
// segments of a video platform. BenchmarkCacheHitRatio replays a Zipf
// trace larger than the cache on one goroutine, filling on every miss, and
// reports hit-%.
//
// BenchmarkRateLimitHotKey decides for one key from every CPU at once, the
// worst case for contention; BenchmarkRateLimit100kKeys for keys drawn
// uniformly from 100k, against the usual sync.Map of x/time/rate limiters.
//
// BenchmarkPlaylistParse and BenchmarkPlaylistEncode parse and encode one
// generated 1,000-segment fMP4 VOD media playlist (6.006 s segments after
// an EXT-X-MAP, about 30 KB; MB/s counts its bytes), each library encoding
// its own parse of it. TestPeerPlaylistLibraries records why hls does not
// use a peer: for each library it logs whether it writes fMP4 below
// version 6, writes PROGRAM-ID, gives 6.006 s segments a target duration
// of 7, drops unknown tags on parse and re-encode, replaces the declared
// target duration when parsing, and panics on the minimal inputs the
// fuzzer found, with a summary table. It fails only if v100 shows one of
// these, so that a peer fixing a bug cannot break CI:
//
//	cd bench && go test -run TestPeerPlaylistLibraries -v .
//
// BenchmarkLadder encodes the default five-rung ladder of a 6 s 1080p clip
// in one ffmpeg process, in one process per rung, and with v100's command
// run directly; it reports CPU seconds (cpu-s/op) beside wall time. It and
// BenchmarkThumbnail run real ffmpeg, so make bench leaves them to
// make bench-media:
//
//	cd bench && go test -run '^$' -bench 'Ladder|Thumbnail' -cpu 2 -benchtime 3x . | go run ./cmd/benchtable
//
// The command edgebench (make bench-edge) compares v100's gateway with
// nginx, Varnish and a plain httputil.ReverseProxy (the command revproxy),
// each a separate process in front of one origin, with a herd of 1,000
// requests and with wrk; it documents what it measures and how the peers
// are configured:
//
//	cd bench && go run ./cmd/edgebench
//
// The command footprint (make bench-footprint) measures what v100 serve
// costs to run: binary size, time to ready, idle memory, memory under
// 1,000 keep-alive clients and while a 1080p ladder transcodes;
// docs/cost.md turns its figures into a deployment's size:
//
//	cd bench && go run ./cmd/footprint
package bench
