#!/bin/sh
# scripts/leakwatch against the live demo service (testdata/demo), one leak
# switched on at a fast rate, snapshots every 500 ms: within seconds the
# report in the archive names the leaking function with the right pattern,
# it is refreshed while the watch runs, the alert reaches a webhook, and
# SIGTERM leaves a complete archive. About 40 s in all.
. "$(dirname "$0")/lib.sh"

if ! test_have_prereq GO; then
	test_skip 'go is not installed (needed to build the demo service)'
	test_done
	exit
fi
for t in pprof-fetch trend-fit leak-blame; do
	if ! [ -x "$LW_BUILD/bin/$t" ]; then
		test_skip "$t is not built in $LW_BUILD"
		test_done
		exit
	fi
done
GOCACHE=$LW_BUILD/gocache
export GOCACHE

PIDS=''
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$TRASH"' EXIT

# A webhook receiver (tests/webhook-receiver.py): each POST as one JSON
# line {"path", ..., "body"} in $TRASH/rx/log.
mkdir -p "$TRASH/rx"
python3 "$LW_ROOT/tests/webhook-receiver.py" "$TRASH/rx" 2>"$TRASH/rx/err" &
PIDS="$PIDS $!"

# wait_for FILE: up to 30 s for FILE to be non-empty.
wait_for() {
	_i=0
	while ! [ -s "$1" ] && [ $_i -lt 300 ]; do sleep 0.1; _i=$((_i + 1)); done
	[ -s "$1" ]
}
# suspects REPORT.json: "rank function pattern" per suspect.
suspects() {
	python3 -c '
import json, sys
for s in json.load(open(sys.argv[1]))["suspects"]:
    print(s["rank"], s["function"], s["pattern"])' "$1"
}
# count DIR KIND: snapshot files of KIND in DIR.
count() { find "$1" -maxdepth 1 -name "$2-[0-9]*" | wc -l | tr -d ' '; }

test_expect_success 'build the demo service' '
	lw_go_build "$TRASH/demo" "$TESTDATA/demo"
'

# The map leak: 50 cache entries of 16 KiB a second (about 2.7 GiB/h), heap
# sampled every 64 KiB, plus the demo's usual load.
"$TRASH/demo" -addr 127.0.0.1:0 -addr-file "$TRASH/addr" -leak map -rate 50 -valsize 16384 \
	-memprofilerate 65536 -qps 20 2>"$TRASH/demo.log" &
DEMO=$!
PIDS="$PIDS $DEMO"
wait_for "$TRASH/addr" && wait_for "$TRASH/rx/port" ||
	{ test_expect_success 'the demo service and the receiver start' false; test_done; exit; }
URL=http://$(cat "$TRASH/addr")
HOOK=http://127.0.0.1:$(cat "$TRASH/rx/port")/hook

test_expect_success 'leakwatch names the leak of a live service (exit 1)' '
	test_expect_code 1 leakwatch -o arch --interval 500ms --duration 12s --analyze-every 8 \
		--pid $DEMO --webhook "$HOOK" --source "$TESTDATA/demo" "shop=$URL" >out 2>err &&
	suspects arch/shop/report.json >suspects &&
	head -n 1 suspects >top &&
	echo "1 main.(*Cache).Put unbounded-map" >expect &&
	test_cmp expect top &&
	grep "^HTML report: arch/shop/report.html$" out &&
	grep -F "main.(*Cache).Put" out
'
cat "$TRASH/suspects" 2>/dev/null | sed 's/^/# suspect: /'

test_expect_success 'no false positive: the only suspect is the leak' '
	test_cmp expect suspects
'

test_expect_success 'the report was refreshed during the watch, not only at the end' '
	grep -c "^leakwatch: [0-9]* snapshots: 1 suspect(s): main.(\*Cache).Put (unbounded-map); report: arch/shop/report.html$" err >n &&
	test "$(cat n)" -ge 2
'

test_expect_success 'the archive: complete, the reports in place, no temporary file left' '
	d=arch/shop &&
	h=$(count $d heap) && test "$h" -ge 16 &&
	test "$(count $d goroutine)" = "$h" && test "$(count $d goroutine-dump)" = "$h" &&
	test $(($(wc -l <$d/memstats.csv) - 1)) = "$h" &&
	awk -F, "NR > 1 && \$7 != \"ok\"" $d/manifest.csv >bad && test_cmp /dev/null bad &&
	awk -F, "NR == 1 { for (i = 1; i <= NF; i++) if (\$i == \"rss\") c = i; next }
		\$c == \"\" || \$c == 0 { n++ } END { exit !(c && !n) }" $d/memstats.csv &&
	for f in report.html report.txt report.json trend.txt alerts.json; do test -s $d/$f || exit 1; done &&
	grep -q "<svg" $d/report.html && grep -qF "main.(*Cache).Put" $d/report.html &&
	grep -q "main.(\*Cache).Put" $d/trend.txt &&
	test -z "$(find arch -name "*.tmp*")"
'

test_expect_success 'the alert reached the webhook, once (deduplicated across analyses)' '
	python3 -c "
import json
a = [json.loads(l)[\"body\"] for l in open(\"rx/log\")]
put = [x for x in a if x.get(\"function\") == \"main.(*Cache).Put\"]
assert len(put) == 1, a
assert put[0][\"status\"] == \"firing\" and put[0][\"service\"] == \"shop\", put
"
'

test_expect_success 'cgo-trace ran alongside as root, or a clear note says why not' '
	if test_have_prereq BPF; then
		grep "cgo-trace: tracing the C allocations of pid $DEMO" err &&
		test "$(count arch/shop cgo)" -ge 8
	elif [ "$(id -u)" -ne 0 ]; then
		grep "not root: cgo-trace skipped" err
	else
		grep "cgo-trace" err
	fi
'
kill "$DEMO" 2>/dev/null

# --demo (what make demo-live runs), stopped early by SIGTERM: the snapshot
# in flight is finished, a last analysis runs, the demo service is stopped.
leakwatch --demo goroutine --rate 20 -o arch2 --interval 500ms --analyze-every 6 \
	>"$TRASH/demo.out" 2>"$TRASH/demo.err" &
LW=$!
PIDS="$PIDS $LW"
i=0
while [ "$(count arch2/demo heap 2>/dev/null)" -lt 14 ] && [ $i -lt 600 ]; do
	sleep 0.1; i=$((i + 1))
done
kill -TERM $LW
wait $LW
LWSTATUS=$?

test_expect_success 'SIGTERM: a clean stop (exit 0 for the demo), the leak named' '
	test $LWSTATUS = 0 &&
	grep "^leakwatch: stopping: finishing the snapshot in flight$" demo.err &&
	suspects arch2/demo/report.json | head -n 1 >top &&
	echo "1 main.leakGoroutineWorker goroutine-leak" >expect &&
	test_cmp expect top &&
	grep "^HTML report: arch2/demo/report.html$" demo.out
'

test_expect_success 'SIGTERM: the archive is complete and the demo service stopped' '
	d=arch2/demo &&
	h=$(count $d heap) && test "$h" -ge 14 &&
	test "$(count $d goroutine)" = "$h" && test "$(count $d goroutine-dump)" = "$h" &&
	awk -F, "NR > 1 && \$7 != \"ok\"" $d/manifest.csv >bad && test_cmp /dev/null bad &&
	test -z "$(find arch2 -name "*.tmp*")" &&
	pid=$(sed -n "s/^leakwatch: demo service: pid \([0-9]*\),.*/\1/p" demo.err) && test -n "$pid" &&
	! kill -0 "$pid" 2>/dev/null
'

test_done
