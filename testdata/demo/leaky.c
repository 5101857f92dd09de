/* leaky.c: the C part of the demo service, called through cgo.
 *
 * leaky_c_alloc is the cgo leak (leak=cgo): it mallocs a buffer that nobody
 * ever frees. c_register_name reads a C string that the Go caller made with
 * C.CString and never frees. c_balanced_work mallocs and frees in balance,
 * on every request of the load loop: a C path with churn and no leak.
 * The functions are kept out of line (noinline, own translation unit) so
 * their names appear in native stacks.
 */
#include "leaky.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long leaked_bytes, leaked_allocs;
static unsigned long name_hash;

__attribute__((noinline)) void *leaky_c_alloc(size_t n)
{
	char *p = malloc(n);

	if (p == NULL)
		return NULL;
	memset(p, 0xab, n); /* touch every page: the leak shows in RSS */
	__atomic_add_fetch(&leaked_bytes, n, __ATOMIC_RELAXED);
	__atomic_add_fetch(&leaked_allocs, 1, __ATOMIC_RELAXED);
	return p;
}

__attribute__((noinline)) void c_register_name(const char *name)
{
	/* Only reads the name: the C.CString the caller passed stays allocated. */
	unsigned long h = 5381;

	for (; *name != '\0'; name++)
		h = h * 33 + (unsigned char)*name;
	__atomic_store_n(&name_hash, h, __ATOMIC_RELAXED);
}

__attribute__((noinline)) unsigned long c_balanced_work(size_t n)
{
	unsigned char *p = malloc(n);
	unsigned long sum = 0;

	if (p == NULL)
		return 0;
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 7);
	for (size_t i = 0; i < n; i += 64)
		sum += p[i];
	free(p);
	return sum;
}

unsigned long long c_leaked_bytes(void)
{
	return __atomic_load_n(&leaked_bytes, __ATOMIC_RELAXED);
}

unsigned long long c_leaked_allocs(void)
{
	return __atomic_load_n(&leaked_allocs, __ATOMIC_RELAXED);
}

/* Bytes the C allocator has handed out and not had back: the Go runtime does
 * not use malloc for its own heap, so this is the C heap of the process. */
long long c_heap_inuse(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
	struct mallinfo2 mi = mallinfo2();

	return (long long)(mi.uordblks + mi.hblkhd);
#else
	return -1;
#endif
}
