/* grow.h: room for one more element in a malloc'd array (amortized
 * doubling), for library code that reports out-of-memory instead of dying
 * (the tools' own code uses lw_xreallocarray from err.h).
 *
 *	if (lw_grow(&v, &cap, n + 1, sizeof(*v), 64))
 *		return -ENOMEM;
 *	v[n++] = x;
 */
#ifndef LW_GROW_H
#define LW_GROW_H

#include <stddef.h>

/* The slow path of lw_grow. */
int lw_grow_to(void *arrp, size_t *cap, size_t need, size_t elem, size_t first);

/* Makes *cap >= need for the array *(T **)arrp of elem-byte elements:
 * the capacity doubles, starting from first when it is 0; the content is
 * kept. 0, or -1 (too large, out of memory) with the array unchanged. */
static inline int lw_grow(void *arrp, size_t *cap, size_t need, size_t elem, size_t first)
{
	return need <= *cap ? 0 : lw_grow_to(arrp, cap, need, elem, first);
}

#endif
