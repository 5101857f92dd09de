#!/bin/sh
# cgo-trace --sample-rate: Go's MemProfileRate model. Each estimate of the
# program's truth must lie within 5 standard deviations of the binomial
# sampling error (a false failure about once in 10^6 runs): 15% for 50000
# objects of 100 bytes at one sample per 4 KiB (p = 2.4%), 5% for 2000 of
# 8 KiB (p = 86%), 1% for 20 of 1 MiB (p = 1 - e^-256).
. "$(dirname "$0")/lib.sh"
. "$TESTDATA/cgo/helpers.sh"

if ! test_have_prereq BPF || ! test_have_prereq GO; then
	test_skip_all "needs root, /sys/kernel/btf/vmlinux, a built cgo-trace and go (for go tool pprof)"
fi

test_expect_success 'build the test program' 'cgo_build_alloctest'

test_expect_success 'sampled estimates are unbiased within statistical bounds' '
	cgo-trace --sample-rate 4KiB -o s.pb.gz -- ./alloctest_nofp -S truth 2>err &&
	cgo_attribute s.pb.gz >est &&
	cat truth est &&
	awk "NR == FNR { n[\$1] = \$2; b[\$1] = \$3; next }
	     { tol = \$1 == \"t_malloc\" ? 0.15 : \$1 == \"t_calloc\" ? 0.05 : 0.01
	       for (i = 2; i <= 5; i++) {
		want = i % 2 ? b[\$1] : n[\$1]
		if (\$i < want * (1 - tol) || \$i > want * (1 + tol)) {
			print \"out of bounds:\", \$0; bad = 1 }
	       }
	       seen++ }
	     END { exit bad || seen != 3 }" truth est
'

test_expect_success 'the profile says how it was sampled; few allocations recorded' '
	grep -q "^Period: 4096\$" s.pb.gz.raw &&
	grep -q "^Comment: sample-rate 4096 bytes: values scaled as pprof.s scaleHeapSample\$" s.pb.gz.raw &&
	n=$(sed -n "s/^cgo-trace: \([0-9]*\) allocations recorded.*/\1/p" err) &&
	test "$n" -gt 2000 && test "$n" -lt 6000
'

test_expect_success 'scaling follows pprof scaleHeapSample (rate 1: unscaled)' '
	cgo-trace --sample-rate 1 -o one.pb.gz -- ./alloctest_fp truth1 2>err &&
	cgo_check_truth truth1 one.pb.gz
'

test_done
