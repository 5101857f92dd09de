#!/bin/sh
# pprof-diff against the shipped go tool pprof (Go 1.19) goldens: -diff_base
# and -base (--cancel) tables of real Go heap profiles, and the -diff_base
# -proto diff profile. Compared from the "Showing nodes" line on; pprof's
# "(inline)" markers are not reproduced and are stripped from the goldens.
. "$(dirname "$0")/lib.sh"

G=$TESTDATA/go1.19
GG=$G/goldens
PG=$TESTDATA/public/goldens
MANY=$TESTDATA/public/parca/pkg/query/testdata/many
DD=$TESTDATA/public/dd-trace-go/profiler/internal/fastdelta/testdata

# golden_table GOLDEN >expect: pprof's table, inline markers stripped.
golden_table() {
	sed -n '/^Showing nodes/,$p' "$1" | sed -e 's/ (inline)$//' -e 's/ (partial-inline)$//'
}
# our_table REPORT >actual: the table of a text report (it ends at a blank line).
our_table() {
	sed -n '/^Showing nodes/,/^$/p' "$1" | sed '/^$/d'
}
# check GOLDEN pprof-diff-args...
check() {
	_g=$1; shift
	pprof-diff "$@" >report &&
	golden_table "$_g" >expect &&
	test -s expect &&
	our_table report >actual &&
	test_cmp expect actual
}

for run in rate1 rate512k; do
	for idx in alloc_space inuse_objects inuse_space; do
		test_expect_success "$run heap_2 vs heap_1 -diff_base -sample_index=$idx" "
			check $GG/${run}_heap_2_vs_heap_1.diff_base.top.$idx.txt \
				-n 25 -i $idx $G/${run}_heap_1.pb.gz $G/${run}_heap_2.pb.gz
		"
		test_expect_success "$run heap_2 minus heap_1 -base -sample_index=$idx (--cancel)" "
			check $GG/${run}_heap_2_minus_heap_1.base.top.$idx.txt \
				--cancel -n 25 -i $idx $G/${run}_heap_1.pb.gz $G/${run}_heap_2.pb.gz
		"
	done
done

first=$MANY/1644509272337470000.pb.gz
last=$MANY/1644509299337903000.pb.gz
test_expect_success 'parca many/: last vs first -diff_base, top 20 of 61' '
	check "$PG/parca_many_last_vs_first.diff_base.top.txt" -n 20 "$first" "$last" &&
	grep -x "Showing top 20 nodes out of 61" actual &&
	grep -F " -512.05kB  1.07% 191.55%  -512.05kB  1.07%  regexp/syntax.(*parser).newRegexp" actual
'

test_expect_success 'parca many/: last minus first -base (--cancel)' '
	check "$PG/parca_many_last_minus_first.base.top.txt" --cancel -n 20 "$first" "$last"
'

test_expect_success 'dd-trace-go heap after minus before -base (everything cancels)' '
	check "$PG/dd-trace-go_heap.after_minus_before.base.top.txt" --cancel -n 20 \
		"$DD/heap.before.pprof" "$DD/heap.after.pprof" &&
	check "$PG/dd-trace-go_heap.after_minus_before.base.top.alloc_space.txt" --cancel -n 20 \
		-i alloc_space "$DD/heap.before.pprof" "$DD/heap.after.pprof"
'

for run in rate1 rate512k; do
	test_expect_success "$run --proto holds what pprof -diff_base -proto wrote" "
		pprof-diff --proto ours.pb.gz $G/${run}_heap_1.pb.gz $G/${run}_heap_2.pb.gz >/dev/null &&
		for idx in alloc_objects alloc_space inuse_objects inuse_space; do
			for view in stacks lines; do
				pprof-diff -f csv --view=\$view -i \$idx $G/${run}_heap_1.pb.gz \
					$GG/${run}_heap_2_vs_heap_1.diff_base.pb.gz >expect &&
				pprof-diff -f csv --view=\$view -i \$idx $G/${run}_heap_1.pb.gz \
					ours.pb.gz >actual &&
				test \$(wc -l <expect) -gt 5 &&
				test_cmp expect actual || exit 1
			done
		done
	"
done

test_done
