#!/bin/sh
# leak-blame: usage, options, exit codes, one-line errors on bad input (and
# no partial output file), the man page in sync with --help.
. "$(dirname "$0")/lib.sh"

S=$TESTDATA/blame/synth.sh

test_expect_success 'setup: synthetic archive' '
	sh "$S" "$TRASH/arch"
'

test_expect_success '--help: usage on stdout, exit 0' '
	leak-blame --help >out 2>err &&
	grep -q "^usage: leak-blame" out && test ! -s err
'

test_expect_success '--version' '
	leak-blame --version >out && grep -q "^leak-blame (leakwatch) " out
'

for bad in '--format=xml' '--stacks=4' '--max-suspects=0' '--fail-on=plateau' \
	'--blame-skip=(' '--min-rate=fast' '--warmup=soon' '--fdr=2' '--bogus'; do
	test_expect_success "bad option $bad: exit 2 with a usage hint" "
		test_expect_code 2 leak-blame '$bad' '$TRASH/arch' >out 2>err &&
		test ! -s out && grep -q \"^leak-blame: \" err && grep -q \"Try 'leak-blame --help'\" err
	"
done

test_expect_success 'no argument: usage error' '
	test_expect_code 2 leak-blame 2>err && grep -q "no archive or profiles" err
'

test_expect_success 'missing archive: one line naming it, exit 2' '
	test_expect_code 2 leak-blame "$TRASH/nope" >out 2>err &&
	test ! -s out && test $(wc -l <err) -eq 1 && grep -q "nope" err
'

test_expect_success 'empty directory: exit 2' '
	mkdir empty && test_expect_code 2 leak-blame empty 2>err &&
	grep -q "^leak-blame: .*empty.*no heap, cgo or goroutine profiles" err
'

test_expect_success 'corrupt snapshot: names the file, exit 2, no report file' '
	cp -r "$TRASH/arch" bad &&
	printf "heap profile: garbage\n" >bad/heapsvc/heap-20260101T000500.000Z.txt &&
	test_expect_code 2 leak-blame -o report.txt --alerts=alerts.json bad >out 2>err &&
	test $(wc -l <err) -eq 1 && grep -q "heap-20260101T000500.000Z.txt" err &&
	test ! -e report.txt && test ! -e alerts.json && test ! -s out
'

test_expect_success 'bad memstats.csv: names the file and line, exit 2' '
	rm -rf bad && cp -r "$TRASH/arch" bad &&
	sed -i "3s/,[0-9]*\$/,lots/" bad/rsssvc/memstats.csv &&
	test_expect_code 2 leak-blame bad 2>err &&
	grep -q "memstats.csv.*line 3.*bad rss" err
'

test_expect_success 'a directory among profile files is refused' '
	test_expect_code 2 leak-blame "$TRASH/arch/heapsvc/heap-20260101T000000.000Z.txt" "$TRASH/arch" 2>err &&
	grep -q "a directory among profile files" err
'

test_expect_success 'exit 1 on a leak, report on stdout, nothing on stderr' '
	test_expect_code 1 leak-blame "$TRASH/arch" >out 2>err &&
	test ! -s err && grep -q "^verdict: LEAK" out
'

test_expect_success 'exit 0 when nothing leaks (steady demo recording)' '
	test_expect_code 0 leak-blame "$TESTDATA/archives/blame/steady" >out &&
	grep -q "^verdict: no leak" out
'

test_expect_success '--fail-on: growing suspects fail only with --fail-on=growing' '
	test_expect_code 0 leak-blame --min-rate=1GiB/h --min-count-rate=1000000/h "$TRASH/arch" >out &&
	grep -q "^verdict: GROWING" out &&
	test_expect_code 1 leak-blame --fail-on=growing --min-rate=1GiB/h --min-count-rate=1000000/h "$TRASH/arch" >out
'

test_expect_success '-o writes the report atomically, stdout stays empty' '
	test_expect_code 1 leak-blame -o rep.txt "$TRASH/arch" >out &&
	test ! -s out && grep -q "^service heapsvc" rep.txt &&
	! ls -a | grep -q "^\.rep\.txt\.tmp"
'

test_expect_success 'man page documents every option of --help' '
	leak-blame --help | grep -o -- "--[a-z][a-z-]*" | sort -u >opts &&
	sed "s/\\\\-/-/g" "$LW_ROOT/tools/leak-blame/leak-blame.1" >man &&
	while read -r o; do grep -q -- "$o" man || { echo "missing $o"; exit 1; }; done <opts
'

test_expect_success 'a closed stdout is an error, not a success' '
	test_expect_code 2 sh -c "leak-blame \"$TRASH/arch\" >&-" 2>err
'

test_done
