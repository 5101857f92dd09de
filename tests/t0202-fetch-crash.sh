#!/bin/sh
# pprof-fetch killed with SIGKILL mid-run, then run again into the same
# archive: nothing stored before is lost or changed, nothing is corrupt.
# Then the repairs one by one, made deterministic by hand: a torn CSV row, a
# leftover temporary, a snapshot whose manifest row was never written.
. "$(dirname "$0")/lib.sh"
. "$LW_ROOT/tests/lib-fetch.sh"

if ! test_have_prereq GO; then
	test_skip_all 'go is not installed (needed to build the test service)'
fi

test_expect_success 'build the Go test servers' 'fetch_build_servers'

start_server "$TRASH/ports" "$GO_BIN/leakyserver" -port-file "$TRASH/ports" \
	-leak 16384 -every 20ms -goroutines 1
URL=http://127.0.0.1:$(cat "$TRASH/ports")
KINDS=heap,allocs,goroutine,goroutine-dump,memstats

# snapshot_sums DIR: checksums of every snapshot file (the "nothing lost,
# nothing changed" evidence).
snapshot_sums() {
	(cd "$1" && find . -name '*-*.pb.gz' -o -name '*-*.txt' | sort | xargs -r md5sum)
}

test_expect_success 'kill -9 three times mid-run, then a clean run into the same archive' '
	for delay in 0.7 0.45 0.9; do
		pprof-fetch -q -o ar -k $KINDS -i 30ms app=$URL &
		pid=$! && sleep $delay && kill -9 $pid
		wait $pid
		snapshot_sums ar >>before.sums || exit 1
	done &&
	sort -u before.sums >before &&
	test $(wc -l <before) -gt 10 &&
	pprof-fetch -o ar -k $KINDS -i 30ms -n 2 app=$URL 2>err &&
	snapshot_sums ar | sort >after &&
	comm -23 before after >lost && test_cmp /dev/null lost &&
	test $(wc -l <after) -eq $(($(wc -l <before) + 8))
'

test_expect_success 'after the crashes: every file decodes, manifest complete, no temporaries' '
	check_archive ar
'

test_expect_success 'after the crashes: CSV files are whole rows with one header' '
	gawk -F, "NF != 15 || (NR > 1 && \$1 == \"time\") { print \"bad:\", \$0 }" \
		ar/app/memstats.csv >actual &&
	test_cmp /dev/null actual &&
	test $(grep -c ^time ar/app/manifest.csv) -eq 1
'

HEAP=$TESTDATA/fetch/heap.pb.gz

test_expect_success 'repair: torn rows dropped, our temporaries removed (not others), orphan recovered' '
	mkdir -p rep/app &&
	printf "time,kind,file,bytes,http_status,duration_ms,result,attempts,error\n2026-01-02T03:04:05.000Z,heap,heap-2026" >rep/app/manifest.csv &&
	printf "time,HeapAlloc,HeapInuse,HeapIdle,HeapReleased,StackInuse,Sys,NumGC,goroutines,rss,HeapObjects,TotalAlloc,Mallocs,Frees,NextGC\n2026-01-02T03:04:05.000Z,123" >rep/app/memstats.csv &&
	cp "$HEAP" rep/app/heap-20260102T030405.000Z.pb.gz &&
	echo junk >rep/app/.heap-20260102T030406.000Z.pb.gz.tmp.AbC123 &&
	echo junk >rep/app/.memstats.body.tmp.dEf456 &&
	echo cgo-trace >rep/app/.cgo-20260102T030406.000Z.pb.gz.tmp.GhI789 &&
	pprof-fetch -o rep -k heap,memstats -n 1 app=$URL 2>err &&
	ls -a rep/app | grep "tmp" >actual &&
	echo .cgo-20260102T030406.000Z.pb.gz.tmp.GhI789 >expect && test_cmp expect actual &&
	rm rep/app/.cgo-20260102T030406.000Z.pb.gz.tmp.GhI789 &&
	grep "manifest.csv.: dropped a partial last row" err &&
	grep "memstats.csv.: dropped a partial last row" err &&
	test -z "$(find rep -name "*.tmp.*")" &&
	sed -n 2p rep/app/manifest.csv >actual &&
	echo "2026-01-02T03:04:05.000Z,heap,heap-20260102T030405.000Z.pb.gz,$(wc -c <"$HEAP"),,,recovered,," >expect &&
	test_cmp expect actual &&
	manifest_field rep/app/manifest.csv 7 >actual && printf "recovered\nok\nok\n" >expect &&
	test_cmp expect actual &&
	test $(wc -l <rep/app/memstats.csv) -eq 2 &&
	check_archive rep
'

test_expect_success 'repair: a corrupt orphan is reported, not listed, not deleted' '
	mkdir -p rep2/app &&
	head -c 100 "$HEAP" >rep2/app/heap-20260102T030405.000Z.pb.gz &&
	pprof-fetch -o rep2 -k heap -n 1 app=$URL 2>err &&
	grep "heap-20260102T030405.000Z.pb.gz.*not added to the manifest" err &&
	test -f rep2/app/heap-20260102T030405.000Z.pb.gz &&
	! grep -q 20260102T030405 rep2/app/manifest.csv
'

test_expect_success 'a CSV file with a foreign header is not appended to (exit 2)' '
	mkdir -p foreign/app && echo "a,b,c" >foreign/app/manifest.csv &&
	test_expect_code 2 pprof-fetch -o foreign -k heap -n 1 app=$URL 2>err &&
	grep "manifest.csv.: unexpected header" err &&
	echo "a,b,c" >expect && test_cmp expect foreign/app/manifest.csv &&
	ls foreign/app >actual && echo manifest.csv >expect && test_cmp expect actual
'

test_expect_success 'an archive path that is a file: exit 2, nothing written' '
	echo x >notdir &&
	test_expect_code 2 pprof-fetch -o notdir -k heap -n 1 app=$URL 2>err &&
	grep "cannot create .notdir" err &&
	echo x >expect && test_cmp expect notdir
'

# A full disk: a small tmpfs (root only; skipped with the reason otherwise).
if test_have_prereq ROOT && mkdir -p "$TRASH/full" &&
	mount -t tmpfs -o size=96k tmpfs "$TRASH/full" 2>/dev/null; then
	FETCH_UMOUNT=$TRASH/full
	test_expect_success 'disk full: snapshots fail (exit 1), nothing partial, rows whole' '
		head -c 40960 /dev/zero >"$TRASH/full/filler" &&
		test_expect_code 1 pprof-fetch -q -o "$TRASH/full/ar" -k heap,goroutine-dump,memstats \
			-i 20ms -n 12 app=$URL &&
		grep -q "No space left on device" "$TRASH/full/ar/app/manifest.csv" &&
		test -z "$(find "$TRASH/full" -name "*.tmp.*")" &&
		for f in "$TRASH"/full/ar/app/*-*.*; do test-tool check "$f" || exit 1; done &&
		gawk -v FPAT="$GAWK_CSV" "NF != 9 { print \"torn:\", \$0 }" "$TRASH/full/ar/app/manifest.csv" >actual &&
		test_cmp /dev/null actual &&
		gawk -F, "NF != 15 { print \"torn:\", \$0 }" "$TRASH/full/ar/app/memstats.csv" >actual &&
		test_cmp /dev/null actual
	'
	test_expect_success 'disk full, then space again: the next run completes the archive' '
		rm "$TRASH/full/filler" &&
		pprof-fetch -q -o "$TRASH/full/ar" -k heap -n 1 app=$URL &&
		check_archive "$TRASH/full/ar"
	'
	umount "$TRASH/full" && FETCH_UMOUNT=
else
	test_skip 'disk full: needs root and a tmpfs mount'
fi

test_done
