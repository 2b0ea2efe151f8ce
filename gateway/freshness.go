package gateway

import (
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

const (
	// heuristicFraction and heuristicCap bound heuristic freshness: 10% of
	// the time since Last-Modified, at most a day (RFC 9111 §4.2.2).
	heuristicFraction = 10
	heuristicCap      = 24 * time.Hour
)

// heuristicStatus reports whether a status is cacheable by default (RFC
// 9110 §15.1), less 206 (ranges are not cached) and 501 (no 5xx is).
func heuristicStatus(code int) bool {
	switch code {
	case 200, 203, 204, 300, 301, 308, 404, 405, 410, 414:
		return true
	}
	return false
}

// storableStatus reports whether a response with this status may be stored
// when it has explicit freshness. 5xx responses never are, so that an error
// never replaces content that stale-if-error could serve.
func storableStatus(code int) bool {
	return heuristicStatus(code) || code == 302 || code == 307 || code == 403 || code == 451
}

// verdict is what the cache does with an origin response.
type verdict uint8

const (
	// verdictStore: shareable and stored once its body is complete.
	verdictStore verdict = iota
	// verdictError: a 5xx; shared with the requests already waiting for it
	// (or replaced by a stale response within stale-if-error), never
	// stored, and not remembered as uncacheable.
	verdictError
	// verdictPass: not shareable or not storable; given to the request that
	// asked for it only, and remembered as uncacheable.
	verdictPass
)

// freshness is what a response's headers say about its reuse.
type freshness struct {
	verdict   verdict
	reason    string        // why verdictPass (for logs), or why a verdictError goes to its request only
	lifetime  time.Duration // freshness lifetime (RFC 9111 §4.2.1)
	swr, sie  time.Duration // stale-while-revalidate, stale-if-error windows
	noCache   bool          // must be revalidated before each reuse
	noStale   bool          // must-revalidate or proxy-revalidate: never served stale
	initAge   time.Duration // corrected initial age (RFC 9111 §4.2.3)
	date      time.Time
	etag      string
	lastMod   string
	varyNames []string // canonical, sorted; nil without Vary
}

// analyse applies RFC 9111 §3 (storing) and §4.2 (freshness) for a shared
// cache to a response with status code and header h, received at respTime
// for a request sent at reqTime. auth says whether the request carried
// Authorization.
func analyse(code int, h http.Header, reqTime, respTime time.Time, auth bool, maxObject int64) freshness {
	cc := parseCacheControl(h["Cache-Control"])
	fr := freshness{
		noCache: cc.noCache,
		noStale: cc.mustRevalidate || cc.proxyRevalidate,
		etag:    fieldValue(h, "Etag"),
		lastMod: fieldValue(h, "Last-Modified"),
	}
	fr.date = respTime
	if d, err := http.ParseTime(fieldValue(h, "Date")); err == nil {
		fr.date = d
	}
	fr.initAge = initialAge(h, fr.date, reqTime, respTime)

	explicit := true
	switch {
	case cc.sMaxAge != noDelta:
		fr.lifetime = time.Duration(cc.sMaxAge) * time.Second
	case cc.maxAge != noDelta:
		fr.lifetime = time.Duration(cc.maxAge) * time.Second
	case h["Expires"] != nil:
		// An invalid Expires (such as "0") means already expired.
		if exp, err := http.ParseTime(fieldValue(h, "Expires")); err == nil && exp.After(fr.date) {
			fr.lifetime = exp.Sub(fr.date)
		}
	default:
		explicit = false
		if heuristicStatus(code) && fr.lastMod != "" {
			if lm, err := http.ParseTime(fr.lastMod); err == nil && lm.Before(fr.date) {
				fr.lifetime = min(fr.date.Sub(lm)/heuristicFraction, heuristicCap)
			}
		}
	}
	if cc.staleWhileRevalidate > 0 {
		fr.swr = time.Duration(cc.staleWhileRevalidate) * time.Second
	}
	if cc.staleIfError > 0 {
		fr.sie = time.Duration(cc.staleIfError) * time.Second
	}
	if fr.noCache || fr.noStale {
		fr.swr, fr.sie = 0, 0
	}
	fr.varyNames, fr.reason = parseVary(h["Vary"])

	pass := func(reason string) freshness {
		fr.verdict, fr.reason = verdictPass, reason
		return fr
	}
	switch {
	case fr.reason != "":
		return pass(fr.reason)
	case code >= 500:
		fr.verdict = verdictError
		// Shared with the waiters only if it may be shared at all.
		switch {
		case cc.noStore:
			fr.reason = "no-store"
		case cc.private:
			fr.reason = "private"
		case h["Set-Cookie"] != nil:
			fr.reason = "Set-Cookie"
		}
		return fr
	case cc.noStore:
		return pass("no-store")
	case cc.private:
		return pass("private")
	case h["Set-Cookie"] != nil:
		return pass("Set-Cookie")
	case auth && !cc.public && !cc.mustRevalidate && cc.sMaxAge == noDelta:
		return pass("Authorization")
	case !storableStatus(code):
		return pass("status " + strconv.Itoa(code))
	case !explicit && !cc.public && !heuristicStatus(code):
		return pass("no explicit freshness")
	case fr.lifetime <= 0 && fr.etag == "" && fr.lastMod == "" && fr.swr == 0 && fr.sie == 0:
		return pass("neither fresh nor revalidatable")
	}
	if cl := fieldValue(h, "Content-Length"); cl != "" {
		if n, err := strconv.ParseInt(cl, 10, 64); err == nil && n > maxObject {
			return pass("too large")
		}
	}
	return fr
}

// initialAge is the corrected initial age of RFC 9111 §4.2.3. Date has a
// resolution of one second, so the apparent age is floored to whole
// seconds: otherwise the sub-second part that Date truncates would shorten
// every short freshness lifetime (a max-age=1 response received 0.9 s after
// the second began would be fresh for 0.1 s).
func initialAge(h http.Header, date, reqTime, respTime time.Time) time.Duration {
	apparent := max(0, respTime.Sub(date)).Truncate(time.Second)
	var ageValue time.Duration
	if v := fieldValue(h, "Age"); v != "" {
		ageValue = time.Duration(parseDelta(v, true)) * time.Second
	}
	delay := max(0, respTime.Sub(reqTime))
	return max(apparent, ageValue+delay)
}

// parseVary returns the canonical, sorted, distinct field names of a Vary
// field, or a reason not to store for Vary: *.
func parseVary(lines []string) ([]string, string) {
	var names []string
	for _, line := range lines {
		for part := range strings.SplitSeq(line, ",") {
			part = trimOWS(part)
			if part == "" {
				continue
			}
			if part == "*" {
				return nil, "Vary: *"
			}
			name := http.CanonicalHeaderKey(part)
			dup := false
			for _, n := range names {
				dup = dup || n == name
			}
			if !dup {
				names = append(names, name)
			}
		}
	}
	// Insertion sort: Vary lists are short.
	for i := 1; i < len(names); i++ {
		for j := i; j > 0 && names[j] < names[j-1]; j-- {
			names[j], names[j-1] = names[j-1], names[j]
		}
	}
	return names, ""
}

func fieldValue(h http.Header, canonical string) string {
	if v := h[canonical]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// object is a stored response. It is never changed once stored: a
// revalidation stores a new one.
type object struct {
	status int
	fields []hfield // stored header fields, Content-Length included
	body   []byte
	fr     freshness
	// respTime is when the response was received: resident time counts
	// from it.
	respTime time.Time
	// reqDelay is how long the origin took to send the response's
	// headers.
	reqDelay time.Duration
	size     int64
	lastAge  atomic.Pointer[ageField]
	// refreshAt is when a hit starts refreshing the object ahead of its
	// expiry (see CacheOptions.RefreshAhead); zero for never.
	refreshAt time.Time
	// refreshing is set by the hit that started the refresh ahead.
	refreshing atomic.Bool
}

// field is one header field, its values shared by every response that
// sends it: the slice's capacity equals its length, so that an append by a
// handler further out copies it instead of writing into the stored array.
type hfield struct {
	name   string
	values []string
}

type ageField struct {
	secs  int64
	value []string
}

// age returns the object's current age at now (RFC 9111 §4.2.3).
func (o *object) age(now time.Time) time.Duration {
	return o.fr.initAge + max(0, now.Sub(o.respTime))
}

// fresh reports whether an object of age a may be reused without
// revalidation.
func (o *object) fresh(a time.Duration) bool {
	return !o.fr.noCache && a < o.fr.lifetime
}

// ageValue returns the Age field's values for age a, in whole seconds
// (floored), reusing the last one while the second is the same.
func (o *object) ageValue(a time.Duration) []string {
	secs := int64(a / time.Second)
	if p := o.lastAge.Load(); p != nil && p.secs == secs {
		return p.value
	}
	v := []string{strconv.FormatInt(secs, 10)}
	o.lastAge.Store(&ageField{secs: secs, value: v})
	return v
}

// notStored are the fields never stored or passed on from an origin
// response: the hop-by-hop ones (RFC 9110 §7.6.1), and Age and X-Cache,
// which the cache sets itself. (Set-Cookie is passed on: a response with it
// is never stored, so it goes only to the request that asked for it.)
var notStored = [...]string{
	"Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate",
	"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade",
	"Age", "X-Cache",
}

// storedFields returns h without hop-by-hop fields (and those Connection
// names), as fields with full slices. contentLength, if not negative,
// replaces Content-Length.
func storedFields(h http.Header, contentLength int64) []hfield {
	fields := make([]hfield, 0, len(h)+1)
	var connection []string
	for _, v := range h["Connection"] {
		for tok := range strings.SplitSeq(v, ",") {
			if tok = trimOWS(tok); tok != "" {
				connection = append(connection, http.CanonicalHeaderKey(tok))
			}
		}
	}
next:
	for name, values := range h {
		if len(values) == 0 || (contentLength >= 0 && name == "Content-Length") {
			continue
		}
		for _, hb := range notStored {
			if name == hb {
				continue next
			}
		}
		for _, c := range connection {
			if name == c {
				continue next
			}
		}
		v := make([]string, len(values))
		copy(v, values)
		fields = append(fields, hfield{name, v[:len(v):len(v)]})
	}
	if contentLength >= 0 {
		fields = append(fields, hfield{"Content-Length", []string{strconv.FormatInt(contentLength, 10)}})
	}
	return fields
}

// fieldsSize is the bytes the fields take, as accounted against MaxBytes.
func fieldsSize(fields []hfield) int64 {
	var n int64
	for _, f := range fields {
		n += int64(len(f.name)) + 32
		for _, v := range f.values {
			n += int64(len(v)) + 16
		}
	}
	return n
}

// mergeFields updates stored fields with those of a 304 response (RFC 9111
// §3.2): each field the 304 carries replaces the stored one, except the
// body's framing.
func mergeFields(stored []hfield, h http.Header) http.Header {
	merged := make(http.Header, len(stored)+len(h))
	for _, f := range stored {
		merged[f.name] = f.values
	}
	for name, values := range h {
		switch name {
		case "Content-Length", "Content-Encoding", "Content-Range":
			continue
		}
		merged[name] = values
	}
	return merged
}
