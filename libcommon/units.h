/* units.h: values in their sample unit formatted as go tool pprof prints
 * them (internal/measurement): memory in B/kB/MB/GB/TB/PB with factor 1024,
 * time in ns/us/ms/s/hrs, counts as plain integers, "%.2f" with a trailing
 * ".00" trimmed, exact 0 printed "0"; percentages as measurement.Percentage.
 */
#ifndef LW_UNITS_H
#define LW_UNITS_H

#include <stddef.h>
#include <stdint.h>

enum lw_unit_kind { LW_UNIT_COUNT, LW_UNIT_BYTES, LW_UNIT_NANOS, LW_UNIT_OTHER };

enum lw_unit_kind lw_unit_kind(const char *unit);

/* A display scale picked for a whole table, pprof's selectOutputUnit with
 * unit=minimum, from the smallest and largest non-zero |values|. */
struct lw_display_unit {
	enum lw_unit_kind kind;
	double divisor;     /* 1 for counts */
	const char *suffix; /* "kB", "MB", "" ... */
	const char *raw_unit;
};
/* The same from explicit bounds: min_value = smallest non-zero |node value|
 * (0 if none), max_value = the report's total (pprof uses the total). */
struct lw_display_unit lw_display_unit_select(const char *unit, int64_t min_value,
					      int64_t max_value);
struct lw_display_unit lw_display_unit_pick(const char *unit, const int64_t *values, size_t n);
/* measurement.Scale: v converted from unit `from` to `to` ("minimum" and
 * "auto" pick a unit); *out_unit gets the unit name ("" when uninteresting). */
double lw_unit_scale(int64_t v, const char *from, const char *to, const char **out_unit);
/* Formats v in du into buf ("6145.50kB", "0", "12"). Returns buf. */
char *lw_format_value(char *buf, size_t size, int64_t v, const struct lw_display_unit *du);
/* Formats v with its own best unit (pprof's ScaledLabel). */
char *lw_format_auto(char *buf, size_t size, int64_t v, const char *unit);
/* pprof's Percentage(v, total): "  100%", "49.61%", "0.00075%", "0" for total 0. */
char *lw_format_percent(char *buf, size_t size, int64_t v, int64_t total);
/* Human size for reports: "1.50 MiB", "512 B" (binary units, explicit). */
char *lw_format_bytes_iec(char *buf, size_t size, double bytes);

#endif
