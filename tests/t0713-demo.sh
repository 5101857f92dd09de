#!/bin/sh
# scripts/demo, what `make demo` runs: the whole pipeline on the shipped
# archive with the built tools only: no Go (a `go` that fails is first on
# PATH), no network (an empty network namespace, when unshare works), no
# root needed. It prints the leak report, writes the HTML report and prints
# its path.
. "$(dirname "$0")/lib.sh"

for t in trend-fit leak-blame; do
	if ! [ -x "$LW_BUILD/bin/$t" ]; then
		test_skip "$t is not built in $LW_BUILD"
		test_done
		exit
	fi
done

# A go that must not be called.
mkdir -p nogo
printf '#!/bin/sh\necho called >>"%s/go-called"\nexit 1\n' "$TRASH" >nogo/go
chmod +x nogo/go

test_expect_success 'the shipped archive is small (< 2 MB) and complete' '
	test "$(du -s -b --apparent-size "$TESTDATA/demo/archive" | cut -f1)" -lt 2000000 &&
	d=$TESTDATA/demo/archive/demo &&
	for k in heap goroutine goroutine-dump cgo; do
		test "$(find $d -name "$k-[0-9]*" | wc -l)" = 40 || { echo "$k: not 40"; exit 1; }
	done &&
	test "$(wc -l <$d/memstats.csv)" = 41 &&
	test -z "$(find "$TESTDATA/demo/archive" -name ".*")"
'

test_expect_success 'scripts/demo: the report, the HTML path, exit 0, without Go' '
	PATH=$TRASH/nogo:$PATH sh "$LW_ROOT/scripts/demo" -o "$TRASH/rep" >out 2>err &&
	! test -e go-called &&
	grep -q "^== leakwatch demo" out &&
	grep -qF "main.(*Cache).Put" out &&
	grep -q "leaky_c_alloc" out &&
	tail -n 1 out >last &&
	echo "HTML report: $TRASH/rep/report.html" >expect &&
	test_cmp expect last &&
	grep -q "<svg" rep/report.html
'

test_expect_success 'by default the reports go to $LW_BUILD/demo' '
	mkdir -p fakebuild &&
	ln -s "$LW_BUILD/bin" fakebuild/bin &&
	LW_BUILD=$TRASH/fakebuild sh "$LW_ROOT/scripts/demo" >out 2>err &&
	tail -n 1 out >last &&
	echo "HTML report: $TRASH/fakebuild/demo/report.html" >expect &&
	test_cmp expect last
'

if [ "$(id -u)" -eq 0 ] && unshare -n true 2>/dev/null; then
	test_expect_success 'without network (an empty network namespace)' '
		unshare -n sh "$LW_ROOT/scripts/demo" -o "$TRASH/out-nonet" >out 2>err &&
		test -s out-nonet/report.html
	'
else
	test_skip 'no network namespace (needs root and unshare -n)'
fi

test_done
