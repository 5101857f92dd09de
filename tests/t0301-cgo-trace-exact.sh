#!/bin/sh
# cgo-trace: outstanding and allocated objects and bytes per function equal
# the test program's own truth exactly (no sampling), through every hooked
# function, frameless glibc callers, a frameless dlopen'ed library and a
# second thread; with and without frame pointers; traced from the start and
# attached after start.
. "$(dirname "$0")/lib.sh"
. "$TESTDATA/cgo/helpers.sh"

if ! test_have_prereq BPF || ! test_have_prereq GO; then
	test_skip_all "needs root, /sys/kernel/btf/vmlinux, a built cgo-trace and go (for go tool pprof)"
fi

test_expect_success 'build the test programs' 'cgo_build_alloctest'

for fp in fp nofp; do
	test_expect_success "trace from start ($fp): exact per function" "
		cgo-trace -o p.pb.gz -- ./alloctest_$fp -l ./dl_alloc.so truth 2>err &&
		cgo_check_truth truth p.pb.gz
	"

	test_expect_success "stacks start at the allocator's caller and keep their depth ($fp)" "
		cgo-trace -o p.pb.gz -- ./alloctest_$fp -l ./dl_alloc.so truth 2>err &&
		cgo_attribute p.pb.gz -v leaf=1 >shape &&
		cat >expect <<-\EOF &&
		t_aligned_alloc t_aligned_alloc chain_2 chain_1 main
		t_calloc t_calloc chain_2 chain_1 main
		t_deep t_deep chain_2 chain_1 main
		t_dl_malloc dl_inner main
		t_inlined t_inlined t_inline_caller chain_2 chain_1
		t_malloc t_malloc chain_2 chain_1 main
		t_memalign t_memalign chain_2 chain_1 main
		t_posix_memalign t_posix_memalign chain_2 chain_1 main
		t_pvalloc t_pvalloc chain_2 chain_1 main
		t_realloc t_realloc chain_2 chain_1 main
		t_reallocarray t_reallocarray chain_2 chain_1 main
		t_thread_malloc t_thread_malloc thread_main
		t_valloc t_valloc chain_2 chain_1 main
		EOF
		grep -v -e '^t_strdup' -e '^t_asprintf' shape |
			awk '{ n = \$1 ~ /^t_(dl|thread)_malloc\$/ ? 3 : 5; s = \$1
			       for (i = 2; i <= n; i++) s = s \" \" \$i; print s }' >actual &&
		test_cmp expect actual &&
		grep '^t_strdup [^ ]*strdup chain_2 chain_1 main\$' shape &&
		grep '^t_asprintf [^ ]*vasprintf[^ ]* chain_2 chain_1 main\$' shape
	"
done

test_expect_success 'every location is symbolized with file and line' '
	cgo-trace -o p.pb.gz -- ./alloctest_nofp -l ./dl_alloc.so truth 2>err &&
	go tool pprof -raw p.pb.gz >raw &&
	sed -n "/^Locations/,/^Mappings/p" raw | grep "M=" >locs &&
	grep "t_malloc .*alloctest.c:[0-9]" locs &&
	grep "dl_inner .*dl_alloc.c:[0-9]" locs &&
	! grep -v " [^ ]*:[0-9][0-9]* s=" locs | grep -v " _start :0 "
'

test_expect_success 'inlined functions are lines of the location they were inlined into' '
	sed -n "/^Locations/,/^Mappings/p" raw >locs.all &&
	grep -A1 " t_inlined .*alloctest.c:[0-9]" locs.all | tail -n 1 >inl &&
	grep "^ *t_inline_caller .*alloctest.c:[0-9]* s=0\$" inl
'

test_expect_success 'mappings carry build ids, the executable first' '
	sed -n "/^Mappings/,\$p" raw >maps &&
	sed -n 2p maps | grep " $PWD/alloctest_nofp [0-9a-f]\{40\} " &&
	grep "/libc.so.6 [0-9a-f]\{40\} " maps &&
	grep "/dl_alloc.so [0-9a-f]\{40\} " maps
'

test_expect_success '--lib and --symbol-prefix: another allocator' '
	cat >myalloc.c <<-\EOF &&
	#include <stdlib.h>
	void *my_malloc(size_t n) { return malloc(n); }
	void *my_calloc(size_t a, size_t b) { return calloc(a, b); }
	void my_free(void *p) { free(p); }
	EOF
	cat >usealloc.c <<-\EOF &&
	#include <stdio.h>
	#include <stdlib.h>
	void *my_malloc(size_t); void *my_calloc(size_t, size_t); void my_free(void *);
	static void *volatile sink;
	__attribute__((noipa)) void t_mine(void)
	{
		for (int i = 0; i < 10; i++) sink = my_malloc(100);
		for (int i = 0; i < 5; i++) { sink = my_calloc(2, 50); my_free(sink); }
		sink = malloc(7); /* the C library: not traced with --lib */
	}
	int main(void) { t_mine(); return 0; }
	EOF
	cc -O2 -g -shared -fPIC -o libmyalloc.so myalloc.c &&
	cc -O2 -g -o usealloc usealloc.c -L. -lmyalloc -Wl,-rpath,"$PWD" &&
	cgo-trace --lib ./libmyalloc.so --symbol-prefix my_ -o my.pb.gz -- ./usealloc 2>err &&
	echo "t_mine 10 1000 15 1500" >truth.my &&
	cgo_check_truth truth.my my.pb.gz
'

test_expect_success '--mmap: anonymous mappings count, munmap frees' '
	cgo-trace --mmap -o p.pb.gz -- ./alloctest_fp -m truth 2>err &&
	grep "^t_mmap 2 131072 3 196608\$" truth &&
	cgo_check_truth truth p.pb.gz
'

test_expect_success 'without --mmap, mmap is not traced' '
	cgo-trace -o p.pb.gz -- ./alloctest_fp -m truth 2>err &&
	grep -v "^t_mmap " truth >truth2 &&
	cgo_check_truth truth2 p.pb.gz
'

test_expect_success 'attach after start (-p), stop with SIGINT: exact' '
	rm -f go hold truth &&
	{ ./alloctest_nofp -w go -H hold truth & } && pid=$! &&
	{ cgo-trace -v -p $pid -o p.pb.gz 2>err & } && tracer=$! &&
	cgo_wait_for err "tracing pid $pid" &&
	touch go && cgo_wait_for truth t_malloc &&
	kill -INT $tracer && wait $tracer && touch hold && wait $pid &&
	cgo_check_truth truth p.pb.gz &&
	grep "frees of untracked addresses" err
'

test_expect_success 'attached process exits mid-trace: final profile, exit 0' '
	rm -f go truth &&
	{ ./alloctest_fp -w go truth & } && pid=$! &&
	{ cgo-trace -v -p $pid -o p.pb.gz 2>err & } && tracer=$! &&
	cgo_wait_for err "tracing pid $pid" &&
	touch go && wait $pid && wait $tracer &&
	cgo_check_truth truth p.pb.gz
'

test_expect_success 'only the target process is traced, not its children' '
	cgo-trace -o sh.pb.gz -- sh -c "./alloctest_fp truth; true" 2>err &&
	cgo_attribute sh.pb.gz >attr &&
	test ! -s attr && cgo_valid sh.pb.gz
'

test_expect_success 'a command that execs: the new program is traced, exactly' '
	cgo-trace -v -o exec.pb.gz -- sh -c "exec ./alloctest_nofp -l ./dl_alloc.so truth" 2>err &&
	grep "exec.d: tracing the new program" err &&
	cgo_check_truth truth exec.pb.gz &&
	sed -n "/^Mappings/,\$p" exec.pb.gz.raw >maps &&
	sed -n 2p maps | grep " $PWD/alloctest_nofp " &&
	! grep "/bin/.*sh " maps
'

test_expect_success '--min-age: young allocations are not in use, still allocated' '
	cgo-trace --min-age 1h -o p.pb.gz -- ./alloctest_fp truth 2>err &&
	awk "{ \$2 = 0; \$3 = 0; print }" truth >truth0 &&
	cgo_check_truth truth0 p.pb.gz &&
	go tool pprof -raw p.pb.gz | grep "^Comment: min-age 3600.000s: [1-9][0-9]* younger allocations not counted as in use"
'

test_done
