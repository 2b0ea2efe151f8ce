package ratelimit

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Rule is one named limit of a Middleware.
type Rule struct {
	// Name names the policy in the RateLimit headers: lowercase letters,
	// digits, '-' and '_'.
	Name string
	// Limit applies per key.
	Limit Limit
	// Key returns the key to limit r by; ok false leaves r out of the rule.
	// ByIP and ByHeader make common ones.
	Key func(r *http.Request) (key string, ok bool)
	// MaxKeys is the Limiter's MaxKeys. If zero, its default.
	MaxKeys int
	// Store, if not nil, makes the rule global: its Limit holds across
	// every replica sharing the store (see Global).
	Store Store
	// Replicas is GlobalOptions.Replicas for a global rule. If zero, 1.
	Replicas int
	// FailClosed is GlobalOptions.FailClosed for a global rule.
	FailClosed bool
}

// decider is what a rule decides with: a Limiter, or a Global limiter.
type decider interface {
	decideRequest(r *http.Request, key string) (Decision, origin)
	refundOne(key string, o origin)
	limitOf() Limit
	stats() RuleStats
	Close() error
}

func (l *Limiter) decideRequest(_ *http.Request, key string) (Decision, origin) {
	return l.Allow(key), fromLocal
}
func (l *Limiter) refundOne(key string, _ origin) { l.refund(key, 1) }
func (l *Limiter) limitOf() Limit                 { return l.limit }
func (l *Limiter) stats() RuleStats {
	s := l.Stats()
	return RuleStats{Allowed: s.Allowed, Denied: s.Denied, Keys: s.Keys, Evicted: s.Evicted, Local: s.Allowed + s.Denied}
}

func (g *Global) decideRequest(r *http.Request, key string) (Decision, origin) {
	return g.allow(r.Context(), key)
}
func (g *Global) refundOne(key string, o origin) { g.refund(key, o) }
func (g *Global) limitOf() Limit                 { return g.limit }
func (g *Global) stats() RuleStats {
	s := g.Stats()
	return RuleStats{Allowed: s.Allowed, Denied: s.Denied, Keys: s.Keys, Local: s.Local,
		Remote: s.Remote, Fallback: s.Fallback, StoreErrors: s.StoreErrors}
}

// RuleStats are one rule's counters.
type RuleStats struct {
	Allowed, Denied uint64
	Keys            int    // keys tracked now
	Evicted         uint64 // keys dropped to stay within MaxKeys (local rules)
	// Local decisions were made in-process; Remote ones waited on the
	// store; Fallback ones were made while the store was unreachable
	// (global rules).
	Local, Remote, Fallback uint64
	StoreErrors             uint64
}

// MiddlewareOptions configure a Middleware.
type MiddlewareOptions struct {
	// Rules are checked in order; the first that denies a request ends the
	// check, and the rules before it are refunded: a denied request costs
	// no rule anything.
	Rules []Rule
	// LegacyHeaders adds X-RateLimit-Limit, X-RateLimit-Remaining and
	// X-RateLimit-Reset for the most restrictive rule.
	LegacyHeaders bool
	// Denied writes the response to a denied request, after the headers
	// are set. If nil, a plain-text 429 Too Many Requests.
	Denied http.Handler
}

// Middleware limits HTTP requests by several rules at once. Create one with
// NewMiddleware and call Close when done.
type Middleware struct {
	rules    []Rule
	limiters []decider
	policy   string   // the RateLimit-Policy value, the same on every response
	quoted   []string // each rule's name as a quoted string, for RateLimit
	legacy   bool
	denied   http.Handler

	allowed, deniedN atomic.Uint64
}

// NewMiddleware returns a Middleware for opts, or an error for an invalid
// rule.
func NewMiddleware(opts MiddlewareOptions) (*Middleware, error) {
	m := &Middleware{rules: opts.Rules, legacy: opts.LegacyHeaders, denied: opts.Denied}
	if m.denied == nil {
		m.denied = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "429 too many requests", http.StatusTooManyRequests)
		})
	}
	var policies []string
	seen := map[string]bool{}
	for _, r := range opts.Rules {
		if !validName(r.Name) || seen[r.Name] {
			m.Close()
			return nil, fmt.Errorf("ratelimit: rule name %q is empty, repeated or not [a-z0-9_-]", r.Name)
		}
		seen[r.Name] = true
		if r.Key == nil {
			m.Close()
			return nil, fmt.Errorf("ratelimit: rule %q has no Key function", r.Name)
		}
		var l decider
		var err error
		if r.Store != nil {
			l, err = NewGlobal(GlobalOptions{Limit: r.Limit, Store: r.Store, Replicas: r.Replicas, MaxKeys: r.MaxKeys, FailClosed: r.FailClosed})
		} else {
			l, err = New(Options{Limit: r.Limit, MaxKeys: r.MaxKeys})
		}
		if err != nil {
			m.Close()
			return nil, fmt.Errorf("ratelimit: rule %q: %w", r.Name, err)
		}
		m.limiters = append(m.limiters, l)
		q, w := quota(l.limitOf())
		m.quoted = append(m.quoted, `"`+r.Name+`"`) // names are [a-z0-9_-]: nothing to escape
		policies = append(policies, fmt.Sprintf("%s;q=%d;w=%d", m.quoted[len(m.quoted)-1], q, w))
	}
	m.policy = strings.Join(policies, ", ")
	return m, nil
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// quota expresses a limit as the draft's quota q per window w (seconds).
func quota(l Limit) (q, w int) {
	if l.Per >= time.Second && l.Per%time.Second == 0 {
		return l.Rate, int(l.Per / time.Second)
	}
	if l.Per < time.Second {
		return int(math.Round(float64(l.Rate) * float64(time.Second) / float64(l.Per))), 1
	}
	// A period of whole seconds and a fraction: state it over the rounded-up
	// window, so a slow limit never shows as q=0.
	w = int((l.Per + time.Second - 1) / time.Second)
	return max(1, int(math.Round(float64(l.Rate)*float64(time.Duration(w)*time.Second)/float64(l.Per)))), w
}

// Close stops the rules' limiters.
func (m *Middleware) Close() error {
	for _, l := range m.limiters {
		l.Close()
	}
	return nil
}

// Handler returns next behind the rules.
func (m *Middleware) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		type outcome struct {
			rule int
			key  string
			d    Decision
			from origin
		}
		var buf [8]outcome
		outs := buf[:0]
		denied := -1
		for i, rule := range m.rules {
			key, ok := rule.Key(r)
			if !ok {
				continue
			}
			d, from := m.limiters[i].decideRequest(r, key)
			outs = append(outs, outcome{i, key, d, from})
			if !d.Allowed {
				denied = len(outs) - 1
				break
			}
		}
		if denied >= 0 {
			// The request does not go ahead: give back what the rules
			// before the denying one charged for it.
			for i := range outs[:denied] {
				o := &outs[i]
				m.limiters[o.rule].refundOne(o.key, o.from)
				o.d.Remaining++
			}
		}

		h := w.Header()
		if m.policy != "" {
			h.Set("RateLimit-Policy", m.policy)
		}
		if len(outs) > 0 {
			var buf [128]byte
			state := buf[:0]
			tightest := 0
			for i, o := range outs {
				if i > 0 {
					state = append(state, ", "...)
				}
				state = append(state, m.quoted[o.rule]...)
				state = append(state, ";r="...)
				state = strconv.AppendInt(state, int64(o.d.Remaining), 10)
				state = append(state, ";t="...)
				state = strconv.AppendInt(state, int64(ceilSeconds(o.d.ResetAfter)), 10)
				if o.d.Remaining < outs[tightest].d.Remaining || i == denied {
					tightest = i
				}
			}
			h.Set("RateLimit", string(state))
			if m.legacy {
				t := outs[tightest]
				q, _ := quota(m.limiters[t.rule].limitOf())
				h.Set("X-RateLimit-Limit", strconv.Itoa(q))
				h.Set("X-RateLimit-Remaining", strconv.Itoa(t.d.Remaining))
				h.Set("X-RateLimit-Reset", strconv.Itoa(ceilSeconds(t.d.ResetAfter)))
			}
		}
		if denied >= 0 {
			m.deniedN.Add(1)
			h.Set("Retry-After", strconv.Itoa(max(1, ceilSeconds(outs[denied].d.RetryAfter))))
			m.denied.ServeHTTP(w, r)
			return
		}
		m.allowed.Add(1)
		next.ServeHTTP(w, r)
	})
}

func ceilSeconds(d time.Duration) int {
	return int((d + time.Second - 1) / time.Second)
}

// MiddlewareStats are a Middleware's counters.
type MiddlewareStats struct {
	Allowed uint64               // requests passed on
	Denied  uint64               // requests answered 429
	Rules   map[string]RuleStats // per rule name
}

// Stats returns the Middleware's counters.
func (m *Middleware) Stats() MiddlewareStats {
	s := MiddlewareStats{Allowed: m.allowed.Load(), Denied: m.deniedN.Load(), Rules: map[string]RuleStats{}}
	for i, r := range m.rules {
		s.Rules[r.Name] = m.limiters[i].stats()
	}
	return s
}
