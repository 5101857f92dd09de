/* parse.c: strict parsing of numbers, sizes, durations, rates, thresholds.
 * Nothing is accepted partially: "10MiBx", "", " 5", "1e999" all fail. */
#include "parse.h"

#include <ctype.h>
#include <math.h>

int lw_parse_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	if (!s || !*s || isspace((unsigned char)*s))
		return -1;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int lw_parse_double(const char *s, double *out)
{
	if (!s || !*s || isspace((unsigned char)*s))
		return -1;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

/* Splits "12.5MiB" into its number and the rest. The number is a plain
 * decimal (no sign, no exponent, no hex, no inf/nan). */
static int split_number(const char *s, double *num, const char **rest)
{
	const char *p = s;
	int digits = 0;
	while (isdigit((unsigned char)*p)) {
		p++;
		digits++;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			p++;
			digits++;
		}
	}
	if (!digits)
		return -1;
	char buf[64];
	size_t n = (size_t)(p - s);
	if (n >= sizeof buf)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*num = strtod(buf, NULL);
	*rest = p;
	return 0;
}

static int size_multiplier(const char *u, double *mult)
{
	static const struct {
		const char *name;
		double mult;
	} units[] = {
		{"", 1},	  {"B", 1},	     {"b", 1},
		{"K", 1024.0},	  {"k", 1024.0},     {"KB", 1024.0},   {"kB", 1024.0},
		{"KiB", 1024.0},  {"kiB", 1024.0},   {"M", 1048576.0}, {"MB", 1048576.0},
		{"MiB", 1048576.0}, {"G", 1073741824.0}, {"GB", 1073741824.0},
		{"GiB", 1073741824.0}, {"T", 1099511627776.0}, {"TB", 1099511627776.0},
		{"TiB", 1099511627776.0},
	};
	for (size_t i = 0; i < LW_ARRAY_SIZE(units); i++)
		if (strcmp(u, units[i].name) == 0) {
			*mult = units[i].mult;
			return 0;
		}
	return -1;
}

int lw_parse_size(const char *s, int64_t *bytes)
{
	double num, mult;
	const char *rest;
	if (!s || split_number(s, &num, &rest) || size_multiplier(rest, &mult))
		return -1;
	double v = num * mult;
	if (v > 9.0e18)
		return -1;
	*bytes = (int64_t)llround(v);
	return 0;
}

static int duration_unit(const char **p, double *nanos)
{
	static const struct {
		const char *name;
		double nanos;
	} units[] = {
		/* longest first so "ms" is not read as "m" then "s" */
		{"ns", 1},      {"us", 1e3},    {"ms", 1e6},   {"s", 1e9},
		{"min", 60e9},  {"m", 60e9},    {"h", 3600e9}, {"d", 86400e9},
	};
	for (size_t i = 0; i < LW_ARRAY_SIZE(units); i++) {
		size_t n = strlen(units[i].name);
		if (strncmp(*p, units[i].name, n) == 0) {
			*p += n;
			*nanos = units[i].nanos;
			return 0;
		}
	}
	return -1;
}

int lw_parse_duration(const char *s, int64_t *nanos)
{
	if (!s || !*s)
		return -1;
	double num, unit, total = 0;
	const char *p = s;
	if (split_number(p, &num, &p))
		return -1;
	if (!*p) { /* bare number: seconds */
		total = num * 1e9;
	} else {
		for (;;) {
			if (duration_unit(&p, &unit))
				return -1;
			total += num * unit;
			if (!*p)
				break;
			if (split_number(p, &num, &p) || !*p)
				return -1;
		}
	}
	if (total > 9.0e18)
		return -1;
	*nanos = (int64_t)llround(total);
	return 0;
}

int lw_parse_rate_per_hour(const char *s, double *per_hour)
{
	if (!s)
		return -1;
	const char *slash = strrchr(s, '/');
	if (!slash || slash == s)
		return -1;
	char amount[64];
	size_t n = (size_t)(slash - s);
	if (n >= sizeof amount)
		return -1;
	memcpy(amount, s, n);
	amount[n] = '\0';
	int64_t v;
	if (lw_parse_size(amount, &v))
		return -1;
	const char *per = slash + 1;
	double hours;
	if (!strcmp(per, "h") || !strcmp(per, "hour"))
		hours = 1;
	else if (!strcmp(per, "min") || !strcmp(per, "m"))
		hours = 1.0 / 60;
	else if (!strcmp(per, "s"))
		hours = 1.0 / 3600;
	else if (!strcmp(per, "d") || !strcmp(per, "day"))
		hours = 24;
	else
		return -1;
	*per_hour = (double)v / hours;
	return 0;
}

int lw_parse_threshold(const char *s, struct lw_threshold *out)
{
	if (!s || !*s)
		return -1;
	size_t n = strlen(s);
	if (s[n - 1] == '%') {
		double num;
		const char *rest;
		if (split_number(s, &num, &rest) || strcmp(rest, "%") != 0)
			return -1;
		out->is_percent = 1;
		out->value = num;
		return 0;
	}
	int64_t v;
	if (lw_parse_size(s, &v))
		return -1;
	out->is_percent = 0;
	out->value = (double)v;
	return 0;
}

int lw_parse_choice(const char *s, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}
