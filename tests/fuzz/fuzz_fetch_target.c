/* fuzz_fetch_target: pprof-fetch's TARGET argument parser
 * (tools/pprof-fetch/target.c, "[NAME=]URL" through libcurl's URL API) on
 * arbitrary strings. Contract: 0 with a name usable as an archive target
 * directory (lw_archive_valid_target) and an http(s) URL per kind, or -1
 * with a message; target_free releases either outcome.
 */
#include "archive.h"
#include "../../tools/pprof-fetch/target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 2048)
		return 0;
	char *arg = malloc(size);
	if (!arg)
		return 0;
	memcpy(arg, data + 1, size - 1);
	arg[size - 1] = '\0';
	struct target *t = calloc(1, sizeof(*t));
	char err[512];
	err[0] = '\0';
	if (t && target_parse(t, arg, data[0] & 1, err, sizeof(err)) == 0) {
		if (!lw_archive_valid_target(t->name))
			abort();
		for (int k = 0; k < K_NKINDS; k++)
			if (!t->url[k] || (strncmp(t->url[k], "http://", 7) != 0 &&
					   strncmp(t->url[k], "https://", 8) != 0))
				abort();
		if (!t->url_memstats_gc)
			abort();
	} else if (t && !err[0]) {
		abort();
	}
	if (t)
		target_free(t);
	free(t);
	free(arg);
	return 0;
}
