/* trend.h: series of memory values over time, and the verdict on each:
 * leak, growing, plateau, steady, shrinking or too-short. Shared by
 * trend-fit (which prints and alerts) and leak-blame (which explains).
 *
 * A set holds groups; a group is one time axis (one target's heap profiles,
 * its goroutine profiles, its memstats.csv, or one key of a --series CSV)
 * and the series measured on it: the group's total and one series per key
 * (function, stack or file; memstats column). Builders fill sets from an
 * archive (archive.h), profile files, memstats.csv or a time,key,value CSV;
 * lw_trend_analyze() then fits every series and gives verdicts.
 *
 * How the verdict accounts for Go's heap sampling: a heap profile's period
 * (512 KiB by default) is the size of one sampling step. A flat working set
 * jumps by a few steps between snapshots, a slow leak rises by whole steps
 * at random moments, a cache whose entries are replaced is sampled afresh
 * bit by bit so its sampled size wanders for minutes, and a bounded cache
 * grows during warm-up, then stops. So a series leaks only if
 *  (1) the Mann-Kendall test says it rises, at a false-discovery rate of
 *      alpha across all series of the set (Benjamini-Hochberg q-values);
 *  (2) the Theil-Sen interval of its slope excludes zero;
 *  (3) its Theil-Sen growth over the window exceeds the noise floor: the
 *      largest of noise_steps sampling steps, noise_sigmas robust standard
 *      deviations (1.4826 MAD) of the residuals around the Theil-Sen line,
 *      and, when the profile's cumulative allocations show that the key's
 *      live set was replaced during the recording, noise_sigmas times the
 *      sampling noise of its size, sqrt(size x step) ("wander");
 *  (4) it is not a plateau; and
 *  (5) its rate is at least min_rate (else the verdict is "growing").
 * Plateau: for some tail of the window (its last third, half or two
 * thirds), the tail rose (less its wander) at most plateau_ratio as fast as
 * the head before it, and, for a sampled series, so few of the steps gained
 * in head and tail fell in the tail that a constant rate would do that with
 * probability below plateau_alpha (binomial, Bonferroni over the three
 * tails): a slow leak that merely paused between two sampled objects is not
 * a plateau. For exact series (memstats, CSV) the upper end of the tail's
 * Theil-Sen interval must instead be at most plateau_ratio times the head's
 * slope. Ties from repeated snapshots (taken before the next GC) are handled
 * by the tests' tie corrections; the GC sawtooth of memstats is outvoted by
 * Theil-Sen's median and the rank-based test.
 *
 * Errors: functions returning int give 0 or -1 with a one-line message
 * (naming the file) in err->msg; out of memory is reported the same way.
 */
#ifndef LW_TREND_H
#define LW_TREND_H

#include <stddef.h>
#include <stdint.h>

#include "aggregate.h"
#include "pprof_io.h"

enum lw_trend_verdict {
	LW_TREND_TOO_SHORT,
	LW_TREND_STEADY,
	LW_TREND_SHRINKING,
	LW_TREND_PLATEAU,
	LW_TREND_GROWING,
	LW_TREND_LEAK,
};
/* "too-short", "steady", "shrinking", "plateau", "growing", "leak". */
const char *lw_trend_verdict_name(enum lw_trend_verdict v);

/* The key of a group's total series. */
#define LW_TREND_TOTAL "total"

enum lw_trend_warmup {
	LW_WARMUP_AUTO,     /* the points in the first 10% of the time span */
	LW_WARMUP_POINTS,   /* the first warmup_points points of each group */
	LW_WARMUP_DURATION, /* points before first time + warmup_nanos */
};

struct lw_trend_opts {
	double conf;             /* Theil-Sen interval level, 0.95 */
	double alpha;            /* false-discovery rate for "significant", 0.05 */
	size_t min_points;       /* fewer analysed points: too-short; 8 */
	enum lw_trend_warmup warmup;
	int64_t warmup_points;
	int64_t warmup_nanos;
	double noise_steps;      /* growth must exceed this many sampling steps, 4 */
	double noise_sigmas;     /* ... and this many robust SDs of the residuals, 2 */
	double plateau_ratio;    /* a tail rising at most this x as fast as the head, 0.25 */
	double plateau_alpha;    /* evidence needed for a sampled plateau, 0.01 */
	double min_rate_bytes;   /* per hour; below: growing, not leak; 1 MiB/h */
	double min_rate_count;   /* per hour, for count series; 60/h */
	double limit;            /* bytes; > 0 computes ttl_hours of byte totals */
};
void lw_trend_opts_default(struct lw_trend_opts *o);

/* Fit results of one series (rates per hour, in the series' unit). */
struct lw_trend_fit {
	size_t points;       /* analysed (after warm-up) */
	size_t warmup;       /* points excluded as warm-up */
	double first, last;  /* first and last analysed values */
	double ls_per_hour;  /* least squares slope */
	double r2;
	double ts_per_hour;  /* Theil-Sen slope */
	double ci_low, ci_high; /* its confidence interval, per hour */
	int64_t mk_s;
	double mk_p;         /* Mann-Kendall two-sided p */
	double q;            /* Benjamini-Hochberg q of mk_p across the set */
	double growth;       /* Theil-Sen growth over the analysed span */
	double noise_floor;  /* growth needed to be beyond sampling noise */
	double wander;       /* sampling noise of the level, sqrt(level x step), of
			      * a sampled series whose live set was replaced
			      * during the recording (alloc data); 0 otherwise */
	/* plateau test, computed for significantly rising series only (else NAN) */
	double late_per_hour; /* Theil-Sen slope of the last third */
	double late_p;       /* its one-sided Mann-Kendall p */
	double plateau_p;    /* sampled series: P(a constant rate leaves a tail this flat) */
	double share;        /* part of the group's key growth; NAN for totals */
	double ttl_hours;    /* hours until the limit; INFINITY if not growing, NAN if no limit */
	enum lw_trend_verdict verdict;
};

struct lw_trend_series {
	const char *key;    /* LW_TREND_TOTAL for the total */
	int is_total;
	double *values;     /* one per point of the group (0 where absent) */
	/* cumulative allocations (heap alloc_space or alloc_objects) at the
	 * first and last points they were given for (alloc_pt0/1, -1: never):
	 * with the values they tell how much of the live set was replaced */
	long alloc_pt0, alloc_pt1;
	double alloc0, alloc1;
	struct lw_trend_fit fit;
	struct lw_trend_group *group;
	size_t idx; /* private: position in group->series */
};

struct lw_trend_group {
	const char *target; /* "" when unnamed */
	const char *kind;   /* "heap", "cgo", "goroutine", "memstats", "series", ... */
	const char *unit;   /* "bytes" or "count" (or the profile's unit) */
	double quantum;     /* sampling step in unit; 0 exact; -1 estimate per series */
	int64_t *times;     /* unix nanoseconds, strictly increasing */
	size_t n_points;
	struct lw_trend_series **series; /* series[0] is the total if the group has one */
	size_t n_series;
	/* private */
	size_t cap_points, cap_series;
	void *index;
};

struct lw_trend_set {
	struct lw_trend_group **groups;
	size_t n_groups;
	/* private */
	size_t cap_groups;
};

struct lw_trend_set *lw_trend_set_new(void);
void lw_trend_set_free(struct lw_trend_set *s);

/* Low-level builders, for any data: a group, its points (added in time
 * order; a time equal to the last point's replaces that point), and values
 * of keys at a point. with_total adds a total series kept as the sum of the
 * keys' values. quantum (struct field) defaults to 0: exact values; set it
 * to the sampling step, or to -1 to estimate it per series as the smallest
 * change between two points. Return NULL / -1 only on out-of-memory. */
struct lw_trend_group *lw_trend_group_new(struct lw_trend_set *s, const char *target,
					  const char *kind, const char *unit, int with_total);
/* Makes room for n_points points (optional; saves re-allocations). 0 or -1. */
int lw_trend_group_reserve(struct lw_trend_group *g, size_t n_points);
/* Returns the point index, or -1 (out of memory, or time before the last). */
long lw_trend_add_point(struct lw_trend_group *g, int64_t time_nanos);
int lw_trend_set_value(struct lw_trend_group *g, size_t point, const char *key, double v);
/* The same with the key's cumulative allocations at that point (NAN: none;
 * only those at the first and last points given are kept, so builders may
 * give them at those two points only). A key with v == 0 and no series yet
 * gets none (its allocations still count in the total's). */
int lw_trend_set_values(struct lw_trend_group *g, size_t point, const char *key, double v,
			double alloc);
struct lw_trend_series *lw_trend_find(const struct lw_trend_group *g, const char *key);

/* What to read from profiles. */
struct lw_trend_source {
	enum lw_granularity by;    /* LW_BY_FUNCTION (flat values), _FILE or _STACK */
	const char *sample_index;  /* heap/cgo sample type; NULL = default (inuse_space) */
	const struct lw_filter *filter;
	unsigned kinds;            /* LW_TREND_K_* bits; 0 = all */
};
#define LW_TREND_K_HEAP 1u
#define LW_TREND_K_CGO 2u
#define LW_TREND_K_GOROUTINE 4u
#define LW_TREND_K_MEMSTATS 8u
/* Parses "heap,goroutine,..." into bits. 0 or -1. */
int lw_trend_parse_kinds(const char *s, unsigned *kinds);

/* An archive directory (or a target directory): heap, cgo, goroutine and
 * goroutineleak profiles and memstats.csv of every target. A goroutine is
 * counted under the innermost non-runtime function of its stack (where it
 * waits), as the runtime's own heap profiles hide runtime frames. */
int lw_trend_add_archive(struct lw_trend_set *s, const char *dir,
			 const struct lw_trend_source *src, struct lw_error *err);
/* Profile files, each classified by its archive name if it has one, else by
 * its sample types; ordered by time_nanos (else the name's time, else the
 * file's modification time), then name. */
int lw_trend_add_profiles(struct lw_trend_set *s, char *const *paths, size_t n,
			  const struct lw_trend_source *src, struct lw_error *err);
/* memstats.csv (columns found by name; every numeric column but time
 * becomes a series; empty cells are skipped). */
int lw_trend_add_memstats(struct lw_trend_set *s, const char *path, const char *target,
			  struct lw_error *err);
/* A CSV of time,key,value rows (header optional; time as RFC 3339 or unix
 * seconds); one group per key, kind "series", in unit. */
int lw_trend_add_series_csv(struct lw_trend_set *s, const char *path, const char *unit,
			    struct lw_error *err);

/* Fits every series and sets its verdict. 0 or -1 (out of memory). */
int lw_trend_analyze(struct lw_trend_set *s, const struct lw_trend_opts *o);

/* Per-hour threshold that applies to a series of unit ("bytes" or other). */
double lw_trend_min_rate(const struct lw_trend_opts *o, const char *unit);

#endif
