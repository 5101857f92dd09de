#!/bin/sh
# leak-blame on a synthetic archive whose every value is known
# (testdata/blame/synth.sh: Go's text formats at MemProfileRate 1, so no
# sampling): who is blamed (past bytes.*, the cgo wrapper to its Go caller
# and its C function, --blame-skip, --runtime-prefix), the exact rates,
# shares and values, goroutine dump evidence, the memory picture and the
# unexplained-RSS suspect, multi-service archives and profile-file input.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: synthetic archive' '
	sh "$TESTDATA/blame/synth.sh" "$TRASH/arch" &&
	test_expect_code 1 leak-blame --format=json "$TRASH/arch" >"$TRASH/out.json"
'

# jq-like checks in python: check EXPR... each an assertion over d (the report)
# and S(service, rank) (a suspect).
check() {
	python3 - "$TRASH/out.json" "$@" <<-\EOF
	import json, sys
	d = json.load(open(sys.argv[1]))
	def S(service, rank):
	    for s in d["suspects"]:
	        if s["service"] == service and s["rank"] == rank:
	            return s
	    raise AssertionError("no suspect %s #%d" % (service, rank))
	def near(a, b):
	    return abs(a - b) <= 1e-9 * max(1, abs(b))
	for e in sys.argv[2:]:
	    if not eval(e):
	        sys.exit("failed: " + e)
	EOF
}

MIB60=62914560

test_expect_success 'four services, in name order, with their own verdicts' '
	check "[x[\"service\"] for x in d[\"services\"]] == [\"cgosvc\", \"gorsvc\", \"heapsvc\", \"rsssvc\"]" \
	      "[x[\"suspects\"] for x in d[\"services\"]] == [2, 1, 2, 1]" \
	      "d[\"verdict\"] == \"leak\"" "d[\"service\"] is None"
'

test_expect_success 'heap: blame passes bytes.makeSlice and bytes.(*Buffer).grow' '
	check "S(\"heapsvc\", 1)[\"function\"] == \"main.(*Store).add\"" \
	      "S(\"heapsvc\", 1)[\"file\"] == \"/src/app/store.go\"" \
	      "S(\"heapsvc\", 1)[\"line\"] == 12" \
	      "S(\"heapsvc\", 1)[\"source\"] == \"heap\"" \
	      "S(\"heapsvc\", 1)[\"stack\"] == [\"main.handle /src/app/main.go:20\", \"main.(*Store).add /src/app/store.go:12\", \"bytes.(*Buffer).grow /usr/lib/go/src/bytes/buffer.go:142\", \"bytes.makeSlice /usr/lib/go/src/bytes/buffer.go:229\"]"
'

test_expect_success 'heap: exact rates (60 and 30 MiB/h), shares, first and last' '
	check "near(S(\"heapsvc\", 1)[\"bytes_per_hour\"], $MIB60)" \
	      "near(S(\"heapsvc\", 2)[\"bytes_per_hour\"], $MIB60 / 2)" \
	      "S(\"heapsvc\", 2)[\"function\"] == \"main.poolGet\"" \
	      "near(S(\"heapsvc\", 1)[\"share\"], 2 / 3) and near(S(\"heapsvc\", 2)[\"share\"], 1 / 3)" \
	      "S(\"heapsvc\", 1)[\"first\"] == 3 * 1048576 and S(\"heapsvc\", 1)[\"last\"] == 20 * 1048576" \
	      "S(\"heapsvc\", 1)[\"points\"] == 18" \
	      "S(\"heapsvc\", 1)[\"verdict\"] == \"leak\" and S(\"heapsvc\", 1)[\"confidence\"] > 0.999" \
	      "S(\"heapsvc\", 1)[\"series\"][\"values\"][:3] == [1048576, 2097152, 3145728]" \
	      "S(\"heapsvc\", 1)[\"series\"][\"times\"][1] - S(\"heapsvc\", 1)[\"series\"][\"times\"][0] == 60"
'

test_expect_success 'heap: the steady working set is no suspect' '
	check "all(s[\"function\"] != \"main.work\" for s in d[\"suspects\"])"
'

test_expect_success '--blame-skip passes over a helper to its caller' '
	test_expect_code 1 leak-blame --format=json --blame-skip="^main\\.poolGet\$" "$TRASH/arch" >"$TRASH/out.json" &&
	check "S(\"heapsvc\", 2)[\"function\"] == \"main.serve\"" "S(\"heapsvc\", 2)[\"line\"] == 30"
'

test_expect_success '--runtime-prefix=none blames the leaf itself' '
	test_expect_code 1 leak-blame --format=json --runtime-prefix=none "$TRASH/arch" >"$TRASH/out.json" &&
	check "S(\"heapsvc\", 1)[\"function\"] == \"bytes.makeSlice\""
'

test_expect_success '--runtime-prefix adds to the defaults' '
	test_expect_code 1 leak-blame --format=json --runtime-prefix=main.poolGet,main.nothing "$TRASH/arch" >"$TRASH/out.json" &&
	check "S(\"heapsvc\", 1)[\"function\"] == \"main.(*Store).add\"" \
	      "S(\"heapsvc\", 2)[\"function\"] == \"main.serve\""
'

test_expect_success 'cgo: the Go caller of the wrapper is blamed, the C function named' '
	test_expect_code 1 leak-blame --format=json "$TRASH/arch" >"$TRASH/out.json" &&
	check "S(\"cgosvc\", 1)[\"function\"] == \"main.renderNative\"" \
	      "S(\"cgosvc\", 1)[\"line\"] == 8 and S(\"cgosvc\", 1)[\"source\"] == \"cgo\"" \
	      "S(\"cgosvc\", 1)[\"c_function\"] == \"leaky_c_alloc\"" \
	      "S(\"cgosvc\", 1)[\"c_location\"] == {\"function\": \"leaky_c_alloc\", \"file\": \"/src/app/leaky.c\", \"line\": 21}" \
	      "S(\"cgosvc\", 1)[\"pattern\"] == \"cgo-leak\"" \
	      "near(S(\"cgosvc\", 1)[\"bytes_per_hour\"], $MIB60)"
'

test_expect_success 'cgo: C.CString is named through its wrapper' '
	check "S(\"cgosvc\", 2)[\"function\"] == \"main.registerName\"" \
	      "S(\"cgosvc\", 2)[\"c_function\"] == \"C.CString\"" \
	      "near(S(\"cgosvc\", 2)[\"bytes_per_hour\"], 64 * 1024 * 60)" \
	      "all(s[\"function\"] != \"main.balancedNative\" for s in d[\"suspects\"])"
'

test_expect_success 'goroutine dumps: the group, its state, wait and creation site' '
	check "S(\"gorsvc\", 1)[\"function\"] == \"main.worker\"" \
	      "S(\"gorsvc\", 1)[\"pattern\"] == \"goroutine-leak\"" \
	      "S(\"gorsvc\", 1)[\"pattern_confidence\"] == \"medium\"" \
	      "near(S(\"gorsvc\", 1)[\"goroutines_per_hour\"], 600)" \
	      "near(S(\"gorsvc\", 1)[\"bytes_per_hour\"], 600 * 8192)" \
	      "S(\"gorsvc\", 1)[\"goroutines\"][\"state\"] == \"chan receive\"" \
	      "S(\"gorsvc\", 1)[\"goroutines\"][\"wait_minutes_max\"] == 19" \
	      "S(\"gorsvc\", 1)[\"goroutines\"][\"created_by\"] == {\"function\": \"main.spawn\", \"file\": \"/src/app/worker.go\", \"line\": 4}" \
	      "S(\"gorsvc\", 1)[\"first\"] == 30 and S(\"gorsvc\", 1)[\"last\"] == 200"
'

test_expect_success 'memory picture: exact parts; the traced C heap explains RSS' '
	check "[p[\"part\"] for p in d[\"services\"][0][\"picture\"][\"parts\"]] == [\"rss\", \"go_heap\", \"stacks\", \"runtime\", \"c_heap\", \"unexplained\"]" \
	      "{p[\"part\"]: p[\"verdict\"] for p in d[\"services\"][0][\"picture\"][\"parts\"]} == {\"rss\": \"leak\", \"go_heap\": \"steady\", \"stacks\": \"steady\", \"runtime\": \"steady\", \"c_heap\": \"leak\", \"unexplained\": \"steady\"}" \
	      "near(d[\"services\"][0][\"picture\"][\"parts\"][4][\"bytes_per_hour\"], $MIB60 + 64 * 1024 * 60)" \
	      "d[\"services\"][2][\"picture\"][\"values\"][\"unexplained\"][0] == 4.5 * 1048576" \
	      "d[\"services\"][1][\"picture\"] is None"
'

test_expect_success 'unexplained RSS: a suspect when Go figures stay flat' '
	check "S(\"rsssvc\", 1)[\"function\"] == \"(unexplained)\"" \
	      "S(\"rsssvc\", 1)[\"pattern\"] == \"unexplained-rss\"" \
	      "S(\"rsssvc\", 1)[\"source\"] == \"rss\"" \
	      "near(S(\"rsssvc\", 1)[\"bytes_per_hour\"], $MIB60)" \
	      "near(S(\"rsssvc\", 1)[\"share\"], 1)"
'

test_expect_success 'profile files in any order: one unnamed service, same suspects' '
	ls "$TRASH"/arch/heapsvc/heap-*.txt | sort -r >list &&
	test_expect_code 1 leak-blame --format=json $(cat list) >"$TRASH/out.json" &&
	check "[x[\"service\"] for x in d[\"services\"]] == [\"\"]" \
	      "S(\"\", 1)[\"function\"] == \"main.(*Store).add\"" \
	      "near(S(\"\", 1)[\"bytes_per_hour\"], $MIB60)"
'

test_expect_success 'a target directory given directly is one service, named after it' '
	test_expect_code 1 leak-blame --format=json "$TRASH/arch/heapsvc/" >"$TRASH/out.json" &&
	check "d[\"service\"] == \"heapsvc\"" "len(d[\"suspects\"]) == 2" &&
	test_expect_code 1 leak-blame --format=json --service=shop "$TRASH/arch/heapsvc" >"$TRASH/out.json" &&
	check "d[\"service\"] == \"shop\"" "S(\"shop\", 1)[\"function\"] == \"main.(*Store).add\""
'

test_expect_success '--max-suspects and --stacks cut the report, not the count' '
	test_expect_code 1 leak-blame --format=json --max-suspects=1 --stacks=0 "$TRASH/arch/heapsvc" >"$TRASH/out.json" &&
	check "len(d[\"suspects\"]) == 1" "d[\"services\"][0][\"suspects\"] == 2" \
	      "d[\"suspects\"][0][\"stacks\"] == []" &&
	test_expect_code 1 leak-blame --max-suspects=1 "$TRASH/arch/heapsvc" >out &&
	grep -q "^(1 more suspects" out
'

test_expect_success 'too few snapshots: no suspect, exit 0' '
	mkdir short && cp "$TRASH"/arch/heapsvc/heap-20260101T000[0-4]00.000Z.txt short/ &&
	test_expect_code 0 leak-blame short >out &&
	grep -q "^verdict: no leak (too few snapshots to judge: 4 heap snapshots after the warm-up, --min-points=8 needed)$" out
'

test_done
