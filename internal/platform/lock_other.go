//go:build !unix

package platform

// lockDir does nothing where flock is missing: run one server per data
// directory.
func lockDir(string) (func(), error) { return func() {}, nil }
