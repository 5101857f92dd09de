#!/bin/sh
# t0091: the bad-input contract, across every tool that reads profiles:
# a missing file, an empty file, a truncated, a concatenated and a
# non-profile file each give exactly one line on stderr that names the
# file, nothing on stdout, exit 2, and no output file left behind (not
# even a temporary one).
. "$(dirname "$0")/lib.sh"

G=$TESTDATA/go1.19
GOOD=$G/rate1_heap_1.pb.gz
mkdir -p out
printf '<html>502 Bad Gateway</html>\n' >not-a-profile.html
head -c 700 "$G/rate512k_heap_2.pb" >cut.pb && test -s cut.pb || exit 1

# run_bad NAME BADFILE CMD...: CMD (with BADFILE among its args) must fail
# with exit 2, one stderr line naming BADFILE, empty stdout, and leave out/ empty.
run_bad() {
	_bad=$2; shift 2
	test_expect_code 2 "$@" >stdout 2>stderr || return 1
	test ! -s stdout || { echo "stdout not empty:"; cat stdout; return 1; }
	test "$(wc -l <stderr)" -eq 1 || { echo "want one stderr line:"; cat stderr; return 1; }
	grep -qF "$(basename "$_bad")" stderr || { echo "stderr does not name $_bad:"; cat stderr; return 1; }
	test -z "$(ls -A out)" || { echo "files left in out/:"; ls -A out; return 1; }
}

for bad in missing.pb.gz "$G/malformed/empty_file" "$G/malformed/truncated_heap_2.pb.gz" \
	"$G/malformed/concat_heap_1_2.pb" "$G/malformed/string_table0_not_empty.pb" \
	cut.pb not-a-profile.html; do
	b=$(basename "$bad")
	test_expect_success "pprof-decode --top: $b" '
		run_bad decode "$bad" pprof-decode --top "$bad"
	'
	test_expect_success "pprof-decode --proto -o: $b, no output file" '
		run_bad decode "$bad" pprof-decode --proto -o out/x.pb.gz "$GOOD" "$bad"
	'
	test_expect_success "pprof-diff: $b as the current side" '
		run_bad diff "$bad" pprof-diff --proto out/d.pb.gz "$GOOD" "$bad"
	'
	test_expect_success "pprof-diff: $b as the base side" '
		run_bad diff "$bad" pprof-diff "$bad" "$GOOD"
	'
	test_expect_success "trend-fit: $b among profiles" '
		run_bad trend "$bad" trend-fit -o out/t.csv --format=csv "$GOOD" "$bad"
	'
	test_expect_success "leak-blame: $b among profiles" '
		run_bad blame "$bad" leak-blame -o out/r.html --format=html "$GOOD" "$bad"
	'
done

test_expect_success 'an output file that cannot be written: exit 2, one line naming it' '
	run_bad decode /nonexistent/x.pb.gz pprof-decode --proto -o /nonexistent/x.pb.gz "$GOOD"
'

test_expect_success 'a good run still writes its output (the checks above can pass)' '
	pprof-decode --proto -o out/ok.pb.gz "$GOOD" &&
	test -s out/ok.pb.gz && rm out/ok.pb.gz
'

test_done
