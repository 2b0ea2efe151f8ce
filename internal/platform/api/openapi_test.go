package api

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// route is a pattern registered on the mux: a method ("" for any) and a
// path, a prefix when it ends with '/'.
type route struct{ method, path string }

// routes walks the package's source for mux registrations: calls of
// Handle or HandleFunc whose first argument is a string literal.
func routes(t *testing.T) []route {
	t.Helper()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	var out []route
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 2 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "Handle" && sel.Sel.Name != "HandleFunc") {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			pattern, err := strconv.Unquote(lit.Value)
			require.NoError(t, err)
			method, path, ok := strings.Cut(pattern, " ")
			if !ok {
				method, path = "", pattern
			}
			out = append(out, route{method, strings.ReplaceAll(path, "...}", "}")})
			return true
		})
	}
	return out
}

// documented is the operations of the OpenAPI document by path.
func documented(t *testing.T, doc []byte) map[string]map[string]bool {
	t.Helper()
	var d struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(doc, &d))
	require.Equal(t, "3.1.0", d.OpenAPI)
	out := map[string]map[string]bool{}
	for p, item := range d.Paths {
		out[p] = map[string]bool{}
		for k := range item {
			switch k {
			case "get", "put", "post", "delete", "options", "head", "patch", "trace":
				out[p][strings.ToUpper(k)] = true
			}
		}
		require.NotEmpty(t, out[p], "%s has no operation", p)
	}
	return out
}

// TestOpenAPICoversRoutes checks the document against the route table
// both ways: every route under /v1 (and /metrics, /healthz, /readyz) is
// documented, and every documented operation is routed.
func TestOpenAPICoversRoutes(t *testing.T) {
	rs := routes(t)
	require.NotEmpty(t, rs)
	doc := documented(t, openAPI)
	for _, r := range rs {
		if r.path == "/" || r.path == "/{$}" || r.path == "/ui/" {
			continue // the catch-all 404, and the web page (package web)
		}
		t.Run(r.method+" "+r.path, func(t *testing.T) {
			found := false
			for p, ops := range doc {
				if p != r.path && !(strings.HasSuffix(r.path, "/") && strings.HasPrefix(p, r.path)) {
					continue
				}
				found = found || r.method == "" || ops[r.method]
			}
			require.True(t, found, "%s %s is routed in the package but not in openapi.json", r.method, r.path)
		})
	}
	for p, ops := range doc {
		for m := range ops {
			routed := false
			for _, r := range rs {
				pathOK := r.path == p || strings.HasSuffix(r.path, "/") && r.path != "/" && strings.HasPrefix(p, r.path)
				methodOK := r.method == "" || r.method == m || r.method == "GET" && m == "HEAD"
				routed = routed || pathOK && methodOK
			}
			require.True(t, routed, "openapi.json documents %s %s, which no route serves", m, p)
		}
	}
}

func TestOpenAPIServed(t *testing.T) {
	a := newTestAPI(t, Config{})
	code, h, b := a.do(t, http.MethodGet, "/v1/openapi.json", "")
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "application/json", h.Get("Content-Type"))
	var v map[string]any
	require.NoError(t, json.Unmarshal(b, &v))
	require.Equal(t, "3.1.0", v["openapi"])
}

// TestOpenAPIRefs checks that every $ref of the document points into it.
func TestOpenAPIRefs(t *testing.T) {
	var doc any
	require.NoError(t, json.Unmarshal(openAPI, &doc))
	var walk func(v any)
	n := 0
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if ref, ok := x.(string); ok && k == "$ref" {
					n++
					require.True(t, strings.HasPrefix(ref, "#/"), ref)
					var at any = doc
					for _, part := range strings.Split(ref[2:], "/") {
						m, ok := at.(map[string]any)
						require.True(t, ok, ref)
						at, ok = m[part]
						require.True(t, ok, "%s does not resolve", ref)
					}
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
	require.Positive(t, n)
}
