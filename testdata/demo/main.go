// Command demo is a small Go service with switchable memory leaks, for
// trying leakwatch on real profiles. It serves net/http/pprof on -addr, runs
// its own request load (a load loop calling its HTTP API), and leaks on
// purpose in the modes chosen with -leak or at run time with /control.
//
//	demo [-addr 127.0.0.1:6060] [-addr-file FILE] [-leak goroutine,ticker,subslice,map,cgo,steady]
//	     [-rate 5] [-qps 20] [-duration 0] [-memprofilerate N]
//
// GET /control shows the leak modes and the ground truth of what has
// leaked so far (JSON); /control?leak=map,cgo&rate=50 switches them.
// SIGINT/SIGTERM stop it cleanly (exit 0). See README.md.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// The leak modes, in the order they are reported.
var leakModes = []string{"goroutine", "ticker", "subslice", "map", "cgo", "steady"}

// Endpoint each mode's driver calls: the leak happens inside the request.
var leakPath = map[string]string{
	"goroutine": "/api/session",
	"ticker":    "/api/subscribe",
	"subslice":  "/api/message",
	"map":       "/api/lookup",
	"cgo":       "/api/render",
	"steady":    "/api/batch",
}

type config struct {
	addr, addrFile string
	leaks          string
	rate, qps      float64
	duration       time.Duration
	memProfileRate int
	bufSize        int
	valSize        int
	cSize          int
	tickerPeriod   time.Duration
}

var cfg config

var (
	startTime = time.Now()
	requests  atomic.Int64
	nextID    atomic.Int64
	base      string // http://ADDR of this service, for the load loop
	client    = &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 32, DisableCompression: true},
	}
)

func main() {
	flag.StringVar(&cfg.addr, "addr", "127.0.0.1:6060", "listen `address` (port 0 picks a free one)")
	flag.StringVar(&cfg.addrFile, "addr-file", "", "write the address actually listened on to `file` once serving")
	flag.StringVar(&cfg.leaks, "leak", "", "comma-separated leak `modes`: "+strings.Join(leakModes, ",")+" (or none)")
	flag.Float64Var(&cfg.rate, "rate", 5, "leak `events` per second, per mode")
	flag.Float64Var(&cfg.qps, "qps", 20, "requests per second of the built-in load loop (0: no load)")
	flag.DurationVar(&cfg.duration, "duration", 0, "exit after this long (0: run until SIGINT/SIGTERM)")
	flag.IntVar(&cfg.memProfileRate, "memprofilerate", 0, "set runtime.MemProfileRate (`bytes`; 0 keeps Go's default)")
	flag.IntVar(&cfg.bufSize, "bufsize", 64<<10, "read buffer `bytes` of each message (subslice)")
	flag.IntVar(&cfg.valSize, "valsize", 1024, "value `bytes` of each cache entry (map)")
	flag.IntVar(&cfg.cSize, "csize", 4096, "`bytes` of each leaked C buffer (cgo)")
	flag.DurationVar(&cfg.tickerPeriod, "ticker-period", 5*time.Second, "period of each leaked ticker")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: demo [options]\n\n"+
			"A Go service with switchable leaks, serving net/http/pprof and /control.\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 {
		usageError("unexpected argument '%s'", flag.Arg(0))
	}
	modes, err := parseLeaks(cfg.leaks)
	if err != nil {
		usageError("%v", err)
	}
	if cfg.rate <= 0 || math.IsInf(cfg.rate, 0) || math.IsNaN(cfg.rate) || cfg.rate > 100000 {
		usageError("-rate must be in (0, 100000]")
	}
	if cfg.qps < 0 || cfg.qps > 100000 || math.IsNaN(cfg.qps) {
		usageError("-qps must be in [0, 100000]")
	}
	if cfg.bufSize < 64 || cfg.valSize < 1 || cfg.cSize < 1 || cfg.tickerPeriod <= 0 || cfg.duration < 0 ||
		cfg.memProfileRate < 0 {
		usageError("sizes, periods and durations must be positive")
	}
	if cfg.memProfileRate > 0 {
		runtime.MemProfileRate = cfg.memProfileRate
	}

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "demo: cannot listen on '%s': %v\n", cfg.addr, err)
		os.Exit(1)
	}
	addr := ln.Addr().String()
	base = "http://" + addr
	registerHandlers()
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(os.Stderr, "demo: %v\n", err)
			os.Exit(1)
		}
	}()
	if cfg.addrFile != "" {
		if err := writeFileAtomic(cfg.addrFile, addr+"\n"); err != nil {
			fmt.Fprintf(os.Stderr, "demo: cannot write '%s': %v\n", cfg.addrFile, err)
			os.Exit(1)
		}
	}
	fmt.Fprintf(os.Stderr, "demo: pid %d serving %s/debug/pprof/ (leaks: %s, rate %g/s, load %g req/s)\n",
		os.Getpid(), base, modeList(modes), cfg.rate, cfg.qps)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if cfg.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.duration)
		defer cancel()
	}
	leaks.set(modes, cfg.rate)
	var load sync.WaitGroup
	if cfg.qps > 0 {
		load.Add(1)
		go func() { defer load.Done(); drive(ctx, "/api/work", func() float64 { return cfg.qps }) }()
	}
	<-ctx.Done()
	leaks.set(nil, cfg.rate)
	load.Wait()
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutCtx)
	fmt.Fprintf(os.Stderr, "demo: stopped after %s, %d requests\n",
		time.Since(startTime).Round(time.Millisecond), requests.Load())
}

func usageError(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "demo: "+format+"\n", args...)
	fmt.Fprintf(os.Stderr, "usage: demo [-addr ADDR] [-addr-file FILE] [-leak MODES] [-rate N] [-qps N] [-duration D] (demo -h for all)\n")
	os.Exit(2)
}

func parseLeaks(s string) (map[string]bool, error) {
	modes := map[string]bool{}
	for _, m := range strings.Split(s, ",") {
		m = strings.TrimSpace(m)
		if m == "" || m == "none" {
			continue
		}
		if _, ok := leakPath[m]; !ok {
			return nil, fmt.Errorf("unknown leak mode '%s' (modes: %s)", m, strings.Join(leakModes, ","))
		}
		modes[m] = true
	}
	return modes, nil
}

func modeList(modes map[string]bool) string {
	var l []string
	for _, m := range leakModes {
		if modes[m] {
			l = append(l, m)
		}
	}
	if len(l) == 0 {
		return "none"
	}
	return strings.Join(l, ",")
}

func writeFileAtomic(path, data string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".addr-*")
	if err != nil {
		return err
	}
	if _, err := tmp.WriteString(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// --- leak drivers -------------------------------------------------------------

// leakSet runs one driver goroutine per enabled mode; switching modes stops
// the old drivers (cancel + wait: the demo's own machinery does not leak).
type leakSet struct {
	mu     sync.Mutex
	modes  map[string]bool
	rate   float64
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

var leaks leakSet

func (l *leakSet) set(modes map[string]bool, rate float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cancel != nil {
		l.cancel()
		l.wg.Wait()
		l.cancel = nil
	}
	l.modes, l.rate = modes, rate
	if len(modes) == 0 {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	l.cancel = cancel
	for m := range modes {
		path := leakPath[m]
		l.wg.Add(1)
		go func() { defer l.wg.Done(); drive(ctx, path, func() float64 { return rate }) }()
	}
}

func (l *leakSet) state() (string, float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return modeList(l.modes), l.rate
}

// drive calls base+path at rate() requests per second until ctx is done.
// Ticks are at most every 10 ms; a tick carries the events due since the
// last one in the n parameter, so high rates cost few requests.
func drive(ctx context.Context, path string, rate func() float64) {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	last := time.Now()
	acc := 0.0
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			acc += rate() * now.Sub(last).Seconds()
			last = now
			n := int(acc)
			if n < 1 {
				continue
			}
			acc -= float64(n)
			resp, err := client.Get(base + path + "?n=" + strconv.Itoa(n))
			if err != nil {
				continue // shutting down, or overloaded: try again next tick
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
}

// --- HTTP API ---------------------------------------------------------------

func registerHandlers() {
	http.HandleFunc("/api/session", counted(handleSession))
	http.HandleFunc("/api/subscribe", counted(handleSubscribe))
	http.HandleFunc("/api/message", counted(handleMessage))
	http.HandleFunc("/api/lookup", counted(handleLookup))
	http.HandleFunc("/api/render", counted(handleRender))
	http.HandleFunc("/api/batch", counted(handleBatch))
	http.HandleFunc("/api/work", counted(handleWork))
	http.HandleFunc("/control", handleControl)
}

func counted(h func(w http.ResponseWriter, n int)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		n, err := strconv.Atoi(r.URL.Query().Get("n"))
		if err != nil || n < 1 {
			n = 1
		}
		if n > 100000 {
			n = 100000
		}
		h(w, n)
	}
}

func handleSession(w http.ResponseWriter, n int) {
	for i := 0; i < n; i++ {
		startSessionWorker(int(nextID.Add(1)))
	}
	fmt.Fprintf(w, "ok %d\n", n)
}

func handleSubscribe(w http.ResponseWriter, n int) {
	for i := 0; i < n; i++ {
		startTickerPoller(cfg.tickerPeriod)
	}
	fmt.Fprintf(w, "ok %d\n", n)
}

// message is what a client sends: a magic, a short header line, a body.
var message = func() []byte {
	const size = 96 << 10
	m := make([]byte, 0, size)
	m = append(m, "MSG1content-type: demo/v1; id=42\n"...)
	for len(m)+32 <= size {
		m = append(m, "payload payload payload payload\n"...)
	}
	return m
}()

func handleMessage(w http.ResponseWriter, n int) {
	for i := 0; i < n; i++ {
		h, err := readHeader(bytes.NewReader(message), cfg.bufSize)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		headers.add(h)
	}
	fmt.Fprintf(w, "ok %d\n", n)
}

func handleLookup(w http.ResponseWriter, n int) {
	val := bytes.Repeat([]byte{'v'}, cfg.valSize)
	for i := 0; i < n; i++ {
		key := "user:" + strconv.FormatInt(nextID.Add(1), 10)
		cache.Put(key, val)
	}
	fmt.Fprintf(w, "ok %d\n", n)
}

func handleRender(w http.ResponseWriter, n int) {
	for i := 0; i < n; i++ {
		id := int(nextID.Add(1))
		renderNative(cfg.cSize)
		registerName(sessionName(id))
	}
	fmt.Fprintf(w, "ok %d\n", n)
}

// Steady mode: heavy churn with a bounded working set (no leak).
var (
	steadyMu      sync.Mutex
	steadyRing    [512][]byte
	steadyNext    int
	steadyBatches atomic.Int64
)

// fillSteadyRing gives the working set its full size at once, so that
// steady mode has no warm-up growth.
func fillSteadyRing() {
	for i := range steadyRing {
		steadyRing[i] = make([]byte, 2048)
	}
}

var steadyOnce sync.Once

func handleBatch(w http.ResponseWriter, n int) {
	steadyOnce.Do(fillSteadyRing)
	var sum int
	for i := 0; i < n; i++ {
		sum += churn(256)
		rec := make([]byte, 2048)
		steadyMu.Lock()
		steadyRing[steadyNext] = rec // replaces the oldest: bounded
		steadyNext = (steadyNext + 1) % len(steadyRing)
		steadyMu.Unlock()
		steadyBatches.Add(1)
	}
	fmt.Fprintf(w, "ok %d %d\n", n, sum)
}

// churn allocates k short-lived records of various sizes and sorts them.
func churn(k int) int {
	type rec struct {
		name string
		data []byte
	}
	recs := make([]rec, k)
	for i := range recs {
		recs[i] = rec{name: "item-" + strconv.Itoa((i*7919)%k), data: make([]byte, 64+(i%16)*64)}
	}
	sort.Slice(recs, func(a, b int) bool { return recs[a].name < recs[b].name })
	return len(recs[0].name) + len(recs[k-1].data)
}

// handleWork is the ordinary request of the load loop: decode, compute,
// encode, with a balanced trip through C.
func handleWork(w http.ResponseWriter, n int) {
	type item struct {
		ID    int     `json:"id"`
		Name  string  `json:"name"`
		Score float64 `json:"score"`
	}
	in := make([]item, 64)
	for i := range in {
		in[i] = item{ID: i, Name: "item-" + strconv.Itoa(i), Score: float64(i) * 1.5}
	}
	raw, _ := json.Marshal(in)
	var out []item
	_ = json.Unmarshal(raw, &out)
	sort.Slice(out, func(a, b int) bool { return out[a].Score > out[b].Score })
	sum := churn(32) + int(balancedNative(8192))
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]interface{}{"top": out[:4], "n": n, "sum": sum})
}

func handleControl(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Has("leak") || q.Has("rate") {
		modesStr, rate := leaks.state()
		if q.Has("leak") {
			modesStr = q.Get("leak")
		}
		modes, err := parseLeaks(modesStr)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if q.Has("rate") {
			rate, err = strconv.ParseFloat(q.Get("rate"), 64)
			if err != nil || rate <= 0 || rate > 100000 {
				http.Error(w, "bad rate", http.StatusBadRequest)
				return
			}
		}
		leaks.set(modes, rate)
	}
	modesStr, rate := leaks.state()
	cBytes, cAllocs, cHeap := cStats()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(map[string]interface{}{
		"pid":                    os.Getpid(),
		"leaks":                  modesStr,
		"rate":                   rate,
		"qps":                    cfg.qps,
		"uptime_seconds":         time.Since(startTime).Seconds(),
		"requests":               requests.Load(),
		"goroutines":             runtime.NumGoroutine(),
		"session_workers":        sessionWorkers.Load(),
		"tickers":                tickersStarted.Load(),
		"ticker_fires":           tickerFires.Load(),
		"headers_kept":           headersKept.Load(),
		"headers_retained_bytes": headersRetained.Load(),
		"cache_entries":          cache.Len(),
		"cache_bytes":            cache.Bytes(),
		"c_leaked_allocs":        cAllocs,
		"c_leaked_bytes":         cBytes,
		"c_names_leaked":         cgoNamesLeaked.Load(),
		"c_heap_inuse":           cHeap,
		"steady_batches":         steadyBatches.Load(),
		"heap_inuse":             ms.HeapInuse,
		"mem_profile_rate":       runtime.MemProfileRate,
	})
}
