#!/bin/sh
# The demo service (testdata/demo) builds with the system Go, and each leak
# mode makes its own thing grow, seen through the service's own
# /debug/pprof endpoints (read with go tool pprof) against the ground truth
# the service reports on /control; steady mode churns without growing.
. "$(dirname "$0")/lib.sh"

if ! test_have_prereq GO; then
	test_skip_all 'go is not installed (needed to build the demo service)'
fi

PIDS=''
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$TRASH"' EXIT
DEMO=$TRASH/demo

# start_demo NAME ARGS...: runs the demo on a free loopback port; sets
# DEMO_PID and URL (http://127.0.0.1:PORT).
start_demo() {
	_n=$1; shift
	"$DEMO" -addr 127.0.0.1:0 -addr-file "$TRASH/$_n.addr" "$@" 2>"$TRASH/$_n.log" &
	DEMO_PID=$!
	PIDS="$PIDS $DEMO_PID"
	_i=0
	while [ ! -s "$TRASH/$_n.addr" ]; do
		_i=$((_i + 1))
		[ $_i -gt 200 ] && { echo "demo $_n did not start"; cat "$TRASH/$_n.log"; return 1; }
		sleep 0.05
	done
	URL=http://$(cat "$TRASH/$_n.addr")
}
# control URL [QUERY] FIELD: one field of /control's JSON.
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
# heap URL OUT: a heap profile after a GC.
heap() { curl -sf -o "$2" "$1/debug/pprof/heap?gc=1"; }
# top FILE [SAMPLE_INDEX] [-lines]: go tool pprof -top, every node, in bytes.
top() {
	go tool pprof -top -nodecount=100000 -nodefraction=0 -edgefraction=0 -unit=B \
		-sample_index="${2:-inuse_space}" ${3:-} "$1" 2>/dev/null
}
# flat FILE FUNC [SAMPLE_INDEX] and cum ...: FUNC's values, in bytes.
flat() {
	top "$1" "${3:-}" | awk -v f="$2" '$6 == f { v = $1; sub(/B$/, "", v); print v; found = 1 }
		END { if (!found) print 0 }'
}
cum() {
	top "$1" "${3:-}" | awk -v f="$2" '$6 == f { v = $4; sub(/B$/, "", v); print v; found = 1 }
		END { if (!found) print 0 }'
}
# flat_line FILE FUNC PATTERN: FUNC's flat bytes at the source line of
# testdata/demo/leaks.go that matches PATTERN (grep -F).
flat_line() {
	_l=$(grep -n -F "$3" "$TESTDATA/demo/leaks.go" | cut -d: -f1)
	top "$1" "" -lines | awk -v f="$2" -v l="leaks.go:$_l" \
		'$6 == f && substr($7, length($7) - length(l) + 1) == l { v = $1; sub(/B$/, "", v); print v; found = 1 }
		END { if (!found) print 0 }'
}
# gcount URL FUNC: goroutines whose stack contains FUNC (goroutine?debug=1).
gcount() {
	curl -sf "$1/debug/pprof/goroutine?debug=1" |
		awk -v f="$2" '/^[0-9]+ @/ { n = $1 } $3 ~ "^" f "\\+" { s += n } END { print s + 0 }'
}
# at_least A B: A >= B, saying so when not.
at_least() { [ "$1" -ge "$2" ] || { echo "$1 < $2"; return 1; }; }

test_expect_success 'the demo builds with the system Go (cgo)' '
	lw_go_build "$DEMO" "$TESTDATA/demo" &&
	go tool nm "$DEMO" >syms &&
	grep -q " T leaky_c_alloc$" syms && grep -q " [Tt] main.readHeader$" syms &&
	grep -q " [Tt] main.(\*Cache).Put$" syms && grep -q " [Tt] main.leakGoroutineWorker$" syms
'

test_expect_success 'usage: -h exits 0, bad flags and modes exit 2' '
	"$DEMO" -h 2>err && grep "^usage: demo" err &&
	test_expect_code 2 "$DEMO" -leak goroutine,bogus 2>err &&
	grep "unknown leak mode .bogus." err &&
	test_expect_code 2 "$DEMO" -rate 0 2>err && grep "rate must be" err &&
	test_expect_code 2 "$DEMO" extra 2>err && grep "unexpected argument" err &&
	test_expect_code 2 "$DEMO" -nosuchflag 2>err
'

# Every leak at once, every allocation sampled, 4 s of leaking at 100/s.
start_demo all -leak goroutine,ticker,subslice,map,cgo -rate 100 -qps 20 -memprofilerate 1 \
	-csize 65536 -ticker-period 1h
ALL=$URL ALL_PID=$DEMO_PID
sleep 1
curl -sf -o c1.json "$ALL/control"
heap "$ALL" h1.pb.gz
G1=$(gcount "$ALL" main.leakGoroutineWorker) T1=$(gcount "$ALL" main.tickerPollLoop)
sleep 3
G2=$(gcount "$ALL" main.leakGoroutineWorker) T2=$(gcount "$ALL" main.tickerPollLoop)
# Stop the leaks (the drivers are waited for), then the truth and the heap agree exactly.
curl -sf -o /dev/null "$ALL/control?leak=none"
heap "$ALL" h2.pb.gz
curl -sf -o c2.json "$ALL/control"

test_expect_success 'goroutine: leakGoroutineWorker goroutines grow, as many as the truth' '
	at_least $((G2 - G1)) 150 &&
	echo "$(gcount "$ALL" main.leakGoroutineWorker)" >actual &&
	field c2.json session_workers >expect && test_cmp expect actual &&
	curl -sf "$ALL/debug/pprof/goroutine?debug=2" >dump &&
	awk -v RS= "/\\[chan receive/ && /main\\.leakGoroutineWorker/ { n++ } END { print n + 0 }" dump >actual &&
	test_cmp expect actual
'

test_expect_success 'ticker: tickerPollLoop goroutines and time.NewTicker memory grow' '
	at_least $((T2 - T1)) 150 &&
	echo "$(gcount "$ALL" main.tickerPollLoop)" >actual &&
	field c2.json tickers >expect && test_cmp expect actual &&
	a=$(cum h1.pb.gz main.startTickerPoller) && b=$(cum h2.pb.gz main.startTickerPoller) &&
	n=$(( $(field c2.json tickers) - $(field c1.json tickers) )) &&
	at_least $((b - a)) $((n * 100))
'

# At its allocation line: the truth counts the 64 KiB buffers kept, and
# nothing else readHeader may have live when the profile is taken.
test_expect_success 'subslice: readHeader holds bufsize bytes per header kept' '
	flat_line h2.pb.gz main.readHeader "data := make([]byte, bufSize)" >actual &&
	echo $(( $(field c2.json headers_kept) * 65536 )) >expect && test_cmp expect actual &&
	a=$(flat h1.pb.gz main.readHeader) && b=$(flat h2.pb.gz main.readHeader) &&
	at_least $((b - a)) $((150 * 65536))
'

test_expect_success 'map: (*Cache).Put holds valsize bytes per entry, growing' '
	flat_line h2.pb.gz "main.(*Cache).Put" "v := make([]byte, 0, len(val))" >actual &&
	echo $(( $(field c2.json cache_entries) * 1024 )) >expect && test_cmp expect actual &&
	a=$(cum h1.pb.gz "main.(*Cache).Put") && b=$(cum h2.pb.gz "main.(*Cache).Put") &&
	at_least $((b - a)) $((150 * 1024))
'

test_expect_success 'cgo: C heap grows by what leaky_c_alloc leaked, unseen by Go' '
	d=$(( $(field c2.json c_leaked_bytes) - $(field c1.json c_leaked_bytes) )) &&
	at_least $d $((150 * 65536)) &&
	echo $(( $(field c2.json c_leaked_allocs) * 65536 )) >expect &&
	field c2.json c_leaked_bytes >actual && test_cmp expect actual &&
	h=$(( $(field c2.json c_heap_inuse) - $(field c1.json c_heap_inuse) )) &&
	at_least $h $d &&
	field c2.json c_names_leaked >actual && field c2.json c_leaked_allocs >expect &&
	test_cmp expect actual &&
	go tool pprof -top -nodecount=100000 h2.pb.gz >top 2>&1 &&
	! grep -q leaky_c_alloc top
'

test_expect_success 'leaks switched off: nothing grows any more' '
	curl -sf -o a.json "$ALL/control" && sleep 0.5 && curl -sf -o b.json "$ALL/control" &&
	for f in session_workers tickers headers_kept cache_entries c_leaked_bytes; do
		test "$(field a.json $f)" = "$(field b.json $f)" || { echo "$f moved"; exit 1; }
	done &&
	test "$(field b.json leaks)" = none
'

test_expect_success '/control switches leaks at run time, rejects bad ones' '
	curl -sf -o x.json "$ALL/control?leak=map&rate=200" &&
	test "$(field x.json leaks)" = map && test "$(field x.json rate)" = 200 &&
	sleep 0.5 && curl -sf -o y.json "$ALL/control?leak=none" &&
	at_least $(( $(field y.json cache_entries) - $(field x.json cache_entries) )) 50 &&
	test "$(field y.json headers_kept)" = "$(field x.json headers_kept)" &&
	code=$(curl -s -o err -w "%{http_code}" "$ALL/control?leak=bogus") &&
	test "$code" = 400 && grep "unknown leak mode" err
'

kill -TERM $ALL_PID
wait $ALL_PID
ALL_STATUS=$?
test_expect_success 'the load loop serves requests; SIGTERM stops the demo with 0' '
	at_least "$(field c2.json requests)" 40 &&
	test $ALL_STATUS = 0 &&
	grep "demo: stopped after" "$TRASH/all.log"
'

# Steady: heavy churn, bounded working set.
start_demo steady -leak steady -rate 50 -qps 50 -memprofilerate 1
STEADY=$URL
sleep 1
heap "$STEADY" s1.pb.gz
curl -sf -o s1.json "$STEADY/control"
sleep 2
heap "$STEADY" s2.pb.gz
curl -sf -o s2.json "$STEADY/control"

test_expect_success 'steady: much allocated, the heap in use does not grow' '
	at_least $(( $(field s2.json steady_batches) - $(field s1.json steady_batches) )) 50 &&
	a=$(cum s1.pb.gz main.handleBatch alloc_space) && b=$(cum s2.pb.gz main.handleBatch alloc_space) &&
	at_least $((b - a)) $((8 << 20)) &&
	# The ring: what fillSteadyRing put in and handleBatch replaced (flat
	# of both), 512 x 2 KiB exact at rate 1, plus a record or two of
	# requests in flight. Not cum: that also counts the short-lived churn
	# of requests in flight at the GC (up to ~150 KiB each), which depends
	# on the machine load.
	a=$(( $(flat s1.pb.gz main.handleBatch) + $(flat s1.pb.gz main.fillSteadyRing) )) &&
	b=$(( $(flat s2.pb.gz main.handleBatch) + $(flat s2.pb.gz main.fillSteadyRing) )) &&
	at_least "$b" $((512 * 2048)) &&
	at_least $((512 * 2048 + 65536)) "$b" &&
	at_least $((a + 65536)) "$b" &&
	g1=$(field s1.json goroutines) && g2=$(field s2.json goroutines) &&
	at_least $((g1 + 5)) "$g2"
'

test_done
