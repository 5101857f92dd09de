/* pprof_io.h: read any profile leakwatch understands, write gzip protobuf.
 *
 * Reading sniffs the input: gzip (1f 8b, multi-member joined) is inflated,
 * then protobuf is tried, then Go's legacy text formats (heap/allocs
 * ?debug=1, goroutine/threadcreate ?debug=1, goroutine ?debug=2). Everything
 * pprof's own reader rejects is rejected too, and more (see pprof_validate.c):
 * empty input, concatenated profiles, truncated streams, bad string indexes,
 * dangling or duplicate ids. On failure the reader returns NULL and writes a
 * one-line message that names the input, e.g.
 *     'heap.pb.gz': truncated gzip stream
 * into err->msg (no tool prefix, no trailing newline, no period).
 */
#ifndef LW_PPROF_IO_H
#define LW_PPROF_IO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "profile.h"

struct lw_error {
	char msg[512];
};

/* Upper bound on a decompressed profile, to refuse gzip bombs (1 GiB). */
#define LW_MAX_PROFILE_BYTES ((size_t)1 << 30)

/* path "-" reads stdin (named "<stdin>" in messages). */
struct lw_profile *lw_profile_read_file(const char *path, struct lw_error *err);
/* name is used in messages only. buf need not be NUL-terminated. */
struct lw_profile *lw_profile_read_mem(const void *buf, size_t len, const char *name,
				       struct lw_error *err);

/* Encodes p as protobuf (ids renumbered densely, string table rebuilt).
 * gzip != 0 compresses it. *out is malloc'd. 0 or -errno. */
int lw_profile_encode(const struct lw_profile *p, int gzip, uint8_t **out, size_t *out_len);

/* Writes gzip protobuf atomically (temp file in the same directory, fsync,
 * rename); "-" writes stdout. 0 on success; -1 with err->msg set. */
int lw_profile_write_file(const struct lw_profile *p, const char *path, struct lw_error *err);

#endif
