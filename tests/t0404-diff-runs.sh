#!/bin/sh
# pprof-diff with several runs per side: --combine (median, sum, mean, max)
# per function and per stack, directories of runs, --noise from the spread
# among base runs, and the combined --proto. Synthetic runs, inuse_space:
#   base     cache  conn  tmp      current  cache  conn  tmp  fresh
#   run-b1    1000   100   10      run-c1    1150  5000   15      -
#   run-b2    1200   300    -      run-c2    1250  6000    5      7
#   run-b3    1100   200   20
. "$(dirname "$0")/lib.sh"

# golden EXPECTED ACTUAL: compare with a golden file of testdata/diff/expect;
# LW_UPDATE_GOLDENS=1 rewrites it instead (review the change with git diff).
golden() {
	if [ -n "${LW_UPDATE_GOLDENS:-}" ]; then cp "$2" "$1"; else test_cmp "$1" "$2"; fi
}

P=$TESTDATA/diff/profiles
E=$TESTDATA/diff/expect
mkdir base current &&
cp "$P"/run-b?.pb.gz base/ && cp "$P"/run-c?.pb.gz current/ &&
cp "$P/empty.pb.gz" . || exit 1
RUNS="-b base/run-b1.pb.gz -b base/run-b2.pb.gz -b base/run-b3.pb.gz -c current/run-c1.pb.gz -c current/run-c2.pb.gz"

for how in median sum mean max; do
	test_expect_success "--combine=$how per function" "
		pprof-diff -f csv --combine=$how $RUNS >actual &&
		golden $E/runs.$how.csv actual
	"
done

test_expect_success 'median is the default; the median of two rounds half away from zero' '
	pprof-diff -f csv $RUNS >actual &&
	golden "$E/runs.median.csv" actual &&
	grep -x "main.fresh,0,4,4,,0,4,4,0.30,,,0" actual
'

test_expect_success 'a key equal after combining (main.tmp: 10 vs 10) is not a row' '
	pprof-diff -f csv $RUNS >actual &&
	test_must_fail grep "^main.tmp," actual
'

test_expect_success 'directories of runs, in name order, hidden files skipped' '
	echo junk >base/.hidden &&
	pprof-diff -f csv base current >actual &&
	golden "$E/runs.median.csv" actual
'

test_expect_success 'positional arguments fill the side not given by option' '
	pprof-diff -f csv --base=base current/run-c1.pb.gz current/run-c2.pb.gz >actual &&
	golden "$E/runs.median.csv" actual &&
	pprof-diff -f csv --current=current base/run-b1.pb.gz base/run-b2.pb.gz base/run-b3.pb.gz >actual &&
	golden "$E/runs.median.csv" actual &&
	test_expect_code 2 pprof-diff --base=base --current=current extra 2>err
'

test_expect_success 'an empty directory is an error' '
	mkdir none &&
	test_expect_code 2 pprof-diff none current 2>err &&
	grep -F "'"'"'none'"'"': no profiles in directory" err
'

test_expect_success 'stacks view combines per stack' '
	pprof-diff -f csv --view=stacks $RUNS >actual &&
	cat >expect <<-\EOF &&
	name,base,current,delta,delta_pct,base_cum,current_cum,delta_cum,delta_of_total_pct,file,line,base_spread
	main.main;main.conn,200,5500,5300,2650.00,200,5500,5300,401.52,,,200
	main.main;main.cache,1100,1200,100,9.09,1100,1200,100,7.58,,,200
	main.main;main.fresh,0,4,4,,0,4,4,0.30,,,0
	EOF
	test_cmp expect actual
'

test_expect_success 'text report names the runs and the combination' '
	pprof-diff $RUNS >report &&
	grep -x "Base: 3 profiles (base/run-b1.pb.gz, base/run-b2.pb.gz, base/run-b3.pb.gz), total 1.29kB" report &&
	grep -x "Combined: median per function of the runs of each side" report
'

test_expect_success '--noise: a limit rises to K x the base spread (conn 200, cache 200)' '
	test_expect_code 1 pprof-diff --fail-function=50 $RUNS >report &&
	grep -c "^  --fail-function=50: " report >n && echo 2 >expect && test_cmp expect n &&
	test_expect_code 1 pprof-diff --fail-function=50 --noise=1 $RUNS >report &&
	sed -n "/^Gate:/,\$p" report >actual &&
	cat >expect <<-\EOF &&
	Gate: FAIL (1 over budget)
	  --fail-function=50: main.conn grew +5300 B (+5.18 KiB), limit 200 B
	EOF
	test_cmp expect actual &&
	pprof-diff --fail-function=50 --noise=30 $RUNS >report &&
	grep -x "Gate: PASS (within budget)" report
'

test_expect_success '--noise on the total: spread of the base totals is 390' '
	pprof-diff --fail-total=1000 --noise=20 $RUNS >report &&
	test_expect_code 1 pprof-diff --fail-total=1000 --noise=10 $RUNS >report &&
	grep -x "  --fail-total=1000: total grew +5394 B (+5.27 KiB), limit 3900 B (3.81 KiB)" report
'

test_expect_success '--noise on a budget group: the spread of the group sums' '
	test_expect_code 1 pprof-diff --budget="$TESTDATA/diff/budgets/runs.txt" $RUNS >report &&
	grep -x "  budget line 2: /^main\\\\.(cache|fresh)\$/ grew +104 B, limit 50 B  # caches; base spread among runs is 200" report &&
	pprof-diff --budget="$TESTDATA/diff/budgets/runs.txt" --noise=1 $RUNS >report &&
	grep -x "Gate: PASS (within budget)" report
'

test_expect_success 'json carries the spread per row and of the total' '
	pprof-diff -f json $RUNS >out.json &&
	grep -x "  \"base_spread\": 390," out.json &&
	grep -c "\"base_spread\": 200" out.json >n && echo 2 >expect && test_cmp expect n
'

test_expect_success '--proto with runs: the per-stack median difference' '
	pprof-diff --proto diff.pb.gz $RUNS >/dev/null &&
	pprof-diff -f csv --view=stacks empty.pb.gz diff.pb.gz >actual &&
	cat >expect <<-\EOF &&
	name,base,current,delta,delta_pct,base_cum,current_cum,delta_cum,delta_of_total_pct,file,line,base_spread
	main.main;main.conn,0,5300,5300,,0,5300,5300,66.05,,,0
	main.main;main.cache,0,100,100,,0,100,100,1.25,,,0
	main.main;main.fresh,0,4,4,,0,4,4,0.05,,,0
	EOF
	test_cmp expect actual
'

test_expect_success '--proto with --combine=sum: merged runs' '
	pprof-diff --combine=sum --proto diff.pb.gz $RUNS >/dev/null &&
	pprof-diff -f csv --view=stacks empty.pb.gz diff.pb.gz >actual &&
	grep "^main.main;main.conn,0,10400,10400," actual &&
	grep "^main.main;main.cache,0,-900,-900," actual &&
	grep "^main.main;main.tmp,0,-10,-10," actual &&
	grep "^main.main;main.fresh,0,7,7," actual
'

test_expect_success '--normalize --combine=sum: merged current scaled to the base total, as pprof' '
	pprof-diff -f csv --normalize --combine=sum $RUNS >actual &&
	grep -x "main.conn,600,3220,2620,436.67,600,3220,2620,66.67,,,200" actual &&
	grep -x "main.cache,3300,702,-2598,-78.73,3300,702,-2598,-66.11,,,200" actual &&
	test_must_fail grep "^main.main," actual
'

test_expect_success 'int64-limit values: deltas and spreads wrap as Go int64, no overflow UB' '
	cp "$P"/extreme-big.pb.gz "$P"/extreme-neg.pb.gz . &&
	pprof-diff -f csv --noise=1 --fail-total=1 -b extreme-big.pb.gz -b extreme-neg.pb.gz \
		-b extreme-big.pb.gz -c extreme-neg.pb.gz -c extreme-big.pb.gz >actual &&
	grep -x "main.a,9223372036854775807,-1,-9223372036854775808,-100.00,9223372036854775807,-1,-9223372036854775808,200.00,,,-1" actual &&
	pprof-diff -f json --combine=sum -b extreme-big.pb.gz -b extreme-neg.pb.gz \
		-c extreme-neg.pb.gz -c extreme-big.pb.gz >/dev/null
'

test_done
