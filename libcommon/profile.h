/* profile.h: leakwatch's in-memory pprof profile model and its builder.
 *
 * Every tool sees profiles through this model, never through the generated
 * protobuf-c structs (those stay inside pprof_read.c / pprof_write.c).
 * Objects are allocated from the profile's own arena and live until
 * lw_profile_free(); references between them are plain pointers, so a sample
 * reaches its locations, lines and functions without any id lookup.
 * All strings are interned per profile: two equal strings of one profile are
 * the same pointer; a missing string is "" (never NULL).
 */
#ifndef LW_PROFILE_H
#define LW_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lw_arena;
struct lw_strtab;

struct lw_value_type {
	const char *type; /* e.g. "inuse_space" */
	const char *unit; /* e.g. "bytes" */
};

/* A label: str != "" for a string label, else a numeric one (num, num_unit). */
struct lw_label {
	const char *key;
	const char *str;
	int64_t num;
	const char *num_unit;
};

struct lw_function {
	uint64_t id;
	const char *name;
	const char *system_name;
	const char *filename;
	int64_t start_line;
};

struct lw_line {
	struct lw_function *fn; /* never NULL in a valid profile */
	int64_t line;
	int64_t column;
};

struct lw_mapping {
	uint64_t id;
	uint64_t memory_start;
	uint64_t memory_limit;
	uint64_t file_offset;
	const char *filename;
	const char *build_id;
	bool has_functions;
	bool has_filenames;
	bool has_line_numbers;
	bool has_inline_frames;
};

/* lines[0] is the innermost (inlined leaf), lines[n_lines-1] the outermost. */
struct lw_location {
	uint64_t id;
	struct lw_mapping *mapping; /* NULL when mapping_id is 0 or unknown */
	uint64_t address;
	struct lw_line *lines;
	size_t n_lines;
	bool is_folded;
};

/* locs[0] is the leaf, locs[n_locs-1] the root (as in profile.proto).
 * values has exactly n_sample_types entries. */
struct lw_sample {
	struct lw_location **locs;
	size_t n_locs;
	int64_t *values;
	struct lw_label *labels;
	size_t n_labels;
};

/* runtime.MemStats from a heap ?debug=1 text trailer: name/value pairs in
 * file order ("Alloc", "HeapInuse", "NumGC", "Stack" (in-use part of
 * "Stack = a / b"), ...). Array-valued entries (PauseNs, PauseEnd) are skipped. */
struct lw_memstat {
	const char *name;
	double value;
};

struct lw_gframe {
	const char *func; /* "main.blockOnChan" (arguments stripped) */
	const char *file;
	int64_t line;
	bool inlined;
};

/* One goroutine of a ?debug=2 dump. */
struct lw_goroutine {
	uint64_t id;
	const char *state;    /* "chan receive", "select", "running", ... */
	int64_t wait_minutes; /* 0 when not shown */
	bool locked_to_thread;
	struct lw_gframe *frames; /* frames[0] is the innermost */
	size_t n_frames;
	struct lw_gframe created_by; /* func "" when absent */
	uint64_t created_by_goroutine; /* Go >= 1.21 "in goroutine N", else 0 */
};

enum lw_profile_source {
	LW_SRC_PROTO = 0,       /* protobuf, raw or gzipped */
	LW_SRC_HEAP_TEXT,       /* heap/allocs ?debug=1 */
	LW_SRC_COUNT_TEXT,      /* goroutine/threadcreate ?debug=1 */
	LW_SRC_GOROUTINE_DUMP,  /* goroutine ?debug=2 */
};

struct lw_profile {
	struct lw_value_type *sample_types;
	size_t n_sample_types;
	struct lw_sample *samples;
	size_t n_samples;
	struct lw_mapping **mappings;
	size_t n_mappings;
	struct lw_location **locations;
	size_t n_locations;
	struct lw_function **functions;
	size_t n_functions;

	const char *drop_frames;
	const char *keep_frames;
	int64_t time_nanos;
	int64_t duration_nanos;
	struct lw_value_type period_type;
	int64_t period;
	const char **comments;
	size_t n_comments;
	const char *default_sample_type; /* "" when unset */
	const char *doc_url;

	enum lw_profile_source source;
	struct lw_memstat *memstats; /* heap debug=1 only, else NULL */
	size_t n_memstats;
	struct lw_goroutine *goroutines; /* debug=2 only, else NULL */
	size_t n_goroutines;

	/* private */
	struct lw_arena *arena;
	struct lw_strtab *strtab;
	size_t cap_samples, cap_mappings, cap_locations, cap_functions;
	size_t cap_comments, cap_sample_types, cap_memstats, cap_goroutines;
};

/* Builder. All functions copy what they are given into the profile's arena.
 * Pointer-returning functions return NULL only on out-of-memory (errno set).
 * An id of 0 means "assign the next free id". */
struct lw_profile *lw_profile_new(void);
void lw_profile_free(struct lw_profile *p);
const char *lw_profile_intern(struct lw_profile *p, const char *s);
const char *lw_profile_intern_n(struct lw_profile *p, const char *s, size_t n);
void *lw_profile_alloc(struct lw_profile *p, size_t size); /* zeroed, arena */
int lw_profile_add_sample_type(struct lw_profile *p, const char *type, const char *unit);
int lw_profile_add_comment(struct lw_profile *p, const char *text);
struct lw_function *lw_profile_add_function(struct lw_profile *p, uint64_t id, const char *name,
					    const char *system_name, const char *filename,
					    int64_t start_line);
struct lw_mapping *lw_profile_add_mapping(struct lw_profile *p, const struct lw_mapping *m);
struct lw_location *lw_profile_add_location(struct lw_profile *p, uint64_t id,
					    struct lw_mapping *m, uint64_t address,
					    const struct lw_line *lines, size_t n_lines);
/* values must have n_sample_types entries (add sample types first).
 * The returned pointer is &p->samples[n_samples - 1]: p->samples grows by
 * reallocation, so a later lw_profile_add_sample (or any code that grows
 * p->samples) may move the array and leave earlier returned pointers, and
 * any other pointer into p->samples, dangling. Keep indexes, not pointers,
 * across adds. (Locations, functions and mappings do not move: their
 * arrays hold pointers.) */
struct lw_sample *lw_profile_add_sample(struct lw_profile *p, struct lw_location *const *locs,
					size_t n_locs, const int64_t *values,
					const struct lw_label *labels, size_t n_labels);
int lw_profile_add_memstat(struct lw_profile *p, const char *name, double value);
/* Zeroed, strings "". Like lw_profile_add_sample, returns a pointer into
 * p->goroutines that a later add may move. */
struct lw_goroutine *lw_profile_add_goroutine(struct lw_profile *p);

/* Lookups: NULL when absent. */
const struct lw_memstat *lw_profile_memstat(const struct lw_profile *p, const char *name);
const char *lw_sample_label_str(const struct lw_sample *s, const char *key);

/* Deep copy into a fresh profile (ids kept). NULL on out-of-memory. */
struct lw_profile *lw_profile_clone(const struct lw_profile *p);

#endif
