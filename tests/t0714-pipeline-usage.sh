#!/bin/sh
# The argument checks of leakwatch, postmortem and demo (ci-compare's are in
# t0710): a bad argument is refused with a message, a usage line on stderr,
# nothing on stdout and exit 2, before anything is started or written.
. "$(dirname "$0")/lib.sh"
mkdir "$TRASH/w" && cd "$TRASH/w" || exit 1

# bad_args SCRIPT MESSAGE ARGS...: exit 2, MESSAGE (grep -F) and a usage line
# on stderr, nothing on stdout, nothing created in the scratch directory.
bad_args() {
	_s=$1 _m=$2; shift 2
	ls -A | grep -v -e '^out$' -e '^err$' -e '^before$' -e '^after$' >../before
	test_expect_code 2 "$_s" "$@" </dev/null >out 2>err || return 1
	test_cmp /dev/null out || return 1
	grep -qF -- "$_m" err || { echo "no '$_m' in:"; cat err; return 1; }
	grep -q "^usage:" err || { echo "no usage line in:"; cat err; return 1; }
	ls -A | grep -v -e '^out$' -e '^err$' -e '^before$' -e '^after$' >../after
	test_cmp ../before ../after || { echo "something was created"; return 1; }
}

test_expect_success 'leakwatch: bad arguments are refused before anything runs' '
	bad_args leakwatch "no service given" -o arch &&
	bad_args leakwatch "no archive given" http://127.0.0.1:9 &&
	bad_args leakwatch "one service per leakwatch" -o arch http://127.0.0.1:9 http://127.0.0.1:8 &&
	bad_args leakwatch "bad URL" -o arch 127.0.0.1:9 &&
	bad_args leakwatch "bad URL" -o arch svc=ftp://x &&
	bad_args leakwatch "bad --interval" -o arch --interval 30 http://127.0.0.1:9 &&
	bad_args leakwatch "bad --duration" -o arch --duration soon http://127.0.0.1:9 &&
	bad_args leakwatch "bad --analyze-every" -o arch -n 0 http://127.0.0.1:9 &&
	bad_args leakwatch "bad --analyze-every" -o arch --analyze-every x http://127.0.0.1:9 &&
	bad_args leakwatch "bad --kinds" -o arch --kinds "heap goroutine" http://127.0.0.1:9 &&
	bad_args leakwatch "bad --name" -o arch "a/b=http://127.0.0.1:9" &&
	bad_args leakwatch "bad --name" -o arch --name .hidden http://127.0.0.1:9 &&
	bad_args leakwatch "bad --pid" -o arch --pid 12x http://127.0.0.1:9 &&
	bad_args leakwatch "no process 999999999" -o arch --pid 999999999 http://127.0.0.1:9 &&
	bad_args leakwatch "bad --fail-on" -o arch --fail-on maybe http://127.0.0.1:9 &&
	bad_args leakwatch "bad --repeat-interval" -o arch --repeat-interval 4 http://127.0.0.1:9 &&
	bad_args leakwatch "bad URL" -o arch --webhook hook http://127.0.0.1:9 &&
	bad_args leakwatch "bad URL" -o arch --alertmanager 127.0.0.1:9093 http://127.0.0.1:9 &&
	bad_args leakwatch "is not a directory" -o arch --source nowhere http://127.0.0.1:9 &&
	bad_args leakwatch "cannot read --token-file" -o arch --token-file nowhere http://127.0.0.1:9 &&
	bad_args leakwatch "bad --demo leaks" --demo map,bogus &&
	bad_args leakwatch "bad --demo leaks" --demo none &&
	bad_args leakwatch "exclusive" --demo map http://127.0.0.1:9 &&
	bad_args leakwatch "--pid is the demo" --demo map --pid 1 &&
	bad_args leakwatch "bad --rate" --demo map --rate fast &&
	mkdir -p old/demo && : >old/demo/heap-20260101T000000.000Z.pb.gz &&
	bad_args leakwatch "is not empty: --demo records a fresh archive" --demo map -o old &&
	bad_args leakwatch "needs a value" -o
'

test_expect_success 'leakwatch: pprof-fetch cannot start (archive in use): exit 2, its message, no analysis' '
	mkdir busy && cp -R "$TESTDATA/demo/archive/demo" busy/svc &&
	test_expect_code 2 flock busy/svc/.lock leakwatch -o busy --interval 1s --duration 2s \
		svc=http://127.0.0.1:9 >out 2>err &&
	grep -F "leakwatch: pprof-fetch: '"'"'busy/svc'"'"' is in use by another pprof-fetch" err &&
	! test -e busy/svc/report.json && ! test -e busy/svc/trend.txt
'

test_expect_success 'postmortem: bad arguments are refused' '
	mkdir a &&
	bad_args postmortem "no archive given" &&
	bad_args postmortem "one archive at a time" a a &&
	bad_args postmortem "bad --fail-on" --fail-on all a &&
	bad_args postmortem "bad --limit" --limit lots a &&
	bad_args postmortem "is not a directory" --source nowhere a &&
	bad_args postmortem "needs a value" a -o
'

test_expect_success 'postmortem: a missing or unusable archive is an input error (exit 2)' '
	test_expect_code 2 postmortem nowhere >out 2>err &&
	test_cmp /dev/null out &&
	grep "postmortem: cannot open .nowhere.: no such file or directory" err &&
	echo text >notes.txt &&
	test_expect_code 2 postmortem notes.txt 2>err &&
	grep "neither a directory nor a tarball" err &&
	mkdir empty &&
	test_expect_code 2 postmortem -o pm empty 2>err &&
	grep "holds no archive" err && ! test -e pm &&
	echo junk >bad.tar.gz &&
	test_expect_code 2 postmortem bad.tar.gz 2>err &&
	grep "cannot unpack .bad.tar.gz." err
'

test_expect_success 'demo: bad arguments are refused' '
	bad_args demo "unknown option" --fast &&
	bad_args demo "needs a value" -o
'

test_done
