#!/bin/sh
# scripts/postmortem on the shipped demo archive (testdata/demo/archive: the
# demo service recorded with five leaks on): the report names exactly the
# expected suspects of testdata/demo/archive/expected-suspects.txt, with
# their patterns (precision and recall printed); text, HTML, markdown and
# JSON written; a tarball of the archive gives the same report.
. "$(dirname "$0")/lib.sh"

for t in trend-fit leak-blame; do
	if ! [ -x "$LW_BUILD/bin/$t" ]; then
		test_skip "$t is not built in $LW_BUILD"
		test_done
		exit
	fi
done
ARCHIVE=$TESTDATA/demo/archive
EXPECT=$ARCHIVE/expected-suspects.txt

# suspects REPORT.json: "function pattern" per suspect, in rank order.
suspects() {
	python3 -c '
import json, sys
for s in json.load(open(sys.argv[1]))["suspects"]:
    print(s["function"], s["pattern"])' "$1"
}

test_expect_success 'postmortem on the demo archive: suspects found (exit 1)' '
	test_expect_code 1 postmortem -o pm --source "$TESTDATA/demo" "$ARCHIVE" >out 2>err &&
	test_cmp /dev/null err &&
	tail -n 1 out >last &&
	echo "HTML report: pm/report.html" >expect &&
	test_cmp expect last &&
	for f in report.html report.txt report.md report.json trend.txt trend.csv alerts.json; do
		test -s pm/$f || { echo "no pm/$f"; exit 1; }
	done
'

# Precision and recall against the ground truth, printed in the test output.
suspects "$TRASH/pm/report.json" >"$TRASH/got" 2>/dev/null
awk '
	FNR == NR { if ($1 == "suspect") { want[$2 " " $3] = 1; nwant++ } else if ($1 == "may") may[$2 " " $3] = 1; next }
	{ k = $1 " " $2; if (k in want) { tp++; found[k] = 1 } else if (!(k in may)) { fp++; print "# false positive: " k } }
	END {
		for (k in want) if (!(k in found)) print "# missed: " k
		printf "# demo archive: %d suspects expected, %d found, %d false positive(s): precision %.2f, recall %.2f\n",
			nwant, tp, fp, (tp + fp) ? tp / (tp + fp) : 1, nwant ? tp / nwant : 1
	}' "$EXPECT" "$TRASH/got"

test_expect_success 'every expected suspect is reported, with its pattern' '
	grep "^suspect " "$EXPECT" | while read -r _ f p; do
		grep -qxF "$f $p" got || { echo "missing: $f $p"; cat got; exit 1; }
	done
'

test_expect_success 'no other suspect (no false positive)' '
	awk "\$1 == \"suspect\" || \$1 == \"may\" { print \$2, \$3 }" "$EXPECT" >allowed &&
	while read -r f p; do
		grep -qxF "$f $p" allowed || { echo "false positive: $f $p"; exit 1; }
	done <got
'

test_expect_success 'the text report names them, the C function and its Go caller' '
	grep "^suspect " "$EXPECT" | while read -r _ f p; do
		grep -qF "$f" out || { echo "not in the text: $f"; exit 1; }
	done &&
	grep "^c " "$EXPECT" | while read -r _ f; do
		grep -qF "$f" out || { echo "not in the text: $f"; exit 1; }
	done &&
	grep -q "^== Every series (trend-fit)$" out
'

test_expect_success 'the HTML report: self-contained, with charts and every suspect' '
	f=pm/report.html &&
	grep -q "<svg" $f &&
	! grep -Eq "(src|href)=\"?(https?:)?//" $f &&
	! grep -q "<script[^>]*src=" $f &&
	grep "^suspect " "$EXPECT" | while read -r _ fn p; do
		python3 -c "import html,sys; sys.exit(html.escape(sys.argv[1]) not in open(sys.argv[2]).read())" "$fn" $f ||
			{ echo "not in the HTML: $fn"; exit 1; }
	done
'

test_expect_success 'markdown and JSON agree with the text' '
	grep -qF "main.readHeader" pm/report.md &&
	python3 -c "
import json
d = json.load(open(\"pm/report.json\"))
for s in d[\"suspects\"]:
    for k in (\"rank\", \"function\", \"pattern\", \"source\", \"recommendation\"):
        assert k in s, (k, s)
"
'

# On another machine the recorded paths (/work/main/testdata/demo/...) do not
# exist: the source then comes from --source alone, as scripts/demo passes it.
test_expect_success 'the source found through --source alone: the same suspects' '
	test_expect_code 1 leak-blame --no-profile-paths --source "$TESTDATA/demo" --format=json \
		-o nopaths.json "$ARCHIVE" &&
	suspects nopaths.json >got5 &&
	test_cmp got got5
'

test_expect_success 'a tarball of the archive gives the same suspects' '
	tar -C "$TESTDATA/demo" -czf demo-archive.tar.gz archive &&
	test_expect_code 1 postmortem -q -o pm2 --source "$TESTDATA/demo" demo-archive.tar.gz >out2 &&
	echo "HTML report: pm2/report.html" >expect &&
	test_cmp expect out2 &&
	suspects pm2/report.json >got2 &&
	test_cmp got got2
'

test_expect_success 'a target directory given directly: the same suspects' '
	test_expect_code 1 postmortem -q -o pm3 --source "$TESTDATA/demo" "$ARCHIVE/demo" >/dev/null &&
	suspects pm3/report.json >got3 &&
	test_cmp got got3
'

test_expect_success 'default output directory: postmortem-NAME; --no-trend' '
	test_expect_code 1 postmortem --no-trend "$ARCHIVE" >out4 &&
	test -s postmortem-archive/report.html &&
	! grep -q "^== Every series" out4
'

test_done
