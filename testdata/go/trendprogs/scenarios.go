package main

import (
	"math/rand"
	"time"
)

// A scenario runs in the background while main records snapshots. truth
// lists, per profile kind, the keys (function names, flat) that leak; the
// recording script copies it to the archive as truth.txt. "either" keys
// grow only as a side effect of the leak (a container re-allocated larger)
// and are not scored either way.
type scenario struct {
	name   string
	doc    string
	run    func()
	skipGC bool // skip runtime.GC() before odd snapshots (fetch without gc=1)
	truth  []string
}

var scenarios = []scenario{
	{"goroutine-leak", "workers blocked forever on a channel nobody sends to", goroutineLeak, false,
		[]string{"heap main.newWorkerState leak", "goroutine main.leakyWorker leak",
			"heap main.spawnLeakers either", "heap runtime.malg either"}},
	{"ticker-leak", "time.Tick in a polling loop: tickers never stopped", tickerLeak, false,
		[]string{"heap time.NewTicker leak", "heap time.startTimer either", "heap runtime.addtimer either"}},
	{"slice-retention", "a small header sliced from a big buffer keeps the buffer alive", sliceRetention, false,
		[]string{"heap main.readMessage leak", "heap main.keepHeader either"}},
	{"unbounded-map", "a map used as a cache without eviction", unboundedMap, false,
		[]string{"heap main.remember leak"}},
	{"steady-churn", "heavy allocation churn around a fixed working set, GC sawtooth", steadyChurn, true,
		nil},
	{"cache-plateau", "a bounded cache that fills during warm-up, then only replaces entries", cachePlateau, false,
		nil},
	{"slow-leak-noisy", "a slow leak (audit records) under heavy churn", slowLeakNoisy, true,
		[]string{"heap main.appendAudit leak"}},
}

// ---- baseline present in every scenario: a fixed pool and some churn ----

var poolSink [][]byte

//go:noinline
func initPool() {
	for i := 0; i < 512; i++ {
		poolSink = append(poolSink, make([]byte, 8192))
	}
}

// handleRequest is a request's temporary buffer: most die young, the ones
// in flight at a snapshot are a random subset, so its value jitters by a few
// sampling steps around a constant.
//
//go:noinline
func handleRequest(r *rand.Rand, maxSize int) []byte {
	b := make([]byte, 1+r.Intn(maxSize))
	b[0] = 1
	return b
}

type session struct {
	id    int64
	user  [64]byte
	attrs [96]byte
}

//go:noinline
func newSession(r *rand.Rand) *session {
	return &session{id: r.Int63()}
}

func churnWorker(seed int64, ring, maxSize, perBurst int, pause time.Duration) {
	r := rand.New(rand.NewSource(seed))
	live := make([][]byte, ring)
	for {
		for k := 0; k < perBurst; k++ {
			live[r.Intn(ring)] = handleRequest(r, maxSize)
		}
		time.Sleep(pause)
	}
}

func sessionWorker(seed int64, ring, perBurst int, pause time.Duration) {
	r := rand.New(rand.NewSource(seed))
	live := make([]*session, ring)
	for {
		for k := 0; k < perBurst; k++ {
			live[r.Intn(ring)] = newSession(r)
		}
		time.Sleep(pause)
	}
}

func startBaseline() {
	initPool()
	go churnWorker(1, 64, 32<<10, 20, 10*time.Millisecond)
	go churnWorker(2, 64, 32<<10, 20, 10*time.Millisecond)
	go sessionWorker(3, 5000, 200, 10*time.Millisecond)
}

// every calls f once per period d of wall-clock time, catching up on the
// periods it missed, so that a scenario's leak rate holds even when the
// machine is busy and the goroutine is scheduled late.
func every(d time.Duration, f func()) {
	start := time.Now()
	done := 0
	for {
		due := int(time.Since(start)/d) + 1
		for ; done < due; done++ {
			f()
		}
		time.Sleep(time.Until(start.Add(time.Duration(done) * d)))
	}
}

// ---- goroutine leak ----

type workerState struct {
	buf [16 << 10]byte
}

//go:noinline
func newWorkerState() *workerState {
	return &workerState{}
}

var neverSent = make(chan int)

//go:noinline
func leakyWorker(st *workerState) {
	<-neverSent // the bug: nobody ever sends or closes
	st.buf[0]++
}

//go:noinline
func spawnLeakers() {
	for i := 0; i < 4; i++ {
		go leakyWorker(newWorkerState())
	}
}

func goroutineLeak() { every(100*time.Millisecond, spawnLeakers) }

// ---- ticker leak ----

var ticks int

//go:noinline
func pollOnce() {
	select {
	case <-time.Tick(time.Hour): // the bug: a new ticker each call, never stopped
		ticks++
	default:
	}
}

func tickerLeak() {
	every(10*time.Millisecond, func() {
		for i := 0; i < 40; i++ {
			pollOnce()
		}
	})
}

// ---- slice retention ----

var headers [][]byte

//go:noinline
func readMessage(r *rand.Rand) []byte {
	msg := make([]byte, 64<<10)
	msg[0] = byte(r.Intn(256))
	return msg
}

//go:noinline
func keepHeader(msg []byte) {
	headers = append(headers, msg[:32]) // the bug: pins the whole 64 KiB
}

func sliceRetention() {
	r := rand.New(rand.NewSource(7))
	every(50*time.Millisecond, func() { keepHeader(readMessage(r)) })
}

// ---- unbounded map ----

var seen = map[string][]byte{}

//go:noinline
func remember(id int) {
	var kb [16]byte
	for i := range kb {
		kb[i] = byte('a' + (id>>(i%8))%26)
	}
	kb[0] = byte(id)
	kb[1] = byte(id >> 8)
	kb[2] = byte(id >> 16)
	seen[string(kb[:])] = make([]byte, 256) // the bug: never evicted
}

func unboundedMap() {
	id := 0
	every(10*time.Millisecond, func() {
		for i := 0; i < 20; i++ {
			remember(id)
			id++
		}
	})
}

// ---- steady service ----

func steadyChurn() {
	for i := 0; i < 4; i++ {
		go churnWorker(int64(10+i), 128, 64<<10, 40, 10*time.Millisecond)
	}
}

// ---- cache that plateaus ----

var cache = map[int][]byte{}

//go:noinline
func cacheFill(k int) {
	cache[k] = make([]byte, 4096)
}

func cachePlateau() {
	const capacity = 3000
	r := rand.New(rand.NewSource(11))
	next := 0
	every(10*time.Millisecond, func() {
		if len(cache) < capacity { // fills in about 6 s, half the recording
			for i := 0; i < 5; i++ {
				cacheFill(next)
				next++
			}
			return
		}
		for i := 0; i < 10; i++ { // full: replace entries, the size stays
			cacheFill(r.Intn(capacity))
		}
	})
}

// ---- slow leak under noisy churn ----

var audit [][]byte

//go:noinline
func appendAudit(r *rand.Rand) {
	rec := make([]byte, 1024)
	rec[0] = byte(r.Intn(256))
	audit = append(audit, rec) // the bug: the audit trail is never flushed
}

func slowLeakNoisy() {
	steadyChurn()
	r := rand.New(rand.NewSource(13))
	every(25*time.Millisecond, func() {
		for i := 0; i < 16; i++ {
			appendAudit(r)
		}
	})
}
