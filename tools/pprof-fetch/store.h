/* store.h: one target's directory of the archive (layout in archive.h).
 *
 * store_open creates OUT/NAME, takes an exclusive lock on OUT/NAME/.lock (a
 * second pprof-fetch on the same target fails instead of interleaving), and
 * repairs what a crash can leave behind: temporaries of atomicio, a torn
 * last CSV row, and snapshot files renamed into place whose manifest row was
 * never written (appended as result "recovered"). Snapshots are written
 * temp + fsync + rename (the caller streams into the temporary); CSV rows
 * are appended with a single write(2).
 */
#ifndef PPROF_FETCH_STORE_H
#define PPROF_FETCH_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fetch.h"

struct store {
	char *dir;
	int lock_fd;
	int manifest_fd;
	int memstats_fd; /* -1 unless memstats were asked for */
};

struct manifest_row {
	int64_t time; /* wall-clock ns */
	const char *kind;
	const char *file;   /* base name, "" when nothing was stored */
	int64_t bytes;      /* -1 = unknown */
	long http_status;   /* 0 = no response */
	int64_t duration_ms; /* -1 = unknown */
	const char *result; /* ok, failed, unsupported, recovered */
	int attempts;       /* 0 = unknown */
	const char *error;  /* "" when ok */
};

/* 0, or -1 with a message in err. */
int store_open(struct store *s, const char *out, const char *name, bool memstats, char *err,
	       size_t errsz);
/* The path a snapshot KIND taken at t gets: its archive name, moved to the
 * next free millisecond if that name is taken (malloc'd, NULL on ENOMEM). */
char *store_next_path(struct store *s, const char *kind, int64_t t);
/* A path in the target directory for bodies that are read, not kept (the
 * temporary beside it is what gets written; malloc'd). */
char *store_scratch_path(struct store *s, const char *kind);
/* 0, or -errno. */
int store_manifest(struct store *s, const struct manifest_row *r);
/* rss < 0 = unknown. 0, or -errno. */
int store_memstats(struct store *s, int64_t t, const struct round_memstats *ms, int64_t rss);
void store_close(struct store *s);

#endif
