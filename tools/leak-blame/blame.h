/* blame.h: leak-blame's model, shared by its modules.
 *
 * collect.c reads an archive into targets (one per service): per kind
 * (heap, cgo, goroutine profiles, goroutine dumps) the stacks seen, each
 * attributed to a blamed frame (frames.c), with its values at every
 * snapshot; and memstats.csv. analyze.c fits the per-blamed-function series
 * with libcommon/trend.h, merges related series into suspects and ranks
 * them; classify.c names the leak pattern from the evidence, including the
 * source (source.c); picture.c splits RSS into its parts over time. The
 * renderers (render_*.c) and alerts.c only read the result.
 */
#ifndef LB_BLAME_H
#define LB_BLAME_H

#include <regex.h>
#include <stdint.h>
#include <stdio.h>

#include "trend.h"

/* ---- small utilities (util.c) ---- */

/* String -> index map (open addressing); keys are copied. */
struct lb_map {
	char **keys;
	size_t *vals;
	size_t cap, n;
};
/* Returns the value of key, or (size_t)-1. */
size_t lb_map_get(const struct lb_map *m, const char *key);
void lb_map_put(struct lb_map *m, const char *key, size_t val);
void lb_map_free(struct lb_map *m);

/* Map of binary keys (copied) to indexes. */
struct lb_bmap {
	void **keys;
	size_t *lens;
	size_t *vals;
	uint64_t *hashes;
	size_t cap, n;
};
size_t lb_bmap_get(const struct lb_bmap *m, const void *key, size_t len);
void lb_bmap_put(struct lb_bmap *m, const void *key, size_t len, size_t val);
void lb_bmap_free(struct lb_bmap *m);

/* Interned strings: equal strings are one pointer, freed together. */
const char *lb_intern(const char *s);
void lb_intern_free(void);

/* Growable string. */
struct lb_buf {
	char *s;
	size_t len, cap;
};
void lb_buf_add(struct lb_buf *b, const char *s);
void lb_buf_addf(struct lb_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *lb_buf_take(struct lb_buf *b); /* the string (never NULL); b emptied */

/* "1.50 MiB" / "+1.50 MiB/h" style helpers (IEC units). */
char *lb_fmt_bytes(char *buf, size_t sz, double v);
char *lb_fmt_rate(char *buf, size_t sz, double per_hour, const char *unit);
char *lb_fmt_duration(char *buf, size_t sz, double seconds);
const char *lb_basename(const char *path);

/* ---- frames and blame (frames.c) ---- */

struct lb_frame {
	const char *func; /* interned; never NULL */
	const char *file; /* interned; "" when unknown */
	int64_t line;
};

struct lb_rules {
	char **prefixes; /* runtime/library function-name prefixes */
	size_t n_prefixes;
	regex_t *skip;   /* --blame-skip */
	size_t n_skip;
};
void lb_rules_default(struct lb_rules *r);
void lb_rules_clear_prefixes(struct lb_rules *r);
void lb_rules_add_prefix(struct lb_rules *r, const char *p);
/* 0, or -1 if re does not compile. */
int lb_rules_add_skip(struct lb_rules *r, const char *re);
void lb_rules_free(struct lb_rules *r);

/* 1 if func is runtime, standard library, C allocator or cgo glue code (or
 * matches --blame-skip): blame passes over it. */
int lb_skipped(const struct lb_rules *r, const char *func);
/* Go-side cgo wrappers: "main._Cfunc_foo", "main._cgo_cmalloc". */
int lb_is_cgo_wrapper(const char *func);
/* Frames of ticker and timer creation (time.NewTicker, time.Tick, ...). */
int lb_is_timer_frame(const char *func);
/* runtime.malg / newproc1: goroutine creation. */
int lb_is_goroutine_alloc(const char *func);

/* Attribution of one stack (frames[0] = leaf). */
struct lb_attr {
	long blame;        /* index of the blamed frame; -1 when every frame is skipped */
	long c_frame;      /* cgo: index of the C function, -1 if none */
	const char *c_name; /* cgo: the C function ("leaky_c_alloc", "C.CString"), or NULL */
	long wrapper;      /* cgo: index of the outermost _Cfunc_ wrapper, -1 */
};
/* Heap and goroutine stacks: the first frame from the leaf that is not
 * skipped. cgo stacks (cgo != 0): a stack through a _Cfunc_ wrapper is
 * blamed on the Go function that called the wrapper, and c_name names the
 * C function (the innermost frame that is not allocator or glue code, else
 * the wrapper's C name: C.CString, C.malloc, ...). */
void lb_attribute(const struct lb_rules *r, const struct lb_frame *f, size_t n, int cgo,
		  struct lb_attr *out);

/* ---- the collected data (collect.c) ---- */

/* One distinct stack of a kind, with its values at every point. */
struct lb_stack {
	struct lb_frame *frames; /* leaf first */
	size_t n_frames;
	struct lb_attr attr;
	struct lb_frame created_by; /* goroutine dumps; func "" when unknown */
	const char *state;          /* goroutine dumps: "chan receive", ...; else "" */
	double *value;   /* per point: inuse_space (bytes) or goroutine count */
	double *objects; /* per point: inuse_objects (heap, cgo) */
	/* cumulative allocations at the first and last points (the trend
	 * library needs no more to judge the live set's turnover) */
	double alloc_space0, alloc_space1, alloc_objects1;
	double *max_object; /* per point: largest live object (bytes label), 0 */
	double *wait_max;   /* goroutine dumps: longest wait in minutes */
	struct lb_key *key;
};

/* A blamed function of a kind and its stacks. */
struct lb_key {
	const char *name;
	int runtime_only; /* every frame of its stacks is skipped */
	struct lb_stack **stacks;
	size_t n_stacks, cap_stacks;
	double *value; /* per point, sum over the stacks */
	struct lw_trend_series *se; /* after analysis */
	int merged;   /* folded into another suspect */
};

enum lb_kind_id { LB_HEAP, LB_CGO, LB_GOROUTINE, LB_DUMP, LB_NKINDS };

struct lb_kind {
	enum lb_kind_id id;
	const char *name; /* "heap", "cgo", "goroutine", "goroutine-dump" */
	int64_t *times;
	size_t n_points;
	double quantum; /* sampling step in bytes (0 exact) */
	int64_t period;
	int has_alloc;  /* alloc_* sample types present */
	struct lb_key **keys;
	size_t n_keys, cap_keys;
	struct lb_map keymap;
	struct lb_bmap stackmap; /* frames (interned pointers) -> index in stacks */
	void *sig_buf;           /* scratch for stack keys */
	size_t sig_cap;
	struct lb_stack **stacks;
	size_t n_stacks, cap_stacks;
	struct lw_trend_group *group; /* after analysis */
	struct lw_trend_series *total;
};

/* memstats.csv columns leak-blame reads (NAN where absent). */
enum lb_ms_col {
	LB_MS_RSS,
	LB_MS_HEAP_INUSE,
	LB_MS_HEAP_IDLE,
	LB_MS_HEAP_RELEASED,
	LB_MS_STACK_INUSE,
	LB_MS_SYS,
	LB_MS_GOROUTINES,
	LB_MS_NCOLS
};

struct lb_memstats {
	int64_t *times;
	size_t n;
	double *col[LB_MS_NCOLS];
	int have[LB_MS_NCOLS];
};

/* The memory picture: RSS split over time, at the memstats rows. */
enum lb_part {
	LB_PART_HEAP,      /* HeapInuse */
	LB_PART_STACKS,    /* StackInuse */
	LB_PART_RUNTIME,   /* Sys - HeapInuse - HeapReleased - StackInuse */
	LB_PART_CHEAP,     /* cgo-trace's outstanding C allocations */
	LB_PART_UNEXPLAINED, /* rss - the parts above */
	LB_NPARTS
};
struct lb_picture {
	int available;     /* memstats with rss */
	int traced_c;      /* cgo profiles present */
	size_t n;
	int64_t *times;
	double *rss;
	double *part[LB_NPARTS];
	struct lw_trend_group *group; /* rss + parts, fitted */
	struct lw_trend_series *se_rss, *se_part[LB_NPARTS];
};

enum lb_pattern {
	LB_PAT_GROWTH,     /* growth of unknown kind */
	LB_PAT_GOROUTINE,
	LB_PAT_TICKER,
	LB_PAT_SLICE,
	LB_PAT_MAP,
	LB_PAT_CGO,
	LB_PAT_UNEXPLAINED,
};
const char *lb_pattern_name(enum lb_pattern p);  /* "goroutine-leak", ... */
const char *lb_pattern_title(enum lb_pattern p); /* "goroutine leak", ... */

enum lb_sure { LB_LOW, LB_MEDIUM, LB_HIGH };
const char *lb_sure_name(enum lb_sure s);

struct lb_quote {
	const char *file; /* interned, as in the profile */
	int64_t line;
	char *text;       /* the line, trimmed */
	const char *note; /* why it is quoted ("allocates", "blocks here", ...) */
};

struct lb_suspect {
	int rank;
	const char *function;
	struct lb_frame where;  /* the blamed line */
	const char *source;     /* "heap", "cgo", "goroutine", "rss" */
	enum lb_pattern pattern;
	enum lb_sure pattern_sure;
	enum lw_trend_verdict verdict;
	double bytes_per_hour;
	double goroutines_per_hour; /* NAN unless goroutines grow */
	double share;
	double confidence; /* 1 - q of the main series */
	double q;
	double first, last; /* main series, in unit */
	const char *unit;   /* "bytes" or "goroutines" */
	size_t points;

	struct lb_kind *kind; /* main series (NULL for rss) */
	struct lb_key *key;
	struct lb_key *gkey;  /* goroutine group (profile or dumps) */
	struct lb_key *dkey;  /* goroutine dump group, when dumps exist */
	struct lb_key **related; /* heap/cgo keys folded in */
	struct lb_kind **related_kind;
	size_t n_related;

	const char *c_function;
	struct lb_frame c_where;
	struct lb_frame created_by;
	struct lb_frame blocked_at; /* the user frame the goroutines wait in */
	const char *blocked_call;   /* e.g. runtime.chanrecv1 */
	const char *state;
	double wait_max_minutes;

	char **evidence;
	size_t n_evidence;
	struct lb_quote *quotes;
	size_t n_quotes;
	char *recommendation;
	char *assessment; /* how sure, in words */
	struct lb_stack *top[3]; /* heaviest stacks */
	size_t n_top;
	struct lb_kind *top_kind;
	int source_read; /* some source lines were found */
};

/* --limit (limit.c): when the service's total memory reaches the limit. */
struct lb_limit {
	const char *basis;     /* "rss", "go heap + c heap", "go heap", "c heap";
				* NULL: nothing to project from */
	double last;           /* its last value, bytes */
	double bytes_per_hour; /* its Theil-Sen trend */
	enum lw_trend_verdict verdict;
	double ttl_hours;      /* trend.h's ttl_hours: NAN without --limit or a
				* basis, INFINITY when not growing, 0 when reached */
};

struct lb_target {
	const char *name;    /* target directory ("" for a bare target dir) */
	const char *service; /* display name */
	struct lb_kind kinds[LB_NKINDS];
	struct lb_memstats ms;
	struct lb_picture pic;
	struct lw_trend_set *set;
	struct lb_suspect **sus;
	size_t n_sus;
	int64_t t_first, t_last; /* span of all snapshots */
	size_t n_snapshots;
	char *note; /* why there is nothing to say (too few points...), or NULL */
	struct lb_limit limit;
};

struct lb_opts {
	struct lb_rules rules;
	struct lw_trend_opts trend;
	char **source_dirs;
	size_t n_source_dirs;
	int profile_paths; /* read source from the profile's own paths */
	int max_suspects;
	int n_stacks;      /* stacks shown per suspect */
	enum lw_trend_verdict fail_on;
	const char *service;
};

struct lb_report {
	const char *archive; /* as given */
	int files;           /* profile files, not an archive directory */
	struct lb_target **targets;
	size_t n_targets;
	size_t n_suspects; /* over all targets */
	int fail;          /* a suspect at or above --fail-on */
	const struct lb_opts *opts;
};

/* collect.c: reads an archive dir (or a target dir), or profile files.
 * 0, or -1 with err->msg set (names the file). */
int lb_collect_archive(struct lb_report *r, const char *dir, const struct lb_opts *o,
		       struct lw_error *err);
int lb_collect_files(struct lb_report *r, char *const *paths, size_t n, const struct lb_opts *o,
		     struct lw_error *err);
void lb_report_free(struct lb_report *r);

/* picture.c */
void lb_picture_build(struct lb_target *t);
void lb_picture_add_series(struct lb_target *t); /* into t->set, before analysis */
void lb_picture_bind(struct lb_target *t);        /* after analysis */
/* Row i of the picture (0 rss, then 1 + enum lb_part): first and last
 * values, trend per hour, verdict. -1 if the part is not measured. */
int lb_picture_row(const struct lb_picture *p, int i, double *first, double *last, double *rate,
		   const char **verdict);

/* limit.c: fills t->limit after the analysis (t->set fitted, picture
 * bound) with the time until --limit (o->trend.limit) is reached. */
void lb_limit_fit(struct lb_target *t, const struct lb_opts *o);
/* "in 1h30m" / "reached" / "never at this trend" (t->limit, limit > 0). */
char *lb_limit_str(char *buf, size_t sz, const struct lb_limit *l);
/* "in 1h00m (limit 1.00 GiB; rss 40.50 MiB, +90.00 MiB/h, leak)": the text
 * and HTML reports' line. */
char *lb_limit_line(char *buf, size_t sz, const struct lb_limit *l, double limit);

/* analyze.c: fits, merges, classifies and ranks. 0 or -1 (out of memory). */
int lb_analyze(struct lb_report *r, const struct lb_opts *o);

/* classify.c */
void lb_classify(struct lb_target *t, struct lb_suspect *s, const struct lb_opts *o);
void lb_suspect_evidence(struct lb_suspect *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* source.c: the source of a frame's file, found under --source dirs or at
 * the profile's path. */
struct lb_src;
struct lb_src *lb_source_open(const char *file, const struct lb_opts *o);
const char *lb_source_line(struct lb_src *s, int64_t line); /* NULL if out of range */
size_t lb_source_nlines(struct lb_src *s);
const char *lb_source_path(struct lb_src *s); /* where it was found */
/* The enclosing top-level function of line: [*first, *last] (1-based). 0 or -1. */
int lb_source_func_range(struct lb_src *s, int64_t line, int64_t *first, int64_t *last);
/* The Go files of the same directory (package), for searches. */
size_t lb_source_siblings(struct lb_src *s, const struct lb_opts *o, struct lb_src ***out);
void lb_source_free_all(void);
/* Trimmed copy of a line (malloc'd). */
char *lb_trim_dup(const char *line);

/* Output (render_*.c, alerts.c). Each writes the whole report to f. */
void lb_render_text(FILE *f, const struct lb_report *r);
void lb_render_markdown(FILE *f, const struct lb_report *r);
void lb_render_json(FILE *f, const struct lb_report *r);
void lb_render_html(FILE *f, const struct lb_report *r);
void lb_write_alerts(FILE *f, const struct lb_report *r);

/* Shared by renderers: display name of a frame "func file:line". */
char *lb_frame_str(char *buf, size_t sz, const struct lb_frame *f, int full_path);
/* "leaks.go:61" ("" when the file is unknown). */
char *lb_loc_str(char *buf, size_t sz, const struct lb_frame *f);
/* The main series of a suspect (values per point, its times, n). */
int lb_suspect_series(const struct lb_suspect *s, const double **v, const int64_t **t, size_t *n);
/* One-line headline: "+12.3 MiB/h, 95% of heap growth". */
char *lb_suspect_rate_str(char *buf, size_t sz, const struct lb_suspect *s);

#endif
