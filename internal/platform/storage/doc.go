// Package storage keeps the platform's media files, sources and everything
// processing derives from them, under slash-separated keys such as
// "sources/{id}" and "assets/{id}/360p/index.m3u8".
//
// [Storage] is the small interface the server needs; [Dir] implements it on a
// local directory. It is not gocloud.dev/blob: that package adds 6.6 MB to
// the stripped v100 binary (its OpenTelemetry and gRPC dependencies), for a
// local directory that the standard library serves as well; an S3 backend
// can implement Storage in a driver package of its own.
//
// # Keys
//
// A key is a clean relative path: no empty, "." or ".." segment, no
// backslash, no leading slash and no control character. Anything else is
// [ErrInvalidKey], so a key built from a request can never leave the root.
package storage
