#!/bin/sh
# pprof-diff against the real go tool pprof, run here on profiles written
# here: testdata/diff/leakprog's baseline run and its "branch" run, which
# adds one leak (48 x 64 KiB in main.leakSessions, exact at
# MemProfileRate 1) and leaves more goroutines blocked. Every table must
# equal `go tool pprof -top -diff_base BASE CURRENT` for the same options.
. "$(dirname "$0")/lib.sh"

if ! test_have_prereq GO; then
	test_skip_all 'go is not installed (needed to build leakprog and to run go tool pprof)'
fi

D=$TESTDATA/diff

# pprof_table PPROF-ARGS... >out: pprof's -top table (inline markers stripped).
pprof_table() {
	go tool pprof -symbolize=none -top "$@" >pp.out 2>pp.err || { cat pp.err >&2; return 1; }
	sed -n '/^Showing nodes/,$p' pp.out | sed -e 's/ (inline)$//' -e 's/ (partial-inline)$//'
}
# vs_pprof 'PPROF-ARGS' 'PPROF-DIFF-ARGS' BASE CURRENT (the args are split)
# shellcheck disable=SC2086
vs_pprof() {
	pprof_table $1 -diff_base "$3" "$4" >expect &&
	test -s expect &&
	pprof-diff $2 "$3" "$4" >report &&
	sed -n '/^Showing nodes/,/^$/p' report | sed '/^$/d' >actual &&
	test_cmp expect actual
}

test_expect_success 'build leakprog and mkprof (testdata/diff)' '
	lw_go_build "$TRASH/leakprog" "$D/leakprog" &&
	lw_go_build "$TRASH/mkprof" "$D/mkprof"
'

test_expect_success 'baseline and branch runs write heap, allocs and goroutine profiles' '
	./leakprog -heap base.pb.gz -allocs base.allocs.pb.gz -goroutine gbase.pb.gz -stuck 2 &&
	./leakprog -leak -heap cur.pb.gz -allocs cur.allocs.pb.gz -goroutine gcur.pb.gz -stuck 7 &&
	./leakprog -heap b2.pb.gz -jitter 3 &&
	./leakprog -heap b3.pb.gz -jitter 1 &&
	./leakprog -leak -heap c2.pb.gz &&
	test -s base.pb.gz && test -s cur.pb.gz && test -s gcur.pb.gz
'

test_expect_success 'the leak: exactly 48 x 64 KiB, new in main.leakSessions' '
	pprof-diff -f csv base.pb.gz cur.pb.gz >csv &&
	grep -x "main.leakSessions,0,3145728,3145728,,0,3145728,3145728,.*" csv &&
	pprof-diff -f csv -i inuse_objects base.pb.gz cur.pb.gz >csv &&
	grep "^main.leakSessions,0,48,48,,0,48,48," csv &&
	pprof-diff -f csv -i alloc_space base.pb.gz cur.pb.gz >csv &&
	grep "^main.leakSessions,0,3145728,3145728," csv
'

test_expect_success 'negative delta: three fewer cache entries than the base run' '
	pprof-diff -f csv b2.pb.gz base.pb.gz >csv &&
	grep "^main.fillCache,1097728,1048576,-49152,-4.48,1097728,1048576,-49152," csv
'

test_expect_success 'goroutine counts are levels: +5 blocked in main.stuckWorker' '
	pprof-diff -f csv gbase.pb.gz gcur.pb.gz >csv &&
	grep "^main.stuckWorker,0,0,0,,2,7,5," csv
'

for idx in inuse_space inuse_objects alloc_space alloc_objects; do
	test_expect_success "leakprog -sample_index=$idx: functions, lines, cum, all nodes" "
		vs_pprof '-sample_index=$idx' '-i $idx' base.pb.gz cur.pb.gz &&
		vs_pprof '-sample_index=$idx -lines' '-i $idx --view=lines' base.pb.gz cur.pb.gz &&
		vs_pprof '-sample_index=$idx -cum' '-i $idx --cum' base.pb.gz cur.pb.gz &&
		vs_pprof '-sample_index=$idx -nodefraction=0' '-i $idx --nodefraction=0' base.pb.gz cur.pb.gz &&
		vs_pprof '-sample_index=$idx -nodecount=3' '-i $idx -n 3' base.pb.gz cur.pb.gz &&
		vs_pprof '-sample_index=$idx' '-i $idx' cur.pb.gz base.pb.gz
	"
done

test_expect_success 'leakprog -normalize (pprof scales the current side)' '
	vs_pprof "-normalize" "--normalize" base.pb.gz cur.pb.gz &&
	vs_pprof "-normalize -sample_index=alloc_space -nodefraction=0" \
		"--normalize -i alloc_space --nodefraction=0" base.pb.gz cur.pb.gz
'

test_expect_success 'heap base vs allocs current: compared by sample type name' '
	vs_pprof "" "" base.pb.gz cur.allocs.pb.gz &&
	grep "^Type: alloc_space" report
'

test_expect_success 'another MemProfileRate: heap values are compared as they are, as pprof' '
	./leakprog -leak -rate 524288 -heap r512k.pb.gz &&
	vs_pprof "-nodefraction=0" "--nodefraction=0" base.pb.gz r512k.pb.gz &&
	grep -x "Note: sampling periods differ; values are already unsampled estimates, compared as they are" report
'

test_expect_success 'goroutine profiles' '
	vs_pprof "-nodefraction=0" "--nodefraction=0" gbase.pb.gz gcur.pb.gz
'

# Go 1.19 pprof keeps only the last -diff_base, so the bases are merged by
# pprof itself first (-proto of several sources is their sum).
test_expect_success '--combine=sum equals pprof on merged bases and several sources' '
	go tool pprof -symbolize=none -proto -output bases.pb.gz base.pb.gz b2.pb.gz b3.pb.gz \
		2>/dev/null &&
	pprof_table -nodefraction=0 -diff_base bases.pb.gz cur.pb.gz c2.pb.gz >expect &&
	pprof-diff --combine=sum --nodefraction=0 --base base.pb.gz --base b2.pb.gz \
		--base b3.pb.gz --current cur.pb.gz --current c2.pb.gz >report &&
	sed -n "/^Showing nodes/,/^\$/p" report | sed "/^\$/d" >actual &&
	test_cmp expect actual
'

test_expect_success '--normalize --combine=sum with several runs equals pprof -normalize' '
	pprof_table -normalize -nodefraction=0 -diff_base bases.pb.gz cur.pb.gz c2.pb.gz >expect &&
	pprof-diff --normalize --combine=sum --nodefraction=0 --base base.pb.gz --base b2.pb.gz \
		--base b3.pb.gz --current cur.pb.gz --current c2.pb.gz >report &&
	sed -n "/^Showing nodes/,/^\$/p" report | sed "/^\$/d" >actual &&
	test_cmp expect actual
'

test_expect_success 'an empty base: pprof takes the current total' '
	vs_pprof "" "" "$D/profiles/empty.pb.gz" "$D/profiles/current.pb.gz"
'

test_expect_success 'synthetic profiles, every sample type' '
	for idx in alloc_objects alloc_space inuse_objects inuse_space; do
		vs_pprof "-sample_index=$idx -nodefraction=0" "-i $idx --nodefraction=0" \
			"$D/profiles/base.pb.gz" "$D/profiles/current.pb.gz" || exit 1
	done
'

test_expect_success '--proto: go tool pprof -raw equals its own -diff_base -proto' '
	go tool pprof -symbolize=none -proto -output pp.pb.gz -diff_base base.pb.gz cur.pb.gz 2>/dev/null &&
	pprof-diff --proto ours.pb.gz base.pb.gz cur.pb.gz >/dev/null &&
	go tool pprof -symbolize=none -raw pp.pb.gz >expect 2>/dev/null &&
	go tool pprof -symbolize=none -raw ours.pb.gz >actual 2>/dev/null &&
	test $(grep -c "pprof::base" expect) -gt 0 &&
	test_cmp expect actual
'

test_expect_success '--proto: equals the shipped golden diff profile (rate1)' '
	G=$TESTDATA/go1.19 &&
	pprof-diff --proto ours.pb.gz $G/rate1_heap_1.pb.gz $G/rate1_heap_2.pb.gz >/dev/null &&
	go tool pprof -symbolize=none -raw $G/goldens/rate1_heap_2_vs_heap_1.diff_base.pb.gz >expect 2>/dev/null &&
	go tool pprof -symbolize=none -raw ours.pb.gz >actual 2>/dev/null &&
	test_cmp expect actual
'

test_expect_success '--proto read by pprof shows the same table as -diff_base' '
	pprof-diff --proto ours.pb.gz base.pb.gz cur.pb.gz >report &&
	pprof_table ours.pb.gz >actual &&
	sed -n "/^Showing nodes/,/^\$/p" report | sed "/^\$/d" >expect &&
	test_cmp expect actual
'

test_expect_success 'the shipped synthetic profiles are what mkprof makes of the specs' '
	for s in "$D"/specs/*.txt; do
		n=$(basename "$s" .txt) &&
		./mkprof <"$s" >"$n.pb.gz" &&
		gzip -dc "$n.pb.gz" >new &&
		gzip -dc "$D/profiles/$n.pb.gz" >old &&
		cmp new old || { echo "regenerate testdata/diff/profiles/$n.pb.gz"; exit 1; }
	done
'

test_done
