# tests/lib.sh: git-style shell test library. Source it from tests/tNNNN-*.sh.
#
#   test_expect_success 'what it checks' '<shell commands>'
#   test_must_fail CMD...      succeeds only if CMD exits 1..125 (not a crash)
#   test_expect_code N CMD...  succeeds only if CMD exits exactly N
#   test_cmp expect actual     diff -u
#   test_skip 'why'            prints the reason; counted as skipped
#   test_done                  prints the counts, exits non-zero on failure
#
# Each test body runs in a subshell inside a private scratch directory
# ($TRASH); the tools are on PATH (LW_BUILD/bin). Prerequisites are checked
# with test_have_prereq and every skip is printed with its reason.
set -u
LC_ALL=C
TZ=UTC
export LC_ALL TZ
LW_ROOT=$(cd "$(dirname "$0")/.." && pwd)
LW_BUILD=${LW_BUILD:-$LW_ROOT/build}
TESTDATA=$LW_ROOT/testdata
PATH=$LW_BUILD/bin:$LW_ROOT/scripts:$PATH
export LW_ROOT LW_BUILD TESTDATA PATH
# Sanitizer builds: fail on the first report, report leaks.
ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1:exitcode=99}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=99}
LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$LW_ROOT/tests/lsan.supp:print_suppressions=0}
export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS

test_name=$(basename "$0" .sh)
TRASH=${LW_TMPDIR:-/tmp}/lw-test.$test_name.$$
rm -rf "$TRASH" && mkdir -p "$TRASH" || exit 1
test_count=0 test_pass=0 test_fail=0 test_skipped=0
trap 'rm -rf "$TRASH"' EXIT
cd "$TRASH" || exit 1

say() { printf '%s\n' "$*"; }

test_expect_success() {
	test_count=$((test_count + 1))
	: >"$TRASH/.start"
	if (eval "$2") >"$TRASH/.out" 2>&1; then
		test_pass=$((test_pass + 1))
		say "ok $test_count - $1"
	else
		test_fail=$((test_fail + 1))
		say "not ok $test_count - $1"
		sed 's/^/#   /' "$TRASH/.out" | head -n 60
		# Most tests send the tool's stderr to "err": show it, or a CI log
		# says only that the test failed (not one an earlier test left).
		if [ -s "$TRASH/err" ] && [ "$TRASH/err" -nt "$TRASH/.start" ]; then
			tail -n 20 "$TRASH/err" | sed 's/^/#   err: /'
		fi
	fi
}

test_skip() {
	test_count=$((test_count + 1))
	test_skipped=$((test_skipped + 1))
	say "ok $test_count # skip $1"
}

# Exit codes 126..255 are crashes, signals or sanitizer reports (99): never a pass.
test_must_fail() {
	"$@"
	_rc=$?
	if [ $_rc -eq 0 ]; then say "error: '$*' succeeded"; return 1; fi
	if [ $_rc -gt 125 ] || [ $_rc -eq 99 ]; then say "error: '$*' crashed ($_rc)"; return 1; fi
	return 0
}

test_expect_code() {
	_want=$1; shift
	"$@"
	_rc=$?
	if [ $_rc -ne "$_want" ]; then say "error: '$*' exited $_rc, want $_want"; return 1; fi
	return 0
}

test_cmp() { diff -u "$1" "$2"; }

# test_have_prereq NAME: ROOT, GO, BPF, CLANG, CHROMIUM, ALERTMANAGER
test_have_prereq() {
	case "$1" in
	ROOT) [ "$(id -u)" -eq 0 ] ;;
	GO) command -v go >/dev/null 2>&1 ;;
	BPF) [ "$(id -u)" -eq 0 ] && [ -r /sys/kernel/btf/vmlinux ] && [ -x "$LW_BUILD/bin/cgo-trace" ] ;;
	CLANG) command -v clang >/dev/null 2>&1 ;;
	CHROMIUM) command -v chromium >/dev/null 2>&1 ;;
	ALERTMANAGER) command -v prometheus-alertmanager >/dev/null 2>&1 ;;
	*) return 1 ;;
	esac
}

# Go builds: offline, cache inside the build dir so repeated runs are fast.
lw_go_build() { # lw_go_build OUT SRCDIR [go build flags...]
	_out=$1 _src=$2; shift 2
	(cd "$_src" && GOFLAGS=-mod=mod GOPROXY=off GOCACHE="$LW_BUILD/gocache" \
		GO111MODULE=on go build -buildvcs=false -o "$_out" "$@" .)
}

test_done() {
	say "# $test_name: $test_pass passed, $test_fail failed, $test_skipped skipped"
	if [ -n "${LW_RESULTS:-}" ]; then
		echo "$test_pass $test_fail $test_skipped" >>"$LW_RESULTS"
	fi
	[ $test_fail -eq 0 ]
}

# test_skip_all REASON: a missing prerequisite of the whole file: one
# skipped test saying why, the summary, and exit (as test_done left it).
test_skip_all() {
	test_skip "$1"
	test_done
	exit
}
