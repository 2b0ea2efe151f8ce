package gateway

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var cacheControlCases = []struct {
	name string
	in   []string
	want string // canonical form
}{
	{"empty", []string{""}, ""},
	{"max-age", []string{"max-age=60"}, "max-age=60"},
	{"case and spaces", []string{"  Max-Age = 60 ,PUBLIC"}, "public, max-age=60"},
	{"quoted value", []string{`max-age="60"`}, "max-age=60"},
	{"quoted with escape", []string{`s-maxage="6\0"`}, "s-maxage=60"},
	{"quoted comma in field list", []string{`no-cache="Set-Cookie, X-Foo", max-age=5`}, "no-cache, max-age=5"},
	{"duplicates keep the smallest", []string{"max-age=60, max-age=10, max-age=30"}, "max-age=10"},
	{"duplicates across lines", []string{"max-age=60", "max-age=10"}, "max-age=10"},
	{"negative is zero", []string{"max-age=-1"}, "max-age=0"},
	{"fraction is zero", []string{"max-age=1.5"}, "max-age=0"},
	{"no value is zero", []string{"max-age"}, "max-age=0"},
	{"empty value is zero", []string{"max-age="}, "max-age=0"},
	{"garbage is zero", []string{"max-age=abc"}, "max-age=0"},
	{"huge is 2^31", []string{"max-age=99999999999999999999999999"}, "max-age=2147483648"},
	{"2^31 exactly", []string{"max-age=2147483648"}, "max-age=2147483648"},
	{"garbage after quote skipped", []string{`max-age="5"junk, private`}, "private, max-age=5"},
	{"unterminated quote", []string{`max-age="5, no-store`}, "max-age=0"},
	{"unknown directives ignored", []string{"foo, bar=baz, immutable, no-transform"}, ""},
	{"flags", []string{"no-store, no-cache, private, public, must-revalidate, proxy-revalidate, only-if-cached"},
		"no-store, no-cache, private, public, must-revalidate, proxy-revalidate, only-if-cached"},
	{"private with fields", []string{`private="Set-Cookie"`}, "private"},
	{"rfc 5861", []string{"max-age=1, stale-while-revalidate=30, stale-if-error=600"},
		"max-age=1, stale-while-revalidate=30, stale-if-error=600"},
	{"commas only", []string{",,, ,"}, ""},
	{"equals only", []string{"="}, ""},
	{"tabs", []string{"\tmax-age=7\t,\tno-cache"}, "no-cache, max-age=7"},
}

func TestParseCacheControl(t *testing.T) {
	for _, tc := range cacheControlCases {
		t.Run(tc.name, func(t *testing.T) {
			got := parseCacheControl(tc.in).String()
			require.Equal(t, tc.want, got, "parse %q", tc.in)
		})
	}
}

func FuzzCacheControl(f *testing.F) {
	for _, tc := range cacheControlCases {
		f.Add(strings.Join(tc.in, "\n"))
	}
	f.Fuzz(func(t *testing.T, s string) {
		cc := parseCacheControl(strings.Split(s, "\n"))
		for _, v := range []int64{cc.maxAge, cc.sMaxAge, cc.staleWhileRevalidate, cc.staleIfError} {
			if v != noDelta && (v < 0 || v > maxDelta) {
				t.Fatalf("parse %q: delta %d out of range", s, v)
			}
		}
		// The canonical form parses back to the same directives.
		again := parseCacheControl([]string{cc.String()})
		if again != cc {
			t.Fatalf("parse %q = %+v; its canonical form %q parses to %+v", s, cc, cc.String(), again)
		}
	})
}
