package hls

import (
	"bytes"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// RewriteOptions says how [RewriteBytes], [MediaPlaylist.Rewrite] and
// [MasterPlaylist.Rewrite] change URIs. They change every URI of the
// playlist: URI lines (segments, variants) and every URI attribute
// (EXT-X-MAP, EXT-X-KEY, EXT-X-MEDIA, EXT-X-I-FRAME-STREAM-INF, and
// unmodelled tags such as EXT-X-SESSION-DATA or EXT-X-PART). URIs with a
// scheme other than http and https (data:, skd:) are left alone. Base and
// OldBase move URIs; Query and Token are added to those that Sign accepts,
// by default those on the platform's own hosts.
type RewriteOptions struct {
	// Base, if set, resolves relative URIs against it (RFC 3986), making
	// them absolute: with Base https://cdn.example/v/42/master.m3u8,
	// "720p/seg1.ts" becomes https://cdn.example/v/42/720p/seg1.ts.
	Base *url.URL
	// OldBase, if set with Base, is a prefix of absolute URIs to move under
	// Base: a URI starting with it has the prefix cut and what is left is
	// resolved against Base as a relative reference. With OldBase
	// https://origin.example/v/42/ and Base
	// https://cdn.example/v/42/master.m3u8,
	// https://origin.example/v/42/720p/seg1.ts becomes
	// https://cdn.example/v/42/720p/seg1.ts.
	//
	// The prefix must end at a path segment: OldBase matches where it ends
	// with '/', or where the URI goes on with '/', '?' or '#' or ends
	// (https://origin.example/v/4 does not match .../v/42/seg1.ts). An
	// OldBase without the final '/' is taken as a directory all the same.
	// The scheme and host are compared without regard to case, the rest
	// exactly.
	OldBase string
	// Query, if not empty, is added to the query of every URI that Sign
	// accepts; a parameter of the same name already there is replaced.
	Query url.Values
	// Sign reports whether a URI gets Query and Token. It is called with
	// each http, https or relative URI as Base and OldBase left it (still
	// relative without Base), before Query and Token are added; a URI that
	// net/url cannot parse is then an error.
	//
	// If Sign is nil, only URIs on the platform's own hosts get them:
	// relative references other than network-path ones ("//host/…"), and
	// URIs whose scheme and authority (host and port) are Base's or
	// OldBase's, compared without regard to case. A third party, such as
	// an ad server or a key server elsewhere, gets neither the token nor
	// the query: set Sign to choose otherwise.
	Sign func(u *url.URL) bool
	// Token, if set, returns the query parameters to add to a URI that Sign
	// accepts, encoded ("exp=…&sig=…"), such as a signature the CDN
	// checks. It must not return a quote, a '#', whitespace or control
	// characters.
	//
	// Token receives exactly the URI that will be served without the
	// token's parameters and without the fragment (which players do not
	// send): resolved against Base and moved from OldBase if those are
	// set, with the Query parameters merged, without empty query
	// parameters ("a.ts?&x=1" becomes "a.ts?x=1"), and without parameters
	// named as the token's. The rewritten URI is that string, then '?' or
	// '&', then the token, then the fragment; so a server verifies a
	// request by cutting the token's parameters out of its query and
	// calling the same function on what is left. Without Base, relative
	// URIs reach Token relative, as the playlist has them.
	//
	// Parameter names are compared decoded ("si%67" is "sig"). When the
	// URI already holds parameters named as the token's, Token is called a
	// second time, on the URI without them; it must return the same names
	// both times.
	Token func(uri string) string
}

// rewriter applies RewriteOptions to one URI at a time.
type rewriter struct {
	base      *url.URL
	oldBase   string
	oldOrigin int // length of oldBase's scheme and authority, compared folding case
	query     string
	token     func(string) string
	sign      func(*url.URL) bool
	origins   []string // Base's and OldBase's scheme://authority, for a nil sign
	// Pieces of base for joining simple relative URIs without net/url.
	fast    bool
	dir     string // base up to the last slash of its path
	origin  string // scheme://authority
	pending []byte // scratch for the Query+Token case
}

func newRewriter(o *RewriteOptions) (*rewriter, error) {
	r := &rewriter{}
	if o == nil {
		return r, nil
	}
	r.base, r.oldBase, r.token, r.sign = o.Base, o.OldBase, o.Token, o.Sign
	r.oldOrigin = len(originOf(r.oldBase))
	if strings.Contains(r.oldBase[:r.oldOrigin], "//") {
		r.origins = append(r.origins, r.oldBase[:r.oldOrigin])
	}
	if len(o.Query) > 0 {
		r.query = o.Query.Encode()
	}
	if b := r.base; b != nil {
		if b.Opaque != "" {
			return nil, fmt.Errorf("%w: base URL %q is opaque", ErrInvalid, b)
		}
		s := b.String()
		if i := strings.IndexAny(s, "?#"); i >= 0 {
			s = s[:i]
		}
		// origin is scheme://authority, when the base has an authority.
		if i := strings.Index(s, "//"); i >= 0 && b.Host != "" {
			r.origin = s
			if j := strings.IndexByte(s[i+2:], '/'); j >= 0 {
				r.origin = s[:i+2+j]
			}
			if schemeLen(r.origin) > 0 {
				r.origins = append(r.origins, r.origin)
			}
		}
		switch i := strings.LastIndexByte(s, '/'); {
		case r.origin != "" && len(s) == len(r.origin): // no path
			r.dir = s + "/"
		case i >= 0:
			r.dir = s[:i+1]
		}
		// Bases without an absolute path, with dot segments, or with an
		// authority but no host are left to net/url.
		path := r.dir[len(r.origin):]
		r.fast = strings.HasPrefix(path, "/") && !strings.Contains(path, "/.") &&
			(r.origin != "" || !strings.Contains(s, "//"))
	}
	return r, nil
}

// appendURI appends u rewritten to dst. A rewritten URI that cannot be
// written back, in a quoted attribute or on a line of its own, is an
// error.
func (r *rewriter) appendURI(dst []byte, u string) ([]byte, error) {
	if !rewritable(u) {
		return append(dst, u...), nil
	}
	start, orig := len(dst), u
	if r.base != nil {
		rel, moved := r.cutOldBase(u)
		if moved || schemeLen(u) == 0 {
			var err error
			if u, err = r.resolve(rel); err != nil {
				return dst, err
			}
		}
	}
	sign, err := r.signs(u)
	switch {
	case err != nil:
	case !sign:
		dst = append(dst, u...)
	case r.token != nil:
		dst, err = r.appendSigned(dst, u)
	default:
		dst = appendQuery(dst, u, r.query)
	}
	if err != nil {
		return dst, err
	}
	if out := dst[start:]; string(out) != orig && !writableURI(out) {
		return dst, fmt.Errorf("%w: URI %q rewritten to %q, which cannot be written", ErrInvalid, orig, out)
	}
	return dst, nil
}

// signs reports whether u, resolved, gets the Query and the Token.
func (r *rewriter) signs(u string) (bool, error) {
	switch {
	case r.query == "" && r.token == nil:
		return false, nil // nothing to add
	case r.sign != nil:
		pu, err := url.Parse(u)
		if err != nil {
			return false, fmt.Errorf("%w: URI %q: %v", ErrInvalid, u, err)
		}
		return r.sign(pu), nil
	case schemeLen(u) == 0:
		return !strings.HasPrefix(u, "//"), nil
	}
	o := originOf(u)
	for _, own := range r.origins {
		if asciiEqualFold(o, own) {
			return true, nil
		}
	}
	return false, nil
}

// writableURI reports whether u can be written as a URI attribute or a URI
// line: no quote, no control character (a line break least of all), and
// no '#' or blank first.
func writableURI(u []byte) bool {
	if len(u) == 0 || u[0] == '#' || u[0] == ' ' || u[len(u)-1] == ' ' {
		return false
	}
	for _, c := range u {
		if c < ' ' || c == 0x7f || c == '"' {
			return false
		}
	}
	return true
}

// appendSigned appends u with the Query parameters and the token: the
// token is computed over the URI as it is served, without the token's own
// parameters and without the fragment, which players do not send.
func (r *rewriter) appendSigned(dst []byte, u string) ([]byte, error) {
	frag := ""
	if i := strings.IndexByte(u, '#'); i >= 0 {
		u, frag = u[:i], u[i:]
	}
	signed := u
	if r.query != "" || strings.IndexByte(u, '?') >= 0 {
		// Query merged, empty parameters dropped: the URI as served.
		r.pending = appendClean(r.pending[:0], u, r.query)
		if r.query != "" {
			r.pending = append(r.pending, sep(r.pending))
			r.pending = append(r.pending, r.query...)
		}
		signed = string(r.pending)
	}
	t, err := r.callToken(signed)
	if err != nil {
		return dst, err
	}
	if _, q, ok := strings.Cut(signed, "?"); ok && t != "" && sharesKey(q, t) {
		// The URI holds parameters named as the token's: the token was
		// computed over them, so drop them and compute it again.
		signed = string(appendClean(nil, signed, t))
		if t, err = r.callToken(signed); err != nil {
			return dst, err
		}
		if _, q, ok := strings.Cut(signed, "?"); ok && sharesKey(q, t) {
			return dst, fmt.Errorf("%w: Token returns other parameter names for %q than for the URI with its own removed", ErrInvalid, signed)
		}
	}
	dst = append(dst, signed...)
	if t != "" {
		dst = append(dst, sep(signed))
		dst = append(dst, t...)
	}
	return append(dst, frag...), nil
}

// callToken calls the Token function and checks what it returns.
func (r *rewriter) callToken(u string) (string, error) {
	t := r.token(u)
	for t != "" && (t[0] == '?' || t[0] == '&') {
		t = t[1:]
	}
	for i := 0; i < len(t); i++ {
		if c := t[i]; c <= ' ' || c == '"' || c == '#' || c >= 0x7f {
			return "", fmt.Errorf("%w: token for %q holds %q", ErrInvalid, u, c)
		}
	}
	return t, nil
}

// sep returns the separator before more query parameters of u, which has
// no fragment: '?' if it has no query yet, else '&'.
func sep[S string | []byte](u S) byte {
	for i := 0; i < len(u); i++ {
		if u[i] == '?' {
			return '&'
		}
	}
	return '?'
}

// cutOldBase returns what is left of u after OldBase, if u starts with it.
func (r *rewriter) cutOldBase(u string) (string, bool) {
	ob, n := r.oldBase, r.oldOrigin
	if ob == "" || len(u) < len(ob) || !asciiEqualFold(u[:n], ob[:n]) || u[n:len(ob)] != ob[n:] {
		return u, false
	}
	rest := u[len(ob):]
	switch {
	case strings.HasSuffix(ob, "/"), rest == "", rest[0] == '?', rest[0] == '#':
	case rest[0] == '/':
		rest = rest[1:] // OldBase names a directory without its slash
	default:
		return u, false // it ends inside a path segment
	}
	return rest, true
}

// originOf returns u's scheme and authority, "https://host:port", or its
// scheme with the colon if it has no authority, or "" if it is relative.
func originOf(u string) string {
	n := schemeLen(u)
	if n == 0 || !strings.HasPrefix(u[n:], "//") {
		return u[:n]
	}
	if i := strings.IndexAny(u[n+2:], "/?#"); i >= 0 {
		return u[:n+2+i]
	}
	return u
}

// asciiEqualFold reports whether a and b are equal ignoring ASCII case.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// resolve resolves a relative reference against the base.
func (r *rewriter) resolve(rel string) (string, error) {
	if r.fast && simpleRef(rel) {
		if rel[0] == '/' {
			return r.origin + rel, nil
		}
		return r.dir + rel, nil
	}
	ref, err := url.Parse(rel)
	if err != nil {
		return "", fmt.Errorf("%w: URI %q: %v", ErrInvalid, rel, err)
	}
	return r.base.ResolveReference(ref).String(), nil
}

// simpleRef reports whether a relative reference can be joined to the base
// as a string: a path of safe characters without dot segments, query or
// fragment, that is not network-path ("//host").
func simpleRef(s string) bool {
	if s == "" || strings.HasPrefix(s, "//") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '-' || c == '_' || c == '~' || c == '/' || c == '!' || c == '$' ||
			c == '\'' || c == '(' || c == ')' || c == '*' || c == '+' || c == ',' || c == ';' ||
			c == '=' || c == '@':
		case c == '.':
			// A dot segment is "." or ".." between slashes or the ends.
			j := i
			for j < len(s) && s[j] == '.' {
				j++
			}
			if (i == 0 || s[i-1] == '/') && j-i <= 2 && (j == len(s) || s[j] == '/') {
				return false
			}
			i = j - 1
		default:
			return false // '%', ':', '?', '#', '&', and anything unusual
		}
	}
	return true
}

// schemeLen returns the length of u's scheme including the colon, or 0.
func schemeLen(u string) int {
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		case (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') && i > 0:
		case c == ':' && i > 0:
			return i + 1
		default:
			return 0
		}
	}
	return 0
}

// rewritable reports whether u is relative or http(s).
func rewritable(u string) bool {
	n := schemeLen(u)
	return u != "" && (n == 0 || strings.EqualFold(u[:n], "http:") || strings.EqualFold(u[:n], "https:"))
}

// appendQuery appends u with the encoded parameters add merged into its
// query: parameters of the same names, and empty ones, are dropped from u
// first, and a fragment stays last.
func appendQuery(dst []byte, u, add string) []byte {
	if add == "" {
		return append(dst, u...)
	}
	frag := ""
	if i := strings.IndexByte(u, '#'); i >= 0 {
		u, frag = u[:i], u[i:]
	}
	start := len(dst)
	dst = appendClean(dst, u, add)
	dst = append(dst, sep(dst[start:]))
	dst = append(dst, add...)
	return append(dst, frag...)
}

// appendClean appends u, which has no fragment, without its empty query
// parameters and those named as a parameter of the encoded query drop; the
// '?' goes too when no parameter is left.
func appendClean(dst []byte, u, drop string) []byte {
	path, query, _ := strings.Cut(u, "?")
	dst = append(dst, path...)
	sep := byte('?')
	for query != "" {
		var pair string
		pair, query, _ = strings.Cut(query, "&")
		if pair == "" {
			continue
		}
		if key, _, _ := strings.Cut(pair, "="); hasKey(drop, key) {
			continue
		}
		dst = append(dst, sep)
		dst = append(dst, pair...)
		sep = '&'
	}
	return dst
}

// hasKey reports whether the encoded query q has a parameter named key,
// comparing names decoded.
func hasKey(q, key string) bool {
	for q != "" {
		var pair string
		pair, q, _ = strings.Cut(q, "&")
		if k, _, _ := strings.Cut(pair, "="); pair != "" && sameKey(k, key) {
			return true
		}
	}
	return false
}

// sharesKey reports whether the encoded queries a and b have a parameter
// name in common.
func sharesKey(a, b string) bool {
	for b != "" {
		var pair string
		pair, b, _ = strings.Cut(b, "&")
		if k, _, _ := strings.Cut(pair, "="); pair != "" && hasKey(a, k) {
			return true
		}
	}
	return false
}

// sameKey reports whether two encoded parameter names are the same name
// decoded, as a server reading the query sees them ("sig", "si%67").
func sameKey(a, b string) bool {
	if a == b {
		return true
	}
	if strings.IndexByte(a, '%') < 0 && strings.IndexByte(a, '+') < 0 &&
		strings.IndexByte(b, '%') < 0 && strings.IndexByte(b, '+') < 0 {
		return false
	}
	da, err1 := url.QueryUnescape(a)
	db, err2 := url.QueryUnescape(b)
	return err1 == nil && err2 == nil && da == db
}

// rewriteAttrs appends a tag line with its URI attributes rewritten. A
// line with no URI attribute is appended unchanged, as is an EXTINF line,
// whose title is free text. A URI attribute that cannot be rewritten, in
// an attribute list that does not scan or not as a quoted string, is an
// error wrapping ErrInvalid: the line would otherwise go out unsigned and
// pointing to the old host.
func (r *rewriter) rewriteAttrs(dst []byte, line string) ([]byte, error) {
	colon := strings.IndexByte(line, ':')
	if colon < 0 {
		return append(dst, line...), nil
	}
	name, value := trimBlanks(line[:colon]), line[colon+1:]
	if name == "#EXTINF" || !hasURIAttr(value) {
		return append(dst, line...), nil
	}
	type span struct{ v0, v1 int }
	var spans [4]span
	uris := spans[:0]
	msg := scanAttrs(value, func(name string, v0, v1 int) string {
		if name == "URI" {
			uris = append(uris, span{v0, v1})
		}
		return ""
	})
	for _, s := range uris {
		if v := value[s.v0:s.v1]; msg == "" && (len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"') {
			msg = "URI must be a quoted string"
		}
	}
	if msg != "" {
		return dst, fmt.Errorf("%w: %s: %s", ErrInvalid, name[1:], msg)
	}
	dst = append(dst, line[:colon+1]...)
	last := 0
	for _, s := range uris {
		v0, v1 := s.v0+1, s.v1-1 // inside the quotes
		dst = append(dst, value[last:v0]...)
		var err error
		if dst, err = r.appendURI(dst, value[v0:v1]); err != nil {
			return dst, err
		}
		last = v1
	}
	return append(dst, value[last:]...), nil
}

// hasURIAttr reports whether the attribute list v seems to hold a URI
// attribute: "URI" then '=' where an attribute name starts, first or after
// a comma, blanks allowed around.
func hasURIAttr(v string) bool {
	for i := 0; ; {
		j := strings.Index(v[i:], "URI")
		if j < 0 {
			return false
		}
		b, e := i+j, i+j+len("URI")
		i = e
		for b > 0 && (v[b-1] == ' ' || v[b-1] == '\t') {
			b--
		}
		for e < len(v) && (v[e] == ' ' || v[e] == '\t') {
			e++
		}
		if (b == 0 || v[b-1] == ',') && e < len(v) && v[e] == '=' {
			return true
		}
	}
}

// RewriteBytes rewrites the URIs of a playlist, master or media, line by
// line without parsing it into a value, for a server that signs playlists
// per request. Other lines are copied as they are, except that line endings
// become LF and a byte order mark is dropped. src must start with #EXTM3U
// and hold no line longer than DefaultMaxLineBytes.
//
// Errors are [*ParseError] values. RewriteBytes fails rather than let a URI
// out unrewritten: a tag whose URI attribute it cannot find in a malformed
// attribute list, or whose URI is not a quoted string, is an error wrapping
// ErrInvalid. A carriage return inside a line (not of a CRLF ending), which
// a player may take for a line break, is an error wrapping ErrSyntax.
func RewriteBytes(src []byte, opts *RewriteOptions) ([]byte, error) {
	r, err := newRewriter(opts)
	if err != nil {
		return nil, err
	}
	src = bytes.TrimPrefix(src, []byte(bom))
	s := string(src)
	dst := make([]byte, 0, len(s)+len(s)/2)
	for n := 1; s != ""; n++ {
		line, rest, _ := strings.Cut(s, "\n")
		s = rest
		if len(line) > DefaultMaxLineBytes {
			return nil, &ParseError{Line: n, Msg: "line longer than " + strconv.Itoa(DefaultMaxLineBytes) + " bytes", Err: ErrTooLarge}
		}
		line = strings.TrimSuffix(line, "\r")
		if strings.IndexByte(line, '\r') >= 0 {
			return nil, &ParseError{Line: n, Msg: "carriage return inside a line", Err: ErrSyntax}
		}
		trimmed := trimBlanks(line)
		if n == 1 && trimmed != "#EXTM3U" {
			return nil, &ParseError{Line: 1, Msg: "the first line must be #EXTM3U", Err: ErrNotPlaylist}
		}
		switch {
		case trimmed == "":
			dst = append(dst, line...)
		case trimmed[0] == '#':
			if strings.HasPrefix(trimmed, "#EXT") {
				dst, err = r.rewriteAttrs(dst, line)
			} else {
				dst = append(dst, line...)
			}
		default:
			dst, err = r.appendURI(dst, trimmed)
		}
		if err != nil {
			return nil, &ParseError{Line: n, Msg: strings.TrimPrefix(err.Error(), "hls: "), Err: ErrInvalid}
		}
		dst = append(dst, '\n')
	}
	return dst, nil
}

// trimBlanks trims spaces and tabs, as strings.Trim(s, " \t") without
// building a cutset on every call.
func trimBlanks(s string) string {
	for s != "" && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for s != "" && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}
