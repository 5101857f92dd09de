#!/bin/sh
# scripts/ci-compare: the CI memory gate on real Go profiles. The program is
# testdata/diff/leakprog (MemProfileRate 1: exact numbers): -leak keeps
# exactly 48 x 64 KiB = 3145728 B alive in main.leakSessions, -jitter N adds
# N x 16 KiB to main.fillCache (run-to-run noise). A branch with the leak
# fails the gate, an unchanged one passes; the summary and the HTML report
# say why; the exit status is the gate's.
. "$(dirname "$0")/lib.sh"

if ! test_have_prereq GO; then
	test_skip 'go is not installed (needed to build testdata/diff/leakprog)'
	test_done
	exit
fi
if ! [ -x "$LW_BUILD/bin/pprof-diff" ]; then
	test_skip "pprof-diff is not built in $LW_BUILD"
	test_done
	exit
fi

test_expect_success 'build leakprog' '
	lw_go_build "$TRASH/leakprog" "$TESTDATA/diff/leakprog"
'
LP=$TRASH/leakprog
export LP

test_expect_success 'a branch with an added leak fails the gate (exit 1)' '
	: >steps.md &&
	test_expect_code 1 env GITHUB_STEP_SUMMARY=$TRASH/steps.md ci-compare -o leak \
		--base-cmd "\"\$LP\" -heap \"\$LW_PROFILE\" -jitter \$((LW_RUN % 3))" \
		--branch-cmd "\"\$LP\" -heap \"\$LW_PROFILE\" -leak -jitter \$((LW_RUN % 3))" \
		--runs 3 --noise 3 --fail-total 5% >out 2>err &&
	grep "^Gate: FAIL (1 over budget)" out &&
	grep "main.leakSessions" out &&
	grep "^HTML report: $TRASH/leak/report.html$" out &&
	for s in base branch; do for i in 1 2 3; do test -s leak/$s/run-$i.pb.gz || exit 1; done; done &&
	test "$(ls leak/base | wc -l)" = 3 &&
	grep "^ci-compare: branch run 3/3$" err
'

test_expect_success 'the numbers are exact: main.leakSessions +3145728 B, total from the runs' '
	python3 -c "
import json
d = json.load(open(\"leak/diff.json\"))
r = {x[\"name\"]: x for x in d[\"rows\"]}[\"main.leakSessions\"]
assert r[\"base\"] == 0 and r[\"current\"] == 3145728 and r[\"delta\"] == 3145728, r
assert d[\"gate\"][\"status\"] == \"fail\", d[\"gate\"]
v = d[\"gate\"][\"violations\"]
assert len(v) == 1 and v[0][\"rule\"] == \"--fail-total=5%\", v
assert len(d[\"base\"][\"profiles\"]) == 3 and len(d[\"current\"][\"profiles\"]) == 3
"
'

test_expect_success 'the markdown summary: in OUT and appended to $GITHUB_STEP_SUMMARY' '
	grep "^### Memory gate$" leak/summary.md &&
	grep "^\*\*pprof-diff: FAIL\*\*" leak/summary.md &&
	grep "| \`main.leakSessions\` | 0 B | 3.00 MiB | +3.00 MiB | new |" leak/summary.md &&
	grep "^- --fail-total=5%: total grew" leak/summary.md &&
	head -n $(wc -l <leak/summary.md) steps.md >steps.head &&
	test_cmp leak/summary.md steps.head
'

test_expect_success 'the HTML report: self-contained, says FAIL, names the grower and its path' '
	f=leak/report.html &&
	grep -q "<title>Memory gate: FAIL</title>" $f &&
	grep -q ">FAIL</span>" $f &&
	grep -q "<code>main.leakSessions</code>" $f &&
	grep -q "<li class=\"leaf\">main.leakSessions</li>" $f &&
	grep -q "<svg" $f &&
	! grep -Eq "(src|href)=\"?(https?:)?//" $f &&
	python3 -c "
import html.parser, sys
class P(html.parser.HTMLParser):
    def __init__(s):
        super().__init__(); s.stack = []
    def handle_starttag(s, t, a):
        if t not in (\"meta\", \"br\", \"line\", \"rect\"): s.stack.append(t)
    def handle_startendtag(s, t, a):
        pass
    def handle_endtag(s, t):
        assert s.stack and s.stack[-1] == t, (t, s.stack[-3:])
        s.stack.pop()
p = P(); p.feed(open(\"$f\").read()); assert not p.stack, p.stack
"
'

test_expect_success 'an unchanged branch passes (exit 0), within the base runs noise' '
	ci-compare -o same -q \
		--base-cmd "\"\$LP\" -heap \"\$LW_PROFILE\" -jitter \$((LW_RUN % 3))" \
		--branch-cmd "\"\$LP\" -heap \"\$LW_PROFILE\" -jitter \$(((LW_RUN + 1) % 3))" \
		--noise 3 --fail-total 5% >out 2>err &&
	printf "Gate: PASS (within budget)\nHTML report: %s\n" "$TRASH/same/report.html" >expect &&
	test_cmp expect out &&
	grep "^\*\*pprof-diff: PASS\*\*" same/summary.md &&
	grep -q "<title>Memory gate: PASS</title>" same/report.html
'

# Base runs jitter 0, 1, 2 x 16 KiB (median 1, spread 32 KiB); the branch
# always 2 (+16 KiB = 1.5% of ~1 MiB): over a 1% gate, unless --noise 1
# tolerates the 32 KiB spread.
test_expect_success '--noise is passed through: the same runs fail without it' '
	"$LP" -heap b1.pb.gz -jitter 0 && "$LP" -heap b2.pb.gz -jitter 1 && "$LP" -heap b3.pb.gz -jitter 2 &&
	mkdir bdir && mv b1.pb.gz b2.pb.gz b3.pb.gz bdir/ &&
	"$LP" -heap c.pb.gz -jitter 2 &&
	test_expect_code 1 ci-compare -o n1 -q --base bdir --branch c.pb.gz --fail-total 1% >out &&
	grep "^Gate: FAIL" out &&
	ci-compare -o n2 -q --base bdir --branch c.pb.gz --fail-total 1% --noise 1 >out &&
	grep "^Gate: PASS" out
'

test_expect_success '--budget and --fail-function are passed through' '
	printf "main.leakSessions 3MiB # accepted\n" >budget &&
	"$LP" -heap base.pb.gz && "$LP" -heap leak.pb.gz -leak &&
	ci-compare -o b1 -q --base base.pb.gz --branch leak.pb.gz --budget budget >out &&
	grep "^Gate: PASS" out &&
	test_expect_code 1 ci-compare -o b2 -q --base base.pb.gz --branch leak.pb.gz --fail-function 1MiB >out &&
	grep "^Gate: FAIL" out &&
	grep "fail-function" b2/summary.md
'

test_expect_success 'no gate given: --fail-total 10% is used, and said' '
	test_expect_code 1 ci-compare -o d1 -q --base base.pb.gz --branch leak.pb.gz >out 2>err &&
	grep "no gate given: using --fail-total 10%" err &&
	grep "default gate --fail-total 10%" d1/summary.md
'

test_expect_success 'the HTML report cannot be written: exit 2, no partial file left' '
	mkdir shim &&
	printf "#!/bin/sh\nprintf \"<html>partial\" >\"\$4\"\nexit 1\n" >shim/python3 &&
	chmod +x shim/python3 &&
	test_expect_code 2 env PATH="$TRASH/shim:$PATH" ci-compare -o h1 -q --base base.pb.gz \
		--branch leak.pb.gz --fail-total 10% >out 2>err &&
	grep "cannot write the HTML report" err &&
	ls -A h1 >files && ! grep "report.html" files
'

test_expect_success 'a command may print its profile on stdout instead' '
	ci-compare -o so -q --runs 2 --base-cmd "\"\$LP\" -heap /dev/stdout" \
		--branch-cmd "\"\$LP\" -heap /dev/stdout -leak" --fail-function 4MiB >out &&
	grep "^Gate: PASS" out &&
	test -s so/base/run-2.pb.gz && test -s so/branch/run-2.pb.gz
'

test_expect_success 'a failing command, or one that writes nothing: exit 2, said' '
	test_expect_code 2 ci-compare -o f1 --base-cmd "echo boom >&2; exit 3" --branch leak.pb.gz 2>err &&
	grep "boom" err && grep "the base command failed (run 1" err &&
	test_expect_code 2 ci-compare -o f2 --base base.pb.gz --branch-cmd "true" 2>err &&
	grep "the branch command wrote no profile (run 1" err &&
	echo junk >junk.pb.gz &&
	test_expect_code 2 ci-compare -o f3 --base base.pb.gz --branch junk.pb.gz 2>err &&
	grep "junk.pb.gz" err && grep "pprof-diff failed (status 2)" err &&
	! test -e f3/report.html
'

# bad_args MESSAGE ARGS...: exit 2, MESSAGE and a usage line on stderr,
# nothing on stdout, no command run, no output directory.
bad_args() {
	_m=$1; shift
	test_expect_code 2 ci-compare -o bad "$@" </dev/null >out 2>err || return 1
	test_cmp /dev/null out || return 1
	grep -qF -- "$_m" err || { echo "no '$_m' in:"; cat err; return 1; }
	grep -q "^usage:" err || { echo "no usage line in:"; cat err; return 1; }
	! test -e ran || { echo "a command ran"; return 1; }
	! test -e bad || { echo "bad/ was created"; return 1; }
}
test_expect_success 'bad arguments are refused before anything runs' '
	bad_args "no baseline given" --branch leak.pb.gz &&
	bad_args "no branch given" --base base.pb.gz &&
	bad_args "exclusive" --base base.pb.gz --base-cmd "touch ran" --branch leak.pb.gz &&
	bad_args "exclusive" --base base.pb.gz --branch leak.pb.gz --branch-cmd "touch ran" &&
	bad_args "bad --runs" --base-cmd "touch ran" --branch leak.pb.gz --runs 0 &&
	bad_args "--runs needs --base-cmd" --base base.pb.gz --branch leak.pb.gz --runs 3 &&
	bad_args "bad --fail-total" --base-cmd "touch ran" --branch leak.pb.gz --fail-total lots &&
	bad_args "bad --fail-function" --base-cmd "touch ran" --branch leak.pb.gz --fail-function 5%% &&
	bad_args "bad --noise" --base-cmd "touch ran" --branch leak.pb.gz --noise -1 &&
	bad_args "--noise needs several base runs" --base base.pb.gz --branch leak.pb.gz --noise 2 &&
	bad_args "--noise needs several base runs" --base-cmd "touch ran" --runs 1 --branch leak.pb.gz --noise 2 &&
	bad_args "bad --combine" --base-cmd "touch ran" --branch leak.pb.gz --combine avg &&
	bad_args "cannot read --budget" --base-cmd "touch ran" --branch leak.pb.gz --budget nope &&
	bad_args "no such --branch" --base-cmd "touch ran" --branch nope.pb.gz &&
	bad_args "unexpected argument" --base base.pb.gz --branch leak.pb.gz extra &&
	bad_args "needs a value" --base base.pb.gz --branch
'

test_done
