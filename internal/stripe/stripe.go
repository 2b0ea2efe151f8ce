// Package stripe is a counter spread over cache lines, so that cores
// counting at once on a hot path do not pass one cache line back and forth.
package stripe

import (
	"sync/atomic"
	"unsafe"
)

// Counter is a striped counter. The zero Counter is ready to use.
type Counter struct {
	cells [stripes]struct {
		n atomic.Uint64
		_ [56]byte
	}
}

const stripes = 32

// Add adds one. A goroutine picks its stripe by the address of its stack,
// which differs between goroutines and stays put while one runs.
func (c *Counter) Add() {
	var local byte
	c.cells[mix(uint64(uintptr(unsafe.Pointer(&local)))>>13)%stripes].n.Add(1)
}

// Load returns the sum of the stripes.
func (c *Counter) Load() uint64 {
	var n uint64
	for i := range c.cells {
		n += c.cells[i].n.Load()
	}
	return n
}

func mix(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	return x
}
