// Package platform wires v100's SDK packages into the reference server that
// "v100 serve" runs: uploads by tus and multipart, a durable processing queue,
// HLS playback, on-demand thumbnails and the JSON management API, in one
// process, with its metadata in embedded SQLite and its media in a local
// directory.
//
// The pieces live in sub-packages, one concern each: store (SQLite metadata),
// storage (media files), jobs (the River queue and its worker), media (the
// processing pipeline) and api (the HTTP handlers). [Server] builds them from
// a [Config] and runs them until its context ends.
package platform
