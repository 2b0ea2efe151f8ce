// Package structure checks the repository's shape: that every package has
// exactly one package doc, and that packages import only what the layering
// in DESIGN.md allows. Its tests run the checks on the whole module.
package structure

import (
	"fmt"
	"sort"
	"strings"
)

// Module is the module path of the repository.
const Module = "github.com/v100video/v100"

// Layering lists, per top-level SDK package, the module packages it may
// depend on (transitively, outside tests). A package may always depend on
// its own sub-packages and, from a sub-package, on its parents.
var Layering = map[string][]string{
	"coalesce":  {},
	"ratelimit": {"internal/clock", "internal/stripe"},
	"hls":       {},
	"cache":     {"coalesce", "internal/clock", "internal/stripe"},
	"transcode": {"hls", "internal/ffmpeg"},
	"thumbnail": {"internal/ffmpeg"},
	"caption":   {"hls", "internal/ffmpeg"},
	"gateway":   {"coalesce", "cache", "ratelimit", "hls", "internal/clock", "internal/stripe"},
}

// Application lists the top-level directories that hold the reference
// server, examples and tooling: they may import anything.
var Application = map[string]bool{
	"cmd":      true,
	"examples": true,
	"internal": true,
}

// heavyClients are third-party import-path prefixes that only driver
// sub-packages (whose path names the driver) may pull in.
var heavyClients = map[string]string{
	"github.com/redis/":      "redis",
	"github.com/prometheus/": "prom", // ~6 MB of a stripped binary
}

// Package is what the checks need to know of one package.
type Package struct {
	ImportPath string
	Deps       []string // transitive, from go list
}

// CheckLayering returns one message per violation, sorted.
func CheckLayering(pkgs []Package) []string {
	var bad []string
	for _, p := range pkgs {
		rel, ok := relative(p.ImportPath)
		if !ok {
			continue
		}
		top, _, _ := strings.Cut(rel, "/")
		if Application[top] {
			continue
		}
		allowed, known := Layering[top]
		if !known {
			bad = append(bad, fmt.Sprintf("%s: top-level package %q is not in the layering table (internal/structure)", rel, top))
			continue
		}
		for _, d := range p.Deps {
			for prefix, driver := range heavyClients {
				if strings.HasPrefix(d, prefix) && !isDriver(rel, driver) {
					bad = append(bad, fmt.Sprintf("%s imports %s: heavy clients belong in a driver sub-package", rel, d))
				}
			}
			drel, ok := relative(d)
			if !ok || drel == rel || sameTree(rel, drel) || allowedDep(allowed, drel) {
				continue
			}
			bad = append(bad, fmt.Sprintf("%s may not import %s", rel, drel))
		}
	}
	sort.Strings(bad)
	return bad
}

// isDriver reports whether the last element of rel names the driver (as
// cache/redisstore names redis).
func isDriver(rel, driver string) bool {
	last := rel[strings.LastIndex(rel, "/")+1:]
	return strings.Contains(last, driver) && last != rel
}

func relative(importPath string) (string, bool) {
	if importPath == Module {
		return "", true
	}
	rel, ok := strings.CutPrefix(importPath, Module+"/")
	return rel, ok
}

// sameTree reports whether b is a or one of a's parents or sub-packages.
func sameTree(a, b string) bool {
	return strings.HasPrefix(a+"/", b+"/") || strings.HasPrefix(b+"/", a+"/")
}

func allowedDep(allowed []string, dep string) bool {
	for _, a := range allowed {
		if dep == a || strings.HasPrefix(dep, a+"/") {
			return true
		}
	}
	return false
}
