// leakyserver: a Go service that leaks on purpose, for pprof-fetch's tests
// and benchmark. It serves net/http/pprof on one or more loopback ports and
// leaks heap memory (main.leakBytes) and, optionally, goroutines
// (main.leakGoroutine) at a fixed rate, so growth is visible across
// snapshots taken a fraction of a second apart.
//
//	leakyserver -port-file PORTS [-ports N] [-port P] [-leak 65536]
//	            [-every 20ms] [-goroutines 0] [-max-leak 268435456]
//
// The listening ports are written, one per line, to -port-file (via a
// temporary file and rename, so a reader never sees half a list) once every
// listener is ready.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"
)

var (
	retained [][]byte
	mu       sync.Mutex
	block    = make(chan struct{}) // never closed: leaked goroutines wait on it
)

//go:noinline
func leakBytes(n int) {
	b := make([]byte, n)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1 // touch the pages so RSS grows too
	}
	mu.Lock()
	retained = append(retained, b)
	mu.Unlock()
}

//go:noinline
func leakGoroutine() {
	<-block
}

func main() {
	portFile := flag.String("port-file", "", "write the listening ports here, one per line")
	nports := flag.Int("ports", 1, "number of listeners (ephemeral ports)")
	port := flag.Int("port", 0, "fixed port for a single listener (0 = ephemeral)")
	leak := flag.Int("leak", 64<<10, "bytes leaked per tick")
	every := flag.Duration("every", 20*time.Millisecond, "tick")
	goroutines := flag.Int("goroutines", 0, "goroutines leaked per tick")
	maxLeak := flag.Int("max-leak", 256<<20, "stop leaking bytes after this many")
	rate := flag.Int("memprofilerate", 0, "runtime.MemProfileRate (0 = Go's default)")
	flag.Parse()
	if *rate > 0 {
		runtime.MemProfileRate = *rate
	}

	var ports []string
	for i := 0; i < *nports; i++ {
		p := 0
		if i == 0 {
			p = *port
		}
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			log.Fatalf("leakyserver: %v", err)
		}
		ports = append(ports, fmt.Sprint(ln.Addr().(*net.TCPAddr).Port))
		go func() { log.Fatal(http.Serve(ln, nil)) }()
	}
	if *portFile != "" {
		tmp := *portFile + ".tmp"
		if err := os.WriteFile(tmp, []byte(strings.Join(ports, "\n")+"\n"), 0o644); err != nil {
			log.Fatalf("leakyserver: %v", err)
		}
		if err := os.Rename(tmp, *portFile); err != nil {
			log.Fatalf("leakyserver: %v", err)
		}
	}

	leaked := 0
	for range time.Tick(*every) {
		if *leak > 0 && leaked < *maxLeak {
			leakBytes(*leak)
			leaked += *leak
		}
		for i := 0; i < *goroutines; i++ {
			go leakGoroutine()
		}
	}
}
