/* dl_alloc: a shared library alloctest dlopens after cgo-trace attached.
 * Built with -fomit-frame-pointer: its frames are found through .eh_frame
 * only. */
#include <stdlib.h>

static void *volatile sink;

__attribute__((noipa)) static void *dl_inner(size_t n)
{
	void *p = malloc(n);
	sink = p;
	return p;
}

__attribute__((noipa)) void *t_dl_malloc(size_t n)
{
	void *p = dl_inner(n);
	sink = p;
	return p;
}
