/* fuzz_pprof_proto: lw_profile_read_mem on arbitrary bytes (gzip sniffing,
 * protobuf, validation, the legacy text fallbacks); whatever decodes must
 * encode, and the encoding must decode again to the same shape
 * (fuzz_profile.h). */
#include "fuzz_profile.h"

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
	fuzz_reencode(p, size & 1);
	return 0;
}
