package main

import "syscall"

// procAttr makes a contender die with the harness, should the harness be
// killed before it can stop it.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
