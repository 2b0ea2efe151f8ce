// Package web serves the reference server's web page: one HTML page at "/"
// to upload videos (tus, resumable after a reload), follow their processing
// (server-sent events read with fetch, so that an API key can be sent) and
// play them (HLS, natively where the browser can, else through hls.js from
// its public CDN), and its scripts, style sheet and icon under /ui/. The
// files are embedded in the binary; nothing is built and nothing
// third-party is served from here.
//
// # Caching
//
// The page names each asset with its content hash ("/ui/app.js?v=…"); an
// asset requested with its current hash is cached for a year as immutable,
// any other request (the page itself, an asset without or with an old hash)
// is revalidated with its ETag. Text files are served gzipped to clients
// that accept it.
//
// # Security
//
// Every response carries a Content-Security-Policy that allows scripts,
// styles, images, media and connections from the server's own origin only,
// plus the one pinned hls.js file on the CDN ([HLSURL]), which the page
// loads with Subresource Integrity ([HLSIntegrity]); no inline script or
// style, no framing, no plugins.
package web
