/* fuzz_fetch_validate: pprof-fetch's check of a response body
 * (tools/pprof-fetch/validate.c: decode with libcommon's reader, demand the
 * kind's format, take the goroutine count or the MemStats) on arbitrary
 * bodies through a memfd; byte 0 picks the kind. Contract: 0, or -1 with a
 * one-line message that does not name the temporary file.
 */

#include "../../tools/pprof-fetch/validate.h"
#include "fuzz_memfd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[512];
	if (size < 1 || size > 1 << 16)
		return 0;
	int fd = fuzz_memfd("body", data + 1, size - 1, path, sizeof(path));
	if (fd < 0)
		return 0;
	struct round_memstats ms;
	memset(&ms, 0, sizeof(ms));
	int64_t goroutines = -1;
	err[0] = '\0';
	enum kind k = (enum kind)(data[0] % K_NKINDS);
	if (validate_file(k, path, &ms, &goroutines, err, sizeof(err)) == 0) {
		if (k == K_MEMSTATS && !ms.have)
			abort();
		if (k == K_GDUMP && goroutines < 0)
			abort(); /* a dump's count is its goroutines */
	} else if (!err[0] || strchr(err, '\n') || strstr(err, path)) {
		abort();
	}
	close(fd);
	return 0;
}
