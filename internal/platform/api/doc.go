// Package api is the platform's HTTP interface: the JSON management API
// under /v1 (videos: create by multipart or by tus resumable upload at
// /v1/uploads/, list, get, delete), playback under /v1/playback/{pid}/
// (HLS playlists, segments, subtitles, poster, storyboard and on-demand
// thumbnails), and /healthz and /readyz.
//
// # Authentication
//
// Management endpoints take an API key ("Authorization: Bearer v100_…",
// made by "v100 keys create"). Until a key exists they are open to loopback
// clients only, so that a fresh "make run" works on the developer's machine
// and nowhere else; behind a reverse proxy on the same host every client
// looks local, so create a key before exposing the server. Playback is
// public: playback IDs are unguessable and unrelated to asset IDs.
//
// # Caching
//
// Segments, init sections, subtitle segments, posters and storyboard sheets
// never change once an asset is ready and are served "public,
// max-age=31536000, immutable"; playlists get a short max-age. Thumbnails
// are made by ffmpeg on demand, behind an in-memory response cache that
// coalesces identical concurrent requests (gateway.Cache) and a bound on
// concurrent ffmpeg runs.
package api
