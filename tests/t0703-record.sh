#!/bin/sh
# scripts/record: records real archives of the demo service (--demo), of a
# program binary, and of a Go source directory; drives load with --load;
# stops the program; fails cleanly when the program dies or never answers.
# With root and a built cgo-trace, the archive also holds cgo profiles that
# name the demo's leaking C function.
. "$(dirname "$0")/lib.sh"

if ! test_have_prereq GO; then
	test_skip_all 'go is not installed (needed to build the demo service)'
fi
if ! [ -x "$LW_BUILD/bin/pprof-fetch" ]; then
	test_skip_all "pprof-fetch is not built in $LW_BUILD"
fi
GOCACHE=$LW_BUILD/gocache
export GOCACHE

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# count DIR KIND: snapshot files of KIND in DIR.
count() { find "$1" -maxdepth 1 -name "$2-[0-9]*" | wc -l | tr -d ' '; }
# inuse FILE FUNC: FUNC's flat inuse_space in bytes (go tool pprof).
inuse() {
	go tool pprof -top -nodecount=100000 -nodefraction=0 -unit=B -sample_index=inuse_space "$1" 2>/dev/null |
		awk -v f="$2" '$6 == f { v = $1; sub(/B$/, "", v); print v; found = 1 } END { if (!found) print 0 }'
}
# gcount FILE FUNC: goroutines of a goroutine dump (debug=2) in FUNC.
gcount() { awk -v RS= -v f="$2" 'index($0, f "(") { n++ } END { print n + 0 }' "$1"; }

test_expect_success 'record --demo: every kind recorded, the leaks visible, the demo stopped' '
	record -o arch --demo subslice,goroutine --rate 100 --interval 500ms --duration 2500ms \
		-- -bufsize 131072 2>err &&
	d=arch/demo &&
	h=$(count $d heap) && g=$(count $d goroutine) && gd=$(count $d goroutine-dump) &&
	test "$h" -ge 4 && test "$g" = "$h" && test "$gd" = "$h" &&
	test $(($(wc -l <$d/memstats.csv) - 1)) = "$h" &&
	awk -F, "NR > 1 && \$7 != \"ok\"" $d/manifest.csv >bad && test_cmp /dev/null bad &&
	for f in $d/*.pb.gz; do go tool pprof -raw "$f" >/dev/null 2>&1 || { echo "bad $f"; exit 1; }; done &&
	first=$(ls $d/heap-* | head -n 1) && last=$(ls $d/heap-* | tail -n 1) &&
	a=$(inuse "$first" main.readHeader) && b=$(inuse "$last" main.readHeader) &&
	test "$b" -gt $((a + (8 << 20))) &&
	go tool pprof -tags -focus=main.readHeader -sample_index=inuse_space "$last" >tags 2>/dev/null &&
	grep -q "(  100%): 128kB$" tags &&
	first=$(ls $d/goroutine-dump-* | head -n 1) && last=$(ls $d/goroutine-dump-* | tail -n 1) &&
	a=$(gcount "$first" main.leakGoroutineWorker) && b=$(gcount "$last" main.leakGoroutineWorker) &&
	test $((b - a)) -ge 100 &&
	pid=$(sed -n "s/.*pid \([0-9]*\)).*/\1/p" err) && test -n "$pid" &&
	! kill -0 "$pid" 2>/dev/null &&
	grep "recorded into arch/demo: heap $h goroutine $h goroutine-dump $h" err
'

test_expect_success 'without root, or without cgo-trace, a clear note' '
	if [ "$(id -u)" -ne 0 ]; then
		grep "not root: skipping cgo-trace" err
	elif ! [ -x "$LW_BUILD/bin/cgo-trace" ]; then
		grep "cgo-trace not found: skipping it" err
	else
		! grep "skipping cgo-trace" err
	fi
'

# The demo binary, as a user's program.
lw_go_build "$TRASH/demo" "$TESTDATA/demo" >/dev/null 2>&1

test_expect_success 'record -- PROGRAM: a binary at --url, load from --load' '
	port=$(free_port) && url=http://127.0.0.1:$port &&
	record -o arch2 --name svc --url "$url" --interval 300ms --duration 1500ms \
		--load "curl -sf \"$url/api/lookup?n=200\"" -- "$TRASH/demo" -addr 127.0.0.1:$port -qps 0 2>err &&
	test "$(count arch2/svc heap)" -ge 3 &&
	last=$(ls arch2/svc/heap-* | tail -n 1) &&
	test "$(inuse "$last" "main.(*Cache).Put")" -ge $((100 * 1024)) &&
	grep "recording svc ($url, pid" err
'

test_expect_success 'record --load: the load command in flight is stopped with the recording' '
	port=$(free_port) &&
	record -q -o arch8 --name svc --url http://127.0.0.1:$port --no-cgo-trace --kinds heap \
		--interval 500ms --duration 1s --load "echo \$\$ >>\"$TRASH/loadpids\"; exec sleep 30" \
		-- "$TRASH/demo" -addr 127.0.0.1:$port -qps 0 2>err &&
	test -s "$TRASH/loadpids" &&
	alive=0 &&
	for p in $(cat "$TRASH/loadpids"); do if kill -0 "$p" 2>/dev/null; then alive=$p; fi; done &&
	test "$alive" = 0
'

test_expect_success 'record -- GODIR: a Go source directory is built first' '
	port=$(free_port) &&
	record -o arch3 --url http://127.0.0.1:$port --kinds heap --interval 300ms --duration 1500ms \
		-- "$TESTDATA/demo" -addr 127.0.0.1:$port 2>err &&
	grep "building $TESTDATA/demo" err &&
	test "$(count arch3/demo heap)" -ge 2 && test "$(count arch3/demo goroutine)" = 0
'

test_expect_success 'a program that exits before serving: exit 1, its status said' '
	test_expect_code 1 record -o arch4 --duration 1s -- sh -c "exit 3" 2>err &&
	grep "the program exited (status 3) before serving its pprof endpoint" err
'

test_expect_success 'a program that never answers: exit 1 after the timeout, stopped' '
	port=$(free_port) &&
	test_expect_code 1 record -o arch5 --startup-timeout 1 --url http://127.0.0.1:$port \
		-- sh -c "echo \$\$ >pid; exec sleep 30" 2>err &&
	grep "no answer from .http://127.0.0.1:$port/debug/pprof/. after 1s" err &&
	! kill -0 "$(cat pid)" 2>/dev/null
'

# SIGTERM to record itself: the snapshot in flight is finished, everything
# stopped, exit 0, a complete archive.
record -o arch7 --demo map --interval 300ms --duration 60s 2>"$TRASH/term.err" &
RPID=$!
i=0
while [ "$(find arch7/demo -name "heap-*" 2>/dev/null | wc -l)" -lt 2 ] && [ $i -lt 200 ]; do
	sleep 0.1; i=$((i + 1))
done
kill -TERM $RPID
wait $RPID
RSTATUS=$?
test_expect_success 'SIGTERM stops the recording early and cleanly (exit 0)' '
	cat "$TRASH/term.err" && echo "record exited $RSTATUS" &&
	test $RSTATUS = 0 &&
	grep "stopping the recording early" "$TRASH/term.err" &&
	h=$(count arch7/demo heap) && test "$h" -ge 2 &&
	test "$(count arch7/demo goroutine)" = "$h" &&
	awk -F, "NR > 1 && \$7 != \"ok\"" arch7/demo/manifest.csv >bad && test_cmp /dev/null bad &&
	pid=$(sed -n "s/.*pid \([0-9]*\)).*/\1/p" "$TRASH/term.err") && test -n "$pid" &&
	! kill -0 "$pid" 2>/dev/null &&
	test -z "$(find arch7 -name "*.tmp*")"
'

if test_have_prereq BPF; then
	test_expect_success 'as root with cgo-trace: cgo profiles name leaky_c_alloc' '
		record -o arch6 --demo cgo --rate 100 --interval 1s --duration 3s 2>err &&
		test "$(count arch6/demo cgo)" -ge 1 &&
		last=$(ls arch6/demo/cgo-* | tail -n 1) &&
		go tool pprof -top -nodecount=100000 -nodefraction=0 "$last" >top 2>&1 &&
		grep -q "leaky_c_alloc" top
	'
else
	test_skip 'cgo-trace in the archive: needs root, /sys/kernel/btf/vmlinux and a built cgo-trace'
fi

test_done
