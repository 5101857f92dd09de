/* writer.h: a heap snapshot as a Go-heap-shaped pprof profile.
 *
 * Sample types alloc_objects/count, alloc_space/bytes, inuse_objects/count,
 * inuse_space/bytes; one sample per (stack, size) bucket with a numeric
 * `bytes` label; period space/bytes = the sampling rate, values scaled back
 * as pprof's scaleHeapSample does; locations at return address - 1 with
 * inline frames; executable mappings with build ids, main binary first.
 */
#ifndef CT_WRITER_H
#define CT_WRITER_H

#include <stdint.h>

#include "heap.h"
#include "modules.h"
#include "symbolize.h"

struct ct_meta {
	int64_t time_nanos;
	int64_t duration_nanos;
	int64_t sample_rate; /* <= 1: every allocation recorded */
	char **comments;
	size_t n_comments;
};

/* Go's scaleHeapSample (runtime/pprof/protomem.go). */
void ct_scale_heap_sample(uint64_t count, uint64_t size, int64_t rate, int64_t *ocount,
			  int64_t *osize);

/* Writes path atomically ("-": stdout). 0, or -1 with err set. */
int ct_write_profile(const char *path, const struct ct_snapshot *snap, struct ct_symbolizer *sym,
		     struct ct_modules *mods, const struct ct_meta *meta, char *err, size_t errsz);

#endif
