//go:build !linux

package pgtest

import "syscall"

// sysProcAttr runs a process as the test's user: outside Linux, pgtest does
// not run PostgreSQL under root.
func sysProcAttr(as *runAs) *syscall.SysProcAttr {
	if as != nil {
		panic("pgtest: running PostgreSQL for a root test is supported on Linux only")
	}
	return nil
}
