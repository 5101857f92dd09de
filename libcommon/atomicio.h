/* atomicio.h: files that appear whole or not at all.
 *
 * lw_atomic_open creates "DIR/.NAME.tmp.XXXXXX" beside the target;
 * lw_atomic_commit flushes, fsyncs, closes and renames it over the target
 * (then fsyncs the directory); lw_atomic_abort removes it. A crash or a full
 * disk leaves the target as it was.
 */
#ifndef LW_ATOMICIO_H
#define LW_ATOMICIO_H

#include <stddef.h>
#include <stdio.h>

struct lw_atomic {
	FILE *f;
	char *tmp_path;
	char *final_path;
};

/* 0, or -errno. */
int lw_atomic_open(struct lw_atomic *a, const char *path);
int lw_atomic_commit(struct lw_atomic *a); /* 0, or -errno (temp removed) */
void lw_atomic_abort(struct lw_atomic *a);
/* Whole buffer to path atomically. 0 or -errno. */
int lw_atomic_write(const char *path, const void *buf, size_t len);
/* Reads a whole file ("-" = stdin) into a malloc'd buffer (NUL-terminated,
 * not counted in *len), refusing more than max bytes (-EFBIG). 0 or -errno. */
int lw_read_all(const char *path, size_t max, char **buf, size_t *len);

#endif
