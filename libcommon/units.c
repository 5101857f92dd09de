/* units.c: pprof's internal/measurement in C (Go 1.19 vendored pprof).
 *
 * Only the memory and time unit families matter for Go profiles; any other
 * unit is passed through as pprof does ("count" prints a bare integer, an
 * unknown unit is appended to the number).
 */
#include <ctype.h>
#include <math.h>

#include "units.h"

struct unit_def {
	const char *canonical;
	const char *aliases[4];
	double factor;
};

struct unit_family {
	enum lw_unit_kind kind;
	const struct unit_def *units;
	size_t n;
	const char *default_name; /* used when autoscaling finds nothing */
	double default_factor;
};

static const struct unit_def memory_units[] = {
	{ "B", { "b", "byte" }, 1 },
	{ "kB", { "kb", "kbyte", "kilobyte" }, 1024.0 },
	{ "MB", { "mb", "mbyte", "megabyte" }, 1048576.0 },
	{ "GB", { "gb", "gbyte", "gigabyte" }, 1073741824.0 },
	{ "TB", { "tb", "tbyte", "terabyte" }, 1099511627776.0 },
	{ "PB", { "pb", "pbyte", "petabyte" }, 1125899906842624.0 },
};

static const struct unit_def time_units[] = {
	{ "ns", { "ns", "nanosecond" }, 1 },
	{ "us", { "\xce\xbcs", "us", "microsecond" }, 1e3 },
	{ "ms", { "ms", "millisecond" }, 1e6 },
	{ "s", { "s", "sec", "second" }, 1e9 },
	{ "hrs", { "hour", "hr" }, 3600e9 },
};

static const struct unit_family families[] = {
	{ LW_UNIT_BYTES, memory_units, LW_ARRAY_SIZE(memory_units), "B", 1 },
	{ LW_UNIT_NANOS, time_units, LW_ARRAY_SIZE(time_units), "s", 1e9 },
};

/* pprof's sniffUnit: lowercase, drop one trailing 's' if longer than 2. */
static const struct unit_def *sniff(const struct unit_family *fam, const char *unit)
{
	char low[64];
	size_t n = strlen(unit);
	if (n >= sizeof(low))
		return NULL;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)unit[i]);
	low[n] = '\0';
	if (n > 2 && low[n - 1] == 's')
		low[n - 1] = '\0';
	for (size_t i = 0; i < fam->n; i++)
		for (size_t a = 0; a < 4 && fam->units[i].aliases[a]; a++)
			if (!strcmp(low, fam->units[i].aliases[a]))
				return &fam->units[i];
	return NULL;
}

enum lw_unit_kind lw_unit_kind(const char *unit)
{
	if (!unit)
		return LW_UNIT_OTHER;
	for (size_t f = 0; f < LW_ARRAY_SIZE(families); f++)
		if (sniff(&families[f], unit))
			return families[f].kind;
	if (!strcmp(unit, "count") || !strcmp(unit, "") || !strcmp(unit, "sample") ||
	    !strcmp(unit, "unit"))
		return LW_UNIT_COUNT;
	return LW_UNIT_OTHER;
}

/* measurement.Scale(value, from, to) for to in {"minimum","auto", a unit}.
 * Returns the scaled value; *out_unit is the canonical unit name, "" for
 * uninteresting units, or the target unit itself when unknown. */
static double scale(int64_t value, const char *from, const char *to, const char **out_unit)
{
	if (value < 0 && value != INT64_MIN) {
		double v = scale(-value, from, to, out_unit);
		return -v;
	}
	for (size_t f = 0; f < LW_ARRAY_SIZE(families); f++) {
		const struct unit_family *fam = &families[f];
		const struct unit_def *fu = sniff(fam, from);
		if (!fu)
			continue;
		double v = (double)value * fu->factor;
		if (!strcmp(to, "minimum") || !strcmp(to, "auto")) {
			double best = 0;
			const char *bu = NULL;
			for (size_t i = 0; i < fam->n; i++) {
				if (fam->units[i].factor >= best && v / fam->units[i].factor >= 1.0) {
					best = fam->units[i].factor;
					bu = fam->units[i].canonical;
				}
			}
			if (bu) {
				*out_unit = bu;
				return v / best;
			}
			*out_unit = fam->default_name;
			return v / fam->default_factor;
		}
		const struct unit_def *tu = sniff(fam, to);
		if (!tu) {
			*out_unit = fam->default_name;
			return v / fam->default_factor;
		}
		*out_unit = tu->canonical;
		return v / tu->factor;
	}
	if (!strcmp(to, "count") || !strcmp(to, "sample") || !strcmp(to, "unit") ||
	    !strcmp(to, "minimum") || !strcmp(to, "auto"))
		*out_unit = "";
	else
		*out_unit = to;
	return (double)value;
}

double lw_unit_scale(int64_t v, const char *from, const char *to, const char **out_unit)
{
	const char *u;
	double r = scale(v, from ? from : "", to ? to : "", &u);
	if (out_unit)
		*out_unit = u;
	return r;
}

/* measurement.ScaledLabel */
static char *scaled_label(char *buf, size_t size, int64_t value, const char *from, const char *to)
{
	const char *u;
	double v = scale(value, from, to, &u);
	char num[64];
	snprintf(num, sizeof(num), "%.2f", v);
	size_t n = strlen(num);
	if (n >= 3 && !strcmp(num + n - 3, ".00"))
		num[n - 3] = '\0';
	if (!strcmp(num, "0") || !strcmp(num, "-0")) {
		snprintf(buf, size, "0");
		return buf;
	}
	snprintf(buf, size, "%s%s", num, u);
	return buf;
}

/* Report.selectOutputUnit with unit=minimum. */
struct lw_display_unit lw_display_unit_select(const char *unit, int64_t min_value,
					      int64_t max_value)
{
	struct lw_display_unit du = { .kind = lw_unit_kind(unit), .divisor = 1, .suffix = "",
				      .raw_unit = unit ? unit : "" };
	const char *minu, *maxu, *u;
	if (!unit)
		unit = "";
	if (min_value == 0)
		min_value = max_value;
	scale(min_value, unit, "minimum", &minu);
	scale(max_value, unit, "minimum", &maxu);
	u = minu;
	/* Go's int64 arithmetic wraps; do the same without C's UB. */
	int64_t min100 = (int64_t)((uint64_t)min_value * 100u);
	if (strcmp(minu, maxu) && min100 < max_value)
		scale(min100, unit, "minimum", &u);
	if (!*u)
		u = unit; /* pprof keeps the sample unit as the output unit */
	du.suffix = u;
	/* divisor is informative only: formatting goes through scale() */
	if (du.kind == LW_UNIT_BYTES || du.kind == LW_UNIT_NANOS) {
		const char *cu;
		double one = scale(1, u, unit, &cu);
		du.divisor = one;
	}
	return du;
}

struct lw_display_unit lw_display_unit_pick(const char *unit, const int64_t *values, size_t n)
{
	int64_t minv = 0, maxv = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t a = lw_abs64(values[i]);
		if (a > 0 && (minv == 0 || a < minv))
			minv = a;
		if (a > maxv)
			maxv = a;
	}
	return lw_display_unit_select(unit, minv, maxv);
}

char *lw_format_value(char *buf, size_t size, int64_t v, const struct lw_display_unit *du)
{
	return scaled_label(buf, size, v, du->raw_unit ? du->raw_unit : "",
			    du->suffix && *du->suffix ? du->suffix : "minimum");
}

char *lw_format_auto(char *buf, size_t size, int64_t v, const char *unit)
{
	return scaled_label(buf, size, v, unit ? unit : "", "auto");
}

char *lw_format_percent(char *buf, size_t size, int64_t v, int64_t total)
{
	double ratio = 0;
	if (total != 0)
		ratio = fabs((double)v / (double)total) * 100;
	if (ratio >= 99.95 && ratio <= 100.05)
		snprintf(buf, size, "  100%%");
	else if (ratio >= 1.0)
		snprintf(buf, size, "%5.2f%%", ratio);
	else
		snprintf(buf, size, "%5.2g%%", ratio);
	return buf;
}

char *lw_format_bytes_iec(char *buf, size_t size, double bytes)
{
	static const char *const names[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double a = fabs(bytes);
	size_t i = 0;
	if (!isfinite(bytes)) {
		snprintf(buf, size, "%g B", bytes);
		return buf;
	}
	while (a >= 1024 && i + 1 < LW_ARRAY_SIZE(names)) {
		a /= 1024;
		i++;
	}
	if (i == 0)
		snprintf(buf, size, "%.0f B", bytes);
	else
		snprintf(buf, size, "%.2f %s", bytes < 0 ? -a : a, names[i]);
	return buf;
}
