#!/bin/sh
# pprof-diff's gate: --fail-total, --fail-function (sizes, counts,
# percents), --budget (exact names, /regex/ groups, @total, comments) and
# exit codes, on the synthetic pair whose deltas the test knows:
# total +3072 B of 11264 B; main.keep +5120, main.new +3072 (new),
# main.gone -4096 (gone), main.shrink -1024.
. "$(dirname "$0")/lib.sh"

# golden EXPECTED ACTUAL: compare with a golden file of testdata/diff/expect;
# LW_UPDATE_GOLDENS=1 rewrites it instead (review the change with git diff).
golden() {
	if [ -n "${LW_UPDATE_GOLDENS:-}" ]; then cp "$2" "$1"; else test_cmp "$1" "$2"; fi
}

P=$TESTDATA/diff/profiles
B=$TESTDATA/diff/budgets
cp "$P/base.pb.gz" "$P/current.pb.gz" "$TRASH"/ || exit 1

# gate_lines REPORT: the text report's gate section.
gate_lines() { sed -n '/^Gate:/,$p' "$1"; }

test_expect_success 'no rule: exit 0 and no gate section' '
	pprof-diff base.pb.gz current.pb.gz >report &&
	test_must_fail grep "^Gate:" report
'

test_expect_success '--fail-total: growth equal to the limit passes, one byte more fails' '
	pprof-diff --fail-total=3072 base.pb.gz current.pb.gz >report &&
	gate_lines report >actual &&
	echo "Gate: PASS (within budget)" >expect &&
	test_cmp expect actual &&
	test_expect_code 1 pprof-diff --fail-total=3071 base.pb.gz current.pb.gz >report &&
	gate_lines report >actual &&
	cat >expect <<-\EOF &&
	Gate: FAIL (1 over budget)
	  --fail-total=3071: total grew +3072 B (+3.00 KiB), limit 3071 B (3.00 KiB)
	EOF
	test_cmp expect actual
'

test_expect_success '--fail-total with sizes and percents of the base total' '
	pprof-diff --fail-total=3KiB base.pb.gz current.pb.gz >/dev/null &&
	test_expect_code 1 pprof-diff --fail-total=2KiB base.pb.gz current.pb.gz >/dev/null &&
	pprof-diff --fail-total=28% base.pb.gz current.pb.gz >/dev/null &&
	test_expect_code 1 pprof-diff --fail-total=27% base.pb.gz current.pb.gz >report &&
	grep -x "  --fail-total=27%: total grew +3072 B (+3.00 KiB), limit 3041 B (2.97 KiB)" report
'

test_expect_success '--fail-function: only growers over the limit, largest first' '
	pprof-diff --fail-function=5120 base.pb.gz current.pb.gz >/dev/null &&
	test_expect_code 1 pprof-diff --fail-function=3000 base.pb.gz current.pb.gz >report &&
	gate_lines report >actual &&
	cat >expect <<-\EOF &&
	Gate: FAIL (2 over budget)
	  --fail-function=3000: main.keep grew +5120 B (+5.00 KiB), limit 3000 B (2.93 KiB)
	  --fail-function=3000: main.new grew +3072 B (+3.00 KiB), limit 3000 B (2.93 KiB)
	EOF
	test_cmp expect actual
'

test_expect_success '--fail-function percent: of the base total, as pprof flat%' '
	pprof-diff --fail-function=46% base.pb.gz current.pb.gz >/dev/null &&
	test_expect_code 1 pprof-diff --fail-function=45% base.pb.gz current.pb.gz >report &&
	gate_lines report >actual &&
	cat >expect <<-\EOF &&
	Gate: FAIL (1 over budget)
	  --fail-function=45%: main.keep grew +5120 B (+5.00 KiB), limit 5069 B (4.95 KiB)
	EOF
	test_cmp expect actual
'

test_expect_success 'shrinking never fails, even with a zero limit on the swapped pair' '
	test_expect_code 1 pprof-diff --fail-function=0 current.pb.gz base.pb.gz >report &&
	gate_lines report >actual &&
	cat >expect <<-\EOF &&
	Gate: FAIL (2 over budget)
	  --fail-function=0: main.gone grew +4096 B (+4.00 KiB), limit 0 B
	  --fail-function=0: main.shrink grew +1024 B (+1.00 KiB), limit 0 B
	EOF
	test_cmp expect actual
'

test_expect_success 'repeated rules: every violated one is reported' '
	test_expect_code 1 pprof-diff --fail-total=1 --fail-total=10% --fail-function=4KiB \
		base.pb.gz current.pb.gz >report &&
	gate_lines report >actual &&
	cat >expect <<-\EOF &&
	Gate: FAIL (3 over budget)
	  --fail-total=1: total grew +3072 B (+3.00 KiB), limit 1 B
	  --fail-total=10%: total grew +3072 B (+3.00 KiB), limit 1126 B (1.10 KiB)
	  --fail-function=4KiB: main.keep grew +5120 B (+5.00 KiB), limit 4096 B (4.00 KiB)
	EOF
	test_cmp expect actual
'

test_expect_success 'counts: -i inuse_objects with a plain number' '
	pprof-diff -i inuse_objects --fail-function=5 base.pb.gz current.pb.gz >/dev/null &&
	test_expect_code 1 pprof-diff -i inuse_objects --fail-function=4 base.pb.gz current.pb.gz >report &&
	grep -x "  --fail-function=4: main.keep grew +5, limit 4" report
'

test_expect_success 'budget: accepted growth passes, budget entries replace the rules' '
	pprof-diff --budget="$B/accepted.txt" --fail-function=1 --fail-total=1 \
		base.pb.gz current.pb.gz >report &&
	gate_lines report >actual &&
	echo "Gate: PASS (within budget)" >expect &&
	test_cmp expect actual
'

test_expect_success 'budget: one unit short everywhere, comments and group members reported' '
	test_expect_code 1 pprof-diff --budget="$B/tight.txt" base.pb.gz current.pb.gz >report &&
	gate_lines report >actual &&
	cat >expect <<-\EOF &&
	Gate: FAIL (3 over budget)
	  budget line 4: total grew +3072 B (+3.00 KiB), limit 3071 B (3.00 KiB)
	  budget line 2: main.keep grew +5120 B (+5.00 KiB), limit 5119 B (5.00 KiB)  # cache warm-up (TICKET-1)
	  budget line 3: /^main\.(new|other)$/ grew +3072 B (+3.00 KiB), limit 3071 B (3.00 KiB)  # new code
	    main.new
	EOF
	test_cmp expect actual
'

test_expect_success 'budget: functions no entry matches fall back to --fail-function' '
	printf "main.keep 5KiB\n" >b.txt &&
	test_expect_code 1 pprof-diff --budget=b.txt --fail-function=1KiB base.pb.gz current.pb.gz >report &&
	gate_lines report >actual &&
	cat >expect <<-\EOF &&
	Gate: FAIL (1 over budget)
	  --fail-function=1KiB: main.new grew +3072 B (+3.00 KiB), limit 1024 B (1.00 KiB)
	EOF
	test_cmp expect actual
'

test_expect_success 'budget: an exact name wins over a regex that also matches' '
	printf "/^main\\\\.(keep|new)\$/ 3KiB\nmain.keep 5KiB\n" >b.txt &&
	pprof-diff --budget=b.txt base.pb.gz current.pb.gz >report &&
	gate_lines report >actual &&
	echo "Gate: PASS (within budget)" >expect &&
	test_cmp expect actual &&
	printf "/^main\\\\.(keep|new)\$/ 3KiB\n" >b.txt &&
	test_expect_code 1 pprof-diff --budget=b.txt base.pb.gz current.pb.gz >report &&
	gate_lines report >actual &&
	cat >expect <<-\EOF &&
	Gate: FAIL (1 over budget)
	  budget line 1: /^main\.(keep|new)$/ grew +8192 B (+8.00 KiB), limit 3072 B (3.00 KiB)
	    main.keep
	    main.new
	EOF
	test_cmp expect actual
'

test_expect_success 'budget: a regex group is allowed its net growth (+3072 - 4096)' '
	printf "/^main\\\\.(new|gone)\$/ 0\n" >b.txt &&
	pprof-diff --budget=b.txt base.pb.gz current.pb.gz >report &&
	grep -x "Gate: PASS (within budget)" report
'

test_expect_success 'budget: names with spaces, tabs, comments containing #' '
	test_expect_code 1 pprof-diff --budget="$B/spaces.txt" base.pb.gz current.pb.gz >report &&
	grep -x "  budget line 3: main.keep grew +5120 B (+5.00 KiB), limit 5000 B (4.88 KiB)  # tab separated#with a hash inside the comment" report
'

test_expect_success 'budget: malformed files are errors naming the line, exit 2' '
	printf "# c\nmain.keep\n" >b1 &&
	test_expect_code 2 pprof-diff --budget=b1 base.pb.gz current.pb.gz 2>err &&
	echo "pprof-diff: '"'"'b1'"'"': line 2: expected NAME ALLOWANCE" >expect && test_cmp expect err &&
	printf "main.keep lots\n" >b2 &&
	test_expect_code 2 pprof-diff --budget=b2 base.pb.gz current.pb.gz 2>err &&
	grep -F "line 1: bad allowance '"'"'lots'"'"'" err &&
	printf "/[/ 1KiB\n" >b3 &&
	test_expect_code 2 pprof-diff --budget=b3 base.pb.gz current.pb.gz 2>err &&
	grep -F "line 1: bad regex /[/" err &&
	printf "@bogus 1\n" >b4 &&
	test_expect_code 2 pprof-diff --budget=b4 base.pb.gz current.pb.gz 2>err &&
	grep -F "unknown keyword '"'"'@bogus'"'"'" err &&
	test_expect_code 2 pprof-diff --budget=nosuch base.pb.gz current.pb.gz 2>err &&
	grep -F "'"'"'nosuch'"'"': No such file or directory" err
'

test_expect_success 'markdown: FAIL verdict names the rules and functions' '
	test_expect_code 1 pprof-diff -f markdown --budget="$B/tight.txt" base.pb.gz current.pb.gz >actual &&
	golden "$TESTDATA/diff/expect/tight.md" actual
'

test_expect_success 'markdown: PASS verdict' '
	pprof-diff -f markdown --fail-total=5KiB base.pb.gz current.pb.gz >actual &&
	head -n 1 actual >first &&
	echo "**pprof-diff: PASS** - inuse_space +3.00 KiB (+27.27% of base 11.00 KiB) - within budget" >expect &&
	test_cmp expect first
'

test_expect_success 'json: gate status and violations' '
	test_expect_code 1 pprof-diff -f json --budget="$B/tight.txt" base.pb.gz current.pb.gz >actual &&
	golden "$TESTDATA/diff/expect/tight.json" actual &&
	pprof-diff -f json --fail-total=5KiB base.pb.gz current.pb.gz >pass.json &&
	grep -x "    \"status\": \"pass\"," pass.json
'

test_expect_success 'the report is written even when the gate fails (-o)' '
	test_expect_code 1 pprof-diff -o r.md -f markdown --fail-total=1 base.pb.gz current.pb.gz &&
	grep "^\*\*pprof-diff: FAIL\*\*" r.md
'

test_done
