#!/bin/sh
# pprof-fetch against a real Go service (testdata/go/leakyserver) that leaks
# heap and goroutines on purpose: every kind, the archive's invariants, the
# memstats rows against the profiles of the same snapshot, growth across
# snapshots, several targets at once, appending, locking and signals.
. "$(dirname "$0")/lib.sh"
. "$LW_ROOT/tests/lib-fetch.sh"

if ! test_have_prereq GO; then
	test_skip_all 'go is not installed (needed to build the test service)'
fi

test_expect_success 'build the Go test servers' 'fetch_build_servers'

# Every allocation sampled (memprofilerate 1), so the heap numbers are exact.
start_server "$TRASH/ports" "$GO_BIN/leakyserver" -port-file "$TRASH/ports" -ports 3 \
	-leak 65536 -every 20ms -goroutines 1 -memprofilerate 1
P1=$(sed -n 1p "$TRASH/ports") P2=$(sed -n 2p "$TRASH/ports") P3=$(sed -n 3p "$TRASH/ports")
LEAKY=$SERVER_PID
ALL=heap,allocs,goroutine,goroutine-dump,goroutineleak,memstats

test_expect_success 'three snapshots of every kind' '
	pprof-fetch -o "$TRASH/a" -k $ALL -i 200ms -n 3 --pid $LEAKY \
		app=http://127.0.0.1:$P1 >out 2>err &&
	test_cmp /dev/null out &&
	for k in heap allocs goroutine goroutineleak; do
		ls "$TRASH/a/app/" | grep -c "^$k-.*\.pb\.gz\$" >n.$k || :
	done &&
	echo 3 >expect && test_cmp expect n.heap && test_cmp expect n.allocs &&
	test_cmp expect n.goroutine &&
	echo 0 >expect && test_cmp expect n.goroutineleak &&
	ls "$TRASH/a/app/" | grep -c "^goroutine-dump-.*\.txt\$" >n.dump &&
	echo 3 >expect && test_cmp expect n.dump
'

test_expect_success 'every file decodes and the manifest lists each once' '
	check_archive "$TRASH/a"
'

test_expect_success 'manifest: 15 ok rows, goroutineleak noted once as unsupported' '
	m="$TRASH/a/app/manifest.csv" &&
	head -n 1 "$m" >actual &&
	echo "time,kind,file,bytes,http_status,duration_ms,result,attempts,error" >expect &&
	test_cmp expect actual &&
	manifest_field "$m" 7 | sort | uniq -c | sed "s/^ *//" >actual &&
	printf "15 ok\n1 unsupported\n" >expect && test_cmp expect actual &&
	gawk -F, "\$7 == \"unsupported\" { print \$2, \$5, \$8 }" "$m" >actual &&
	echo "goroutineleak 404 1" >expect && test_cmp expect actual &&
	gawk -F, "NR > 1 && \$7 == \"ok\" && (\$5 != 200 || \$8 != 1) { print }" "$m" >actual &&
	test_cmp /dev/null actual
'

test_expect_success 'file names carry the snapshot time of their manifest row' '
	gawk -F, "NR > 1 && \$3 != \"\" { t = \$1; gsub(/[-:]/, \"\", t);
		if (index(\$3, \$2 \"-\" t \".\") != 1) print \"mismatch:\", \$0 }" \
		"$TRASH/a/app/manifest.csv" >actual &&
	test_cmp /dev/null actual
'

test_expect_success 'memstats: one row per snapshot, at the snapshot times' '
	m="$TRASH/a/app/manifest.csv" && ms="$TRASH/a/app/memstats.csv" &&
	head -n 1 "$ms" >actual &&
	echo "time,HeapAlloc,HeapInuse,HeapIdle,HeapReleased,StackInuse,Sys,NumGC,goroutines,rss,HeapObjects,TotalAlloc,Mallocs,Frees,NextGC" >expect &&
	test_cmp expect actual &&
	gawk -F, "\$2 == \"memstats\" && \$7 == \"ok\" { print \$1 }" "$m" >expect &&
	gawk -F, "NR > 1 { print \$1 }" "$ms" >actual &&
	test_cmp expect actual &&
	gawk -F, "NR > 1 && (NF != 15 || \$2 <= 0 || \$3 < \$2 || \$7 < \$3 || \$8 < 1 || \$10 < 1048576) { print \"bad row:\", \$0 }" "$ms" >actual &&
	test_cmp /dev/null actual
'

test_expect_success 'memstats goroutines = total of the goroutine profile of the same snapshot' '
	for f in "$TRASH"/a/app/goroutine-2*.pb.gz; do
		go tool pprof -top "$f" 2>/dev/null |
			sed -n "s/^Showing nodes accounting for .* of \([0-9]*\) total\$/\1/p"
	done >expect &&
	gawk -F, "NR > 1 { print \$9 }" "$TRASH/a/app/memstats.csv" >actual &&
	test_cmp expect actual &&
	sort -n -u actual >sorted && test_cmp actual sorted &&
	test $(wc -l <sorted) -eq 3
'

test_expect_success 'heap growth of main.leakBytes is visible across snapshots' '
	for f in "$TRASH"/a/app/heap-*.pb.gz; do
		go tool pprof -top -nodecount=200 -sample_index=inuse_space -unit=B "$f" 2>/dev/null |
			gawk "\$NF == \"main.leakBytes\" { sub(/B\$/, \"\", \$1); print \$1 }"
	done >grow &&
	test $(wc -l <grow) -eq 3 &&
	sort -n -u grow >sorted && test_cmp grow sorted &&
	gawk "NR == 1 { a = \$1 } END { if (\$1 - a < 10 * 65536) { print \"grew by\", \$1 - a; exit 1 } }" grow &&
	gawk -F, "NR == 2 { a = \$2 } END { if (\$2 <= a) { print \"HeapAlloc\", a, \$2; exit 1 } }" \
		"$TRASH/a/app/memstats.csv"
'

test_expect_success 'several targets at once, default name HOST_PORT' '
	pprof-fetch -o "$TRASH/b" -k heap,goroutine -i 100ms -n 2 \
		http://127.0.0.1:$P1 x=http://127.0.0.1:$P2/debug/pprof/ \
		y=127.0.0.1:$P3 &&
	(cd "$TRASH/b" && ls) >actual &&
	printf "127.0.0.1_%s\nx\ny\n" $P1 >expect && test_cmp expect actual &&
	for d in "$TRASH"/b/*; do ls "$d" | grep -c "^heap-" ; done >actual &&
	printf "2\n2\n2\n" >expect && test_cmp expect actual &&
	check_archive "$TRASH/b"
'

test_expect_success 'a second run appends to the archive' '
	cp "$TRASH/a/app/manifest.csv" before.csv &&
	pprof-fetch -o "$TRASH/a" -k $ALL -i 100ms -n 2 app=http://127.0.0.1:$P1 &&
	head -n $(wc -l <before.csv) "$TRASH/a/app/manifest.csv" >prefix &&
	test_cmp before.csv prefix &&
	ls "$TRASH/a/app" | grep -c "^heap-" >actual && echo 5 >expect && test_cmp expect actual &&
	gawk -F, "\$2 == \"goroutineleak\"" "$TRASH/a/app/manifest.csv" | wc -l >actual &&
	echo 2 >expect && test_cmp expect actual &&
	check_archive "$TRASH/a"
'

test_expect_success 'a second pprof-fetch on the same target is refused; SIGTERM ends the first with 0' '
	pprof-fetch -o "$TRASH/c" -k heap -i 60s app=http://127.0.0.1:$P1 &
	pid=$! &&
	i=0 && while [ "$(ls "$TRASH/c/app" 2>/dev/null | grep -c "^heap-")" -lt 1 ]; do
		i=$((i + 1)); [ $i -lt 200 ] || exit 1; sleep 0.05; done &&
	test_expect_code 2 pprof-fetch -o "$TRASH/c" -k heap -n 1 app=http://127.0.0.1:$P1 2>err &&
	grep "in use by another pprof-fetch" err &&
	kill -TERM $pid && wait $pid &&
	check_archive "$TRASH/c"
'

test_expect_success 'SIGINT mid-run: the snapshot in flight completes, exit 0' '
	pprof-fetch -o "$TRASH/d" -k heap,goroutine-dump,memstats -i 50ms app=http://127.0.0.1:$P1 &
	pid=$! && sleep 1 && kill -INT $pid && wait $pid &&
	manifest_field "$TRASH/d/app/manifest.csv" 7 | sort -u >actual &&
	echo ok >expect && test_cmp expect actual &&
	gawk -F, "NR > 1 { n[\$1]++ } END { for (t in n) if (n[t] != 3) print t, n[t] }" \
		"$TRASH/d/app/manifest.csv" >actual &&
	test_cmp /dev/null actual &&
	check_archive "$TRASH/d"
'

test_done
