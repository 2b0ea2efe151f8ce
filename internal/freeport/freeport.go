// Package freeport finds a free TCP port on the loopback interface, for
// tests that start a server process (redis-server, postgres, versitygw) on
// a port of their own.
package freeport

import "net"

// Loopback returns a TCP port on 127.0.0.1 that was free a moment ago.
// Another process may take it before the caller binds it, so a caller
// starting a server retries with another port if the start fails.
func Loopback() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
