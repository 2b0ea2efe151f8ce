// Package source downloads the source file of a video from a URL a client
// gives, without letting that URL reach the server's own network: the
// loopback interface, private and link-local ranges (cloud metadata at
// 169.254.169.254), CGNAT, multicast and other special addresses, in IPv4
// and IPv6 (IPv4-mapped addresses count as IPv4).
//
// # Checks
//
// [Fetcher.Check] refuses a URL early, in the API request: a scheme other
// than http or https, user information ("http://example.com@127.0.0.1/"),
// or a host that is, or resolves to, a refused address. The address is
// checked again when each connection is made (a net.Dialer Control
// function), so a name that resolves differently the second time (DNS
// rebinding) gains nothing, and every redirect is checked the same way, up
// to [MaxRedirects]. Proxies from the environment are not used: they would
// connect on the server's behalf, past the check.
//
// # Allow list
//
// [Fetcher.Allow] lets chosen addresses through: an IP, a CIDR prefix, or an
// IP and port (an origin on the same host, as tests use).
package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"
)

// MaxRedirects bounds the redirects a download follows.
const MaxRedirects = 5

// Errors; all but ErrFetch mean that trying again cannot succeed.
var (
	// ErrURL means the URL is not an http or https URL the server takes.
	ErrURL = errors.New("source: invalid URL")
	// ErrForbidden means the URL's host is an address the server does
	// not connect to.
	ErrForbidden = errors.New("source: address not allowed")
	// ErrTooLarge means the file is over the size limit.
	ErrTooLarge = errors.New("source: file too large")
	// ErrStatus means the origin answered with a client error (4xx).
	ErrStatus = errors.New("source: origin refused")
	// ErrFetch is any other failure: network, timeout, server error.
	ErrFetch = errors.New("source: download failed")
)

// Permanent reports whether err means that downloading again cannot
// succeed.
func Permanent(err error) bool {
	return errors.Is(err, ErrURL) || errors.Is(err, ErrForbidden) || errors.Is(err, ErrTooLarge) || errors.Is(err, ErrStatus)
}

// Rule is an entry of the allow list.
type Rule struct {
	Prefix netip.Prefix
	Port   uint16 // 0 for any
}

// ParseRule parses an IP ("127.0.0.1", "::1"), a CIDR prefix
// ("10.0.0.0/8") or an IP and port ("127.0.0.1:9000", "[::1]:9000").
func ParseRule(s string) (Rule, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return Rule{Prefix: p.Masked()}, nil
	}
	if a, err := netip.ParseAddr(s); err == nil {
		a = a.Unmap()
		return Rule{Prefix: netip.PrefixFrom(a, a.BitLen())}, nil
	}
	if ap, err := netip.ParseAddrPort(s); err == nil && ap.Port() != 0 {
		a := ap.Addr().Unmap()
		return Rule{Prefix: netip.PrefixFrom(a, a.BitLen()), Port: ap.Port()}, nil
	}
	return Rule{}, fmt.Errorf("source: allow %q: want an IP, a CIDR prefix or an IP:port", s)
}

// Fetcher downloads sources. Its zero value refuses every special address
// and has no size limit; set MaxBytes.
type Fetcher struct {
	// Allow lets these addresses through.
	Allow []Rule
	// MaxBytes bounds a download; if zero, no bound.
	MaxBytes int64
	// Timeout bounds a download; if zero, 1 hour.
	Timeout time.Duration
	// Resolver resolves names in Check; if nil, net.DefaultResolver.
	Resolver *net.Resolver
}

// blocked are the ranges refused besides what netip's predicates cover.
var blocked = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8",       // "this network"
		"100.64.0.0/10",   // CGNAT
		"192.0.0.0/24",    // IETF protocol assignments
		"192.0.2.0/24",    // documentation
		"198.18.0.0/15",   // benchmarking
		"198.51.100.0/24", // documentation
		"203.0.113.0/24",  // documentation
		"240.0.0.0/4",     // reserved, and broadcast
		"::/96",           // IPv4-compatible (deprecated)
		"64:ff9b::/96",    // NAT64: an IPv4 address behind a translator
		"64:ff9b:1::/48",  // local NAT64
		"100::/64",        // discard
		"2001::/32",       // Teredo
		"2001:db8::/32",   // documentation
		"2002::/16",       // 6to4
		"fec0::/10",       // site-local (deprecated)
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// Allowed reports whether the fetcher connects to a at port.
func (f *Fetcher) Allowed(a netip.Addr, port uint16) bool {
	a = a.Unmap()
	for _, r := range f.Allow {
		if r.Prefix.Contains(a) && (r.Port == 0 || r.Port == port) {
			return true
		}
	}
	return !special(a)
}

func special(a netip.Addr) bool {
	if !a.IsValid() || a.Zone() != "" || a.IsLoopback() || a.IsPrivate() || a.IsUnspecified() ||
		a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast() || a.IsMulticast() {
		return true
	}
	for _, p := range blocked {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Parse checks the form of raw: an absolute http or https URL with a host
// and no user information.
func Parse(raw string) (*url.URL, error) {
	if len(raw) > 4096 {
		return nil, fmt.Errorf("%w: longer than 4096 bytes", ErrURL)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrURL, err)
	}
	return u, checkForm(u)
}

func checkForm(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%w: the scheme must be http or https", ErrURL)
	}
	if u.User != nil {
		return fmt.Errorf("%w: user information (user@host) is not accepted", ErrURL)
	}
	if u.Hostname() == "" {
		return fmt.Errorf("%w: no host", ErrURL)
	}
	if strings.ContainsAny(u.Host, "\\%") {
		return fmt.Errorf("%w: the host has a character a host cannot have", ErrURL)
	}
	return nil
}

// port is u's port, or its scheme's.
func port(u *url.URL) uint16 {
	if p := u.Port(); p != "" {
		var n uint16
		fmt.Sscan(p, &n)
		return n
	}
	if u.Scheme == "https" {
		return 443
	}
	return 80
}

// Check parses raw and refuses it if its host is, or resolves to, an
// address that is not allowed.
func (f *Fetcher) Check(ctx context.Context, raw string) (*url.URL, error) {
	u, err := Parse(raw)
	if err != nil {
		return nil, err
	}
	host := u.Hostname()
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		r := f.Resolver
		if r == nil {
			r = net.DefaultResolver
		}
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		addrs, err = r.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, fmt.Errorf("%w: cannot resolve %s", ErrURL, host)
		}
	}
	for _, a := range addrs {
		if !f.Allowed(a, port(u)) {
			if a.Unmap().String() == host {
				return nil, fmt.Errorf("%w: %s is a private or special address", ErrForbidden, host)
			}
			return nil, fmt.Errorf("%w: %s is %s, a private or special address", ErrForbidden, host, a.Unmap())
		}
	}
	return u, nil
}

// control refuses connections to addresses that are not allowed; it runs
// for every connection, after name resolution.
func (f *Fetcher) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrForbidden, address)
	}
	if !f.Allowed(ap.Addr(), ap.Port()) {
		return fmt.Errorf("%w: %s", ErrForbidden, ap.Addr().Unmap())
	}
	return nil
}

func (f *Fetcher) client() *http.Client {
	d := &net.Dialer{Timeout: 30 * time.Second, Control: f.control}
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                  nil,
			DialContext:            d.DialContext,
			TLSHandshakeTimeout:    30 * time.Second,
			ResponseHeaderTimeout:  time.Minute,
			MaxResponseHeaderBytes: 64 << 10,
			DisableKeepAlives:      true,
		},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > MaxRedirects {
				return fmt.Errorf("%w: more than %d redirects", ErrURL, MaxRedirects)
			}
			if err := checkForm(req.URL); err != nil {
				return fmt.Errorf("redirect to %s: %w", req.URL.Redacted(), err)
			}
			if a, err := netip.ParseAddr(req.URL.Hostname()); err == nil && !f.Allowed(a, port(req.URL)) {
				return fmt.Errorf("%w: redirect to %s", ErrForbidden, a.Unmap())
			}
			return nil
		},
	}
}

// Fetch downloads raw into the file path (created or truncated) and
// returns its size. It checks raw's form; the addresses are checked as it
// connects.
func (f *Fetcher) Fetch(ctx context.Context, raw, path string) (int64, error) {
	u, err := Parse(raw)
	if err != nil {
		return 0, err
	}
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = time.Hour
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrURL, err)
	}
	req.Header.Set("User-Agent", "v100-source/1")
	resp, err := f.client().Do(req)
	if err != nil {
		if errors.Is(err, ErrURL) || errors.Is(err, ErrForbidden) {
			// Our own refusal, from a redirect or a dial: without the
			// wrapping that repeats the URL.
			var ue *url.Error
			var oe *net.OpError
			if errors.As(err, &ue) {
				err = ue.Err
			}
			if errors.As(err, &oe) {
				err = oe.Err
			}
			return 0, err
		}
		return 0, fmt.Errorf("%w: %v", ErrFetch, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode >= 400 && resp.StatusCode < 500:
		return 0, fmt.Errorf("%w: %s", ErrStatus, resp.Status)
	case resp.StatusCode != http.StatusOK:
		return 0, fmt.Errorf("%w: %s", ErrFetch, resp.Status)
	}
	if f.MaxBytes > 0 && resp.ContentLength > f.MaxBytes {
		return 0, fmt.Errorf("%w: %d bytes, over the limit of %d", ErrTooLarge, resp.ContentLength, f.MaxBytes)
	}
	out, err := os.Create(path)
	if err != nil {
		return 0, fmt.Errorf("source: %w", err)
	}
	var body io.Reader = resp.Body
	if f.MaxBytes > 0 {
		body = io.LimitReader(resp.Body, f.MaxBytes+1)
	}
	n, err := io.Copy(out, body)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrFetch, err)
	}
	if f.MaxBytes > 0 && n > f.MaxBytes {
		return 0, fmt.Errorf("%w: over the limit of %d bytes", ErrTooLarge, f.MaxBytes)
	}
	return n, nil
}
