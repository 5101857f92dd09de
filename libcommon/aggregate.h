/* aggregate.h: sample-type selection and flat/cum aggregation, exactly as
 * go tool pprof computes them (internal/graph newGraph; see
 * ../shared/notes/pprof-format.md section 3).
 *
 * A key is a function name (LW_BY_FUNCTION), "file" (LW_BY_FILE),
 * "function file:line" (LW_BY_LINE, pprof -lines naming) or a folded stack
 * "root;...;leaf" of function names (LW_BY_STACK; flat = cum = the stack's
 * value). Frames of a location are expanded through its inline chain. A
 * location without lines is keyed by its mapping's base name in brackets,
 * or "<unknown>", as pprof does at function granularity.
 */
#ifndef LW_AGGREGATE_H
#define LW_AGGREGATE_H

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>

#include "profile.h"

/* Index of the sample type named name (also a decimal index, and pprof's
 * "inuse_" prefix fallback); NULL or "" picks pprof's default
 * (default_sample_type if it names a type, else the last one).
 * Returns -1 if there is no such type (or no sample types at all). */
int lw_sample_index(const struct lw_profile *p, const char *name);

enum lw_granularity {
	LW_BY_FUNCTION,
	LW_BY_FILE,
	LW_BY_LINE,
	LW_BY_STACK,
};

/* Optional frame filters, pprof's -focus / -ignore: a location matches if
 * any of its functions' names or file names, or its mapping's file name,
 * matches (regexec, unanchored, like pprof's FilterSamplesByName). A sample
 * is kept if some location matches focus (any, when focus is NULL) and none
 * matches ignore. NULL = none. */
struct lw_filter {
	const regex_t *focus;  /* keep samples with a frame matching */
	const regex_t *ignore; /* drop samples with a frame matching */
};

struct lw_agg_row {
	const char *key;  /* owned by the aggregation */
	const char *name; /* function name (first/leaf function for stacks) */
	const char *file; /* "" when unknown */
	int64_t line;     /* LW_BY_LINE only */
	int64_t flat;
	int64_t cum;
	/* lw_agg_top only: "(inline)" when every kept in-edge is an inlined
	 * call, "(partial-inline)" when some are, else "" (pprof TextItems) */
	const char *inline_label;
};

struct lw_agg {
	struct lw_agg_row *rows; /* unsorted */
	size_t n_rows;
	int64_t total; /* pprof's total: sum |v|, or base-only when pprof::base */
	/* private */
	void *priv;
};

/* Aggregates sample value si over all samples of p that pass filter.
 * Rows whose flat and cum are both 0 are omitted. 0, or -ENOMEM. */
int lw_aggregate(const struct lw_profile *p, int si, enum lw_granularity g,
		 const struct lw_filter *filter, struct lw_agg *out);
/* Finds a row by key; NULL if absent. */
const struct lw_agg_row *lw_agg_find(const struct lw_agg *a, const char *key);
void lw_agg_free(struct lw_agg *a);

/* report.newTrimmedGraph for text output: the complete graph, nodes with
 * |cum| < |flat total| * node_fraction dropped (graph rebuilt without them),
 * sorted (flat or cum order), cut to node_count (rebuilt again), in-edges
 * lighter than edge_fraction ignored for the inline labels. */
struct lw_top_opts {
	double node_fraction; /* pprof -nodefraction, 0.005 */
	double edge_fraction; /* pprof -edgefraction, 0.001 */
	int node_count;       /* pprof -nodecount, 0 = all */
	int cum_sort;         /* pprof -cum */
};
#define LW_TOP_OPTS_DEFAULT { 0.005, 0.001, 0, 0 }

struct lw_top_info {
	int64_t total;       /* = out->total */
	int64_t flat_sum;    /* "Showing nodes accounting for" */
	int64_t node_cutoff; /* total * node_fraction: "Dropped N nodes (cum <= X)" */
	size_t dropped_nodes;
	size_t orig_count;   /* nodes before the node_count cut */
	size_t shown;        /* = out->n_rows */
};

/* Rows come out in display order. Not for LW_BY_STACK (-EINVAL).
 * 0, -EINVAL (bad si / granularity) or -ENOMEM. */
int lw_agg_top(const struct lw_profile *p, int si, enum lw_granularity g,
	       const struct lw_filter *filter, const struct lw_top_opts *opts,
	       struct lw_agg *out, struct lw_top_info *info);

/* keep[i] = 1 if sample i passes filter (as lw_aggregate decides), else 0.
 * keep has p->n_samples entries. 0 or -ENOMEM. */
int lw_filter_samples(const struct lw_profile *p, const struct lw_filter *filter, uint8_t *keep);

/* pprof's total for sample index si (computeTotal; 0 for a bad si). */
int64_t lw_agg_total(const struct lw_profile *p, int si);

/* Display name of frame line_idx of loc at granularity g, as pprof prints
 * it (function name; "name file:line" for LW_BY_LINE; "[binary]" or
 * "<unknown>" for a location without lines). Returns buf. */
char *lw_frame_name(const struct lw_location *loc, size_t line_idx, enum lw_granularity g,
		    char *buf, size_t sz);

/* pprof's -top ordering: |flat| desc, then name asc, then |cum| desc. */
void lw_agg_sort_flat(struct lw_agg *a);
/* -cum ordering: |cum| desc, then name asc. */
void lw_agg_sort_cum(struct lw_agg *a);

#endif
