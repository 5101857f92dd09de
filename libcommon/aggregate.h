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

/* Optional frame filters, pprof's -focus / -ignore (matched against the
 * key's function name with regexec, unanchored, like pprof). NULL = none. */
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

/* pprof's -top ordering: |flat| desc, then name asc, then |cum| desc. */
void lw_agg_sort_flat(struct lw_agg *a);
/* -cum ordering: |cum| desc, then name asc. */
void lw_agg_sort_cum(struct lw_agg *a);

#endif
