// leaks.go: the leaking code of the demo service, one clearly named function
// per leak, each reached from an HTTP handler as it would be in a real
// service. Every leak is switched on by -leak (or /control?leak=); leak
// tools are expected to blame these functions and quote the leaking lines
// (listed in README.md; no comment here gives them away).
//
//	goroutine  main.leakGoroutineWorker waits on ctx.Done() of a context whose
//	           cancel is dropped in main.startSessionWorker
//	ticker     main.startTickerPoller calls time.NewTicker and never Stop;
//	           each ticker has its goroutine in main.tickerPollLoop
//	subslice   main.readHeader returns data[a:b] of a 64 KiB read buffer, and
//	           main.(*headerLog).add keeps it in a list
//	map        main.(*Cache).Put inserts into a map nothing evicts from
//	cgo        C leaky_c_alloc (leaky.c) mallocs and never frees, called by
//	           main.renderNative; main.registerName's C.CString is never freed
package main

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// #cgo CFLAGS: -g -O2 -fno-omit-frame-pointer
// #include "leaky.h"
import "C"

// The leaking functions are marked go:noinline so that they keep their own
// name and line in every profile, as larger functions would.

// Ground truth of what has leaked so far, served by /control.
var (
	sessionWorkers  atomic.Int64 // goroutines parked in leakGoroutineWorker
	tickersStarted  atomic.Int64
	tickerFires     atomic.Int64
	headersKept     atomic.Int64
	headersRetained atomic.Int64 // bytes of read buffers kept alive by headers
	cgoNamesLeaked  atomic.Int64
)

// --- goroutine leak -------------------------------------------------------

// startSessionWorker starts the background worker of a new session.
//
//go:noinline
func startSessionWorker(id int) {
	ctx, cancel := context.WithCancel(context.Background())
	_ = cancel
	go leakGoroutineWorker(ctx, id)
}

// leakGoroutineWorker waits for its session to end, which never happens.
//
//go:noinline
func leakGoroutineWorker(ctx context.Context, id int) {
	sessionWorkers.Add(1)
	<-ctx.Done()
	sessionWorkers.Add(-1)
	_ = id
}

// --- ticker leak ----------------------------------------------------------

// startTickerPoller starts polling a backend every period.
//
//go:noinline
func startTickerPoller(period time.Duration) {
	t := time.NewTicker(period)
	tickersStarted.Add(1)
	go tickerPollLoop(t)
}

// tickerPollLoop is the goroutine of one poller: it runs as long as its
// ticker, which is forever.
func tickerPollLoop(t *time.Ticker) {
	for range t.C {
		tickerFires.Add(1)
	}
}

// --- sub-slice retention ----------------------------------------------------

// readHeader reads one message into a fresh buffer and returns its header.
//
//go:noinline
func readHeader(r io.Reader, bufSize int) ([]byte, error) {
	data := make([]byte, bufSize)
	n, err := io.ReadFull(r, data)
	if err != nil && err != io.ErrUnexpectedEOF {
		return nil, err
	}
	a, b := headerBounds(data[:n])
	return data[a:b], nil
}

// headerBounds finds the header: the bytes between the 4-byte magic and the
// first newline, at most 32 bytes.
func headerBounds(data []byte) (int, int) {
	a := 4
	if len(data) < a {
		return 0, 0
	}
	b := bytes.IndexByte(data[a:], '\n')
	if b < 0 || b > 32 {
		b = 32
	}
	if a+b > len(data) {
		return a, len(data)
	}
	return a, a + b
}

// headerLog keeps every header seen, for an audit that never reads them.
type headerLog struct {
	mu    sync.Mutex
	items [][]byte
}

func (l *headerLog) add(h []byte) {
	l.mu.Lock()
	l.items = append(l.items, h) // keeps the header, and with it its buffer
	l.mu.Unlock()
	headersKept.Add(1)
	headersRetained.Add(int64(cap(h)))
}

var headers headerLog

// --- unbounded map ------------------------------------------------------------

// Cache caches rendered values by key; nothing ever evicts.
type Cache struct {
	mu    sync.Mutex
	items map[string][]byte
	bytes int64
}

func NewCache() *Cache { return &Cache{items: make(map[string][]byte)} }

// Put stores a copy of val under key.
//
//go:noinline
func (c *Cache) Put(key string, val []byte) {
	// Not make+copy: the compiler fuses that into runtime.makeslicecopy,
	// whose samples Go 1.19 charges to the caller instead of Put.
	v := make([]byte, 0, len(val))
	v = append(v, val...)
	c.mu.Lock()
	c.items[key] = v
	c.bytes += int64(len(v))
	c.mu.Unlock()
}

// Len and Bytes report the cache's size.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

func (c *Cache) Bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

var cache = NewCache()

// --- cgo ------------------------------------------------------------------

// renderNative renders into a C buffer that nobody frees.
//
//go:noinline
func renderNative(size int) {
	p := C.leaky_c_alloc(C.size_t(size))
	_ = p
}

// registerName hands a name to the C library.
//
//go:noinline
func registerName(name string) {
	cs := C.CString(name)
	C.c_register_name(cs)
	cgoNamesLeaked.Add(1)
}

// balancedNative is the C path that frees what it allocates (no leak).
func balancedNative(size int) uint64 {
	return uint64(C.c_balanced_work(C.size_t(size)))
}

func cStats() (leakedBytes, leakedAllocs uint64, heapInuse int64) {
	return uint64(C.c_leaked_bytes()), uint64(C.c_leaked_allocs()), int64(C.c_heap_inuse())
}

func sessionName(id int) string { return "session-" + strconv.Itoa(id) }
