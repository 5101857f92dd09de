# helpers.sh: shared by tests/t03xx-cgo-trace-*.sh (sourced after lib.sh).
CGO_TD=$TESTDATA/cgo

# Builds alloctest with and without frame pointers, and its dlopen library.
cgo_build_alloctest() {
	cc -O2 -g -fno-omit-frame-pointer -o alloctest_fp "$CGO_TD/alloctest.c" -ldl -lpthread &&
	cc -O2 -g -fomit-frame-pointer -o alloctest_nofp "$CGO_TD/alloctest.c" -ldl -lpthread &&
	cc -O2 -g -fomit-frame-pointer -shared -fPIC -o dl_alloc.so "$CGO_TD/dl_alloc.c"
}

# cgo_attribute PROFILE [awk -v options]: per-t_-function totals (attribute.awk).
cgo_attribute() {
	_p=$1; shift
	go tool pprof -raw "$_p" >"$_p.raw" 2>"$_p.err" || { cat "$_p.err"; return 1; }
	awk "$@" -f "$CGO_TD/attribute.awk" "$_p.raw"
}

# cgo_check_truth TRUTH PROFILE: the profile's outstanding (and, where the
# truth knows them, allocated) objects and bytes per t_ function equal the
# program's own truth exactly.
cgo_check_truth() {
	sort "$1" >expect.truth &&
	cgo_attribute "$2" >actual.attr &&
	awk 'NR == FNR { if ($4 == "-") unknown[$1] = 1; next }
	     unknown[$1] { $4 = "-"; $5 = "-" } { print }' expect.truth actual.attr >actual.truth &&
	test_cmp expect.truth actual.truth
}

# cgo_wait_for FILE PATTERN: up to 20 s for PATTERN to appear in FILE.
cgo_wait_for() {
	_i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -gt 400 ] && { echo "timed out waiting for '$2' in $1"; cat "$1"; return 1; }
		sleep 0.05
	done
}

# cgo_valid PROFILE: go tool pprof reads it and it has the heap sample types.
cgo_valid() {
	go tool pprof -raw "$1" >"$1.raw" 2>"$1.err" || { cat "$1.err"; return 1; }
	grep -q '^alloc_objects/count alloc_space/bytes inuse_objects/count inuse_space/bytes$' "$1.raw" &&
	grep -q '^PeriodType: space bytes$' "$1.raw"
}
