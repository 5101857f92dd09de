/* gzip.h: compress a buffer in memory into one gzip member (zlib).
 *
 * For the writers that need the whole compressed profile at once:
 * pprof_write.c (Z_BEST_SPEED, as the Go runtime writes profiles) and
 * pprof-fetch (re-compressing a plain protobuf a server sent). Reading
 * gzip is pprof_read.c's job.
 */
#ifndef LW_GZIP_H
#define LW_GZIP_H

#include <stddef.h>
#include <stdint.h>

/* Compresses len bytes of in at zlib level (Z_BEST_SPEED,
 * Z_DEFAULT_COMPRESSION, 0-9) with a gzip header into a malloc'd *out of
 * *out_len bytes. 0, or -EFBIG (len over UINT_MAX / 2), -ENOMEM, -EIO. */
int lw_gzip(const void *in, size_t len, int level, uint8_t **out, size_t *out_len);

#endif
