//go:build cgo

package main

// ---- cgo leak (recorded under cgo-trace: C allocations are invisible to
// Go's heap profile) ----

/*
#include <stdlib.h>
#include "native.h"
*/
import "C"

import (
	"math/rand"
	"time"
)

func init() {
	scenarios = append(scenarios, scenario{"cgo-leak",
		"C buffers from thumb_render, called through cgo, never freed (needs cgo-trace)",
		cgoLeak, false, []string{"cgo thumb_render leak"}})
}

var thumbSum byte

//go:noinline
func renderThumbnail(size int) {
	p := C.thumb_render(C.size_t(size))
	if p == nil {
		return
	}
	thumbSum += *(*byte)(p) // the bug: the C buffer is never released
}

//go:noinline
func checksumNative(size int) uint64 {
	return uint64(C.thumb_checksum(C.size_t(size))) // mallocs and frees in C: churn, no leak
}

func cgoLeak() {
	r := rand.New(rand.NewSource(17))
	every(10*time.Millisecond, func() {
		renderThumbnail(4096 << uint(r.Intn(2)))
		for i := 0; i < 4; i++ {
			checksumNative(16 << 10)
		}
	})
}
