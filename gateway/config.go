package gateway

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is what New builds a Gateway from. LoadConfig reads one from a
// YAML file; a program may fill one in as well. Zero fields take the
// defaults their docs give.
type Config struct {
	// Listen is the address to serve on, for the program that runs the
	// gateway (New does not listen).
	Listen string `yaml:"listen"`
	// MetricsPath, if not empty, serves the metrics (see Metrics) at this
	// exact path, on any host, ahead of the routes.
	MetricsPath string `yaml:"metrics"`
	// TrustedProxies are the addresses or CIDR prefixes of the proxies in
	// front of the gateway whose X-Forwarded-For (and the like) are
	// believed, for forwarding and for rate limits.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// PurgeFrom are the addresses or CIDR prefixes of the peers allowed
	// to send PURGE requests (see MethodPurge); from any other peer, they
	// get 403. The peer is the connection's address, whatever
	// X-Forwarded-For says.
	PurgeFrom []string `yaml:"purge_from"`
	// Limits bound what a client may send.
	Limits Limits `yaml:"limits"`
	// Routes, at least one, say where requests go (see Router).
	Routes []RouteConfig `yaml:"routes"`

	// Handlers are the in-process handlers a route may name in its
	// Handler field. The name "health" is built in: 200 "ok".
	Handlers map[string]http.Handler `yaml:"-"`
	// Logger gets one access log record per request (see AccessLog) and
	// the upstream and cache errors. If nil, nothing is logged.
	Logger *slog.Logger `yaml:"-"`
	// Transport, if not nil, is every pool's transport (see PoolOptions).
	Transport http.RoundTripper `yaml:"-"`
}

// Limits bound what a client may send to a Gateway, and how long it waits
// for a drain.
type Limits struct {
	// MaxHeaderBytes bounds a request's header (http.Server's
	// MaxHeaderBytes: 431 beyond it). If zero, 64 KiB.
	MaxHeaderBytes ByteSize `yaml:"max_header_bytes"`
	// MaxBodyBytes bounds a request's body: 413 beyond it. If zero, 10
	// MiB.
	MaxBodyBytes ByteSize `yaml:"max_body_bytes"`
	// ReadHeaderTimeout bounds the time to read a request's header. If
	// zero, ten seconds.
	ReadHeaderTimeout time.Duration `yaml:"read_header_timeout"`
	// IdleTimeout is how long an idle keep-alive connection stays open.
	// If zero, two minutes.
	IdleTimeout time.Duration `yaml:"idle_timeout"`
	// ShutdownTimeout bounds the drain when Serve's context ends. If
	// zero, 30 seconds.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
}

// RouteConfig configures one route: a Route, and the pool, cache and rate
// limit behind it.
type RouteConfig struct {
	// Name labels the route in metrics and logs. If empty, Host+Prefix.
	Name string `yaml:"name"`
	// Host, Prefix and StripPrefix are Route's Host, PathPrefix and
	// StripPrefix.
	Host        string `yaml:"host"`
	Prefix      string `yaml:"prefix"`
	StripPrefix bool   `yaml:"strip_prefix"`
	// Upstreams are the http(s) URLs of a pool. A route has upstreams or
	// a Handler, not both.
	Upstreams []string `yaml:"upstreams"`
	// Handler names an in-process handler (see Config.Handlers).
	Handler string `yaml:"handler"`
	// LB is the pool's policy: "round_robin" (the default) or
	// "least_conn".
	LB string `yaml:"lb"`
	// HealthCheck, if set, turns on active health checks.
	HealthCheck *HealthCheck `yaml:"health_check"`
	// Timeout, TryTimeout, Retries and PreserveHost are the PoolOptions
	// fields of those names.
	Timeout      time.Duration `yaml:"timeout"`
	TryTimeout   time.Duration `yaml:"try_timeout"`
	Retries      int           `yaml:"retries"`
	PreserveHost bool          `yaml:"preserve_host"`
	// Cache, if enabled, caches the route's responses (see Cache).
	Cache *CacheConfig `yaml:"cache"`
	// RateLimit, if set, limits each client IP address.
	RateLimit *RateLimitConfig `yaml:"rate_limit"`
}

// CacheConfig configures a route's response cache.
type CacheConfig struct {
	Enabled bool `yaml:"enabled"`
	// MaxObjectSize and MaxBytes are CacheOptions' fields: the largest
	// response stored and the size of the whole cache. If zero, the
	// cache's defaults.
	MaxObjectSize ByteSize `yaml:"max_object_size"`
	MaxBytes      ByteSize `yaml:"max_bytes"`
}

// RateLimitConfig limits a route per client IP address (IPv6 by /64):
// Rate requests per Per, in bursts of up to Burst.
type RateLimitConfig struct {
	Rate  int           `yaml:"rate"`
	Per   time.Duration `yaml:"per"`   // if zero, one second
	Burst int           `yaml:"burst"` // if zero, Rate
}

// ByteSize is a size in bytes. In YAML it is a whole number of bytes or
// a number with a unit: B, KB, MB, GB (powers of 1000) or KiB, MiB, GiB
// (powers of 1024), as in "64MiB".
type ByteSize int64

// UnmarshalText parses a size.
func (b *ByteSize) UnmarshalText(text []byte) error {
	s := strings.TrimSpace(string(text))
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '-' })
	num, unit := s, ""
	if i >= 0 {
		num, unit = s[:i], strings.TrimSpace(s[i:])
	}
	mult := map[string]int64{"": 1, "B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}[unit]
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || mult == 0 {
		return fmt.Errorf("size %q: want bytes or a number with B, KB, MB, GB, KiB, MiB or GiB", s)
	}
	if n > (1<<62)/mult || n < -(1<<62)/mult {
		return fmt.Errorf("size %q is too large", s)
	}
	*b = ByteSize(n * mult)
	return nil
}

// maxConfigBytes bounds a config file.
const maxConfigBytes = 1 << 20

// LoadConfig reads a Config from a YAML file (see ParseConfig).
func LoadConfig(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	defer f.Close()
	c, err := ParseConfig(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// ParseConfig reads a Config from one YAML document of at most 1 MiB and
// checks it. Decoding is strict: an unknown or repeated field, a value of
// the wrong type, a second document or an invalid setting is an error
// naming the line.
func ParseConfig(r io.Reader) (*Config, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxConfigBytes+1))
	if err != nil {
		return nil, fmt.Errorf("gateway: config: %w", err)
	}
	if len(data) > maxConfigBytes {
		return nil, errors.New("gateway: config is over 1 MiB")
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var c Config
	if err := dec.Decode(&c); err == io.EOF {
		return nil, errors.New("gateway: config is empty")
	} else if err != nil {
		return nil, fmt.Errorf("gateway: config: %w", err)
	}
	var more yaml.Node
	if err := dec.Decode(&more); err != io.EOF {
		return nil, errors.New("gateway: config: more than one YAML document")
	}
	if err := c.check(); err != nil {
		var re *routeError
		if errors.As(err, &re) {
			return nil, fmt.Errorf("gateway: config line %d: %w", routeLine(data, re.i), re.err)
		}
		return nil, err
	}
	return &c, nil
}

// routeLine returns the line of the i'th route in a config.
func routeLine(data []byte, i int) int {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return 0
	}
	m := doc.Content[0]
	for k := 0; k+1 < len(m.Content); k += 2 {
		if m.Content[k].Value == "routes" && i < len(m.Content[k+1].Content) {
			return m.Content[k+1].Content[i].Line
		}
	}
	return 0
}

// routeError is a mistake in the i'th route.
type routeError struct {
	i   int
	err error
}

func (e *routeError) Error() string { return e.err.Error() }
func (e *routeError) Unwrap() error { return e.err }

// check reports the first mistake in c that does not depend on what the
// program adds (Handlers).
func (c *Config) check() error {
	if c.Listen != "" {
		if _, _, err := net.SplitHostPort(c.Listen); err != nil {
			return fmt.Errorf("gateway: config: listen %q: want host:port", c.Listen)
		}
	}
	if c.MetricsPath != "" && (!strings.HasPrefix(c.MetricsPath, "/") || !canonicalPath(c.MetricsPath)) {
		return fmt.Errorf("gateway: config: metrics path %q is not a canonical path", c.MetricsPath)
	}
	if _, err := parsePrefixes(c.TrustedProxies); err != nil {
		return err
	}
	if _, err := parsePrefixes(c.PurgeFrom); err != nil {
		return err
	}
	l := c.Limits
	switch {
	case l.MaxHeaderBytes < 0 || l.MaxHeaderBytes > 1<<20:
		return fmt.Errorf("gateway: config: max_header_bytes %d: want 0 to 1 MiB", l.MaxHeaderBytes)
	case l.MaxBodyBytes < 0:
		return fmt.Errorf("gateway: config: max_body_bytes %d is negative", l.MaxBodyBytes)
	case l.ReadHeaderTimeout < 0 || l.IdleTimeout < 0 || l.ShutdownTimeout < 0:
		return errors.New("gateway: config: a limit's timeout is negative")
	}
	if len(c.Routes) == 0 {
		return errors.New("gateway: config: no routes")
	}
	names := map[string]bool{}
	for i := range c.Routes {
		rc := &c.Routes[i]
		if err := rc.check(); err != nil {
			return &routeError{i, fmt.Errorf("route %q: %w", rc.name(), err)}
		}
		if names[rc.name()] {
			return &routeError{i, fmt.Errorf("route %q: the name (or host and prefix) is used twice", rc.name())}
		}
		names[rc.name()] = true
	}
	return nil
}

func (rc *RouteConfig) name() string {
	if rc.Name != "" {
		return rc.Name
	}
	return rc.Host + cmpOr(rc.Prefix, "/")
}

func (rc *RouteConfig) check() error {
	if rc.Prefix != "" && (!strings.HasPrefix(rc.Prefix, "/") || !canonicalPath(rc.Prefix) || strings.HasSuffix(rc.Prefix, "//")) {
		return fmt.Errorf("prefix %q is not a canonical path", rc.Prefix)
	}
	if _, _, err := hostPattern(rc.Host); err != nil {
		return err
	}
	switch {
	case len(rc.Upstreams) > 0 && rc.Handler != "":
		return errors.New("has both upstreams and a handler")
	case len(rc.Upstreams) == 0 && rc.Handler == "":
		return errors.New("needs upstreams or a handler")
	case len(rc.Upstreams) > 256:
		return errors.New("has over 256 upstreams")
	}
	if _, err := parseUpstreams(rc.Upstreams); err != nil {
		return err
	}
	if _, err := policyOf(rc.LB); err != nil {
		return err
	}
	if rc.Handler != "" && (rc.LB != "" || rc.HealthCheck != nil || rc.Timeout != 0 || rc.TryTimeout != 0 || rc.Retries != 0 || rc.PreserveHost) {
		return errors.New("has upstream settings but a handler, not upstreams")
	}
	switch {
	case rc.Timeout < 0 || rc.TryTimeout < 0:
		return errors.New("timeout is negative")
	case rc.Retries < -1 || rc.Retries > 10:
		return fmt.Errorf("retries %d: want -1 (none) to 10", rc.Retries)
	}
	if hc := rc.HealthCheck; hc != nil {
		switch {
		case hc.Path != "" && (!strings.HasPrefix(hc.Path, "/") || strings.ContainsAny(hc.Path, " \t\r\n#")):
			return fmt.Errorf("health_check path %q does not start with / or has spaces", hc.Path)
		case hc.Interval != 0 && hc.Interval < 100*time.Millisecond:
			return fmt.Errorf("health_check interval %v is under 100ms", hc.Interval)
		case hc.Timeout < 0 || hc.Fails < 0 || hc.Passes < 0 || hc.Fails > 100 || hc.Passes > 100:
			return errors.New("health_check timeout, fails or passes is out of range")
		}
	}
	if cc := rc.Cache; cc != nil && (cc.MaxBytes < 0 || cc.MaxObjectSize < 0) {
		return errors.New("cache size is negative")
	}
	if rl := rc.RateLimit; rl != nil {
		if rl.Rate <= 0 || rl.Burst < 0 || rl.Per < 0 || (rl.Per > 0 && int64(rl.Per)/int64(rl.Rate) == 0) {
			return fmt.Errorf("rate_limit %d per %v burst %d: want a positive rate of at most one per nanosecond", rl.Rate, rl.Per, rl.Burst)
		}
	}
	return nil
}

func parseUpstreams(ss []string) ([]*url.URL, error) {
	var us []*url.URL
	for _, s := range ss {
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
			return nil, fmt.Errorf("upstream %q is not an http(s)://host[:port][/path] URL", s)
		}
		us = append(us, u)
	}
	return us, nil
}

func policyOf(lb string) (Policy, error) {
	switch lb {
	case "", "round_robin":
		return RoundRobin, nil
	case "least_conn":
		return LeastConnections, nil
	}
	return 0, fmt.Errorf("lb %q: want round_robin or least_conn", lb)
}

func parsePrefixes(ss []string) ([]netip.Prefix, error) {
	var ps []netip.Prefix
	for _, s := range ss {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return nil, fmt.Errorf("gateway: config: trusted proxy %q is not an address or prefix", s)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		ps = append(ps, p.Masked())
	}
	return ps, nil
}
