/* fuzz_pprof_proto: lw_profile_read_mem on arbitrary bytes (gzip sniffing,
 * protobuf, validation, the legacy text fallbacks); whatever decodes must
 * encode, and the encoding must decode again to the same shape. */
#include "pprof_io.h"
#include "profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lw_error err;
	struct lw_profile *p = lw_profile_read_mem(data, size, "fuzz", &err);
	if (!p) {
		/* one line, naming the input */
		if (strncmp(err.msg, "'fuzz': ", 8) != 0 || strchr(err.msg, '\n'))
			abort();
		return 0;
	}
	uint8_t *buf;
	size_t len;
	if (lw_profile_encode(p, size & 1, &buf, &len) != 0)
		abort();
	struct lw_profile *q = lw_profile_read_mem(buf, len, "re-encoded", &err);
	/* The writer drops nothing the reader keeps, so counts must agree.
	 * (Text-parsed profiles may list objects no sample uses; the writer
	 * keeps those too.) */
	if (!q || q->n_samples != p->n_samples || q->n_sample_types != p->n_sample_types ||
	    q->n_locations != p->n_locations || q->n_functions != p->n_functions ||
	    q->n_mappings != p->n_mappings)
		abort();
	free(buf);
	lw_profile_free(q);
	lw_profile_free(p);
	return 0;
}
