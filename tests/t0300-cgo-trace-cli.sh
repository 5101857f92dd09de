#!/bin/sh
# cgo-trace: usage, and the clear errors (exit 2) for targets and kernels it
# cannot trace.
. "$(dirname "$0")/lib.sh"
. "$TESTDATA/cgo/helpers.sh"

test_expect_success 'help goes to stdout and exits 0' '
	cgo-trace --help >out 2>err &&
	grep -q "^usage: cgo-trace \[options\] -p PID" out &&
	test ! -s err
'

test_expect_success 'version' '
	cgo-trace --version >out && grep -q "^cgo-trace (leakwatch) " out
'

test_expect_success 'usage errors exit 2' '
	test_expect_code 2 cgo-trace -o x.pb.gz 2>err && grep -q "give either -p PID or -- COMMAND" err &&
	test_expect_code 2 cgo-trace -p 1 -o x.pb.gz -- true 2>err &&
	test_expect_code 2 cgo-trace -p 1 2>err && grep -q "give -o FILE or --out DIR" err &&
	test_expect_code 2 cgo-trace -p 1 -o x --out d 2>err &&
	test_expect_code 2 cgo-trace -p 1 -o x -i 1s 2>err && grep -q "needs --out" err &&
	test_expect_code 2 cgo-trace -p abc -o x 2>err && grep -q "invalid PID" err &&
	test_expect_code 2 cgo-trace -p 1 -o x --sample-rate 12zz 2>err &&
	test_expect_code 2 cgo-trace -p 1 -o x --min-age soon 2>err &&
	test_expect_code 2 cgo-trace -p 1 -o x --max-allocs 10 2>err &&
	test_expect_code 2 cgo-trace -p 1 -o x --symbol-prefix je_ 2>err && grep -q "needs --lib" err &&
	test_expect_code 2 cgo-trace -p 1 -o x --bogus 2>err && grep -q "Try .cgo-trace --help." err &&
	test ! -e x
'

test_expect_success 'man page documents every long option of --help' '
	cgo-trace --help | grep -o -- "--[a-z][a-z-]*" | sort -u >opts &&
	test -s opts &&
	sed "s/-/\\\\-/g" opts >opts.man &&
	while read -r o; do
		grep -qF -- "$o" "$LW_ROOT/tools/cgo-trace/cgo-trace.1" || { echo "missing $o"; exit 1; }
	done <opts.man
'

if ! test_have_prereq BPF; then
	test_skip_all "BPF tests need root, /sys/kernel/btf/vmlinux and a built cgo-trace"
fi

test_expect_success 'kernel without BTF: exit 2' '
	mkdir -p fakesys &&
	CGO_TRACE_SYSFS=$PWD/fakesys test_expect_code 2 cgo-trace -p $$ -o x 2>err &&
	grep -q "kernel without BTF" err && test ! -e x
'

test_expect_success 'kernel without uprobes: exit 2' '
	mkdir -p fakesys/kernel/btf && : >fakesys/kernel/btf/vmlinux &&
	CGO_TRACE_SYSFS=$PWD/fakesys test_expect_code 2 cgo-trace -p $$ -o x 2>err &&
	grep -q "kernel without uprobes" err && test ! -e x
'

if command -v setpriv >/dev/null 2>&1; then
	test_expect_success 'not root: exit 2' '
		test_expect_code 2 setpriv --reuid=65534 --regid=65534 --clear-groups \
			--inh-caps=-all --bounding-set=-all "$LW_BUILD/bin/cgo-trace" -p $$ -o x 2>err &&
		grep -q "not permitted: tracing needs root" err
	'
else
	test_skip "setpriv (util-linux) not installed"
fi

test_expect_success 'PID gone: exit 2' '
	sh -c "exit 0" & pid=$! && wait $pid &&
	test_expect_code 2 cgo-trace -p $pid -o x 2>err &&
	grep -q "no such process: $pid" err && test ! -e x
'

test_expect_success 'command that cannot run: exit 2' '
	test_expect_code 2 cgo-trace -o x -- ./no-such-program 2>err &&
	grep -q "cannot run .\./no-such-program.: No such file or directory" err && test ! -e x
'

test_expect_success 'statically linked command has no C library: exit 2' '
	printf "int main(void){return 0;}\n" >static.c &&
	cc -static -o static static.c &&
	test_expect_code 2 cgo-trace -o x -- ./static 2>err &&
	grep -q "statically linked: no C library to trace (use --lib)" err && test ! -e x
'

test_expect_success 'process without a C library: exit 2' '
	printf "#include <unistd.h>\nint main(void){sleep(20);return 0;}\n" >sleeper.c &&
	cc -static -o sleeper sleeper.c &&
	{ ./sleeper & } && spid=$! &&
	test_expect_code 2 cgo-trace -p $spid -o x 2>err; rc=$?
	kill $spid
	test $rc = 0 && grep -q "no C library mapped in process $spid" err && test ! -e x
'

test_expect_success '--lib that does not exist: exit 2' '
	test_expect_code 2 cgo-trace -o x --lib ./nope.so -- true 2>err &&
	grep -q "cannot open .\./nope.so." err
'

test_expect_success '--lib without the allocator functions: exit 2' '
	cc -shared -fPIC -o empty.so -x c - <<-\EOC &&
	int nothing(void) { return 0; }
	EOC
	test_expect_code 2 cgo-trace -o x --lib ./empty.so -- true 2>err &&
	grep -q "has no function .malloc." err && test ! -e x
'

test_done
