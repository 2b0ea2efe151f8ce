// parsers.js checks the page's parsers of server data (player.js: HLS
// attribute lists, master and media playlists, WebVTT) on a table of
// ordinary and hostile inputs, and the upload fingerprint of tus.js,
// without a browser. TestParsers (package web)
// runs it; it prints "ok" or throws.
"use strict";

const assert = require("assert");
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const ctx = { window: {}, URL, console };
vm.createContext(ctx);
vm.runInContext(fs.readFileSync(path.join(__dirname, "../static/player.js"), "utf8") +
  "\n;globalThis.p = {parseAttributes, parseRenditions, parseMediaPlaylist, parseVTT, clock};", ctx);
const p = ctx.p;
const plain = (v) => JSON.parse(JSON.stringify(v));

// Attribute lists.
assert.deepStrictEqual(plain(p.parseAttributes('TYPE=SUBTITLES,NAME="English, US",DEFAULT=YES,URI="subs/en/index.m3u8"')),
  { TYPE: "SUBTITLES", NAME: "English, US", DEFAULT: "YES", URI: "subs/en/index.m3u8" });
for (const s of ["", ",", "=", '"', 'A="', "A=,B", "a=b", "A=" + "x".repeat(100000), ",,,===\"\"\""]) {
  p.parseAttributes(s); // must not throw or hang
}

// Master playlists.
const base = "http://v.test/v1/playback/pid/master.m3u8?token=1.x";
const master = '#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",URI="audio/index.m3u8"\r\n' +
  '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",DEFAULT=YES,URI="subs/en/index.m3u8?token=1.x"\n' +
  '#EXT-X-MEDIA:TYPE=SUBTITLES,NAME="no uri"\n#EXT-X-STREAM-INF:BANDWIDTH=1\n240p/index.m3u8\n';
const rs = plain(p.parseRenditions(master, base));
assert.strictEqual(rs.length, 3);
assert.deepStrictEqual(rs[1], { type: "SUBTITLES", name: "English", language: "en", isDefault: true,
  uri: "http://v.test/v1/playback/pid/subs/en/index.m3u8?token=1.x" });
assert.strictEqual(rs[2].uri, "");
assert.throws(() => p.parseRenditions('#EXT-X-MEDIA:URI="http://[::1"', base)); // a bad URI fails loudly
assert.deepStrictEqual(plain(p.parseRenditions("", base)), []);

// Media playlists.
assert.deepStrictEqual(plain(p.parseMediaPlaylist("#EXTM3U\n#EXTINF:2,\nsub_0.vtt?token=t\n\n  \n#EXT-X-ENDLIST\n", base)),
  ["http://v.test/v1/playback/pid/sub_0.vtt?token=t"]);

// WebVTT.
const vtt = "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\n\n00:00:00.020 --> 00:00:04.580 align:start\nhello\nworld\n\n" +
  "NOTE a note --> not a cue\n\nid\n01:00:01.000 --> 01:00:02.500\n<i>later</i>\n\n00:05.000 --> 00:06.000\nshort\n\n" +
  "00:00:09.000 --> 00:00:08.000\nbackwards\n\n00:00:xx.000 --> 00:00:01.000\nbad\n";
assert.deepStrictEqual(plain(p.parseVTT(vtt)), [
  { start: 0.02, end: 4.58, text: "hello\nworld" },
  { start: 3601, end: 3602.5, text: "<i>later</i>" },
  { start: 5, end: 6, text: "short" },
]);
assert.deepStrictEqual(plain(p.parseVTT("WEBVTT\r\n\r\n00:00:01.000 --> 00:00:02.000\r\nx\r\n")), [{ start: 1, end: 2, text: "x" }]);
for (const s of ["", "WEBVTT", "-->", "\n\n\n", "00:00.000 --> ", "x".repeat(200000), "00:00:00.000 --> 00:00:01.000\n".repeat(10000)]) {
  p.parseVTT(s);
}
assert.strictEqual(p.parseVTT("00:00:00.000 --> 00:00:01.000\n".repeat(3)).length, 1, "a block is one cue");

assert.strictEqual(p.clock(3725.9), "1:02:05");
assert.strictEqual(p.clock(NaN), "0:00");
assert.strictEqual(p.clock(-5), "0:00");

// tus.js: an upload resumes only for the same file with the same metadata.
const t = { window: {}, console };
vm.createContext(t);
vm.runInContext(fs.readFileSync(path.join(__dirname, "../static/tus.js"), "utf8") + "\n;globalThis.U = V100Upload;", t);
const file = { name: "a.mp4", size: 10, lastModified: 1 };
const fp = (f, m) => t.U.fingerprint(f, m);
assert.strictEqual(fp(file, { filename: "a.mp4", playback_policy: "signed" }), fp({ ...file }, { playback_policy: "signed", filename: "a.mp4" }));
assert.notStrictEqual(fp(file, { filename: "a.mp4", playback_policy: "signed" }), fp(file, { filename: "a.mp4", playback_policy: "public" }));
assert.notStrictEqual(fp(file, {}), fp({ ...file, size: 11 }, {}));
console.log("ok");
