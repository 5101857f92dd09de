#!/bin/sh
# testdata/blame/synth.sh OUT: writes a synthetic archive whose every value
# is known, for leak-blame's exact tests. Go's text formats (heap ?debug=1
# at MemProfileRate 1, so no sampling and no scaling; goroutine ?debug=2)
# and memstats.csv; 20 snapshots one minute apart from 2026-01-01T00:00Z.
#
#   heapsvc  heap: main.(*Store).add leaks 1 MiB/min (60 MiB/h) under
#            bytes.makeSlice <- bytes.(*Buffer).grow; main.poolGet (called by
#            main.serve) leaks 512 KiB/min; main.work holds 2 MiB steady.
#            memstats: RSS = heap + stacks + 8 MiB (nothing unexplained grows)
#   cgosvc   cgo (cgo-trace): main.renderNative -> C leaky_c_alloc leaks
#            1 MiB/min (256 x 4 KiB); main.registerName -> C.CString leaks
#            64 KiB/min (4096 x 16 B); c_balanced_work holds 64 KiB steady
#   gorsvc   goroutine dumps: 10 more main.worker goroutines every minute,
#            [chan receive], created by main.spawn, the oldest waiting 19
#            minutes at the end; 3 steady goroutines
#   rsssvc   memstats only: RSS grows 1 MiB/min, Go's figures are flat
set -eu
out=$1
mkdir -p "$out/heapsvc" "$out/cgosvc" "$out/gorsvc" "$out/rsssvc"
hdr='time,HeapAlloc,HeapInuse,HeapIdle,HeapReleased,StackInuse,Sys,NumGC,goroutines,rss'
echo "$hdr" >"$out/heapsvc/memstats.csv"
echo "$hdr" >"$out/cgosvc/memstats.csv"
echo "$hdr" >"$out/rsssvc/memstats.csv"
MiB=1048576
i=0
while [ $i -lt 20 ]; do
	mm=$(printf '%02d' $i)
	t="20260101T00${mm}00.000Z"
	ct="2026-01-01T00:${mm}:00.000Z"
	n=$((i + 1))
	# heapsvc
	awk -v n=$n 'BEGIN {
		leak = n * 1024; pool = n * 512; steady = 2048
		tot = leak + pool + steady
		printf "heap profile: %d: %d [%d: %d] @ heap/2\n", tot, tot * 1024, tot, tot * 1024
		printf "%d: %d [%d: %d] @ 0x1001 0x1002 0x1003 0x1004\n", leak, leak * 1024, leak, leak * 1024
		print "#\t0x1000\tbytes.makeSlice+0x0\t/usr/lib/go/src/bytes/buffer.go:229"
		print "#\t0x1001\tbytes.(*Buffer).grow+0x0\t/usr/lib/go/src/bytes/buffer.go:142"
		print "#\t0x1002\tmain.(*Store).add+0x0\t/src/app/store.go:12"
		print "#\t0x1003\tmain.handle+0x0\t/src/app/main.go:20"
		print ""
		printf "%d: %d [%d: %d] @ 0x2001 0x2002\n", pool, pool * 1024, pool, pool * 1024
		print "#\t0x2000\tmain.poolGet+0x0\t/src/app/pool.go:3"
		print "#\t0x2001\tmain.serve+0x0\t/src/app/main.go:30"
		print ""
		printf "%d: %d [%d: %d] @ 0x3001 0x3002\n", steady, steady * 1024, steady, steady * 1024
		print "#\t0x3000\tmain.work+0x0\t/src/app/work.go:5"
		print "#\t0x3001\tmain.main+0x0\t/src/app/main.go:9"
	}' >"$out/heapsvc/heap-$t.txt"
	heap=$(( (n * 1536 + 2048) * 1024 ))
	echo "$ct,$heap,$heap,0,0,524288,$((heap + 4 * MiB)),$i,10,$((heap + 524288 + 8 * MiB))" \
		>>"$out/heapsvc/memstats.csv"
	# cgosvc: the C heap in heap-profile form, as cgo-trace writes it
	awk -v n=$n 'BEGIN {
		leak = n * 256; str = n * 4096; bal = 16
		tot = leak + str + bal
		printf "heap profile: %d: %d [%d: %d] @ heap/2\n", tot, leak * 4096 + str * 16 + bal * 4096, tot, leak * 4096 + str * 16 + bal * 4096
		printf "%d: %d [%d: %d] @ 0x1001 0x1002 0x1003 0x1004 0x1005 0x1006\n", leak, leak * 4096, leak, leak * 4096
		print "#\t0x1000\tleaky_c_alloc+0x0\t/src/app/leaky.c:21"
		print "#\t0x1001\t_cgo_0123abcd_Cfunc_leaky_c_alloc+0x0\t/tmp/go-build/cgo-gcc-prolog:50"
		print "#\t0x1002\truntime.asmcgocall+0x0\t/usr/lib/go/src/runtime/asm_amd64.s:848"
		print "#\t0x1003\tmain._Cfunc_leaky_c_alloc+0x0\t_cgo_gotypes.go:80"
		print "#\t0x1004\tmain.renderNative+0x0\t/src/app/render.go:8"
		print "#\t0x1005\tmain.handle+0x0\t/src/app/main.go:22"
		print ""
		printf "%d: %d [%d: %d] @ 0x2001 0x2002 0x2003 0x2004 0x2005 0x2006\n", str, str * 16, str, str * 16
		print "#\t0x2000\t_cgo_0123abcd_Cfunc__Cmalloc+0x0\t/tmp/go-build/cgo-gcc-prolog:60"
		print "#\t0x2001\truntime.asmcgocall+0x0\t/usr/lib/go/src/runtime/asm_amd64.s:848"
		print "#\t0x2002\tmain._cgo_cmalloc+0x0\t_cgo_gotypes.go:40"
		print "#\t0x2003\tmain._Cfunc_CString+0x0\t_cgo_gotypes.go:45"
		print "#\t0x2004\tmain.registerName+0x0\t/src/app/render.go:15"
		print "#\t0x2005\tmain.handle+0x0\t/src/app/main.go:22"
		print ""
		printf "%d: %d [%d: %d] @ 0x3001 0x3002 0x3003 0x3004\n", bal, bal * 4096, bal, bal * 4096
		print "#\t0x3000\tc_balanced_work+0x0\t/src/app/leaky.c:40"
		print "#\t0x3001\truntime.asmcgocall+0x0\t/usr/lib/go/src/runtime/asm_amd64.s:848"
		print "#\t0x3002\tmain._Cfunc_c_balanced_work+0x0\t_cgo_gotypes.go:90"
		print "#\t0x3003\tmain.balancedNative+0x0\t/src/app/render.go:20"
	}' >"$out/cgosvc/cgo-$t.txt"
	c=$((n * 256 * 4096 + n * 4096 * 16 + 16 * 4096))
	echo "$ct,$((4 * MiB)),$((4 * MiB)),0,0,524288,$((8 * MiB)),$i,10,$((4 * MiB + 524288 + 4 * MiB - 524288 + c + 6 * MiB))" \
		>>"$out/cgosvc/memstats.csv"
	# gorsvc
	awk -v n=$n 'BEGIN {
		id = 100
		print "goroutine 1 [select]:"
		print "main.main()"
		print "\t/src/app/main.go:40 +0x1d"
		print ""
		print "goroutine 2 [IO wait]:"
		print "internal/poll.runtime_pollWait(0x7f0000000000, 0x72)"
		print "\t/usr/lib/go/src/runtime/netpoll.go:305 +0x89"
		print "net/http.(*conn).serve(0xc000100000, {0x0, 0x0})"
		print "\t/usr/lib/go/src/net/http/server.go:1991 +0x607"
		print "created by net/http.(*Server).Serve"
		print "\t/usr/lib/go/src/net/http/server.go:3102 +0x4db"
		print ""
		print "goroutine 3 [sleep]:"
		print "time.Sleep(0x3b9aca00)"
		print "\t/usr/lib/go/src/runtime/time.go:195 +0x135"
		print "main.ticker()"
		print "\t/src/app/main.go:50 +0x25"
		print "created by main.main"
		print "\t/src/app/main.go:41 +0x25"
		for (c = 0; c < n; c++) {
			wait = n - 1 - c
			for (k = 0; k < 10; k++) {
				print ""
				if (wait > 0)
					printf "goroutine %d [chan receive, %d minutes]:\n", id++, wait
				else
					printf "goroutine %d [chan receive]:\n", id++
				print "main.worker(0xc000020000)"
				print "\t/src/app/worker.go:9 +0x25"
				print "created by main.spawn"
				print "\t/src/app/worker.go:4 +0x30"
			}
		}
	}' >"$out/gorsvc/goroutine-dump-$t.txt"
	# rsssvc
	echo "$ct,$((4 * MiB)),$((4 * MiB)),$MiB,0,524288,$((12 * MiB)),$i,10,$((20 * MiB + i * MiB))" \
		>>"$out/rsssvc/memstats.csv"
	i=$((i + 1))
done
