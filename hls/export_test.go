package hls

import "strings"

// LineURIs returns the URIs of one line of a playlist as RewriteBytes sees
// them: the line itself for a URI line, the URI attributes of a tag. It is
// for the fuzz tests of package hls_test.
func LineURIs(line string) []string {
	line = trimBlanks(line)
	switch {
	case line == "":
		return nil
	case line[0] != '#':
		return []string{line}
	case !strings.HasPrefix(line, "#EXT") || strings.HasPrefix(line, "#EXTINF:"):
		return nil
	}
	_, value, ok := strings.Cut(line, ":")
	if !ok {
		return nil
	}
	var out []string
	if scanAttrs(value, func(name string, v0, v1 int) string {
		if name == "URI" && value[v0] == '"' {
			out = append(out, value[v0+1:v1-1])
		}
		return ""
	}) != "" {
		return nil
	}
	return out
}
