// Package api is the platform's HTTP interface: the JSON management API
// under /v1 (videos: create by multipart, by tus resumable upload at
// /v1/uploads/ or from a source URL, list, get, delete, follow as
// server-sent events, add captions), playback under /v1/playback/{pid}/
// (HLS playlists, segments, subtitles, poster, storyboard and on-demand
// thumbnails), /healthz, /readyz, /metrics (Prometheus text, behind the
// management authentication) and /v1/openapi.json, the OpenAPI 3.1
// description of all of it. "/" and "/ui/" serve the web page (package
// web); other unknown paths get a JSON 404.
//
// # Authentication
//
// Management endpoints take an API key ("Authorization: Bearer v100_…",
// made by "v100 keys create"). Until a key exists they are open to loopback
// clients only, so that a fresh "make run" works on the developer's machine
// and nowhere else; behind a reverse proxy on the same host every client
// looks local, so create a key before exposing the server.
//
// # Playback
//
// A video's playback_policy is "public" (the default: playback IDs are
// unguessable and unrelated to asset IDs) or "signed", chosen at creation
// (multipart field, tus metadata or the JSON field of a source URL
// "playback_policy"). Signed playback needs
// ?token=, minted by POST /v1/videos/{id}/playback-token: "<expiry>.<HMAC-
// SHA256 of the playback ID and expiry>" under the server's signing key.
// Every URI of a signed video's playlists (master, media, subtitle,
// EXT-X-MAP) and storyboard track is served with the request's token. A
// missing, malformed, expired or other video's token gets 403 with a JSON
// error.
//
// Playback goes through one chain: a rate limit per client IP (429 with
// Retry-After), the asset and token check, then an in-memory, bounded,
// coalescing cache (gateway.Cache) of the files, then storage. The cache
// sits behind the token check and keys files by path alone (the query,
// token included, is dropped), so one cached segment serves every token
// and a query cannot multiply entries; signed playlists are rewritten per
// request after the cache.
//
// # Caching
//
// Segments, init sections, subtitle segments, posters and storyboard sheets
// never change once an asset is ready and are served "public,
// max-age=31536000, immutable"; playlists get a short max-age. A signed
// video's responses say "private" instead: a shared cache downstream (a
// CDN) would key them by URL, token included, and serve them past the
// token's expiry without asking; its playlists, which carry the token, are
// "private, no-cache". Thumbnails (thumbnail.jpg) and animated previews
// (animated.gif, animated.webp, from the smallest rendition) are made by
// ffmpeg on demand, behind an in-memory response cache that coalesces
// identical concurrent requests (gateway.Cache) and a bound on concurrent
// ffmpeg runs; the cache keys them by their own query parameters only.
//
// # Disk quota
//
// With Config.Quota, uploads that would take the disk use over it get 507
// Insufficient Storage; see quota.go for when each kind is checked.
package api
