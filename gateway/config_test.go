package gateway

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const goodConfig = `
listen: 127.0.0.1:8081
metrics: /metrics
trusted_proxies: [10.0.0.0/8, 192.0.2.1]
limits:
  max_header_bytes: 32KiB
  max_body_bytes: 1MB
  read_header_timeout: 5s
routes:
  - name: video
    host: "*.example.com"
    prefix: /v
    upstreams: [http://127.0.0.1:9000, "http://127.0.0.1:9001/base"]
    lb: least_conn
    health_check: {path: /healthz, interval: 2s, fails: 2, passes: 2}
    timeout: 1m
    try_timeout: 5s
    retries: 2
    cache: {enabled: true, max_object_size: 8MiB, max_bytes: 256MiB}
    rate_limit: {rate: 100, per: 1s, burst: 200}
  - prefix: /healthz
    handler: health
`

func TestParseConfig(t *testing.T) {
	c, err := ParseConfig(strings.NewReader(goodConfig))
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:8081", c.Listen)
	require.Equal(t, ByteSize(32<<10), c.Limits.MaxHeaderBytes)
	require.Equal(t, ByteSize(1e6), c.Limits.MaxBodyBytes)
	require.Len(t, c.Routes, 2)
	v := c.Routes[0]
	require.Equal(t, "least_conn", v.LB)
	require.Equal(t, &HealthCheck{Path: "/healthz", Interval: 2 * time.Second, Fails: 2, Passes: 2}, v.HealthCheck)
	require.Equal(t, time.Minute, v.Timeout)
	require.Equal(t, &CacheConfig{Enabled: true, MaxObjectSize: 8 << 20, MaxBytes: 256 << 20}, v.Cache)
	require.Equal(t, &RateLimitConfig{Rate: 100, Per: time.Second, Burst: 200}, v.RateLimit)
	require.Equal(t, "/healthz", c.Routes[1].name())

	g, err := New(c)
	require.NoError(t, err)
	require.NoError(t, g.Close())

	path := filepath.Join(t.TempDir(), "gateway.yaml")
	require.NoError(t, os.WriteFile(path, []byte(goodConfig), 0o644))
	_, err = LoadConfig(path)
	require.NoError(t, err)
	_, err = LoadConfig(path + ".missing")
	require.Error(t, err)
}

func TestHostileConfig(t *testing.T) {
	route := "routes:\n  - prefix: /\n    upstreams: [http://127.0.0.1:9000]\n"
	cases := []struct {
		name, yaml, want string
	}{
		{"empty", "", "config is empty"},
		{"only a comment", "# nothing\n", "config is empty"},
		{"no routes", "listen: 127.0.0.1:1\n", "no routes"},
		{"unknown field", route + "    upstream: [http://x]\n", "line 4: field upstream not found"},
		{"unknown top field", "listn: :80\n" + route, "line 1: field listn not found"},
		{"repeated field", route + "    prefix: /x\n", `"prefix" already defined`},
		{"wrong type", "routes: {a: 1}\n", "line 1: cannot unmarshal"},
		{"string for a number", route + "    retries: many\n", "line 4: cannot unmarshal"},
		{"two documents", route + "---\n" + route, "more than one YAML document"},
		{"not YAML", "routes: [\n", "did not find expected"},
		{"tab indent", "routes:\n\t- prefix: /\n", "found character that cannot start any token"},
		{"alias bomb", "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n", "field a not found"},
		{"bad listen", "listen: nowhere\n" + route, `listen "nowhere"`},
		{"bad metrics path", "metrics: /a/../m\n" + route, "metrics path"},
		{"bad trusted proxy", "trusted_proxies: [everyone]\n" + route, `trusted proxy "everyone"`},
		{"negative body limit", "limits: {max_body_bytes: -1}\n" + route, "max_body_bytes -1"},
		{"huge header limit", "limits: {max_header_bytes: 1GiB}\n" + route, "max_header_bytes"},
		{"bad size unit", "limits: {max_body_bytes: 10 parsecs}\n" + route, "size \"10 parsecs\""},
		{"size overflow", "limits: {max_body_bytes: 99999999999GiB}\n" + route, "too large"},
		{"bad duration", "limits: {idle_timeout: soon}\n" + route, "line 1: cannot unmarshal"},
		{"bare number duration", "limits: {idle_timeout: 30}\n" + route, "line 1: cannot unmarshal"},
		{"relative prefix", "routes:\n  - prefix: api\n    upstreams: [http://a]\n", `line 2: route "api": prefix "api"`},
		{"dot prefix", "routes:\n  - prefix: /a/../admin\n    upstreams: [http://a]\n", "line 2: route"},
		{"encoded prefix", "routes:\n  - prefix: /a%2e%2e\n    upstreams: [http://a]\n", "not a canonical path"},
		{"bad host", "routes:\n  - host: a..b\n    upstreams: [http://a]\n", `host "a..b"`},
		{"wildcard inside", "routes:\n  - host: a.*.com\n    upstreams: [http://a]\n", `host "a.*.com"`},
		{"file upstream", "routes:\n  - upstreams: [file:///etc/passwd]\n", "not an http(s)"},
		{"upstream with credentials", "routes:\n  - upstreams: [http://u:p@a]\n", "not an http(s)"},
		{"upstream without host", "routes:\n  - upstreams: [http:///x]\n", "not an http(s)"},
		{"upstream with query", "routes:\n  - upstreams: [\"http://a/?x=1\"]\n", "not an http(s)"},
		{"upstreams and handler", "routes:\n  - upstreams: [http://a]\n    handler: health\n", "both upstreams and a handler"},
		{"neither", "routes:\n  - prefix: /\n", "needs upstreams or a handler"},
		{"handler with pool settings", "routes:\n  - handler: health\n    retries: 2\n", "upstream settings"},
		{"unknown lb", route + "    lb: random\n", `lb "random"`},
		{"negative timeout", route + "    timeout: -1s\n", "negative"},
		{"too many retries", route + "    retries: 1000\n", "retries 1000"},
		{"health interval tiny", route + "    health_check: {interval: 1ns}\n", "under 100ms"},
		{"health path bad", route + "    health_check: {path: healthz}\n", "health_check path"},
		{"health fails negative", route + "    health_check: {fails: -1}\n", "out of range"},
		{"negative cache size", route + "    cache: {enabled: true, max_bytes: -5}\n", "cache size"},
		{"zero rate", route + "    rate_limit: {rate: 0}\n", "rate_limit 0"},
		{"rate too fine", route + "    rate_limit: {rate: 1000, per: 1ns}\n", "rate_limit"},
		{"duplicate routes", route + route[len("routes:\n"):], `route "/": the name`},
		{"second route line", route + "  - prefix: /x\n    upstreams: [gopher://a]\n", "line 4:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig(strings.NewReader(tc.yaml))
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestConfigSizeLimit(t *testing.T) {
	big := "# " + strings.Repeat("x", maxConfigBytes) + "\n"
	_, err := ParseConfig(strings.NewReader(big))
	require.ErrorContains(t, err, "over 1 MiB")
}

func TestNewRejectsUnknownHandler(t *testing.T) {
	_, err := New(&Config{Routes: []RouteConfig{{Prefix: "/", Handler: "nope"}}})
	require.ErrorContains(t, err, `no handler named "nope"`)
}

func FuzzParseConfig(f *testing.F) {
	f.Add(goodConfig)
	f.Add("routes:\n  - prefix: /\n    upstreams: [http://a]\n")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseConfig(strings.NewReader(s))
		if err != nil {
			return
		}
		g, err := New(c)
		if err == nil {
			g.Close()
		}
	})
}
