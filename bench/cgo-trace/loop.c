/* loop: malloc/free pairs for bench/cgo-trace/run; prints the thread's CPU
 * time per pair in ns (user + system: uprobe traps and BPF programs run in
 * the traced thread's system time), which other load on the machine does
 * not inflate the way it does wall-clock time.
 * The allocation is made three calls deep in code built without frame
 * pointers (the common distro case), so every traced malloc is unwound. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void *volatile sink;

__attribute__((noipa)) static void pair(void) { sink = malloc(64); free(sink); }
__attribute__((noipa)) static void level2(long n) { for (long i = 0; i < n; i++) pair(); }
__attribute__((noipa)) static void level1(long n) { level2(n); sink = NULL; }

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	struct timespec a, b;

	pair(); /* first call: lazy binding, tcache setup */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
	level1(n);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
	printf("%.1f\n", ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / (double)n);
	return 0;
}
