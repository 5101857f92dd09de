#!/bin/sh
# cgo-trace over time: --interval snapshots in the archive layout, --duration,
# SIGTERM, a full allocation map (losses reported, profile still valid),
# output to stdout, an unwritable output.
. "$(dirname "$0")/lib.sh"
. "$TESTDATA/cgo/helpers.sh"

if ! test_have_prereq BPF || ! test_have_prereq GO; then
	test_skip_all "needs root, /sys/kernel/btf/vmlinux, a built cgo-trace and go (for go tool pprof)"
fi

test_expect_success 'build the test program' 'cgo_build_alloctest'

test_expect_success '--interval writes snapshots, and a final one at exit' '
	rm -f go hold truth &&
	{ ./alloctest_fp -w go -H hold truth & } && pid=$! &&
	{ cgo-trace -v -p $pid --out arch -i 200ms 2>err & } && tracer=$! &&
	cgo_wait_for err "tracing pid $pid" &&
	touch go && cgo_wait_for truth t_malloc &&
	cgo_wait_for err "wrote .arch/cgo-.*pb.gz" && sleep 0.3 &&
	touch hold && wait $pid && wait $tracer &&
	ls arch >names &&
	test $(wc -l <names) -ge 2 &&
	! grep -v "^cgo-[0-9]\{8\}T[0-9]\{6\}\.[0-9]\{3\}Z\.pb\.gz\$" names &&
	sort -c names &&
	for f in arch/*; do cgo_valid "$f" || exit 1; done &&
	last=$(tail -n 1 names) &&
	cgo_check_truth truth "arch/$last"
'

test_expect_success '--duration stops the trace, the process runs on' '
	rm -f hold &&
	{ ./alloctest_fp -H hold truth & } && pid=$! &&
	cgo-trace -p $pid -d 300ms -o d.pb.gz 2>err &&
	kill -0 $pid && touch hold && wait $pid &&
	cgo_valid d.pb.gz
'

test_expect_success 'SIGTERM ends the trace with a profile' '
	rm -f go hold truth &&
	{ ./alloctest_fp -w go -H hold truth & } && pid=$! &&
	{ cgo-trace -v -p $pid -o t.pb.gz 2>err & } && tracer=$! &&
	cgo_wait_for err "tracing pid $pid" &&
	touch go && cgo_wait_for truth t_malloc &&
	kill -TERM $tracer && wait $tracer && touch hold && wait $pid &&
	cgo_check_truth truth t.pb.gz
'

test_expect_success 'a full allocation map: losses counted, written and printed' '
	cgo-trace --max-allocs 1024 -o full.pb.gz -- ./alloctest_fp -S truth 2>err &&
	cgo_valid full.pb.gz &&
	n=$(sed -n "s/^cgo-trace: losses: \([0-9]*\) allocations dropped (allocation map full).*/\1/p" err) &&
	test "$n" -gt 40000 &&
	grep "^Comment: losses: $n allocations dropped (allocation map full)" full.pb.gz.raw
'

test_expect_success 'profile to stdout' '
	cgo-trace -o - -- ./alloctest_fp truth >out.pb.gz 2>err &&
	cgo_check_truth truth out.pb.gz
'

test_expect_success 'an unwritable output is an error (exit 2), no partial file' '
	test_expect_code 2 cgo-trace -o nodir/x.pb.gz -- ./alloctest_fp truth 2>err &&
	grep "nodir/x.pb.gz" err && test ! -e nodir
'

test_done
