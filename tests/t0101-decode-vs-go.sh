#!/bin/sh
# pprof-decode against `go tool pprof`, both run here on profiles written
# by a Go program of ours (testdata/decode/leakgen: inlined allocation
# sites, 45-deep recursion truncated at 32 frames, one allocator reached
# by two paths, goroutines blocked under pprof labels, MemProfileRate=1).
# Compared byte for byte: -top for every sample index and for -lines,
# -cum, -nodecount, -nodefraction, -focus, -ignore; -traces; a two-file
# merge; and the samples of -raw against --samples.
. "$(dirname "$0")/lib.sh"

if ! test_have_prereq GO; then
	test_skip_all 'go is not installed (scripts/install-deps installs golang-go)'
fi

gopprof() {
	go tool pprof -symbolize=none "$@" 2>/dev/null
}

test_expect_success 'build and run the profile generator' '
	lw_go_build "$TRASH/leakgen" "$TESTDATA/decode/leakgen" &&
	mkdir -p "$TRASH/p" && "$TRASH/leakgen" "$TRASH/p" &&
	test -s "$TRASH/p/heap2.pb.gz" && test -s "$TRASH/p/goroutine.pb.gz"
'
P=$TRASH/p

for f in heap1 heap2 allocs2; do
	for si in "" alloc_objects alloc_space inuse_objects inuse_space; do
		test_expect_success "top $f ${si:-default}" "
			gopprof -top ${si:+-sample_index=$si} \"$P/$f.pb.gz\" >expect &&
			pprof-decode ${si:+--sample-index=$si} \"$P/$f.pb.gz\" >actual &&
			test_cmp expect actual
		"
	done
done

test_expect_success 'top goroutine (string labels)' '
	gopprof -top "$P/goroutine.pb.gz" >expect &&
	pprof-decode "$P/goroutine.pb.gz" >actual &&
	test_cmp expect actual
'

# pprof flag | pprof-decode flag
while read -r gflags mflags; do
	[ -n "$gflags" ] || continue
	gf=$(echo "$gflags" | tr , ' ') mf=$(echo "$mflags" | tr , ' ')
	test_expect_success "top heap2 $gf" "
		gopprof -top $gf \"$P/heap2.pb.gz\" >expect &&
		pprof-decode $mf \"$P/heap2.pb.gz\" >actual &&
		test_cmp expect actual
	"
done <<'CASES'
-lines --lines
-cum --cum
-nodecount=5 --nodecount=5
-nodefraction=0 --nodefraction=0
-lines,-nodecount=7 --lines,--nodecount=7
-lines,-cum,-sample_index=alloc_space --lines,--cum,--sample-index=alloc_space
-focus=recurse --focus=recurse
-ignore=shared --ignore=shared
-focus=main,-ignore=leakMap --focus=main,--ignore=leakMap
-focus=viaB,-sample_index=alloc_objects --focus=viaB,--sample-index=alloc_objects
-focus=nomatchatall --focus=nomatchatall
CASES

test_expect_success 'the tables show inlined frames as (inline)' '
	pprof-decode --nodefraction=0 "$P/heap2.pb.gz" >actual &&
	grep -q "main.grow (inline)" actual
'

for f in heap2 goroutine; do
	test_expect_success "traces $f" "
		gopprof -traces \"$P/$f.pb.gz\" >expect &&
		pprof-decode --traces \"$P/$f.pb.gz\" >actual &&
		test_cmp expect actual
	"
done

test_expect_success 'two files are merged as go tool pprof merges them' '
	gopprof -top "$P/heap1.pb.gz" "$P/heap2.pb.gz" >expect &&
	pprof-decode "$P/heap1.pb.gz" "$P/heap2.pb.gz" >actual &&
	test_cmp expect actual &&
	gopprof -traces "$P/heap1.pb.gz" "$P/heap2.pb.gz" >expect &&
	pprof-decode --traces "$P/heap1.pb.gz" "$P/heap2.pb.gz" >actual &&
	test_cmp expect actual
'

test_expect_success '--samples holds the same samples as -raw' '
	gopprof -raw "$P/heap2.pb.gz" >raw &&
	awk "/^Samples:/ {s=1; getline; next} /^Locations/ {s=0}
	     s && /^ *-?[0-9]/ {sub(/:.*/, \"\"); \$1=\$1; print}" raw | sort >expect &&
	test -s expect &&
	pprof-decode --samples "$P/heap2.pb.gz" >samples &&
	sed -e "/^#/d" -e "s/ |.*//" samples | sort >actual &&
	test_cmp expect actual
'

test_expect_success '--proto output opens in go tool pprof with the same table' '
	pprof-decode --proto -o merged.pb.gz "$P/heap1.pb.gz" "$P/heap2.pb.gz" &&
	gopprof -top merged.pb.gz >expect &&
	pprof-decode "$P/heap1.pb.gz" "$P/heap2.pb.gz" >actual &&
	test_cmp expect actual
'

test_expect_success '--proto --focus keeps exactly the focused samples' '
	pprof-decode --proto --focus=leakInline -o focus.pb.gz "$P/heap2.pb.gz" &&
	gopprof -top focus.pb.gz >expect &&
	pprof-decode focus.pb.gz >actual &&
	test_cmp expect actual &&
	pprof-decode --format=json --nodefraction=0 focus.pb.gz >f.json &&
	pprof-decode --format=json --nodefraction=0 --focus=leakInline "$P/heap2.pb.gz" >g.json &&
	python3 -c "import json,sys; f=json.load(open(\"f.json\")); g=json.load(open(\"g.json\"));
assert f[\"total\"] == g[\"shown_flat\"] > 0, (f[\"total\"], g[\"shown_flat\"])
assert f[\"total\"] < g[\"total\"]"
'


test_expect_success 'merge shifts addresses across mappings with wrapping int64 (no C overflow UB)' '
	M=$TESTDATA/decode/merge &&
	pprof-decode --proto -o mm.pb.gz "$M/map-low.pb" "$M/map-high.pb" &&
	test-tool raw mm.pb.gz >raw &&
	# go tool pprof -raw map-low.pb map-high.pb: "1: 0x2010 M=1", "2: 1"
	grep -x "location id=1 mapping=1 address=0x2010 is_folded=0" raw &&
	grep -x "sample values=2 locations=1" raw &&
	test $(grep -c "^location" raw) -eq 1
'

test_expect_success 'merged durations add with wrapping int64, as go tool pprof -proto (no C overflow UB)' '
	D=$TESTDATA/decode/merge/duration-max.pb &&
	pprof-decode --proto -o md.pb.gz "$D" "$D" &&
	test-tool raw md.pb.gz >raw &&
	grep -x "duration_nanos -2" raw
'

test_done
