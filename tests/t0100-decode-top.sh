#!/bin/sh
# pprof-decode --top against real `go tool pprof` (Go 1.19) -top goldens,
# byte for byte: every generated Go 1.19 fixture at every sample index, the
# -diff_base profile written by pprof (pprof::base-aware total), the public
# profiles (parca, dd-trace-go, google/pprof) and the 10-file parca merge.
# Cases are data: testdata/decode/top-cases.txt (GOLDEN<TAB>arguments).
# Not listed there: C++/Java legacy texts and a heapz fuzz input, which
# pprof-decode's reader does not parse (pprof's non-Go legacy formats).
. "$(dirname "$0")/lib.sh"

while IFS='	' read -r golden args; do
	case $golden in '#'*|'') continue ;; esac
	test_expect_success "top: $golden" "
		(cd \"\$TESTDATA\" && pprof-decode $args) >actual &&
		test_cmp \"\$TESTDATA/$golden\" actual
	"
done <"$TESTDATA/decode/top-cases.txt"

G=$TESTDATA/go1.19
test_expect_success 'raw protobuf input gives the same table as gzip' '
	pprof-decode "$G/rate512k_heap_2.pb" >raw &&
	pprof-decode "$G/rate512k_heap_2.pb.gz" >gz &&
	test_cmp gz raw
'

test_expect_success 'unpacked repeated fields give the same table' '
	pprof-decode "$G/rate512k_heap_2.unpacked.pb.gz" >unpacked &&
	pprof-decode "$G/rate512k_heap_2.pb.gz" >packed &&
	test_cmp packed unpacked
'

test_expect_success 'standard input (-) reads a profile' '
	pprof-decode - <"$G/rate1_heap_2.pb.gz" >actual &&
	pprof-decode "$G/rate1_heap_2.pb.gz" >expect &&
	test_cmp expect actual
'

test_expect_success '-o writes the table to a file and nothing to stdout' '
	pprof-decode -o out.txt "$G/rate1_heap_2.pb.gz" >stdout &&
	test ! -s stdout &&
	pprof-decode "$G/rate1_heap_2.pb.gz" >expect &&
	test_cmp expect out.txt
'

test_expect_success 'merging a profile with itself doubles every value' '
	pprof-decode --format=csv "$G/rate1_heap_2.pb.gz" >one.csv &&
	pprof-decode --format=csv "$G/rate1_heap_2.pb.gz" "$G/rate1_heap_2.pb.gz" >two.csv &&
	awk -F, "NR>1 {print \$1*2, \$4*2, \$6}" one.csv >expect &&
	awk -F, "NR>1 {print \$1, \$4, \$6}" two.csv >actual &&
	test_cmp expect actual
'

test_done
