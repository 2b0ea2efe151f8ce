package gateway

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestAnalyse(t *testing.T) {
	respTime := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	date := respTime.Format(http.TimeFormat)
	hour := respTime.Add(-10 * time.Hour).Format(http.TimeFormat)
	for _, tc := range []struct {
		name     string
		code     int
		h        http.Header
		auth     bool
		verdict  verdict
		lifetime time.Duration
		reason   string
	}{
		{"max-age", 200, http.Header{"Cache-Control": {"max-age=60"}}, false, verdictStore, time.Minute, ""},
		{"s-maxage beats max-age", 200, http.Header{"Cache-Control": {"max-age=60, s-maxage=5"}}, false, verdictStore, 5 * time.Second, ""},
		{"max-age beats Expires", 200, http.Header{"Cache-Control": {"max-age=60"}, "Date": {date},
			"Expires": {respTime.Add(time.Hour).Format(http.TimeFormat)}}, false, verdictStore, time.Minute, ""},
		{"Expires minus Date", 200, http.Header{"Date": {date}, "Expires": {respTime.Add(90 * time.Second).Format(http.TimeFormat)}},
			false, verdictStore, 90 * time.Second, ""},
		{"invalid Expires is expired", 200, http.Header{"Date": {date}, "Expires": {"0"}, "Etag": {`"a"`}}, false, verdictStore, 0, ""},
		{"invalid Expires without validator", 200, http.Header{"Date": {date}, "Expires": {"0"}}, false, verdictPass, 0, "neither fresh nor revalidatable"},
		{"heuristic: 10% of Last-Modified age", 200, http.Header{"Date": {date}, "Last-Modified": {hour}}, false, verdictStore, time.Hour, ""},
		{"heuristic capped at a day", 200, http.Header{"Date": {date},
			"Last-Modified": {respTime.Add(-100 * 24 * time.Hour).Format(http.TimeFormat)}}, false, verdictStore, 24 * time.Hour, ""},
		{"no heuristic for 302", 302, http.Header{"Date": {date}, "Last-Modified": {hour}}, false, verdictPass, 0, "no explicit freshness"},
		{"302 with max-age", 302, http.Header{"Cache-Control": {"max-age=60"}}, false, verdictStore, time.Minute, ""},
		{"404 with max-age", 404, http.Header{"Cache-Control": {"max-age=60"}}, false, verdictStore, time.Minute, ""},
		{"nothing", 200, http.Header{}, false, verdictPass, 0, "neither fresh nor revalidatable"},
		{"no-store", 200, http.Header{"Cache-Control": {"max-age=60, no-store"}}, false, verdictPass, time.Minute, "no-store"},
		{"private", 200, http.Header{"Cache-Control": {"private, max-age=60"}}, false, verdictPass, time.Minute, "private"},
		{"private with fields", 200, http.Header{"Cache-Control": {`private="X", max-age=60`}}, false, verdictPass, time.Minute, "private"},
		{"no-cache stored to revalidate", 200, http.Header{"Cache-Control": {"no-cache"}, "Etag": {`"v1"`}}, false, verdictStore, 0, ""},
		{"Set-Cookie", 200, http.Header{"Cache-Control": {"max-age=60"}, "Set-Cookie": {"a=b"}}, false, verdictPass, time.Minute, "Set-Cookie"},
		{"Vary star", 200, http.Header{"Cache-Control": {"max-age=60"}, "Vary": {"Accept, *"}}, false, verdictPass, time.Minute, "Vary: *"},
		{"Authorization", 200, http.Header{"Cache-Control": {"max-age=60"}}, true, verdictPass, time.Minute, "Authorization"},
		{"Authorization public", 200, http.Header{"Cache-Control": {"public, max-age=60"}}, true, verdictStore, time.Minute, ""},
		{"Authorization s-maxage", 200, http.Header{"Cache-Control": {"s-maxage=60"}}, true, verdictStore, time.Minute, ""},
		{"Authorization must-revalidate", 200, http.Header{"Cache-Control": {"max-age=60, must-revalidate"}}, true, verdictStore, time.Minute, ""},
		{"5xx is an error", 503, http.Header{"Cache-Control": {"max-age=60"}}, false, verdictError, time.Minute, ""},
		{"501 is an error too", 501, http.Header{}, false, verdictError, 0, ""},
		{"206 not stored", 206, http.Header{"Cache-Control": {"max-age=60"}}, false, verdictPass, time.Minute, "status 206"},
		{"too large", 200, http.Header{"Cache-Control": {"max-age=60"}, "Content-Length": {"1001"}}, false, verdictPass, time.Minute, "too large"},
		{"just fits", 200, http.Header{"Cache-Control": {"max-age=60"}, "Content-Length": {"1000"}}, false, verdictStore, time.Minute, ""},
		{"negative max-age is stale", 200, http.Header{"Cache-Control": {"max-age=-5"}, "Etag": {`"x"`}}, false, verdictStore, 0, ""},
		{"garbage max-age is stale", 200, http.Header{"Cache-Control": {"max-age=soon"}}, false, verdictPass, 0, "neither fresh nor revalidatable"},
		{"huge max-age", 200, http.Header{"Cache-Control": {"max-age=1e99, max-age=99999999999999"}}, false, verdictPass, 0, "neither fresh nor revalidatable"},
		{"huge max-age clamped", 200, http.Header{"Cache-Control": {"max-age=99999999999999"}}, false, verdictStore, maxDelta * time.Second, ""},
		{"stale-while-revalidate alone", 200, http.Header{"Cache-Control": {"max-age=0, stale-while-revalidate=30"}}, false, verdictStore, 0, ""},
		{"public without freshness on 302", 302, http.Header{"Cache-Control": {"public"}, "Etag": {`"x"`}}, false, verdictStore, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := analyse(tc.code, tc.h, respTime, respTime, tc.auth, 1000)
			require.Equal(t, tc.verdict, got.verdict, "verdict (reason %q)", got.reason)
			require.Equal(t, tc.lifetime, got.lifetime, "freshness lifetime")
			require.Equal(t, tc.reason, got.reason)
		})
	}
}

func TestAnalyseStaleWindows(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	fr := analyse(200, http.Header{"Cache-Control": {"max-age=1, stale-while-revalidate=30, stale-if-error=60"}}, now, now, false, 1000)
	require.Equal(t, 30*time.Second, fr.swr)
	require.Equal(t, time.Minute, fr.sie)
	fr = analyse(200, http.Header{"Cache-Control": {"max-age=1, stale-while-revalidate=30, stale-if-error=60, must-revalidate"}}, now, now, false, 1000)
	require.Zero(t, fr.swr, "must-revalidate forbids serving stale")
	require.Zero(t, fr.sie)
	require.True(t, fr.noStale)
	fr = analyse(200, http.Header{"Cache-Control": {"s-maxage=1, stale-while-revalidate=30"}}, now, now, false, 1000)
	require.Equal(t, 30*time.Second, fr.swr, "an explicit stale-while-revalidate holds with s-maxage")
}

func TestInitialAge(t *testing.T) {
	sent := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		date     time.Time
		age      string
		received time.Time
		want     time.Duration
	}{
		{"fresh from origin", sent, "", sent, 0},
		{"response delay counts", sent, "", sent.Add(300 * time.Millisecond), 300 * time.Millisecond},
		{"Age plus delay", sent, "10", sent.Add(300 * time.Millisecond), 10*time.Second + 300*time.Millisecond},
		{"apparent age beats Age", sent.Add(-30 * time.Second), "10", sent, 30 * time.Second},
		{"apparent age floored to Date's resolution", sent.Add(-900 * time.Millisecond), "", sent, 0},
		{"apparent age 1.9 s is 1 s", sent.Add(-1900 * time.Millisecond), "", sent, time.Second},
		{"origin clock ahead: no negative age", sent.Add(time.Hour), "", sent, 0},
		{"garbage Age is zero", sent, "soon", sent, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.age != "" {
				h.Set("Age", tc.age)
			}
			got := initialAge(h, tc.date, sent, tc.received)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestAppendVariantNormalises(t *testing.T) {
	m := &varyMarker{names: []string{"Accept-Encoding", "X-Tier"}, gen: 7}
	key := func(h http.Header) string { return string(appendVariant([]byte("k"), m, h)) }
	a := key(http.Header{"Accept-Encoding": {"gzip, br"}})
	require.Equal(t, a, key(http.Header{"Accept-Encoding": {" gzip ,br "}}), "whitespace is not significant")
	require.Equal(t, a, key(http.Header{"Accept-Encoding": {"gzip", "br"}}), "lines combine")
	require.NotEqual(t, a, key(http.Header{"Accept-Encoding": {"br, gzip"}}), "order is significant")
	require.NotEqual(t, a, key(http.Header{"Accept-Encoding": {"gzip, br"}, "X-Tier": {""}}), "absent differs from empty")
	require.NotEqual(t, key(http.Header{"X-Tier": {""}}), key(http.Header{}), "absent differs from empty")
	m2 := &varyMarker{names: m.names, gen: 8}
	require.NotEqual(t, a, string(appendVariant([]byte("k"), m2, http.Header{"Accept-Encoding": {"gzip, br"}})), "generations differ")
}
