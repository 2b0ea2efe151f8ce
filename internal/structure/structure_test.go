package structure

import (
	"encoding/json"
	"go/parser"
	"go/token"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

type listedPackage struct {
	ImportPath string
	Name       string
	Dir        string
	GoFiles    []string
	CgoFiles   []string
	Deps       []string
}

// listModule runs go list over the whole module.
func listModule(t *testing.T) []listedPackage {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", Module+"/...")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	var pkgs []listedPackage
	dec := json.NewDecoder(out)
	for {
		var p listedPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else {
			require.NoError(t, err)
		}
		pkgs = append(pkgs, p)
	}
	require.NoError(t, cmd.Wait())
	require.NotEmpty(t, pkgs)
	return pkgs
}

func TestEveryPackageHasOneDoc(t *testing.T) {
	for _, p := range listModule(t) {
		t.Run(p.ImportPath, func(t *testing.T) {
			var docs []string
			fset := token.NewFileSet()
			for _, name := range append(p.GoFiles, p.CgoFiles...) {
				f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, parser.PackageClauseOnly|parser.ParseComments)
				require.NoError(t, err)
				if f.Doc != nil {
					docs = append(docs, name)
					text := f.Doc.Text()
					if p.Name != "main" {
						require.True(t, strings.HasPrefix(text, "Package "+p.Name+" "),
							"%s: package doc must start %q, got %q", name, "Package "+p.Name, firstLine(text))
					}
				}
			}
			require.Len(t, docs, 1, "package %s needs exactly one package doc, found it in %v", p.ImportPath, docs)
		})
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

func TestLayering(t *testing.T) {
	var pkgs []Package
	for _, p := range listModule(t) {
		pkgs = append(pkgs, Package{ImportPath: p.ImportPath, Deps: p.Deps})
	}
	require.Empty(t, CheckLayering(pkgs), "layering violations (see DESIGN.md)")
}

// TestCheckLayeringCatches proves the check can fail.
func TestCheckLayeringCatches(t *testing.T) {
	m := func(rel string) string { return Module + "/" + rel }
	for _, tc := range []struct {
		name string
		pkg  Package
		want []string
	}{
		{"coalesce imports nothing of ours", Package{m("coalesce"), []string{"context", "sync"}}, nil},
		{"cache may import coalesce", Package{m("cache"), []string{m("coalesce")}}, nil},
		{"coalesce may not import cache", Package{m("coalesce"), []string{m("cache")}},
			[]string{"coalesce may not import cache"}},
		{"cache may not import gateway", Package{m("cache"), []string{m("coalesce"), m("gateway")}},
			[]string{"cache may not import gateway"}},
		{"SDK may not import application code", Package{m("gateway"), []string{m("internal/platform")}},
			[]string{"gateway may not import internal/platform"}},
		{"SDK may not import cmd", Package{m("hls"), []string{m("cmd/v100")}},
			[]string{"hls may not import cmd/v100"}},
		{"media may use the shared runner", Package{m("transcode"), []string{m("internal/ffmpeg"), m("hls")}}, nil},
		{"a driver may import its parent", Package{m("cache/redisstore"), []string{m("cache"), m("coalesce"), "github.com/redis/go-redis/v9"}}, nil},
		{"the core may not pull a redis client", Package{m("cache"), []string{"github.com/redis/go-redis/v9"}},
			[]string{"cache imports github.com/redis/go-redis/v9: heavy clients belong in a driver sub-package"}},
		{"the core may not pull the prometheus client", Package{m("cache"), []string{"github.com/prometheus/client_golang/prometheus"}},
			[]string{"cache imports github.com/prometheus/client_golang/prometheus: heavy clients belong in a driver sub-package"}},
		{"an exporter sub-package may", Package{m("cache/cacheprom"), []string{m("cache"), "github.com/prometheus/client_golang/prometheus"}}, nil},
		{"a driver name higher up the path does not count", Package{m("cache/redisstore/helper2"), []string{"github.com/redis/go-redis/v9"}},
			[]string{"cache/redisstore/helper2 imports github.com/redis/go-redis/v9: heavy clients belong in a driver sub-package"}},
		{"unknown top-level package", Package{m("newthing"), nil},
			[]string{`newthing: top-level package "newthing" is not in the layering table (internal/structure)`}},
		{"application code may import anything", Package{m("cmd/v100"), []string{m("gateway"), "github.com/redis/go-redis/v9"}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := CheckLayering([]Package{tc.pkg})
			require.Equal(t, tc.want, got)
		})
	}
}
