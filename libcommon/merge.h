/* merge.h: combining and scaling profiles as go tool pprof does
 * (profile.Merge / Scale / Normalize; ../shared/notes/pprof-format.md 3.5).
 */
#ifndef LW_MERGE_H
#define LW_MERGE_H

#include "pprof_io.h"

/* 1 if a and b can be merged (same period_type, same sample types in the
 * same order, type and unit); else 0 with a reason in why. */
int lw_profile_compatible(const struct lw_profile *a, const struct lw_profile *b, char *why,
			  size_t whysz);
/* New profile holding the sum of ps[0..n): samples keyed by (stack by
 * function/line/mapping-relative address, labels), all-zero samples
 * dropped, ids renumbered, headers combined (time = earliest, duration =
 * sum, period = max, comments union). NULL with err set if incompatible. */
struct lw_profile *lw_profile_merge(struct lw_profile *const *ps, size_t n, struct lw_error *err);
/* v = round(v * ratio) for every value; all-zero samples dropped. */
void lw_profile_scale(struct lw_profile *p, double ratio);
/* Sum of |value[si]| over samples. */
int64_t lw_profile_total(const struct lw_profile *p, int si);

#endif
