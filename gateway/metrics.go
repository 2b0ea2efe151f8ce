package gateway

import (
	"bufio"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Metrics counts what a gateway does and writes the counts in the
// Prometheus text exposition format, version 0.0.4, without a Prometheus
// client library. The zero value is ready to use.
//
// [Metrics.Handler] counts requests by route and status class; a [Pool]
// whose [PoolOptions.Metrics] is set records its upstream latencies,
// errors and retries; a cache added with [Metrics.AddCache] is read at
// each scrape. [Metrics.ServeHTTP] serves the exposition.
type Metrics struct {
	routes   sync.Map // route name → *[6]atomic.Uint64, by status class
	inFlight atomic.Int64

	mu         sync.Mutex      // protects collectors
	collectors []func(*scrape) // read at each scrape
}

// Handler returns next with its requests counted by route (as the
// [Router] under it names them; "unrouted" for requests no route served)
// and status class.
func (m *Metrics) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec, owned := record(w)
		if owned {
			w = rec
		}
		m.inFlight.Add(1)
		defer func() {
			m.inFlight.Add(-1)
			status := statusOr200(rec.status)
			p := recover()
			if p != nil && rec.status == 0 {
				status = http.StatusInternalServerError
			}
			m.count(rec.route, status)
			if owned {
				rec.release()
			}
			if p != nil {
				panic(p)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func (m *Metrics) count(route string, status int) {
	if route == "" {
		route = "unrouted"
	}
	c, ok := m.routes.Load(route)
	if !ok {
		c, _ = m.routes.LoadOrStore(route, new([6]atomic.Uint64))
	}
	class := status / 100
	if class < 1 || class > 5 {
		class = 0
	}
	c.(*[6]atomic.Uint64)[class].Add(1)
}

// addCollector adds f to what each scrape reads.
func (m *Metrics) addCollector(f func(*scrape)) {
	m.mu.Lock()
	m.collectors = append(m.collectors, f)
	m.mu.Unlock()
}

// ServeHTTP writes the metrics in the text exposition format.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	m.WriteTo(w)
}

// WriteTo writes the metrics to w in the text exposition format.
func (m *Metrics) WriteTo(w io.Writer) (int64, error) {
	s := &scrape{fams: map[string]*family{}}
	classes := [6]string{"other", "1xx", "2xx", "3xx", "4xx", "5xx"}
	m.routes.Range(func(k, v any) bool {
		counts := v.(*[6]atomic.Uint64)
		for i := range counts {
			if n := counts[i].Load(); n > 0 {
				s.counter("v100_gateway_requests_total", "Requests served, by route and status class.",
					n, "route", k.(string), "code", classes[i])
			}
		}
		return true
	})
	s.gauge("v100_gateway_requests_in_flight", "Requests being served.", float64(m.inFlight.Load()))
	m.mu.Lock()
	collectors := slices.Clone(m.collectors)
	m.mu.Unlock()
	for _, f := range collectors {
		f(s)
	}
	return s.write(w)
}

// latencyBuckets are the upper bounds, in seconds, of the upstream latency
// histograms.
var latencyBuckets = [...]float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// histogram counts durations in latencyBuckets (and one more for +Inf).
type histogram struct {
	counts [len(latencyBuckets) + 1]atomic.Uint64
	sum    atomic.Int64 // nanoseconds
}

func (h *histogram) observe(d time.Duration) {
	i, _ := slices.BinarySearch(latencyBuckets[:], d.Seconds())
	h.counts[i].Add(1)
	h.sum.Add(int64(d))
}

// scrape gathers the samples of one exposition, grouped in families.
type scrape struct {
	fams map[string]*family
}

type family struct {
	help, typ string
	samples   []string // lines without the family's name in front
}

func (s *scrape) family(name, typ, help string) *family {
	f := s.fams[name]
	if f == nil {
		f = &family{help: help, typ: typ}
		s.fams[name] = f
	}
	return f
}

func (s *scrape) counter(name, help string, v uint64, labels ...string) {
	f := s.family(name, "counter", help)
	f.samples = append(f.samples, labelSet(labels)+" "+strconv.FormatUint(v, 10))
}

func (s *scrape) gauge(name, help string, v float64, labels ...string) {
	f := s.family(name, "gauge", help)
	f.samples = append(f.samples, labelSet(labels)+" "+formatFloat(v))
}

func (s *scrape) histogram(name, help string, h *histogram, labels ...string) {
	f := s.family(name, "histogram", help)
	var cum uint64
	for i := range h.counts {
		cum += h.counts[i].Load()
		le := "+Inf"
		if i < len(latencyBuckets) {
			le = formatFloat(latencyBuckets[i])
		}
		f.samples = append(f.samples, "_bucket"+labelSet(append(slices.Clip(labels), "le", le))+" "+strconv.FormatUint(cum, 10))
	}
	f.samples = append(f.samples,
		"_sum"+labelSet(labels)+" "+formatFloat(time.Duration(h.sum.Load()).Seconds()),
		"_count"+labelSet(labels)+" "+strconv.FormatUint(cum, 10))
}

// write writes the families in name order.
func (s *scrape) write(w io.Writer) (int64, error) {
	names := make([]string, 0, len(s.fams))
	for n := range s.fams {
		names = append(names, n)
	}
	slices.Sort(names)
	bw := bufio.NewWriter(w)
	var n int64
	for _, name := range names {
		f := s.fams[name]
		slices.Sort(f.samples)
		k, _ := bw.WriteString("# HELP " + name + " " + escapeHelp(f.help) + "\n# TYPE " + name + " " + f.typ + "\n")
		n += int64(k)
		for _, line := range f.samples {
			k, _ = bw.WriteString(name + line + "\n")
			n += int64(k)
		}
	}
	return n, bw.Flush()
}

// labelSet formats name, value pairs as {name="value",...}.
func labelSet(pairs []string) string {
	if len(pairs) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteByte('{')
	for i := 0; i+1 < len(pairs); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(pairs[i])
		b.WriteString(`="`)
		b.WriteString(labelEscaper.Replace(pairs[i+1]))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

var (
	labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
)

func escapeHelp(s string) string { return helpEscaper.Replace(s) }

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
