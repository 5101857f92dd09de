/* grow.c: see grow.h. */
#include "grow.h"

int lw_grow_to(void *arrp, size_t *cap, size_t need, size_t elem, size_t first)
{
	size_t nc = *cap ? *cap : first;
	while (nc < need) {
		if (nc > SIZE_MAX / 2 / elem)
			return -1;
		nc *= 2;
	}
	void *n = realloc(*(void **)arrp, nc * elem);
	if (!n)
		return -1;
	*(void **)arrp = n;
	*cap = nc;
	return 0;
}
