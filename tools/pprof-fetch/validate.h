/* validate.h: is a response body what its kind promises? Every body is
 * decoded with libcommon's reader (lw_profile_read_mem) before anything is
 * kept, and must be of the right format: heap/allocs and goroutine protobufs
 * with their sample types, a ?debug=2 goroutine dump, a heap ?debug=1 page
 * with its MemStats. HTML error pages, truncated or oversized transfers and
 * profiles of the wrong kind are refused. Bodies are read from the
 * temporary file they were received into, one at a time.
 */
#ifndef PPROF_FETCH_VALIDATE_H
#define PPROF_FETCH_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "fetch.h"

/* Decodes the file at path as kind. 0 if valid; then for K_MEMSTATS *ms is
 * filled (goroutines untouched), and for K_GOROUTINE, K_GDUMP and K_GCOUNT
 * *goroutines gets the goroutine count. -1 with a message in err ("not a
 * profile: ...") otherwise. */
int validate_file(enum kind k, const char *path, struct round_memstats *ms, int64_t *goroutines,
		  char *err, size_t errsz);

/* A protobuf kind is stored gzipped (.pb.gz) as pprof writes it; a body
 * that is not gzip yet (a proxy decompressed it) is compressed in place in
 * the sink's temporary file. 0 (s->len updated), or -errno. */
int sink_ensure_gzip(struct sink *s);

#endif
