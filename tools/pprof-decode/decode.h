/* decode.h: pprof-decode's options and views (one module per view).
 *
 * main() loads and merges the inputs into one profile, resolves the sample
 * index and the focus/ignore regexes, then calls one view. Views write to
 * out and return 0, or print a message and return LW_EXIT_ERROR.
 */
#ifndef PPROF_DECODE_H
#define PPROF_DECODE_H

#include <regex.h>
#include <stdio.h>

#include "aggregate.h"
#include "err.h"
#include "profile.h"

enum view { VIEW_TOP, VIEW_TRACES, VIEW_SAMPLES, VIEW_FOLDED, VIEW_PROTO, VIEW_INFO };
enum fmt { FMT_TEXT, FMT_CSV, FMT_JSON };

struct decode_opts {
	enum view view;
	enum fmt format;
	const char *output;       /* -o, NULL = stdout */
	const char *sample_index; /* NULL = pprof's default */
	const char *focus, *ignore;
	int node_count;           /* 0 = all */
	double node_fraction;
	int lines;                /* --lines: group by function file:line */
	int cum;                  /* --cum: sort by cum */
};

struct decode_ctx {
	const struct decode_opts *o;
	struct lw_profile *p;     /* merged (or the single input) */
	struct lw_profile *orig;  /* first input as read (MemStats, goroutines) */
	int n_inputs;
	int si;                   /* resolved sample index */
	regex_t focus_re, ignore_re;
	struct lw_filter filter;
	int has_filter;
};

/* view_header.c: pprof's ProfileLabels ("File:", "Type:", "Time:", ...),
 * one per line; fmt_total formats the total as the report does. */
void print_profile_labels(FILE *out, const struct decode_ctx *c, const char *total_str);
/* "Nov 26, 2026 at 6:28am (UTC)" in the local time zone (Go 1.19 layout). */
void format_go_time(char *buf, size_t sz, int64_t nanos);
/* "Active filters:" block of pprof's report labels. */
void print_active_filters(FILE *out, const struct decode_ctx *c);

int view_top(FILE *out, struct decode_ctx *c);
int view_traces(FILE *out, struct decode_ctx *c);
int view_samples(FILE *out, struct decode_ctx *c);
int view_folded(FILE *out, struct decode_ctx *c);
int view_info(FILE *out, struct decode_ctx *c);

/* Keeps only the samples that pass focus/ignore (in place), for the views
 * that print samples. 0 or -ENOMEM. */
int filter_profile_samples(struct decode_ctx *c);
/* *keep: per sample, 1 if it passes focus/ignore (caller frees), or NULL
 * when no filter is set. 0, or -1 after printing "out of memory". */
int filter_keep(const struct decode_ctx *c, uint8_t **keep);

#endif
