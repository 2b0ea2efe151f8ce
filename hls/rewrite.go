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
// scheme other than http and https (data:, skd:) are left alone.
type RewriteOptions struct {
	// Base, if set, resolves relative URIs against it (RFC 3986), making
	// them absolute: with Base https://cdn.example/v/42/master.m3u8,
	// "720p/seg1.ts" becomes https://cdn.example/v/42/720p/seg1.ts.
	Base *url.URL
	// OldBase, if set with Base, is a prefix of absolute URIs to move under
	// Base: a URI starting with it has the prefix cut and is resolved
	// against Base like a relative one.
	OldBase string
	// Query, if not empty, is added to every URI's query; a parameter of the
	// same name already there is replaced.
	Query url.Values
	// Token, if set, is called with each URI as rewritten so far and returns
	// query parameters to add, encoded ("sig=…&exp=…"); parameters of the
	// same names already there are replaced. It must not return a quote,
	// a '#', whitespace or control characters.
	Token func(uri string) string
}

// rewriter applies RewriteOptions to one URI at a time.
type rewriter struct {
	base    *url.URL
	oldBase string
	query   string
	token   func(string) string
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
	r.base, r.oldBase, r.token = o.Base, o.OldBase, o.Token
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

// appendURI appends u rewritten to dst.
func (r *rewriter) appendURI(dst []byte, u string) ([]byte, error) {
	if !rewritable(u) {
		return append(dst, u...), nil
	}
	if r.base != nil {
		rel, moved := u, false
		if r.oldBase != "" {
			rel, moved = strings.CutPrefix(u, r.oldBase)
		}
		if moved || schemeLen(u) == 0 {
			var err error
			if u, err = r.resolve(rel); err != nil {
				return dst, err
			}
		}
	}
	if r.token == nil {
		return appendQuery(dst, u, r.query), nil
	}
	if r.query != "" {
		r.pending = appendQuery(r.pending[:0], u, r.query)
		u = string(r.pending)
	}
	t := r.token(u)
	for t != "" && (t[0] == '?' || t[0] == '&') {
		t = t[1:]
	}
	for i := 0; i < len(t); i++ {
		if c := t[i]; c <= ' ' || c == '"' || c == '#' || c >= 0x7f {
			return dst, fmt.Errorf("%w: token for %q holds %q", ErrInvalid, u, c)
		}
	}
	return appendQuery(dst, u, t), nil
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
// query: parameters of the same names are dropped from u first, and a
// fragment stays last.
func appendQuery(dst []byte, u, add string) []byte {
	if add == "" {
		return append(dst, u...)
	}
	frag := ""
	if i := strings.IndexByte(u, '#'); i >= 0 {
		u, frag = u[:i], u[i:]
	}
	path, query, hasQuery := strings.Cut(u, "?")
	dst = append(dst, path...)
	dst = append(dst, '?')
	if hasQuery {
		for query != "" {
			var pair string
			pair, query, _ = strings.Cut(query, "&")
			if pair == "" {
				continue
			}
			key, _, _ := strings.Cut(pair, "=")
			if !hasKey(add, key) {
				dst = append(dst, pair...)
				dst = append(dst, '&')
			}
		}
	}
	dst = append(dst, add...)
	return append(dst, frag...)
}

// hasKey reports whether the encoded query q has a parameter named key.
func hasKey(q, key string) bool {
	for q != "" {
		var pair string
		pair, q, _ = strings.Cut(q, "&")
		if k, _, _ := strings.Cut(pair, "="); k == key {
			return true
		}
	}
	return false
}

// rewriteAttrs appends a tag line with its URI attributes rewritten. A line
// that is not a well-formed attribute list is appended unchanged.
func (r *rewriter) rewriteAttrs(dst []byte, line string) ([]byte, error) {
	colon := strings.IndexByte(line, ':')
	if colon < 0 || !strings.Contains(line[colon:], `URI="`) {
		return append(dst, line...), nil
	}
	value := line[colon+1:]
	type span struct{ v0, v1 int }
	var spans [4]span
	uris := spans[:0]
	if scanAttrs(value, func(name string, v0, v1 int) {
		if name == "URI" && value[v0] == '"' {
			uris = append(uris, span{v0 + 1, v1 - 1})
		}
	}) != "" {
		return append(dst, line...), nil
	}
	dst = append(dst, line[:colon+1]...)
	last := 0
	for _, s := range uris {
		dst = append(dst, value[last:s.v0]...)
		var err error
		if dst, err = r.appendURI(dst, value[s.v0:s.v1]); err != nil {
			return dst, err
		}
		last = s.v1
	}
	return append(dst, value[last:]...), nil
}

// RewriteBytes rewrites the URIs of a playlist, master or media, line by
// line without parsing it into a value, for a server that signs playlists
// per request. Other lines are copied as they are, except that line endings
// become LF and a byte order mark is dropped. src must start with #EXTM3U
// and hold no line longer than DefaultMaxLineBytes.
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
