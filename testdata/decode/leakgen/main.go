// leakgen writes heap and goroutine profiles with known shapes for
// pprof-decode's tests: inlined allocation sites, deep recursion (stacks
// truncated at Go's 32-frame limit), several call paths into one
// allocator, and goroutines blocked under pprof labels.
//
// usage: leakgen OUTDIR
package main

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"
)

var keep [][]byte
var keepMap = map[int][]byte{}

// small enough to be inlined into its callers
func grow(n int) []byte { return make([]byte, n) }

//go:noinline
func leakInline(n int) {
	for i := 0; i < n; i++ {
		keep = append(keep, grow(512))
	}
}

//go:noinline
func leakMap(n int) {
	for i := 0; i < n; i++ {
		keepMap[len(keepMap)] = make([]byte, 64<<10)
	}
}

//go:noinline
func recurse(depth, n int) {
	if depth > 0 {
		recurse(depth-1, n)
		return
	}
	for i := 0; i < n; i++ {
		keep = append(keep, make([]byte, 256))
	}
}

//go:noinline
func viaA(n int) { shared(n) }

//go:noinline
func viaB(n int) { shared(n) }

//go:noinline
func shared(n int) {
	for i := 0; i < n; i++ {
		keep = append(keep, make([]byte, 2048))
	}
}

//go:noinline
func transient(n int) {
	for i := 0; i < n; i++ {
		b := make([]byte, 8192)
		b[0] = 1
	}
}

func write(dir, name, kind string, debug int) {
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		panic(err)
	}
	if err := pprof.Lookup(kind).WriteTo(f, debug); err != nil {
		panic(err)
	}
	if err := f.Close(); err != nil {
		panic(err)
	}
}

func blockForever(ch chan struct{}) { <-ch }

func main() {
	runtime.MemProfileRate = 1
	dir := os.Args[1]
	leakInline(3000)
	leakMap(20)
	recurse(45, 100)
	viaA(300)
	viaB(700)
	transient(1000)
	runtime.GC()
	write(dir, "heap1.pb.gz", "heap", 0)
	leakInline(2000)
	viaB(500)
	leakMap(10)
	runtime.GC()
	write(dir, "heap2.pb.gz", "heap", 0)
	write(dir, "allocs2.pb.gz", "allocs", 0)
	write(dir, "heap2.debug1.txt", "heap", 1)

	ch := make(chan struct{})
	for i := 0; i < 5; i++ {
		go blockForever(ch)
	}
	for _, w := range []string{"alpha", "beta", "beta"} {
		labels := pprof.Labels("worker", w, "pool", "main")
		go pprof.Do(context.Background(), labels, func(context.Context) { blockForever(ch) })
	}
	time.Sleep(100 * time.Millisecond)
	write(dir, "goroutine.pb.gz", "goroutine", 0)
	write(dir, "goroutine.debug2.txt", "goroutine", 2)
	runtime.KeepAlive(keep)
	runtime.KeepAlive(keepMap)
}
