#!/bin/sh
# Every script in scripts/: executable, parses with sh -n (or bash -n),
# passes shellcheck, answers --help with exit 0 and a usage text on stdout,
# and rejects an unknown option with a usage message on stderr, nothing on
# stdout, exit 2. Then the argument checks of record and notify, which must
# all fail before doing anything.
. "$(dirname "$0")/lib.sh"

SCRIPTS=$(find "$LW_ROOT/scripts" -maxdepth 1 -type f | sort)

test_expect_success 'there are scripts, record and notify among them' '
	printf "%s\n" $SCRIPTS | grep -q "/record$" &&
	printf "%s\n" $SCRIPTS | grep -q "/notify$"
'

for s in $SCRIPTS; do
	n=$(basename "$s")
	shell=sh
	head -n 1 "$s" | grep -q bash && shell=bash
	test_expect_success "$n: executable, $shell -n parses it" '
		test -x "$s" && $shell -n "$s"
	'
	if command -v shellcheck >/dev/null 2>&1; then
		test_expect_success "$n: shellcheck-clean" '
			shellcheck "$s"
		'
	else
		test_skip "$n: shellcheck is not installed (scripts/install-deps installs it)"
	fi
	test_expect_success "$n: --help exits 0 with a usage text on stdout" '
		"$s" --help >out 2>err &&
		grep -qi "usage" out
	'
	test_expect_success "$n: an unknown option: usage on stderr, exit 2" '
		test_expect_code 2 "$s" --no-such-option </dev/null >out 2>err &&
		test_cmp /dev/null out &&
		grep -qi "^usage:" err &&
		grep -q "no-such-option" err
	'
done

# bad_args SCRIPT MESSAGE ARGS...: exit 2, MESSAGE (grep -F) and a usage line
# on stderr, nothing on stdout.
bad_args() {
	_s=$1 _m=$2; shift 2
	test_expect_code 2 "$_s" "$@" </dev/null >out 2>err || return 1
	test_cmp /dev/null out || return 1
	grep -qF "$_m" err || { echo "no '$_m' in:"; cat err; return 1; }
	grep -q "^usage:" err || { echo "no usage line in:"; cat err; return 1; }
}

test_expect_success 'record: bad arguments are refused before anything runs' '
	bad_args record "no archive given" --demo map &&
	bad_args record "no PROGRAM given" -o arch &&
	bad_args record "bad --demo leaks" -o arch --demo map,bogus &&
	bad_args record "exclusive" -o arch --demo map -- /bin/true &&
	bad_args record "exclusive" -o arch --demo map /bin/true &&
	bad_args record "bad --interval" -o arch --interval 2 --demo map &&
	bad_args record "bad --duration" -o arch --duration soon --demo map &&
	bad_args record "bad --rate" -o arch --rate -1 --demo map &&
	bad_args record "bad --url" -o arch --url 127.0.0.1:6060 -- /bin/true &&
	bad_args record "bad --name" -o arch --name "a/b" -- /bin/true &&
	bad_args record "bad --startup-timeout" -o arch --startup-timeout 1m -- /bin/true &&
	bad_args record "needs a value" -o &&
	test ! -e arch
'

test_expect_success 'notify: bad arguments are refused before anything is sent' '
	echo "{\"alerts\": []}" >a.json &&
	bad_args notify "no alert document" --webhook http://127.0.0.1:9/ &&
	bad_args notify "no destination" a.json &&
	bad_args notify "bad URL" --webhook ftp://x a.json &&
	bad_args notify "bad --repeat-interval" --webhook http://127.0.0.1:9/ --repeat-interval 4 a.json &&
	bad_args notify "bad --resolve-after" --webhook http://127.0.0.1:9/ --resolve-after 0s a.json &&
	bad_args notify "bad --timeout" --webhook http://127.0.0.1:9/ --timeout 0 a.json &&
	bad_args notify "exclusive" --webhook http://127.0.0.1:9/ --state s --no-state a.json &&
	bad_args notify "more than once" --webhook http://127.0.0.1:9/ - - &&
	bad_args notify "needs a value" --alertmanager &&
	test_expect_code 2 notify --webhook http://127.0.0.1:9/ --no-state missing.json 2>err &&
	grep "cannot read alert document .missing.json." err
'

test_done
