package gateway

import "errors"

var (
	// errWaitTimeout ends a waiter's wait for a flight's headers after
	// CacheOptions.WaitTimeout; the waiter then fetches on its own.
	errWaitTimeout = errors.New("gateway: cache wait for origin headers timed out")

	// errBodyAborted ends the answer of every consumer of a fetch whose
	// body the origin cut short.
	errBodyAborted = errors.New("gateway: origin body cut short")
)
