package gateway

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The text exposition format 0.0.4, line by line.
var (
	metricName  = `[a-zA-Z_:][a-zA-Z0-9_:]*`
	helpLine    = regexp.MustCompile(`^# HELP (` + metricName + `) ([^\\\n]|\\[\\n])*$`)
	typeLine    = regexp.MustCompile(`^# TYPE (` + metricName + `) (counter|gauge|histogram|summary|untyped)$`)
	sampleLine  = regexp.MustCompile(`^(` + metricName + `)(\{(` + labelPair + `(,` + labelPair + `)*)?\})? (\S+)$`)
	labelPair   = `[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\["\\n])*"`
	sampleValue = regexp.MustCompile(`^([+-]?[0-9.eE+-]+|[+-]Inf|NaN)$`)
)

// parseExposition checks text against the exposition grammar and returns
// its samples, by name and label set as written.
func parseExposition(t *testing.T, text string) map[string]float64 {
	t.Helper()
	samples := map[string]float64{}
	typed := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "# HELP "):
			require.Regexp(t, helpLine, line, "line %d", n)
		case strings.HasPrefix(line, "# TYPE "):
			m := typeLine.FindStringSubmatch(line)
			require.NotNil(t, m, "line %d: %q", n, line)
			require.NotContains(t, typed, m[1], "line %d: a second TYPE", n)
			typed[m[1]] = m[2]
		default:
			m := sampleLine.FindStringSubmatch(line)
			require.NotNil(t, m, "line %d: %q is not a sample", n, line)
			name := m[1]
			family := name
			if typed[name] == "" {
				family = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bucket"), "_sum"), "_count")
				require.Equal(t, "histogram", typed[family], "line %d: %s has no TYPE before it", n, name)
			}
			value := m[len(m)-1]
			require.Regexp(t, sampleValue, value, "line %d", n)
			v, err := strconv.ParseFloat(value, 64)
			require.NoError(t, err)
			key := name + m[2]
			require.NotContains(t, samples, key, "line %d: a repeated sample", n)
			samples[key] = v
		}
	}
	return samples
}

func scrapeText(t *testing.T, m *Metrics) map[string]float64 {
	t.Helper()
	w := httptest.NewRecorder()
	m.ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	require.Equal(t, "text/plain; version=0.0.4; charset=utf-8", w.Header().Get("Content-Type"))
	return parseExposition(t, w.Body.String())
}

func TestMetricsCountRequests(t *testing.T) {
	var m Metrics
	rt, err := NewRouter([]Route{
		{Name: `odd "name"\`, PathPrefix: "/a", Handler: echo("a")},
		{Name: "missing", PathPrefix: "/b", Handler: http.NotFoundHandler()},
	})
	require.NoError(t, err)
	h := m.Handler(rt)
	for _, path := range []string{"/a", "/a/x", "/b", "/c", "/../a"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "http://x"+path, nil))
	}
	s := scrapeText(t, &m)
	require.Equal(t, 2.0, s[`v100_gateway_requests_total{route="odd \"name\"\\",code="2xx"}`])
	require.Equal(t, 1.0, s[`v100_gateway_requests_total{route="missing",code="4xx"}`])
	require.Equal(t, 2.0, s[`v100_gateway_requests_total{route="unrouted",code="4xx"}`])
	require.Equal(t, 0.0, s[`v100_gateway_requests_in_flight`])
}

func TestMetricsHistogram(t *testing.T) {
	var m Metrics
	p, err := NewPool([]*url.URL{mustURL(t, "http://a")}, &PoolOptions{Name: "origin", Metrics: &m,
		Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) { return respond(r, 200, "", nil), nil })})
	require.NoError(t, err)
	defer p.Close()
	for range 3 {
		p.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	}
	p.latency.observe(20 * time.Second) // beyond the last bucket
	s := scrapeText(t, &m)
	require.Equal(t, 4.0, s[`v100_gateway_upstream_duration_seconds_count{pool="origin"}`])
	require.Equal(t, 4.0, s[`v100_gateway_upstream_duration_seconds_bucket{pool="origin",le="+Inf"}`])
	require.Equal(t, 3.0, s[`v100_gateway_upstream_duration_seconds_bucket{pool="origin",le="10"}`])
	require.GreaterOrEqual(t, s[`v100_gateway_upstream_duration_seconds_sum{pool="origin"}`], 20.0)
	require.Equal(t, 1.0, s[`v100_gateway_upstream_up{pool="origin",upstream="http://a"}`])
	// Buckets are cumulative.
	prev := 0.0
	for _, le := range latencyBuckets {
		v := s[`v100_gateway_upstream_duration_seconds_bucket{pool="origin",le="`+formatFloat(le)+`"}`]
		require.GreaterOrEqual(t, v, prev)
		prev = v
	}
}

func TestExpositionGrammarCatchesMistakes(t *testing.T) {
	// The checker itself must be able to fail.
	for _, bad := range []string{
		"# TYPE x counter\nx{a=\"b\"} one\n",
		"# TYPE x counter\nx{a=b} 1\n",
		"y 1\n",
		"# TYPE x counter\n# TYPE x counter\n",
		"# TYPE x counter\nx{a=\"b\nc\"} 1\n",
	} {
		ft := &testing.T{}
		ok := runsClean(func() { parseExposition(ft, bad) })
		require.False(t, ok && !ft.Failed(), "accepted %q", bad)
	}
}

// runsClean runs f, reporting false if it stopped early (as require does
// with runtime.Goexit).
func runsClean(f func()) bool {
	done := make(chan bool)
	go func() {
		ok := false
		defer func() { done <- ok }()
		f()
		ok = true
	}()
	return <-done
}
