/* archive.h: the on-disk archive layout shared by pprof-fetch, cgo-trace,
 * trend-fit, leak-blame and the scripts (documented in README.md).
 *
 *   ARCHIVE/<target>/<kind>-<YYYYMMDDTHHMMSS.mmmZ>.<ext>
 *   ARCHIVE/<target>/manifest.csv   one row per snapshot attempt
 *   ARCHIVE/<target>/memstats.csv   one row per memstats snapshot
 *
 * kind: heap, allocs, goroutine, goroutineleak (.pb.gz), goroutine-dump
 * (.txt, ?debug=2), cgo (.pb.gz, from cgo-trace). Names sort by time within
 * a kind; the time is the UTC start of the snapshot (all kinds of one
 * pprof-fetch snapshot share it). A target directory may also be given
 * directly where an ARCHIVE is expected (it is recognised by its own
 * snapshot files). Names starting with '.' are not part of the archive
 * (".lock", temporaries ".<name>.tmp.XXXXXX" of libcommon's atomicio):
 * readers skip them. A snapshot file is complete once it has its name.
 */
#ifndef LW_ARCHIVE_H
#define LW_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#define LW_ARCHIVE_TIME_LEN 21 /* "20261126T091502.123Z" + NUL */

/* unix nanoseconds -> "20261126T091502.123Z" (UTC). Returns buf. */
char *lw_archive_time(char *buf, size_t size, int64_t unix_nanos);
/* Parses a snapshot file name (base name). 0 on success with kind copied
 * into kind (e.g. "goroutine-dump") and time in *unix_nanos; -1 if the name
 * is not a snapshot name. */
int lw_archive_parse_name(const char *base, char *kind, size_t kind_size, int64_t *unix_nanos);
/* Builds "<dir>/<kind>-<time>.<ext>" (malloc'd). */
char *lw_archive_path(const char *dir, const char *kind, int64_t unix_nanos, const char *ext);

/* Added for pprof-fetch and the readers of its CSV files. */

/* File names inside a target directory. */
#define LW_ARCHIVE_MANIFEST "manifest.csv"
#define LW_ARCHIVE_MEMSTATS "memstats.csv"
/* Header rows of those files (NULL-terminated). Readers should find
 * columns by name: later versions may append columns, never reorder. */
extern const char *const lw_archive_manifest_columns[];
extern const char *const lw_archive_memstats_columns[];

/* The CSV "time" column: RFC 3339 UTC with milliseconds,
 * "2026-11-26T09:15:02.123Z" (24 chars + NUL). */
#define LW_ARCHIVE_CSV_TIME_LEN 25
char *lw_archive_csv_time(char *buf, size_t size, int64_t unix_nanos);
/* Parses either time form ("20261126T091502.123Z" or RFC 3339 UTC
 * "2026-11-26T09:15:02[.fff...]Z"). 0, or -1 if s is not such a time. */
int lw_archive_parse_time(const char *s, int64_t *unix_nanos);

/* File extension of a kind: "txt" for goroutine-dump (and any other text
 * kind), "pb.gz" otherwise. */
const char *lw_archive_kind_ext(const char *kind);
/* 1 if name is usable as a target directory name: [A-Za-z0-9._-]+, at most
 * 128 chars, not starting with '.'; else 0. */
int lw_archive_valid_target(const char *name);

struct lw_archive_entry {
	char *path;   /* full path */
	char *target; /* target directory name ("" when dir is a target dir) */
	char kind[32];
	int64_t time_nanos; /* from the name */
};

/* Lists snapshot files under dir (dir itself and its immediate
 * subdirectories), sorted by target, kind, time. 0, or -1 with err set. */
int lw_archive_scan(const char *dir, struct lw_archive_entry **entries, size_t *n,
		    char *err, size_t errsz);
void lw_archive_entries_free(struct lw_archive_entry *entries, size_t n);

#endif
