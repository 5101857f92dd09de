/* compat.h: included first in every leakwatch translation unit (-include).
 * Pulls in the standard headers, then bans the string functions that have
 * caused overflows elsewhere (git's banned.h): use snprintf, memcpy with an
 * explicit size, or strtok_r instead.
 */
#ifndef LW_COMPAT_H
#define LW_COMPAT_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LW_BANNED(func) sorry_##func##_is_banned_in_leakwatch
#undef strcpy
#define strcpy(x, y) LW_BANNED(strcpy)
#undef strcat
#define strcat(x, y) LW_BANNED(strcat)
#undef sprintf
#define sprintf(...) LW_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) LW_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) LW_BANNED(strtok)
#undef gets
#define gets(x) LW_BANNED(gets)

#define LW_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Sums of profile values wrap like Go's int64 (what go tool pprof does with
 * absurd inputs) instead of being undefined behaviour in C. */
static inline int64_t lw_add64(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}
static inline int64_t lw_abs64(int64_t v)
{
	return v < 0 ? (int64_t)(0 - (uint64_t)v) : v;
}
/* Go's int64(float64) on amd64 (CVTTSD2SQ): out of range or NaN gives
 * INT64_MIN, where C's conversion is undefined. pprof's cutoffs and scaled
 * values go through it. */
static inline int64_t lw_go_int64(double v)
{
	if (!(v > -9223372036854775808.0 && v < 9223372036854775808.0))
		return INT64_MIN;
	return (int64_t)v;
}

#endif
