/* fuzz_profile.h: the round-trip check every profile-reading fuzz target
 * ends with: whatever a reader accepted must encode, and the encoding must
 * read back with the same shape (the writer drops nothing the reader keeps;
 * text-parsed profiles may list objects no sample uses, the writer keeps
 * those too). Aborts otherwise; frees p. */
#ifndef LW_FUZZ_PROFILE_H
#define LW_FUZZ_PROFILE_H

#include "pprof_io.h"
#include "profile.h"

static inline void fuzz_reencode(struct lw_profile *p, int gzip)
{
	struct lw_error err;
	uint8_t *buf;
	size_t len;
	if (lw_profile_encode(p, gzip, &buf, &len) != 0)
		abort();
	struct lw_profile *q = lw_profile_read_mem(buf, len, "re-encoded", &err);
	if (!q || q->n_samples != p->n_samples || q->n_sample_types != p->n_sample_types ||
	    q->n_locations != p->n_locations || q->n_functions != p->n_functions ||
	    q->n_mappings != p->n_mappings)
		abort();
	free(buf);
	lw_profile_free(q);
	lw_profile_free(p);
}

#endif
