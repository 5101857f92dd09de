/* native.c: the C part of trendprogs' cgo-leak scenario, called through cgo.
 *
 * thumb_render mallocs the buffer it returns; its Go caller never frees it
 * (the leak). thumb_checksum mallocs and frees a scratch buffer on every
 * call: C churn with no leak. Both are kept out of line, in their own
 * translation unit, so that their names appear in cgo-trace's stacks.
 */
#include "native.h"

#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) void *thumb_render(size_t n)
{
	unsigned char *p = malloc(n);

	if (p == NULL)
		return NULL;
	memset(p, 0x5a, n); /* touch every page: the leak shows in RSS too */
	return p;
}

__attribute__((noinline)) unsigned long thumb_checksum(size_t n)
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
