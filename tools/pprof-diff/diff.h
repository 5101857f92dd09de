/* diff.h: pprof-diff's internal interfaces (this tool only).
 *
 *   side.c      load the runs of each side, pick the sample type, refuse
 *               incompatible inputs, normalise sampling periods and
 *               --normalize, combine the per-key values of several runs
 *   table.c     the diff table of one view (functions, lines, files,
 *               stacks): per key combined base/current flat and cum, their
 *               deltas, the spread among base runs; pprof's row order and
 *               its node trimming (nodefraction, nodecount)
 *   gate.c      --fail-total, --fail-function, --budget, --noise
 *   budget.c    the budget file
 *   proto.c     --proto: the diff profile go tool pprof -diff_base writes
 *   render_*.c  text (pprof -top layout), csv, json, markdown
 * The numbers follow go tool pprof -diff_base: a diff is current minus base
 * per key, and a key's flat/cum is linear in the samples, so diffing the
 * two aggregations equals aggregating the merged diff profile.
 */
#ifndef PD_DIFF_H
#define PD_DIFF_H

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "aggregate.h"
#include "parse.h"
#include "pprof_io.h"

enum pd_combine { PD_MEDIAN, PD_SUM, PD_MEAN, PD_MAX };
enum pd_format { PD_TEXT, PD_CSV, PD_JSON, PD_MARKDOWN };
/* How a sample type's values behave over time (the report states it). */
enum pd_semantics { PD_LEVEL, PD_COUNTER };

struct pd_run {
	char *path;
	struct lw_profile *prof;
	int si; /* index of the selected sample type in this run */
};

struct pd_side {
	const char *what; /* "base" or "current" */
	struct pd_run *runs;
	size_t n, cap;
	char **inputs; /* the files given, for reports (runs may be merged) */
	size_t n_inputs;
};

/* The selected sample type, common to every run. */
struct pd_selection {
	const char *type; /* owned by the first current run */
	const char *unit;
	enum pd_semantics sem;
	int64_t period_ref;     /* period every run is expressed in (0: none) */
	bool periods_differ;    /* some runs had another sampling period */
	bool period_rescaled;   /* ... and their values were rescaled */
	double normalize_ratio; /* --normalize: factor applied to current (0: off) */
};

/* side.c */
/* Adds PATH (a profile, or a directory whose regular non-hidden files are
 * each one run, in name order). 0, or -1 with err set. */
int pd_side_add_path(struct pd_side *s, const char *path, struct lw_error *err);
/* Reads every run. 0, or -1 with err naming the file. */
int pd_side_load(struct pd_side *s, struct lw_error *err);
void pd_side_free(struct pd_side *s);
/* Resolves the sample type (name, index, or pprof's default when NULL) in
 * every run and refuses incompatible inputs. 0, or -1 with err set. */
int pd_select(struct pd_side *base, struct pd_side *cur, const char *want,
	      struct pd_selection *sel, struct lw_error *err);
/* Rescales runs whose sampling period differs when the selected values are
 * raw sample counts; records what happened in sel. */
void pd_normalize_periods(struct pd_side *base, struct pd_side *cur, struct pd_selection *sel);
/* Replaces the runs of s by their sum (lw_profile_merge), as pprof merges
 * several sources before it normalises them. 0, or -1 with err set. */
int pd_side_merge_runs(struct pd_side *s, struct lw_error *err);
/* pprof -normalize: scales every current run's values of the selected type
 * by (base total / current total), signed sums of the combined sides. */
void pd_normalize_current(struct pd_side *base, struct pd_side *cur, enum pd_combine how,
			  struct pd_selection *sel);
/* Combines n values (reorders v): median (the mean of the middle two,
 * rounded half away from zero, for even n), sum, mean (rounded), max. */
int64_t pd_combine(enum pd_combine how, int64_t *v, size_t n);
const char *pd_combine_name(enum pd_combine how);
/* Signed sum and pprof's sum of |v| of the selected type of one run. */
void pd_run_totals(const struct pd_run *r, int64_t *sum, int64_t *abs_sum);

/* table.c */
struct pd_row {
	const char *key;  /* printable name (pprof's) */
	const char *name; /* function (leaf function for stacks) */
	const char *file;
	int64_t line;
	int64_t base_flat, cur_flat, base_cum, cur_cum; /* combined */
	int64_t dflat, dcum;
	int64_t spread_flat; /* max - min of flat among base runs */
	int64_t *base_run_flat; /* per base run, for budget groups */
	bool in_base, in_cur;   /* present in at least one run of the side */
};

struct pd_table {
	enum lw_granularity view;
	struct pd_row *rows; /* rows with dflat == dcum == 0 omitted */
	size_t n;
	size_t nbase, ncur;
	int64_t base_sum, cur_sum;       /* signed totals, combined */
	int64_t base_abs, cur_abs;       /* sum |v|, combined */
	int64_t *base_run_sum;           /* per base run signed total */
	int64_t base_sum_spread;         /* max - min of base_run_sum */
	int64_t total;                   /* pprof's percentage denominator */
	/* private */
	struct lw_agg *aggs;
	size_t naggs;
	void *mem;
};

int pd_table_build(struct pd_table *t, const struct pd_side *base, const struct pd_side *cur,
		   enum lw_granularity view, enum pd_combine how);
void pd_table_free(struct pd_table *t);
/* pprof's FlatNameOrder (|flat| desc, name asc, |cum| desc) or, with cum,
 * CumNameOrder (|cum| desc, name asc, |flat| desc). */
void pd_table_sort(struct pd_table *t, bool cum);

/* The rows a report shows, as pprof -top trims them. */
struct pd_shown {
	size_t *idx; /* into t->rows, in display order */
	size_t n;
	size_t dropped;   /* "Dropped N nodes" */
	size_t origcount; /* rows left after the cutoff ("out of M") */
};
void pd_trim(const struct pd_table *t, double nodefraction, long nodecount, struct pd_shown *s);
void pd_shown_free(struct pd_shown *s);

/* budget.c */
struct pd_budget_entry {
	char *name;    /* exact function name, "/re/" source, or "@total" */
	bool is_regex;
	bool is_total;
	regex_t re;
	struct lw_threshold allow;
	char *comment; /* "" when none */
	long lineno;
};
struct pd_budget {
	char *path;
	struct pd_budget_entry *e;
	size_t n;
};
/* 0, or -1 with err ("'b.txt': line 3: ..."). */
int pd_budget_load(const char *path, struct pd_budget *b, struct lw_error *err);
void pd_budget_free(struct pd_budget *b);

/* gate.c */
struct pd_rule {
	const char *arg; /* as given: "10MiB", "5%" */
	struct lw_threshold th;
};

struct pd_gate_opts {
	struct pd_rule *fail_total;
	size_t n_fail_total;
	struct pd_rule *fail_function;
	size_t n_fail_function;
	struct pd_budget *budget; /* NULL when none */
	double noise;             /* K, 0 when off */
};

struct pd_violation {
	char *rule;     /* "--fail-total=5%", "budget line 3", ... */
	char *subject;  /* "total", a function, or the regex */
	int64_t delta;  /* growth in the sample unit */
	int64_t limit;  /* effective limit (after --noise) */
	char *comment;  /* budget comment or "" */
	const char **members; /* regex groups: the functions that grew, largest first */
	size_t n_members;
};

struct pd_gate {
	bool active; /* any rule given */
	struct pd_violation *v;
	size_t n;
	int64_t total_delta;
};

void pd_gate_eval(const struct pd_gate_opts *o, const struct pd_table *fn, struct pd_gate *g);
void pd_gate_free(struct pd_gate *g);
/* Limit of a threshold: absolute, or percent of the table's total. */
int64_t pd_threshold_limit(const struct lw_threshold *t, int64_t total);

/* proto.c: writes the diff profile. 0, or -1 with err set. */
int pd_write_proto(const char *path, struct pd_side *base, struct pd_side *cur,
		   enum pd_combine how, struct lw_error *err);
/* pprof -base total: sum over stacks of |current - base|, combined sides.
 * 0, or -1 with err set. */
int pd_cancel_total(struct pd_side *base, struct pd_side *cur, enum pd_combine how, int si_cur,
		    int64_t *total, struct lw_error *err);

/* render*.c */
struct pd_report {
	const struct pd_table *t;
	const struct pd_shown *shown;
	const struct pd_selection *sel;
	const struct pd_side *base, *cur;
	const struct pd_gate *gate;
	const struct pd_gate_opts *gopts;
	enum pd_combine how;
	int64_t total;  /* percentage denominator shown (pprof's rpt.total) */
	double nodefraction;
	bool cancel;    /* total is pprof -base's */
	bool cum_sort;
};
void pd_render_text(FILE *f, const struct pd_report *r);
void pd_render_csv(FILE *f, const struct pd_report *r);
void pd_render_json(FILE *f, const struct pd_report *r);
void pd_render_markdown(FILE *f, const struct pd_report *r, long top);

/* render.c: shared helpers. */
const char *pd_view_name(enum lw_granularity g);
const char *pd_semantics_name(enum pd_semantics s);
/* Formats v with the table's pprof display unit. */
struct lw_display_unit pd_pick_unit(const struct pd_table *t, const struct pd_shown *s,
				    const char *unit, int64_t total);
/* delta as a percent of base: NAN when base is 0. */
double pd_pct(int64_t delta, int64_t base);
/* A human value with sign for reports: "+4.02 MiB", "-3", "+1.5 s". */
char *pd_human(char *buf, size_t size, int64_t v, const char *unit, bool sign);
/* Exact value with its unit, and the human form when that differs:
 * "+3072 B (+3.00 KiB)", "5", "+2000 nanoseconds (+2us)". */
char *pd_amount(char *buf, size_t size, int64_t v, const char *unit, bool sign);
/* A short list of the run paths of a side: "a.pb.gz" or "3 profiles (a, b, c)". */
char *pd_side_desc(char *buf, size_t size, const struct pd_side *s);

#endif
