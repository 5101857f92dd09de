#!/bin/sh
# t0020: Go's legacy text profiles through the public reader (test-tool
# raw/check/roundtrip): heap/allocs ?debug=1 and goroutine/threadcreate
# ?debug=1 values and stacks equal `go tool pprof -raw` of the same text
# (Go 1.19.8 goldens); frames are named from the '#' lines; MemStats and
# goroutine ?debug=2 dumps come through; malformed text exits 2 with one
# line naming the file and the line.
. "$(dirname "$0")/lib.sh"

G=$TESTDATA/go1.19
T=$TESTDATA/text
P=$TESTDATA/public

# norm_ours: test-tool raw -> one line per merged sample,
# "ADDR ADDR ...|bytes=N v1 v2 ...", merged as pprof's -raw is (equal stack
# and bytes label summed, all-zero samples and empty stacks dropped), sorted.
norm_ours() {
	awk '
	/^location id=/ { split($2, a, "="); split($4, b, "="); addr[a[2]] = b[2] }
	/^sample values=/ { flush(); split($2, v, "="); vals = v[2]; split($3, l, "="); locs = l[2]; bytes = "" }
	/^  label key="bytes" num=/ { split($3, n, "="); bytes = "|bytes=" n[2] }
	function flush(   k, i, n, ids, key, vv) {
		if (vals == "") return
		n = split(locs, ids, ",")
		key = ""
		for (i = 1; i <= n; i++) if (ids[i] != "") key = key (key == "" ? "" : " ") addr[ids[i]]
		key = key bytes
		if (key != bytes && vals !~ /^(0,)*0$/) {
			nv = split(vals, vv, ",")
			for (i = 1; i <= nv; i++) sum[key, i] += vv[i]
			if (!(key in seen)) { seen[key] = 1; keys[++nk] = key }
		}
		vals = ""
	}
	END { flush(); for (j = 1; j <= nk; j++) { line = keys[j]; for (i = 1; i <= nv; i++) line = line " " sum[keys[j], i]; print line } }
	' | sort
}

# norm_pprof: go tool pprof -raw -> the same form.
norm_pprof() {
	awk '
	/^Samples:/ { sec = 1; next }
	/^Locations/ { sec = 3; next }
	/^Mappings/ { sec = 4; next }
	sec == 1 { sec = 2; next }
	sec == 2 && /bytes:\[/ { sub(/.*bytes:\[/, ""); sub(/\].*/, ""); byt[ns] = "|bytes=" $0; next }
	sec == 2 && /:/ { ns++; split($0, h, ":"); vals[ns] = h[1]; ids[ns] = h[2]; next }
	sec == 3 { id = $1; sub(/:/, "", id); addr[id] = $2 }
	END {
		for (s = 1; s <= ns; s++) {
			n = split(ids[s], l, " "); key = ""
			for (i = 1; i <= n; i++) key = key (key == "" ? "" : " ") addr[l[i]]
			m = split(vals[s], v, " "); line = key byt[s]
			for (i = 1; i <= m; i++) line = line " " v[i]
			print line
		}
	}' | sort
}

# same_as_pprof TEXT GOLDEN
same_as_pprof() {
	test-tool raw "$1" >raw &&
	norm_ours <raw >actual &&
	norm_pprof <"$2" >expect &&
	test -s expect &&
	test_cmp expect actual
}

test_expect_success 'heap debug=1 (sampled) equals go tool pprof -raw' '
	same_as_pprof "$G/rate512k_heap_2.debug1.txt" "$G/goldens/rate512k_heap_2.debug1.parsed.raw.txt" &&
	grep -q "^source heap_text$" raw &&
	grep -q "^period 524288$" raw &&
	grep -q "^period_type \"space\" \"bytes\"$" raw
'

test_expect_success 'heap debug=1 (rate 1) equals go tool pprof -raw' '
	same_as_pprof "$G/rate1_heap_2.debug1.txt" "$G/goldens/rate1_heap_2.debug1.parsed.raw.txt" &&
	same_as_pprof "$G/rate1_heap_1.debug1.txt" "$T/goldens/rate1_heap_1.debug1.parsed.raw.txt"
'

test_expect_success 'header alloc == inuse: 2-column objects/space profile' '
	same_as_pprof "$G/empty_heap.debug1.txt" "$G/goldens/empty_heap.debug1.parsed.raw.txt" &&
	grep "^sample_type" raw >types &&
	printf "%s\n" "sample_type \"objects\" \"count\"" "sample_type \"space\" \"bytes\"" >expect &&
	test_cmp expect types &&
	grep -q "^period 0$" raw
'

test_expect_success 'older Go heap text (gobench.heap, no # lines)' '
	same_as_pprof "$P/google-pprof/profile/testdata/gobench.heap" \
		"$P/goldens/google-pprof_profile_testdata_gobench.heap.raw.txt"
'

test_expect_success 'heap_v2, heapprofile, negative in-use, memory map, CRLF variants' '
	for v in heap_v2 heapprofile neg_inuse twocol_scaled mmap_sentinel crlf; do
		same_as_pprof "$T/$v.heap.txt" "$T/goldens/$v.heap.parsed.raw.txt" ||
		{ echo "variant $v"; exit 1; }
	done
'

test_expect_success 'heap frames are named from the # lines' '
	test-tool raw "$G/rate512k_heap_2.debug1.txt" >raw &&
	grep -q "^function id=[0-9]* name=\"main.leakBig\" system_name=\"main.leakBig\" file=\"leakdemo/main.go\"" raw &&
	id=$(sed -n "s/^function id=\([0-9]*\) name=\"main.leakBig\".*/\1/p" raw) &&
	grep -A1 "address=0x4bbe08 " raw | grep -q "line function=$id line=30 "
'

test_expect_success 'heap MemStats trailer' '
	test-tool raw "$G/rate512k_heap_2.debug1.txt" >raw &&
	grep "^memstat" raw >actual &&
	cat >expect <<-\EOF &&
	memstat "Alloc" 14058224
	memstat "TotalAlloc" 56754672
	memstat "Sys" 36025608
	memstat "Lookups" 0
	memstat "Mallocs" 17536
	memstat "Frees" 10882
	memstat "HeapAlloc" 14058224
	memstat "HeapSys" 24870912
	memstat "HeapIdle" 10354688
	memstat "HeapInuse" 14516224
	memstat "HeapReleased" 917504
	memstat "HeapObjects" 6654
	memstat "Stack" 294912
	memstat "StackSys" 294912
	memstat "MSpan" 155808
	memstat "MSpanSys" 341712
	memstat "MCache" 2400
	memstat "MCacheSys" 15600
	memstat "BuckHashSys" 1447417
	memstat "GCSys" 8357248
	memstat "OtherSys" 697807
	memstat "NextGC" 25791968
	memstat "LastGC" 1.7956745286881633e+18
	memstat "NumGC" 11
	memstat "NumForcedGC" 2
	memstat "GCCPUFraction" 0.046318543107785999
	memstat "DebugGC" 0
	memstat "MaxRSS" 18837504
	EOF
	test_cmp expect actual
'

test_expect_success 'goroutine debug=1 equals go tool pprof -raw, labels kept' '
	same_as_pprof "$G/rate512k_goroutine.debug1.txt" "$G/goldens/rate512k_goroutine.debug1.parsed.raw.txt" &&
	grep -q "^source count_text$" raw &&
	grep -q "^period_type \"goroutine\" \"count\"$" raw &&
	grep -c "^  label key=\"worker\" str=\"w[01]\"$" raw >n &&
	echo 2 >expect && test_cmp expect n &&
	grep -c "^  label key=\"job\" str=\"sync\"$" raw >n &&
	test_cmp expect n
'

test_expect_success 'threadcreate debug=1 (go.godoc.thread) equals go tool pprof -raw' '
	same_as_pprof "$P/google-pprof/profile/testdata/go.godoc.thread" \
		"$P/goldens/google-pprof_profile_testdata_go.godoc.thread.raw.txt" &&
	grep -q "^sample_type \"threadcreate\" \"count\"$" raw
'

test_expect_success 'goroutine debug=2 dump: 58 goroutines by state' '
	test-tool raw "$G/rate512k_goroutine.debug2.txt" >raw &&
	grep -q "^source goroutine_dump$" raw &&
	sed -n "s/^goroutine id=[0-9]* state=\(\"[^\"]*\"\).*/\1/p" raw | sort | uniq -c >actual &&
	cat >expect <<-\EOF &&
	     50 "chan receive"
	      1 "running"
	      7 "select"
	EOF
	test_cmp expect actual &&
	grep -c "^sample values=1 " raw >n && echo 58 >expect && test_cmp expect n &&
	grep -c "^  label key=\"state\" str=\"chan receive\"$" raw >n &&
	echo 50 >expect && test_cmp expect n
'

test_expect_success 'goroutine dump: frames, creators, Go 1.21 and system tracebacks' '
	test-tool raw "$T/variants.debug2.txt" >raw &&
	sed -n "/^goroutine id=5 /,/^goroutine id=7 /p" raw >g5 &&
	cat >expect <<-\EOF &&
	goroutine id=5 state="chan receive" wait_minutes=12 locked_to_thread=1 created_by_goroutine=1
	  frame func="main.block" file="/tmp/x/main.go" line=17 inlined=0
	  frame func="main.inl" file="/tmp/x/main.go" line=19 inlined=1
	  frame func="main.spawn.func1" file="/tmp/x/main.go" line=22 inlined=0
	  created_by func="main.main" file="/tmp/x/main.go" line=20 inlined=0
	goroutine id=7 state="select" wait_minutes=0 locked_to_thread=0 created_by_goroutine=1
	EOF
	test_cmp expect g5 &&
	grep -q "^  label key=\"wait_minutes\" num=12 num_unit=\"minutes\"$" raw
'

test_expect_success 'text profiles survive a protobuf round trip with their names' '
	for f in "$G/rate512k_heap_2.debug1.txt" "$G/rate512k_goroutine.debug1.txt" \
		"$G/rate512k_goroutine.debug2.txt"; do
		test-tool roundtrip "$f" out.pb.gz &&
		test-tool raw "$f" | grep -c "^function " >a &&
		test-tool raw out.pb.gz | grep -c "^function " >b &&
		test_cmp a b &&
		test-tool raw out.pb.gz | grep -q "name=\"main.main\"" || exit 1
	done
'

# expect_error FILE MESSAGE: check exits 2 with exactly that one line.
expect_error() {
	printf "test-tool: '%s': %s\n" "$1" "$2" >expect &&
	test_expect_code 2 test-tool check "$1" 2>actual &&
	test_cmp expect actual
}

test_expect_success 'malformed heap text: one line naming file and line' '
	printf "heap profile: 1: 2 [3: 4] @ heap/2\n1: 2 [3: 4] @ 0x10\n\n1: 2 [3 4] @ 0x10\n" >bad1 &&
	expect_error bad1 "line 4: bad heap record" &&
	printf "heap profile: 1: 2 [3: 4] @ heap/2\n0: 8 [3: 4] @ 0x10\n" >bad2 &&
	expect_error bad2 "line 2: inuse count was 0 but inuse bytes was 8" &&
	printf "heap profile: 1: 2 [3: 4] @ heapz/2\n" >bad3 &&
	expect_error bad3 "line 1: unknown heap profile kind" &&
	printf "heap profile: 1: 2 [3: 4] @ heap/2\n1: 2 [3: 4] @ 0x10 0xzz\n" >bad4 &&
	expect_error bad4 "line 2: bad address in heap record"
'

test_expect_success 'malformed goroutine text: one line naming file and line' '
	printf "goroutine profile: total 1\n1 @ 0x10\n# labels: {\"a\":\"b\"\n" >bad5 &&
	expect_error bad5 "line 3: bad labels line" &&
	printf "goroutine profile: total 1\n1 @ 0x10\nx @ 0x20\n" >bad6 &&
	expect_error bad6 "line 3: bad record header" &&
	printf "goroutine 1 [running]:\nmain.main()\n\tmain.go\n" >bad7 &&
	expect_error bad7 "line 3: bad file:line" &&
	printf "goroutine 1 [running]:\nmain.main()\n\tmain.go:3\n\nwhat is this\n" >bad8 &&
	expect_error bad8 "line 5: expected a goroutine header"
'

test_expect_success 'truncated text at every line never crashes' '
	f="$G/rate512k_goroutine.debug2.txt" &&
	n=$(wc -l <"$f") && i=1 &&
	while [ $i -le "$n" ]; do
		head -n $i "$f" >cut && head -c -3 cut >cut2 &&
		for c in cut cut2; do
			test-tool check $c 2>err
			rc=$?
			[ $rc -eq 0 ] || [ $rc -eq 2 ] || { echo "line $i: exit $rc"; exit 1; }
			[ $rc -eq 0 ] || [ $(wc -l <err) -eq 1 ] || { echo "line $i: $(cat err)"; exit 1; }
		done
		i=$((i + 7))
	done
'

test_done
