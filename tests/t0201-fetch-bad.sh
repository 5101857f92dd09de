#!/bin/sh
# pprof-fetch against a misbehaving server we control (testdata/go/badserver):
# 5xx, 404, slow past the timeout, connections cut mid-body, bodies over the
# size limit, HTML and empty bodies, the wrong profile, redirects, TLS, a
# server that comes up late, and auth headers. For each: the retries seen by
# the server, the manifest row, the exit status, and no file but good ones.
. "$(dirname "$0")/lib.sh"
. "$LW_ROOT/tests/lib-fetch.sh"

if ! test_have_prereq GO; then
	test_skip_all 'go is not installed (needed to build the test server)'
fi

test_expect_success 'build the Go test servers' 'fetch_build_servers'

LOG=$TRASH/requests.log
: >"$LOG"
start_server "$TRASH/port" "$GO_BIN/badserver" -port-file "$TRASH/port" -log "$LOG" \
	-slow 5s -big 2097152 -flaky 2
B=http://127.0.0.1:$(cat "$TRASH/port")
# Short timings keep every case well under a second or two.
FAST="--timeout 600ms --retry-delay 20ms --max-size 1MiB"

# run_case NAME MODE EXIT [options...]: one heap snapshot of target NAME at
# $B/MODE/debug/pprof/ into archive "ar"; checks the exit status; leaves the
# manifest's data row in row.NAME and the server's requests in req.NAME.
run_case() {
	_name=$1 _mode=$2 _exit=$3; shift 3
	test_expect_code "$_exit" pprof-fetch -q -o ar -k heap -n 1 $FAST "$@" \
		"$_name=$B/$_mode/debug/pprof/" || return 1
	tail -n +2 "ar/$_name/manifest.csv" >"row.$_name"
	grep -c "^$_mode /$_mode/debug/pprof/heap?gc=1" "$LOG" >"req.$_name" || :
	: >"$LOG"
}

# row_is NAME "kind,file?,http_status,result,attempts" ERROR-REGEX
row_is() {
	gawk -v FPAT="$GAWK_CSV" '{ print $2 "," ($3 != "") "," $5 "," $7 "," $8 }' "row.$1" >actual &&
	echo "$2" >expect && test_cmp expect actual &&
	gawk -v FPAT="$GAWK_CSV" '{ print $9 }' "row.$1" >err.$1 &&
	grep -E "$3" "err.$1"
}

no_snapshots() {
	ls "ar/$1" >actual && echo manifest.csv >expect && test_cmp expect actual
}

test_expect_success '500: retried --retries times, then failed, exit 1' '
	run_case e500 500 1 --retries 2 &&
	echo 3 >expect && test_cmp expect req.e500 &&
	row_is e500 "heap,0,500,failed,3" "^HTTP 500: internal error\$" && no_snapshots e500
'

test_expect_success '--retries 0 means one attempt' '
	run_case e500b 500 1 --retries 0 &&
	echo 1 >expect && test_cmp expect req.e500b &&
	row_is e500b "heap,0,500,failed,1" "^HTTP 500"
'

test_expect_success '404: not retried, failed' '
	run_case e404 404 1 --retries 2 &&
	echo 1 >expect && test_cmp expect req.e404 &&
	row_is e404 "heap,0,404,failed,1" "^HTTP 404: 404 page not found\$" && no_snapshots e404
'

test_expect_success 'flaky (503 twice): stored on the third attempt, exit 0' '
	run_case flaky flaky 0 --retries 2 &&
	echo 3 >expect && test_cmp expect req.flaky &&
	row_is flaky "heap,1,200,ok,3" "^\$" && check_archive ar
'

test_expect_success 'slow past --timeout: timed out, retried, failed' '
	run_case slow slow 1 --retries 1 &&
	echo 2 >expect && test_cmp expect req.slow &&
	row_is slow "heap,0,,failed,2" "[Tt]imed out" && no_snapshots slow
'

test_expect_success 'connection cut mid-body (Content-Length): retried, failed' '
	run_case cut cut 1 --retries 1 &&
	echo 2 >expect && test_cmp expect req.cut &&
	row_is cut "heap,0,200,failed,2" "transfer closed" && no_snapshots cut
'

test_expect_success 'connection cut mid-body (chunked): retried, failed' '
	run_case cutc cutchunked 1 --retries 1 &&
	echo 2 >expect && test_cmp expect req.cutc &&
	row_is cutc "heap,0,200,failed,2" "transfer closed" && no_snapshots cutc
'

test_expect_success 'connection cut with no length: caught by validation' '
	run_case cute cuteof 1 --retries 1 &&
	echo 1 >expect && test_cmp expect req.cute &&
	row_is cute "heap,0,200,failed,1" "^not a profile: .*(truncated|unexpected end)" &&
	no_snapshots cute
'

test_expect_success 'body over --max-size (Content-Length): refused early' '
	run_case big big 1 --retries 2 &&
	echo 1 >expect && test_cmp expect req.big &&
	row_is big "heap,0,200,failed,1" "^response larger than --max-size \\(1048576 bytes\\)\$" &&
	no_snapshots big
'

test_expect_success 'body over --max-size (chunked): cut at the limit' '
	run_case bigc bigchunked 1 --retries 2 &&
	echo 1 >expect && test_cmp expect req.bigc &&
	row_is bigc "heap,0,200,failed,1" "^response larger than --max-size" &&
	gawk -F, "{ if (\$4 > 1048576) print \"kept\", \$4, \"bytes\" }" row.bigc >actual &&
	test_cmp /dev/null actual && no_snapshots bigc
'

test_expect_success 'the same body under a larger --max-size is read whole, then refused as invalid' '
	run_case bigok big 1 --max-size 3MiB &&
	row_is bigok "heap,0,200,failed,1" "^not a profile" &&
	gawk -F, "{ print \$4 }" row.bigok >actual && echo 2097162 >expect && test_cmp expect actual
'

test_expect_success 'HTML page with status 200: not a profile, not stored' '
	run_case html html 1 &&
	echo 1 >expect && test_cmp expect req.html &&
	row_is html "heap,0,200,failed,1" "^not a profile" && no_snapshots html
'

test_expect_success 'empty body: not a profile' '
	run_case empty empty 1 &&
	row_is empty "heap,0,200,failed,1" "^not a profile" && no_snapshots empty
'

test_expect_success 'a valid profile of the wrong kind is refused' '
	run_case wrong wrongkind 1 &&
	row_is wrong "heap,0,200,failed,1" "^not a heap profile \\(protobuf\\)\$" && no_snapshots wrong
'

test_expect_success 'a MemStats value that is not a count (nan): refused, no memstats row' '
	test_expect_code 1 pprof-fetch -q -o arm -k memstats -n 1 $FAST "ms=$B/badmemstats/debug/pprof/" &&
	tail -n +2 arm/ms/manifest.csv >row.ms &&
	row_is ms "memstats,0,200,failed,1" "^MemStats HeapAlloc = -?nan is not a count\$" &&
	test "$(wc -l <arm/ms/memstats.csv)" = 1 &&
	: >"$LOG"
'

test_expect_success 'redirect: refused unless --follow-redirects' '
	run_case redir redirect 1 --retries 2 &&
	echo 1 >expect && test_cmp expect req.redir &&
	row_is redir "heap,0,302,failed,1" "redirect to .*/ok/debug/pprof/heap\\?gc=1 not followed" &&
	run_case redir2 redirect 0 --follow-redirects &&
	row_is redir2 "heap,1,200,ok,1" "^\$" && check_archive ar
'

test_expect_success 'goroutineleak 404 is noted once, not an error' '
	pprof-fetch -o gl -k heap,goroutineleak -i 50ms -n 3 g=$B/ok/debug/pprof/ 2>err &&
	grep -c "^ok /ok/debug/pprof/goroutineleak" "$LOG" >actual && echo 1 >expect &&
	test_cmp expect actual &&
	grep -c "goroutineleak is not offered" err >actual && test_cmp expect actual &&
	manifest_field gl/g/manifest.csv 7 | sort | uniq -c | sed "s/^ *//" >actual &&
	printf "3 ok\n1 unsupported\n" >expect && test_cmp expect actual &&
	: >"$LOG"
'

test_expect_success 'one bad target does not stop the good one; exit 1' '
	test_expect_code 1 pprof-fetch -q -o mix -k heap,goroutine -i 50ms -n 3 $FAST --retries 1 \
		good=$B/ok/debug/pprof/ bad=$B/500/debug/pprof/ &&
	manifest_field mix/good/manifest.csv 7 | sort | uniq -c | sed "s/^ *//" >actual &&
	echo "6 ok" >expect && test_cmp expect actual &&
	manifest_field mix/bad/manifest.csv 7 | sort | uniq -c | sed "s/^ *//" >actual &&
	echo "6 failed" >expect && test_cmp expect actual &&
	check_archive mix && : >"$LOG"
'

test_expect_success 'a server that is down at first and comes up later' '
	port=$("$GO_BIN/badserver" -pick-port) || exit 1
	pprof-fetch -q -o late -k heap,goroutine -n 1 --retries 8 --retry-delay 100ms \
		--timeout 2s late=http://127.0.0.1:$port/ok/debug/pprof/ &
	pid=$! &&
	sleep 0.4 &&
	start_server late.port "$GO_BIN/badserver" -port $port -port-file late.port &&
	wait $pid &&
	gawk -F, "NR > 1 { print \$2, \$7, (\$8 > 1) }" late/late/manifest.csv >actual &&
	printf "heap ok 1\ngoroutine ok 0\n" >expect && test_cmp expect actual &&
	check_archive late
'

test_expect_success 'TLS: verified by default, --cacert, --insecure' '
	start_server tls.port "$GO_BIN/badserver" -port-file tls.port -tls-cert cert.pem &&
	T=https://127.0.0.1:$(cat tls.port) &&
	test_expect_code 1 pprof-fetch -q -o tls -k heap -n 1 --retries 2 s=$T/ok/debug/pprof/ &&
	gawk -v FPAT="$GAWK_CSV" "NR > 1 { print \$7, \$8 }" tls/s/manifest.csv >actual &&
	echo "failed 1" >expect && test_cmp expect actual &&
	grep -i "certificate" tls/s/manifest.csv &&
	pprof-fetch -q -o tls -k heap -n 1 --cacert cert.pem s=$T/ok/debug/pprof/ &&
	pprof-fetch -o tls -k heap -n 1 --insecure s=$T/ok/debug/pprof/ 2>err &&
	grep "not verified" err &&
	manifest_field tls/s/manifest.csv 7 >actual && printf "failed\nok\nok\n" >expect &&
	test_cmp expect actual && check_archive tls
'

test_expect_success 'auth token from --token-env, --token-file; headers from --header-file' '
	SECRET_TOKEN=s3cr3t-env pprof-fetch -o h -k heap -n 1 --token-env SECRET_TOKEN \
		a=$B/ok/debug/pprof/ &&
	printf "s3cr3t-file\n" >tok && pprof-fetch -o h -k heap -n 1 --token-file tok \
		a=$B/ok/debug/pprof/ &&
	printf "# comment\nX-Test:hello\n\nAuthorization: Basic Zm9vOmJhcg==\n" >hdr &&
	pprof-fetch -o h -k heap -n 1 --header-file hdr a=$B/ok/debug/pprof/ &&
	sed -n "s/^ok [^ ]*//p" "$LOG" >actual &&
	printf " auth=Bearer s3cr3t-env\n auth=Bearer s3cr3t-file\n auth=Basic Zm9vOmJhcg== x-test=hello\n" >expect &&
	test_cmp expect actual && : >"$LOG"
'

test_expect_success 'SIGTERM during a retry delay: no more retries, the snapshot completes' '
	pprof-fetch -q -o sig1 -k heap,goroutine --retries 5 --retry-delay 3s \
		s=$B/500/debug/pprof/ &
	pid=$! &&
	i=0 && until grep -q "^500 /500/debug/pprof/heap" "$LOG"; do
		i=$((i + 1)); [ $i -lt 200 ] || exit 1; sleep 0.05; done &&
	kill -TERM $pid &&
	test_expect_code 1 wait $pid &&
	gawk -F, "NR > 1 { print \$2, \$5, \$7, \$8 }" sig1/s/manifest.csv >actual &&
	printf "heap 500 failed 1\ngoroutine 500 failed 1\n" >expect && test_cmp expect actual &&
	grep -c "^500 " "$LOG" >actual && echo 2 >expect && test_cmp expect actual &&
	: >"$LOG"
'

test_expect_success 'a second SIGINT abandons the transfer in flight; SIGINT + SIGTERM does not' '
	pprof-fetch -q -o sig2 -k heap,goroutine --timeout 4s --retries 0 s=$B/slow/debug/pprof/ &
	pid=$! &&
	i=0 && until grep -q "^slow " "$LOG"; do
		i=$((i + 1)); [ $i -lt 200 ] || exit 1; sleep 0.05; done &&
	kill -INT $pid && sleep 0.2 && kill -INT $pid &&
	test_expect_code 1 wait $pid &&
	gawk -F, "NR > 1 { print \$2, \$7, \$9 }" sig2/s/manifest.csv >actual &&
	echo "heap failed interrupted" >expect && test_cmp expect actual || exit 1
	: >"$LOG"
	pprof-fetch -q -o sig3 -k heap --timeout 1s --retries 3 s=$B/slow/debug/pprof/ &
	pid=$! &&
	i=0 && until grep -q "^slow " "$LOG"; do
		i=$((i + 1)); [ $i -lt 200 ] || exit 1; sleep 0.05; done &&
	kill -INT $pid && sleep 0.2 && kill -TERM $pid &&
	test_expect_code 1 wait $pid &&
	gawk -F, "NR > 1 { print \$2, \$7, \$8 }" sig3/s/manifest.csv >actual &&
	echo "heap failed 1" >expect && test_cmp expect actual &&
	grep -i "timed out" sig3/s/manifest.csv &&
	: >"$LOG"
'

test_expect_success 'request URLs: base path with or without slash, query kept, fragment dropped, gc once' '
	pprof-fetch -q -o urls -k heap,memstats,goroutine-dump,allocs -n 1 \
		"q=$B/ok/debug/pprof?tok=1#frag" &&
	pprof-fetch -q -o urls -k heap,memstats -n 1 --no-gc "r=$B/ok/x/" &&
	pprof-fetch -q -o urls -k memstats -n 1 "s=$B/ok/y" &&
	cat >expect <<-\EOF &&
	ok /ok/debug/pprof/heap?tok=1&gc=1
	ok /ok/debug/pprof/goroutine?tok=1&debug=2
	ok /ok/debug/pprof/heap?tok=1&debug=1
	ok /ok/debug/pprof/allocs?tok=1
	ok /ok/x/heap
	ok /ok/x/goroutine?debug=1
	ok /ok/x/heap?debug=1
	ok /ok/y/goroutine?debug=1
	ok /ok/y/heap?debug=1&gc=1
	EOF
	test_cmp expect "$LOG" && : >"$LOG"
'

test_expect_success 'no file but valid snapshots anywhere in the archive' '
	check_archive ar &&
	find ar -type f ! -name manifest.csv ! -name .lock | sort >files &&
	echo 2 >expect && wc -l <files >actual && test_cmp expect actual
'

test_done
