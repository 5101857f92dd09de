/* render.c: helpers shared by the report formats. */
#include <inttypes.h>
#include <math.h>

#include "diff.h"
#include "units.h"

const char *pd_view_name(enum lw_granularity g)
{
	switch (g) {
	case LW_BY_LINE: return "lines";
	case LW_BY_FILE: return "files";
	case LW_BY_STACK: return "stacks";
	case LW_BY_FUNCTION:
	default: return "functions";
	}
}

const char *pd_semantics_name(enum pd_semantics s)
{
	return s == PD_COUNTER ? "counter" : "level";
}

static struct lw_display_unit unit_of(const char *unit, int64_t v)
{
	return lw_display_unit_pick(unit, &v, 1);
}

struct lw_display_unit pd_pick_unit(const struct pd_table *t, const struct pd_shown *s,
				    const char *unit, int64_t total)
{
	/* report.go selectOutputUnit: the smallest non-zero node value (flat,
	 * else cum) against the total, scaled up 100x when the two units
	 * differ so the smallest shows as >= 0.01. */
	int64_t min = 0, max = lw_abs64(total);
	for (size_t i = 0; i < s->n; i++) {
		const struct pd_row *r = &t->rows[s->idx[i]];
		int64_t v = lw_abs64(r->dflat);
		if (v == 0)
			v = lw_abs64(r->dcum);
		if (v > 0 && (min == 0 || v < min))
			min = v;
	}
	if (min == 0)
		min = max;
	struct lw_display_unit lo = unit_of(unit, min), hi = unit_of(unit, max);
	if (strcmp(lo.suffix, hi.suffix) != 0 && (__int128)min * 100 < max)
		return unit_of(unit, 100 * min);
	return lo;
}

double pd_pct(int64_t delta, int64_t base)
{
	if (base == 0)
		return NAN;
	return 100.0 * (double)delta / (double)base;
}

char *pd_human(char *buf, size_t size, int64_t v, const char *unit, bool sign)
{
	char num[64];
	const char *s = v < 0 ? "-" : (sign && v > 0 ? "+" : "");
	uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	switch (lw_unit_kind(unit)) {
	case LW_UNIT_BYTES:
		lw_format_bytes_iec(num, sizeof(num), (double)a);
		break;
	case LW_UNIT_COUNT:
		snprintf(num, sizeof(num), "%" PRIu64, a);
		break;
	default:
		lw_format_auto(num, sizeof(num), (int64_t)a, unit);
		break;
	}
	snprintf(buf, size, "%s%s", s, num);
	return buf;
}

char *pd_amount(char *buf, size_t size, int64_t v, const char *unit, bool sign)
{
	char h[64];
	const char *s = sign && v > 0 ? "+" : "";
	switch (lw_unit_kind(unit)) {
	case LW_UNIT_COUNT:
		snprintf(buf, size, "%s%" PRId64, s, v);
		break;
	case LW_UNIT_BYTES:
		if (v > -1024 && v < 1024)
			snprintf(buf, size, "%s%" PRId64 " B", s, v);
		else
			snprintf(buf, size, "%s%" PRId64 " B (%s)", s, v,
				 pd_human(h, sizeof(h), v, unit, sign));
		break;
	default:
		snprintf(buf, size, "%s%" PRId64 " %s (%s)", s, v, unit,
			 pd_human(h, sizeof(h), v, unit, sign));
		break;
	}
	return buf;
}

char *pd_side_desc(char *buf, size_t size, const struct pd_side *s)
{
	if (s->n_inputs == 1) {
		snprintf(buf, size, "%s", s->inputs[0]);
		return buf;
	}
	size_t off = (size_t)snprintf(buf, size, "%zu profiles (", s->n_inputs);
	for (size_t i = 0; i < s->n_inputs && off < size; i++) {
		int k = snprintf(buf + off, size - off, "%s%s", i ? ", " : "", s->inputs[i]);
		if (k < 0)
			break;
		off += (size_t)k;
	}
	if (off < size)
		snprintf(buf + off, size - off, ")");
	if (off >= size && size > 4)
		memcpy(buf + size - 5, "...)", 5);
	return buf;
}
