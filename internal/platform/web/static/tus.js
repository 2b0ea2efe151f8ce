// tus.js: a small tus 1.0 client (creation and core: POST, HEAD, PATCH).
// An upload's URL is kept in localStorage under a fingerprint of the file
// (name, size, last modification) and its metadata, so that choosing the same file again,
// after a reload or a network failure, resumes at the offset the server
// reports instead of starting over.
"use strict";

class V100Upload {
  // file: a File. opts: endpoint (the creation URL), metadata (an object of
  // strings), headers (a function returning extra request headers, e.g.
  // Authorization), chunkSize (bytes), onProgress(sent, total),
  // onCreated(xhr) (the creation's response).
  constructor(file, opts) {
    this.file = file;
    this.opts = opts;
    this.xhr = null;
    this.stopped = false;
    this.url = null;
    this.offset = 0;
  }

  // fingerprint names the stored upload of file with metadata: the same
  // file sent with other metadata (another playback policy, say) is
  // another upload, never a resumption of this one.
  static fingerprint(file, metadata) {
    const m = metadata || {};
    const meta = Object.keys(m).sort().map((k) => [k, m[k]]);
    return "v100.tus:" + [file.name, file.size, file.lastModified].join(":") + ":" + JSON.stringify(meta);
  }

  // start uploads the file, resuming a stored upload if the server still
  // has it. It resolves with the last PATCH's XMLHttpRequest, or null if a
  // resumed upload had nothing left to send.
  async start() {
    this.stopped = false;
    const key = V100Upload.fingerprint(this.file, this.opts.metadata);
    const stored = localStorage.getItem(key);
    this.resumed = false;
    if (stored) {
      const off = await this._head(stored);
      if (off !== null && off <= this.file.size) {
        this.url = stored;
        this.offset = off;
        this.resumed = true;
      } else {
        localStorage.removeItem(key);
      }
    }
    if (!this.url) {
      const xhr = await this._send("POST", this.opts.endpoint, {
        "Upload-Length": String(this.file.size),
        "Upload-Metadata": encodeMetadata(this.opts.metadata || {}),
      }, null, [201]);
      const loc = xhr.getResponseHeader("Location");
      if (!loc) throw new Error("the server did not say where to upload (no Location)");
      // tusd builds Location from the request's scheme and host, which a
      // reverse proxy may change: keep to the endpoint's origin.
      const endpoint = new URL(this.opts.endpoint, location.href);
      const u = new URL(loc, endpoint);
      if (u.origin !== endpoint.origin) {
        u.protocol = endpoint.protocol;
        u.host = endpoint.host;
      }
      this.url = u.href;
      this.offset = 0;
      localStorage.setItem(key, this.url);
      if (this.opts.onCreated) this.opts.onCreated(xhr);
    }
    const size = this.opts.chunkSize || 8 << 20;
    let last = null;
    this._progress(this.offset);
    while (this.offset < this.file.size) {
      if (this.stopped) throw new UploadStopped();
      const end = Math.min(this.offset + size, this.file.size);
      const chunk = this.file.slice(this.offset, end);
      last = await this._send("PATCH", this.url, {
        "Upload-Offset": String(this.offset),
        "Content-Type": "application/offset+octet-stream",
      }, chunk, [204], (sent) => this._progress(this.offset + sent));
      const off = parseInt(last.getResponseHeader("Upload-Offset"), 10);
      if (!(off > this.offset && off <= this.file.size)) {
        throw new Error("the server did not take the chunk (offset " + last.getResponseHeader("Upload-Offset") + ")");
      }
      this.offset = off;
      this._progress(this.offset);
    }
    localStorage.removeItem(key);
    return last;
  }

  // stop aborts the request in flight; start resumes.
  stop() {
    this.stopped = true;
    if (this.xhr) this.xhr.abort();
  }

  _progress(n) {
    if (this.opts.onProgress) this.opts.onProgress(n, this.file.size);
  }

  // _head returns the server's offset of an upload, or null if it does not
  // have it any more.
  async _head(url) {
    try {
      const xhr = await this._send("HEAD", url, {}, null, [200, 204]);
      const off = parseInt(xhr.getResponseHeader("Upload-Offset"), 10);
      return Number.isFinite(off) && off >= 0 ? off : null;
    } catch (e) {
      if (e instanceof UploadHTTPError && [403, 404, 410].includes(e.status)) return null;
      throw e;
    }
  }

  _send(method, url, headers, body, ok, onSent) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      this.xhr = xhr;
      xhr.open(method, url);
      xhr.setRequestHeader("Tus-Resumable", "1.0.0");
      const extra = this.opts.headers ? this.opts.headers() : {};
      for (const [k, v] of Object.entries(Object.assign({}, extra, headers))) xhr.setRequestHeader(k, v);
      if (onSent) xhr.upload.onprogress = (e) => onSent(e.loaded);
      xhr.onload = () => {
        this.xhr = null;
        if (ok.includes(xhr.status)) resolve(xhr);
        else reject(new UploadHTTPError(method, xhr));
      };
      xhr.onerror = () => { this.xhr = null; reject(new Error("the connection failed during " + method)); };
      xhr.onabort = () => { this.xhr = null; reject(new UploadStopped()); };
      xhr.send(body);
    });
  }
}

class UploadStopped extends Error {
  constructor() { super("the upload is paused"); this.name = "UploadStopped"; }
}

class UploadHTTPError extends Error {
  constructor(method, xhr) {
    let msg = "";
    try { msg = JSON.parse(xhr.responseText).error.message; } catch (e) { msg = (xhr.responseText || "").trim(); }
    super(method + " answered " + xhr.status + (msg ? ": " + msg : ""));
    this.status = xhr.status;
  }
}

// encodeMetadata makes an Upload-Metadata header: "key base64(value)" pairs
// separated by commas, the values UTF-8.
function encodeMetadata(meta) {
  return Object.entries(meta).map(([k, v]) => {
    const bytes = new TextEncoder().encode(String(v));
    let bin = "";
    for (const b of bytes) bin += String.fromCharCode(b);
    return k + " " + btoa(bin);
  }).join(",");
}

window.V100Upload = V100Upload;
window.V100UploadStopped = UploadStopped;
