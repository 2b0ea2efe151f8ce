package gateway

import (
	"net/http"
	"strconv"
	"time"
)

// serveObject answers r from a stored object of age a, in one Write of
// its body, or with 304 Not Modified if r's conditionals match it.
func (c *Cache) serveObject(w http.ResponseWriter, r *http.Request, obj *object, a time.Duration, x []string) {
	h := w.Header()
	if obj.status == http.StatusOK && (r.Header["If-None-Match"] != nil || r.Header["If-Modified-Since"] != nil) &&
		notModified(r, obj.fr.etag, obj.fr.lastMod, obj.fr.date) {
		writeNotModified(h, obj.fields)
		h["Age"] = obj.ageValue(a)
		h["X-Cache"] = x
		w.WriteHeader(http.StatusNotModified)
		return
	}
	for _, f := range obj.fields {
		h[f.name] = f.values
	}
	h["Age"] = obj.ageValue(a)
	h["X-Cache"] = x
	w.WriteHeader(obj.status)
	if r.Method != http.MethodHead && len(obj.body) > 0 {
		w.Write(obj.body)
	}
}

// notModified evaluates r's If-None-Match, or else its If-Modified-Since,
// against a response's validators (RFC 9110 §13.2.2). date stands for
// Last-Modified when there is none.
func notModified(r *http.Request, etag, lastMod string, date time.Time) bool {
	if inm := r.Header["If-None-Match"]; inm != nil {
		return etag != "" && matchETag(inm, etag) || anyETag(inm)
	}
	ims := r.Header["If-Modified-Since"]
	if ims == nil {
		return false
	}
	since, err := http.ParseTime(ims[0])
	if err != nil {
		return false
	}
	modified := date
	if lastMod != "" {
		if lm, err := http.ParseTime(lastMod); err == nil {
			modified = lm
		}
	}
	return !modified.IsZero() && !modified.After(since)
}

// matchETag reports whether any entity tag in an If-None-Match field
// weakly matches etag.
func matchETag(lines []string, etag string) bool {
	want := opaqueTag(etag)
	if want == "" {
		return false
	}
	for _, s := range lines {
		for s != "" {
			i := 0
			for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == ',') {
				i++
			}
			s = s[i:]
			if len(s) >= 2 && s[0] == 'W' && s[1] == '/' {
				s = s[2:]
			}
			if s == "" || s[0] != '"' {
				// Not an entity tag: skip to the next member.
				j := 0
				for j < len(s) && s[j] != ',' {
					j++
				}
				s = s[j:]
				continue
			}
			j := 1
			for j < len(s) && s[j] != '"' {
				j++
			}
			if j == len(s) {
				return false // unterminated
			}
			if s[:j+1] == want {
				return true
			}
			s = s[j+1:]
		}
	}
	return false
}

func anyETag(lines []string) bool {
	return len(lines) == 1 && trimOWS(lines[0]) == "*"
}

// opaqueTag returns etag without its weakness indicator, or "" if it is
// not a quoted entity tag.
func opaqueTag(etag string) string {
	if len(etag) >= 2 && etag[0] == 'W' && etag[1] == '/' {
		etag = etag[2:]
	}
	if len(etag) < 2 || etag[0] != '"' || etag[len(etag)-1] != '"' {
		return ""
	}
	return etag
}

// writeNotModified sets the fields a 304 carries (RFC 9110 §15.4.5).
func writeNotModified(h http.Header, fields []hfield) {
	for _, f := range fields {
		switch f.name {
		case "Cache-Control", "Content-Location", "Date", "Etag", "Expires", "Last-Modified", "Vary":
			h[f.name] = f.values
		}
	}
}

// ageString formats an age in whole seconds, floored (RFC 9111 §5.1).
func ageString(a time.Duration) string {
	return strconv.FormatInt(int64(max(0, a)/time.Second), 10)
}
