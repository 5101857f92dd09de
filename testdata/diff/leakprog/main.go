// leakprog: the service stand-in of pprof-diff's tests. A baseline run
// builds a working set, churns transient garbage and writes a heap profile;
// the "branch" run (-leak) also keeps one extra structure alive, so the
// diff of the two profiles has one known grower with known exact numbers
// (MemProfileRate 1 records every allocation, unscaled).
//
//	leakprog -heap base.pb.gz                  # baseline
//	leakprog -heap cur.pb.gz -leak             # + 48 x 64 KiB in main.leakSessions
//	leakprog -heap b2.pb.gz -jitter 2          # + 2 x 16 KiB in main.fillCache
//	leakprog -goroutine g.pb.gz -stuck 5       # + 5 goroutines in main.stuckWorker
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
)

const (
	cacheEntries = 64
	cacheEntry   = 16 << 10
	sessions     = 48
	sessionSize  = 64 << 10
)

// Fixed-size arrays: no slice growth, so each function's in-use bytes are
// exactly its entries.
var (
	cache  [cacheEntries + 16][]byte
	leaked [sessions][]byte
	sink   []byte
	block  = make(chan struct{})
)

//go:noinline
func fillCache(n int) {
	for i := 0; i < n; i++ {
		cache[i] = make([]byte, cacheEntry)
	}
}

//go:noinline
func churn(n int) {
	for i := 0; i < n; i++ {
		sink = make([]byte, 4096)
	}
	sink = nil
}

//go:noinline
func leakSessions() {
	for i := range leaked {
		leaked[i] = make([]byte, sessionSize)
	}
}

//go:noinline
func stuckWorker() {
	<-block
}

func write(name, path string) {
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "leakprog:", err)
		os.Exit(2)
	}
	if err := pprof.Lookup(name).WriteTo(f, 0); err != nil {
		fmt.Fprintln(os.Stderr, "leakprog:", err)
		os.Exit(2)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "leakprog:", err)
		os.Exit(2)
	}
}

func main() {
	heap := flag.String("heap", "", "write the heap profile to `file`")
	allocs := flag.String("allocs", "", "write the allocs profile to `file`")
	goroutine := flag.String("goroutine", "", "write the goroutine profile to `file`")
	leak := flag.Bool("leak", false, "the branch: keep 48 x 64 KiB alive in main.leakSessions")
	jitter := flag.Int("jitter", 0, "extra 16 KiB cache entries (0-16), run-to-run noise")
	stuck := flag.Int("stuck", 0, "goroutines left blocked in main.stuckWorker")
	rate := flag.Int("rate", 1, "runtime.MemProfileRate")
	flag.Parse()
	runtime.MemProfileRate = *rate
	// No GC cycle may start inside the measured functions: its own
	// allocations (a sudog, 96 B) would be charged to them, since the heap
	// profile drops the leading runtime frames. Collect explicitly below.
	debug.SetGCPercent(-1)

	fillCache(cacheEntries + *jitter)
	churn(1000)
	if *leak {
		leakSessions()
	}
	for i := 0; i < *stuck; i++ {
		go stuckWorker()
	}
	// Publish every allocation made so far (the profile lags by GC cycles).
	runtime.GC()
	runtime.GC()
	write("heap", *heap)
	write("allocs", *allocs)
	write("goroutine", *goroutine)
	runtime.KeepAlive(&cache)
	runtime.KeepAlive(&leaked)
}
