// Package storage keeps the platform's media files, sources and everything
// processing derives from them, under slash-separated keys such as
// "sources/{id}" and "assets/{id}/360p/index.m3u8".
//
// [Storage] is the small interface the server needs; [Dir] implements it on a
// local directory, and [S3] on a bucket of an S3-compatible server (AWS S3,
// MinIO, versitygw, Ceph RGW…); [Open] picks one from a URL. It is not
// gocloud.dev/blob: that package adds 6.6 MB to the stripped v100 binary
// (its OpenTelemetry and gRPC dependencies), and the S3 SDKs are as heavy;
// S3 here is a small client of its own (path-style requests signed with
// AWS Signature Version 4, see sigv4.go) on net/http.
//
// # Keys
//
// A key is a clean relative path: no empty, "." or ".." segment, no
// backslash, no leading slash and no control character. Anything else is
// [ErrInvalidKey], so a key built from a request can never leave the root.
package storage
