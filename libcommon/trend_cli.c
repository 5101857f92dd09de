/* trend_cli.c: parsing of the shared trend-analysis options (trend_cli.h). */
#include "trend_cli.h"

#include "err.h"
#include "parse.h"

/* A number strictly between lo and hi. */
static double parse_fraction(const char *opt, const char *arg, double lo, double hi)
{
	double v;
	if (lw_parse_double(arg, &v) || !(v > lo && v < hi))
		lw_usage_error("invalid --%s '%s' (want a number between %g and %g)", opt, arg, lo,
			       hi);
	return v;
}

double lw_trend_cli_rate(const char *opt, const char *arg)
{
	double v;
	if (lw_parse_rate_per_hour(arg, &v) || v < 0)
		lw_usage_error("invalid --%s '%s' (want a rate like 10MiB/h or 100/h)", opt, arg);
	return v;
}

int lw_trend_cli_parse(struct lw_trend_opts *o, int c, const char *arg)
{
	int64_t v;
	double d;

	switch (c) {
	case LW_TREND_OPT_WARMUP:
		if (strcmp(arg, "auto") == 0) {
			o->warmup = LW_WARMUP_AUTO;
		} else if (lw_parse_int64(arg, 0, INT32_MAX, &v) == 0) {
			o->warmup = LW_WARMUP_POINTS;
			o->warmup_points = v;
		} else if (lw_parse_duration(arg, &v) == 0) {
			o->warmup = LW_WARMUP_DURATION;
			o->warmup_nanos = v;
		} else {
			lw_usage_error("invalid --warmup '%s' (a count, a duration or auto)", arg);
		}
		return 1;
	case LW_TREND_OPT_MIN_POINTS:
		if (lw_parse_int64(arg, 3, 1000000, &v))
			lw_usage_error("invalid --min-points '%s' (3 or more)", arg);
		o->min_points = (size_t)v;
		return 1;
	case LW_TREND_OPT_CONFIDENCE:
		o->conf = parse_fraction("confidence", arg, 0, 1);
		return 1;
	case LW_TREND_OPT_FDR:
		o->alpha = parse_fraction("fdr", arg, 0, 1);
		return 1;
	case LW_TREND_OPT_NOISE_STEPS:
		if (lw_parse_double(arg, &d) || d < 0 || d > 1e6)
			lw_usage_error("invalid --noise-steps '%s'", arg);
		o->noise_steps = d;
		return 1;
	case LW_TREND_OPT_PLATEAU_RATIO:
		o->plateau_ratio = parse_fraction("plateau-ratio", arg, 0, 1);
		return 1;
	case LW_TREND_OPT_MIN_RATE:
		o->min_rate_bytes = lw_trend_cli_rate("min-rate", arg);
		return 1;
	case LW_TREND_OPT_MIN_COUNT_RATE:
		o->min_rate_count = lw_trend_cli_rate("min-count-rate", arg);
		return 1;
	case LW_TREND_OPT_LIMIT:
		if (lw_parse_size(arg, &v) || v <= 0)
			lw_usage_error("invalid --limit '%s' (want a size like 2GiB)", arg);
		o->limit = (double)v;
		return 1;
	}
	return 0;
}
