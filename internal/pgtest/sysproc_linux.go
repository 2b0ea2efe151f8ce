package pgtest

import "syscall"

// sysProcAttr runs a process as as (if not nil), and ends it (SIGQUIT, an
// immediate shutdown for postgres) if the test process dies first.
func sysProcAttr(as *runAs) *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Pdeathsig: syscall.SIGQUIT}
	if as != nil {
		attr.Credential = &syscall.Credential{Uid: as.uid, Gid: as.gid}
	}
	return attr
}
