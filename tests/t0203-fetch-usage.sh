#!/bin/sh
# pprof-fetch's command line: help, version, the man page in sync with
# --help, and every usage error exits 2 with a one-line reason before any
# request or file is made.
. "$(dirname "$0")/lib.sh"

test_expect_success '--help to stdout, exit 0' '
	pprof-fetch --help >out 2>err &&
	test_cmp /dev/null err &&
	head -n 1 out >actual &&
	echo "usage: pprof-fetch [options] --out DIR TARGET..." >expect &&
	test_cmp expect actual
'

test_expect_success '--version' '
	pprof-fetch --version >out && grep "^pprof-fetch (leakwatch) " out
'

test_expect_success 'the man page documents every option of --help' '
	pprof-fetch --help | grep -o -- "--[a-z-]*" | sort -u >help.opts &&
	sed "s/\\\\-/-/g" "$LW_ROOT/tools/pprof-fetch/pprof-fetch.1" | grep -o -- "--[a-z-]*" |
		sort -u >man.opts &&
	comm -23 help.opts man.opts >missing && test_cmp /dev/null missing &&
	test $(wc -l <help.opts) -ge 20
'

# usage_error 'REGEX' ARGS...: exit 2, stderr matches, nothing created.
usage_error() {
	_re=$1; shift
	test_expect_code 2 pprof-fetch "$@" >out 2>err || return 1
	test_cmp /dev/null out || return 1
	grep -E -- "$_re" err || { cat err; return 1; }
	test ! -e ar || { echo "archive created"; return 1; }
}

test_expect_success 'no target, no --out' '
	usage_error "no TARGET" -o ar &&
	usage_error "no archive directory" http://127.0.0.1:1
'

test_expect_success 'bad option values' '
	usage_error "unknown kind .cpu." -o ar -k heap,cpu http://127.0.0.1:1 &&
	usage_error "--kinds: no kind" -o ar -k , http://127.0.0.1:1 &&
	usage_error "invalid --interval .0." -o ar -i 0 http://127.0.0.1:1 &&
	usage_error "invalid --interval .5 parsecs." -o ar -i "5 parsecs" http://127.0.0.1:1 &&
	usage_error "invalid --count .0." -o ar -n 0 http://127.0.0.1:1 &&
	usage_error "invalid --count .-3." -o ar -n -3 http://127.0.0.1:1 &&
	usage_error "invalid --retries .101." -o ar --retries 101 http://127.0.0.1:1 &&
	usage_error "invalid --max-size .10 potatoes." -o ar --max-size "10 potatoes" http://127.0.0.1:1 &&
	usage_error "invalid --timeout" -o ar --timeout 0 http://127.0.0.1:1 &&
	usage_error "invalid --pid" -o ar --pid abc http://127.0.0.1:1 &&
	usage_error "Try" -o ar --bogus http://127.0.0.1:1
'

test_expect_success 'bad targets' '
	usage_error "only http and https" -o ar ftp://127.0.0.1:1/ &&
	usage_error "invalid target URL" -o ar "http://[::1" &&
	usage_error "invalid target name" -o ar ".x=http://127.0.0.1:1" &&
	usage_error "two targets named .a." -o ar a=http://127.0.0.1:1 a=http://127.0.0.1:2 &&
	usage_error "two targets named .127.0.0.1_1." -o ar http://127.0.0.1:1 http://127.0.0.1:1/x
'

test_expect_success 'credentials are refused in argv' '
	usage_error "credentials in the URL" -o ar http://user:pw@127.0.0.1:1/ &&
	usage_error "over 128 characters" -o ar "http://$(printf "%0130d" 0).example/" &&
	usage_error "environment variable .LW_NO_SUCH_VAR. is not set" -o ar \
		--token-env LW_NO_SUCH_VAR http://127.0.0.1:1 &&
	LW_EMPTY= usage_error "token is empty" -o ar --token-env LW_EMPTY http://127.0.0.1:1 &&
	usage_error "cannot read .no-such-file." -o ar --token-file no-such-file http://127.0.0.1:1 &&
	printf "not a header\n" >hdr &&
	usage_error "not \"Name: value\"" -o ar --header-file hdr http://127.0.0.1:1 &&
	usage_error "exclusive" -o ar --token-file hdr --token-env HOME http://127.0.0.1:1
'

test_expect_success '--pid needs a name with several targets; names must exist' '
	usage_error "several targets" -o ar --pid 1 a=http://127.0.0.1:1 b=http://127.0.0.1:2 &&
	usage_error "no target named .c." -o ar --pid c=1 a=http://127.0.0.1:1 b=http://127.0.0.1:2
'

test_expect_success '--cacert must be readable' '
	usage_error "cannot read --cacert .nope." -o ar --cacert nope https://127.0.0.1:1
'

test_expect_success 'a connection refused is a failed snapshot (exit 1), not a usage error' '
	test_expect_code 1 pprof-fetch -q -o ar2 -k heap -n 1 --retries 0 \
		x=http://127.0.0.1:1/ &&
	gawk -F, "NR > 1 { print \$2, \$7, \$8 }" ar2/x/manifest.csv >actual &&
	echo "heap failed 1" >expect && test_cmp expect actual &&
	grep -i "connect" ar2/x/manifest.csv
'

test_done
