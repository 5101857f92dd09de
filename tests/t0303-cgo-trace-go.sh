#!/bin/sh
# cgo-trace on a Go program: C memory leaked through a named C function and
# through C.CString appears with the C function, the _Cfunc_ wrappers and
# the Go callers in one stack; a path that mallocs and frees in balance has
# nothing outstanding.
. "$(dirname "$0")/lib.sh"
. "$TESTDATA/cgo/helpers.sh"

if ! test_have_prereq BPF || ! test_have_prereq GO; then
	test_skip_all "needs root, /sys/kernel/btf/vmlinux, a built cgo-trace and go"
fi

test_expect_success 'build the Go program' '
	lw_go_build "$TRASH/goleak" "$CGO_TD/goleak"
'

test_expect_success 'trace from start: the leak through a named C function' '
	cgo-trace -o go.pb.gz -- ./goleak -truth truth 2>err &&
	cgo_attribute go.pb.gz -v PREFIX=leaky_alloc >leaky &&
	echo "leaky_alloc 300 300000 300 300000" >expect &&
	test_cmp expect leaky
'

test_expect_success 'its stack: C function, cgo wrappers, Go callers' '
	cgo_attribute go.pb.gz -v PREFIX=leaky_alloc -v leaf=1 -v NCALLERS=6 |
		sed "s/_cgo_[0-9a-f]*_Cfunc_/_cgo_HASH_Cfunc_/g" >shape &&
	echo "leaky_alloc leaky_alloc _cgo_HASH_Cfunc_leaky_alloc runtime.asmcgocall main._Cfunc_leaky_alloc main.leakFromC main.main runtime.main" >expect &&
	test_cmp expect shape
'

test_expect_success 'the leak through C.CString' '
	cgo_attribute go.pb.gz -v PREFIX=main._Cfunc_CString >cstring &&
	echo "main._Cfunc_CString 200 5200 200 5200" >expect &&
	test_cmp expect cstring &&
	cgo_attribute go.pb.gz -v PREFIX=main._Cfunc_CString -v leaf=1 -v NCALLERS=2 |
		sed "s/_cgo_[0-9a-f]*_Cfunc_/_cgo_HASH_Cfunc_/g" >shape &&
	echo "main._Cfunc_CString _cgo_HASH_Cfunc__Cmalloc main.leakCString main.main" >expect &&
	test_cmp expect shape
'

test_expect_success 'the balanced path has nothing outstanding' '
	cgo_attribute go.pb.gz -v PREFIX=balanced >balanced &&
	echo "balanced 0 0 1000 512000" >expect &&
	test_cmp expect balanced
'

# The first allocation from a call site is unwound in user space, which reads
# the goroutine's frames from the live process. A tracer that falls behind
# (a loaded machine; here it sleeps before its first answer) must find the
# program stopped where it asked, not moved on or gone: same exact result.
test_expect_success 'a tracer that falls behind: the COMMAND waits for it, stacks stay exact' '
	LEAKWATCH_TEST_STALL_MS=1500 cgo-trace -o slow.pb.gz -- ./goleak -truth truth 2>err &&
	grep ", 0 stacks cut short" err &&
	for f in leaky_alloc main._Cfunc_CString balanced; do
		cgo_attribute slow.pb.gz -v PREFIX=$f || exit 1
	done >actual &&
	cat >expect <<-\EOF &&
	leaky_alloc 300 300000 300 300000
	main._Cfunc_CString 200 5200 200 5200
	balanced 0 0 1000 512000
	EOF
	test_cmp expect actual &&
	go tool pprof -traces slow.pb.gz >traces &&
	! grep "<unknown>" traces
'

test_expect_success 'go tool pprof -top shows the C functions, Go frames with lines' '
	go tool pprof -top -sample_index=inuse_space go.pb.gz >top &&
	grep " leaky_alloc\$" top &&
	go tool pprof -top -cum -sample_index=inuse_space go.pb.gz >cum &&
	grep " main.leakFromC\$" cum && grep " main.leakCString\$" cum &&
	go tool pprof -raw go.pb.gz | grep " main.leakFromC .*goleak/main.go:[0-9]* s=0"
'

test_expect_success 'attach to the running Go program (-p): same result' '
	rm -f go hold truth &&
	{ ./goleak -wait go -hold hold -truth truth & } && pid=$! &&
	{ cgo-trace -v -p $pid -o p.pb.gz 2>err & } && tracer=$! &&
	cgo_wait_for err "tracing pid $pid" &&
	touch go && cgo_wait_for truth leaky_alloc &&
	kill -INT $tracer && wait $tracer && touch hold && wait $pid &&
	cgo_attribute p.pb.gz -v PREFIX=leaky_alloc >leaky &&
	echo "leaky_alloc 300 300000 300 300000" >expect &&
	test_cmp expect leaky &&
	cgo_attribute p.pb.gz -v PREFIX=balanced >balanced &&
	echo "balanced 0 0 1000 512000" >expect &&
	test_cmp expect balanced
'

test_done
