package ratelimit_test

import (
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/ratelimit"
)

var trusted = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}

func TestClientIP(t *testing.T) {
	for _, tc := range []struct {
		name, remote string
		xff          []string
		want         string
		ok           bool
	}{
		{"direct client", "198.51.100.7:4242", nil, "198.51.100.7", true},
		{"spoofed header from an untrusted peer", "198.51.100.7:4242", []string{"1.2.3.4"}, "198.51.100.7", true},
		{"one trusted proxy", "10.0.0.2:80", []string{"198.51.100.7"}, "198.51.100.7", true},
		{"client's own fake entry is skipped", "10.0.0.2:80", []string{"6.6.6.6, 198.51.100.7"}, "198.51.100.7", true},
		{"chain of trusted proxies", "10.0.0.2:80", []string{"198.51.100.7, 10.0.0.9, 10.0.0.3"}, "198.51.100.7", true},
		{"several header lines", "10.0.0.2:80", []string{"6.6.6.6, 198.51.100.7", "10.0.0.3"}, "198.51.100.7", true},
		{"garbage stops at the last good hop", "10.0.0.2:80", []string{"198.51.100.7, not-an-ip"}, "10.0.0.2", true},
		{"empty entry", "10.0.0.2:80", []string{"198.51.100.7,,"}, "10.0.0.2", true},
		{"all hops trusted", "10.0.0.2:80", []string{"10.0.0.5"}, "10.0.0.5", true},
		{"ipv6 peer", "[2001:db8::1]:443", nil, "2001:db8::1", true},
		{"ipv6 hop with port", "[fd00::1]:443", []string{"[2001:db8::7]:5555"}, "2001:db8::7", true},
		{"mapped ipv4 is unmapped", "[::ffff:198.51.100.7]:1", nil, "198.51.100.7", true},
		{"zone dropped", "[fe80::1%eth0]:1", nil, "fe80::1", true},
		{"unix socket peer", "@", nil, "invalid IP", false},
		{"empty peer", "", nil, "invalid IP", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.remote
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			got, ok := ratelimit.ClientIP(r, trusted)
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.want, got.String())
		})
	}
}

func TestByIPGroupsIPv6By64(t *testing.T) {
	key := ratelimit.ByIP()
	a := httptest.NewRequest("GET", "/", nil)
	a.RemoteAddr = "[2001:db8:1:2::1]:1"
	b := httptest.NewRequest("GET", "/", nil)
	b.RemoteAddr = "[2001:db8:1:2:ffff::9]:1"
	ka, _ := key(a)
	kb, _ := key(b)
	require.Equal(t, "2001:db8:1:2::/64", ka)
	require.Equal(t, ka, kb, "one /64, one key")
}

func FuzzClientIP(f *testing.F) {
	f.Add("10.0.0.2:80", "6.6.6.6, 198.51.100.7")
	f.Add("[fd00::1]:443", "[2001:db8::7]:5555,10.0.0.1")
	f.Add("198.51.100.7:1", "1.2.3.4")
	f.Add("10.0.0.2:80", ",,,")
	f.Fuzz(func(t *testing.T, remote, xff string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", xff)
		got, ok := ratelimit.ClientIP(r, trusted)
		peer, peerOK := ratelimit.ClientIP(r, nil) // trusting nobody: the peer itself
		if ok != peerOK {
			t.Fatalf("ok %v with trusted proxies, %v without", ok, peerOK)
		}
		if !ok {
			return
		}
		if !got.IsValid() {
			t.Fatalf("ok with an invalid address for %q %q", remote, xff)
		}
		// A peer that is not a trusted proxy is the client, whatever it
		// claims in the header.
		trustedPeer := false
		for _, p := range trusted {
			trustedPeer = trustedPeer || p.Contains(peer)
		}
		if !trustedPeer && got != peer {
			t.Fatalf("ClientIP(%q, %q) = %v, want the untrusted peer %v", remote, xff, got, peer)
		}
	})
}
