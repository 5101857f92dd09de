/* trend_cli.h: the trend-analysis options trend-fit and leak-blame share.
 *
 * --warmup, --min-points, --fdr, --min-rate, --min-count-rate, --limit (and,
 * in trend-fit only, --confidence, --noise-steps, --plateau-ratio)
 * fill a struct lw_trend_opts with one meaning, one set of bounds and one
 * set of messages in every tool. A tool puts the LW_TREND_LONGOPT_* entries
 * it accepts into its getopt_long table and offers each option to
 * lw_trend_cli_parse() before its own switch. Bad values end the process
 * through lw_usage_error() (exit 2), like the tools' own options.
 */
#ifndef LW_TREND_CLI_H
#define LW_TREND_CLI_H

#include <getopt.h>

#include "trend.h"

/* getopt_long values; above any tool's own OPT_* (those start at 256). */
enum lw_trend_cli_opt {
	LW_TREND_OPT_WARMUP = 0x1000,
	LW_TREND_OPT_MIN_POINTS,
	LW_TREND_OPT_CONFIDENCE,
	LW_TREND_OPT_FDR,
	LW_TREND_OPT_NOISE_STEPS,
	LW_TREND_OPT_PLATEAU_RATIO,
	LW_TREND_OPT_MIN_RATE,
	LW_TREND_OPT_MIN_COUNT_RATE,
	LW_TREND_OPT_LIMIT,
};

#define LW_TREND_LONGOPT_WARMUP { "warmup", required_argument, NULL, LW_TREND_OPT_WARMUP }
#define LW_TREND_LONGOPT_MIN_POINTS \
	{ "min-points", required_argument, NULL, LW_TREND_OPT_MIN_POINTS }
#define LW_TREND_LONGOPT_CONFIDENCE \
	{ "confidence", required_argument, NULL, LW_TREND_OPT_CONFIDENCE }
#define LW_TREND_LONGOPT_FDR { "fdr", required_argument, NULL, LW_TREND_OPT_FDR }
#define LW_TREND_LONGOPT_NOISE_STEPS \
	{ "noise-steps", required_argument, NULL, LW_TREND_OPT_NOISE_STEPS }
#define LW_TREND_LONGOPT_PLATEAU_RATIO \
	{ "plateau-ratio", required_argument, NULL, LW_TREND_OPT_PLATEAU_RATIO }
#define LW_TREND_LONGOPT_MIN_RATE { "min-rate", required_argument, NULL, LW_TREND_OPT_MIN_RATE }
#define LW_TREND_LONGOPT_MIN_COUNT_RATE \
	{ "min-count-rate", required_argument, NULL, LW_TREND_OPT_MIN_COUNT_RATE }
#define LW_TREND_LONGOPT_LIMIT { "limit", required_argument, NULL, LW_TREND_OPT_LIMIT }

/* If c is an LW_TREND_OPT_* value, parses arg into o and returns 1 (a bad
 * value: lw_usage_error, no return); any other c: returns 0, o untouched. */
int lw_trend_cli_parse(struct lw_trend_opts *o, int c, const char *arg);

/* A rate per hour ("10MiB/h", "100/h"), >= 0, for option --opt; a bad one:
 * lw_usage_error "invalid --OPT 'ARG' (want a rate like 10MiB/h or 100/h)". */
double lw_trend_cli_rate(const char *opt, const char *arg);

#endif
