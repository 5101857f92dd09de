#!/bin/sh
# pprof-diff: exact deltas on synthetic profiles whose values the test
# controls (testdata/diff/specs -> profiles), every format, usage and
# input errors, refusal of incompatible profiles.
. "$(dirname "$0")/lib.sh"

# golden EXPECTED ACTUAL: compare with a golden file of testdata/diff/expect;
# LW_UPDATE_GOLDENS=1 rewrites it instead (review the change with git diff).
golden() {
	if [ -n "${LW_UPDATE_GOLDENS:-}" ]; then cp "$2" "$1"; else test_cmp "$1" "$2"; fi
}

P=$TESTDATA/diff/profiles
E=$TESTDATA/diff/expect
cp "$P"/*.pb.gz "$TRASH"/ || exit 1

test_expect_success 'csv: exact integer deltas, new, gone, shrinking and grown functions' '
	pprof-diff -f csv base.pb.gz current.pb.gz >actual &&
	golden "$E/base-current.csv" actual
'

test_expect_success 'csv: -i inuse_objects selects the sample type by name' '
	pprof-diff -f csv -i inuse_objects base.pb.gz current.pb.gz >actual &&
	golden "$E/base-current.inuse_objects.csv" actual
'

test_expect_success 'csv: a numeric sample index means the same type' '
	pprof-diff -f csv -i 2 base.pb.gz current.pb.gz >actual &&
	golden "$E/base-current.inuse_objects.csv" actual
'

test_expect_success 'csv: stacks view keys folded stacks root first' '
	pprof-diff -f csv --view=stacks base.pb.gz current.pb.gz >actual &&
	golden "$E/base-current.stacks.csv" actual
'

test_expect_success 'csv: lines view names function file:line' '
	pprof-diff -f csv --view=lines base.pb.gz current.pb.gz >actual &&
	grep -x "main.keep prog.go:1,5120,10240,5120,100.00,5120,10240,5120,45.45,prog.go,1,0" actual &&
	grep -x "main.gone prog.go:1,4096,0,-4096,-100.00,4096,0,-4096,-36.36,prog.go,1,0" actual
'

test_expect_success 'csv: files view' '
	pprof-diff -f csv --view=files base.pb.gz current.pb.gz >actual &&
	grep -x "prog.go,11264,14336,3072,27.27,11264,14336,3072,27.27,prog.go,,0" actual
'

test_expect_success 'text: pprof -top table with negative flat and sum%' '
	pprof-diff base.pb.gz current.pb.gz >actual &&
	golden "$E/base-current.txt" actual
'

test_expect_success 'json: the whole report' '
	pprof-diff -f json base.pb.gz current.pb.gz >actual &&
	golden "$E/base-current.json" actual
'

test_expect_success 'markdown: verdict line first, then the growers table' '
	pprof-diff -f markdown base.pb.gz current.pb.gz >actual &&
	golden "$E/base-current.md" actual
'

test_expect_success 'identical profiles: no rows, exit 0' '
	pprof-diff -f csv base.pb.gz base.pb.gz >actual &&
	echo "name,base,current,delta,delta_pct,base_cum,current_cum,delta_cum,delta_of_total_pct,file,line,base_spread" >expect &&
	test_cmp expect actual
'

test_expect_success 'swapped sides negate every delta' '
	pprof-diff -f csv current.pb.gz base.pb.gz >actual &&
	grep -x "main.keep,10240,5120,-5120,-50.00,10240,5120,-5120,-35.71,,,0" actual &&
	grep -x "main.gone,0,4096,4096,,0,4096,4096,28.57,,,0" actual &&
	grep -x "main.new,3072,0,-3072,-100.00,3072,0,-3072,-21.43,,,0" actual
'

test_expect_success '-o writes the report atomically, --proto the diff profile' '
	pprof-diff -o report.csv -f csv --proto diff.pb.gz base.pb.gz current.pb.gz >out &&
	test_must_fail test -s out &&
	test_cmp "$E/base-current.csv" report.csv &&
	test "$(od -An -tx1 -N2 diff.pb.gz | tr -d " ")" = 1f8b
'

test_expect_success 'the diff profile read back as current against nothing keeps the labelled base' '
	pprof-diff -f csv --proto diff.pb.gz base.pb.gz current.pb.gz &&
	pprof-diff -f csv current.pb.gz diff.pb.gz >actual &&
	grep -x "main.keep,10240,5120,-5120,-50.00,10240,5120,-5120,-35.71,,,0" actual
'

test_expect_success 'incompatible profiles (heap vs goroutine) are refused, exit 2' '
	test_expect_code 2 pprof-diff base.pb.gz goroutine.pb.gz >out 2>err &&
	test_must_fail test -s out &&
	echo "pprof-diff: '"'"'base.pb.gz'"'"': incompatible profiles: no sample type '"'"'goroutine'"'"' (it has alloc_objects/count, alloc_space/bytes, inuse_objects/count, inuse_space/bytes)" >expect &&
	test_cmp expect err
'

test_expect_success 'another unit for the same sample type is refused' '
	test_expect_code 2 pprof-diff base.pb.gz kilobytes.pb.gz 2>err &&
	grep -F "incompatible profiles: inuse_space in bytes, but in kilobytes in '"'"'kilobytes.pb.gz'"'"'" err
'

test_expect_success 'another period type is refused' '
	test_expect_code 2 pprof-diff cpu100.pb.gz wall.pb.gz 2>err &&
	grep -F "incompatible profiles: period type cpu/nanoseconds, but wall/nanoseconds" err
'

test_expect_success 'an unknown sample type is an error' '
	test_expect_code 2 pprof-diff -i nosuch base.pb.gz current.pb.gz 2>err &&
	grep -F "no sample type '"'"'nosuch'"'"'" err
'

test_expect_success 'raw CPU sample counts are rescaled to a common period' '
	pprof-diff -f csv -i samples cpu100.pb.gz cpu200.pb.gz >actual &&
	grep -x "main.work,20,30,10,50.00,20,30,10,35.71,,,0" actual &&
	test_must_fail grep main.idle actual &&
	pprof-diff -i samples cpu100.pb.gz cpu200.pb.gz >text &&
	grep -x "Note: sampling periods differ; raw sample counts rescaled to the first current profile'"'"'s period" text
'

test_expect_success 'values already in the period unit are not rescaled' '
	pprof-diff -f csv -i cpu cpu100.pb.gz cpu200.pb.gz >actual &&
	grep -x "main.work,100000000,150000000,50000000,50.00,100000000,150000000,50000000,35.71,,,0" actual
'

test_expect_success 'other sample type lists: the cpu diff works, --proto is refused' '
	pprof-diff -f csv -i cpu cpu100.pb.gz cpuonly.pb.gz >actual &&
	grep -x "main.work,100000000,120000000,20000000,20.00,100000000,120000000,20000000,14.29,,,0" actual &&
	test_expect_code 2 pprof-diff -i cpu --proto p.pb.gz cpu100.pb.gz cpuonly.pb.gz >out 2>err &&
	test_must_fail test -e p.pb.gz &&
	grep -F "cannot write diff profile '"'"'p.pb.gz'"'"': incompatible sample types" err
'

test_expect_success 'missing file: one line naming it, exit 2, no output file' '
	test_expect_code 2 pprof-diff -o out.txt --proto out.pb.gz nosuch.pb.gz current.pb.gz 2>err &&
	test_must_fail test -e out.txt &&
	test_must_fail test -e out.pb.gz &&
	test $(wc -l <err) -eq 1 &&
	grep "^pprof-diff: .*nosuch.pb.gz" err
'

test_expect_success 'unwritable -o: exit 2 naming it, and no --proto file left behind' '
	test_expect_code 2 pprof-diff -o nodir/out.txt --proto out.pb.gz base.pb.gz current.pb.gz 2>err &&
	test_must_fail test -e out.pb.gz &&
	test $(wc -l <err) -eq 1 &&
	grep "^pprof-diff: .*nodir/out.txt" err
'

test_expect_success 'garbage input: exit 2 with the file named' '
	printf "not a profile\n" >junk &&
	test_expect_code 2 pprof-diff base.pb.gz junk 2>err &&
	grep "^pprof-diff: .*junk" err
'

test_expect_success 'usage errors exit 2' '
	test_expect_code 2 pprof-diff 2>err &&
	test_expect_code 2 pprof-diff base.pb.gz 2>err &&
	test_expect_code 2 pprof-diff a b c 2>err &&
	test_expect_code 2 pprof-diff --format=xml base.pb.gz current.pb.gz 2>err &&
	test_expect_code 2 pprof-diff --combine=avg base.pb.gz current.pb.gz 2>err &&
	test_expect_code 2 pprof-diff --view=bogus base.pb.gz current.pb.gz 2>err &&
	test_expect_code 2 pprof-diff --nodefraction=2 base.pb.gz current.pb.gz 2>err &&
	test_expect_code 2 pprof-diff --fail-total=lots base.pb.gz current.pb.gz 2>err &&
	test_expect_code 2 pprof-diff --noise=-1 base.pb.gz current.pb.gz 2>err &&
	test_expect_code 2 pprof-diff --bogus base.pb.gz current.pb.gz 2>err
'

test_expect_success '--proto=- with the report on stdout too is refused (gzip and text would mix)' '
	test_expect_code 2 pprof-diff --proto=- base.pb.gz current.pb.gz >out 2>err &&
	test_must_fail test -s out &&
	grep -F "needs --output=FILE" err &&
	pprof-diff --proto=- -o report.txt base.pb.gz current.pb.gz >diff.pb.gz &&
	gzip -t diff.pb.gz &&
	grep "^Type: inuse_space" report.txt
'

test_expect_success '--noise needs two base runs' '
	test_expect_code 2 pprof-diff --noise=3 --fail-total=1 base.pb.gz current.pb.gz 2>err &&
	grep -F "needs at least two base profiles" err
'

test_expect_success '--help to stdout exit 0, --version' '
	pprof-diff --help >out &&
	grep "^usage: pprof-diff" out &&
	pprof-diff --version >v &&
	grep "^pprof-diff " v
'

test_expect_success 'every long option of --help is in the man page' '
	sed "s/\\\\-/-/g" "$LW_ROOT/tools/pprof-diff/pprof-diff.1" >man.txt &&
	pprof-diff --help | grep -o -- "--[a-z][a-z-]*" | sort -u >opts &&
	test $(wc -l <opts) -ge 18 &&
	while read -r o; do
		grep -q -F -- "$o" man.txt || { echo "undocumented: $o"; exit 1; }
	done <opts
'

test_expect_success 'a closed stdout is an error, not success' '
	if test -w /dev/full; then
		test_expect_code 2 pprof-diff base.pb.gz current.pb.gz >/dev/full 2>err
	fi
'

test_done
