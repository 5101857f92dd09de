/* fuzz_trend_csv: trend's two CSV readers (trend-fit --series rows
 * time,key,value and an archive's memstats.csv) on arbitrary bytes, then the
 * analysis of whatever series they accepted. The first byte picks the
 * reader. Inputs go through a memfd, since the readers take paths.
 */

#include "fuzz_memfd.h"
#include "trend.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lw_trend_set *s;
	struct lw_trend_opts o;
	struct lw_error err;
	char path[64];
	int fd;

	if (size < 1 || size > 1 << 16)
		return 0;
	fd = fuzz_memfd("trend-csv", data + 1, size - 1, path, sizeof(path));
	if (fd < 0)
		return 0;
	s = lw_trend_set_new();
	if (s) {
		int rc = data[0] & 1 ? lw_trend_add_memstats(s, path, "t", &err)
				     : lw_trend_add_series_csv(s, path, "bytes", &err);
		if (rc == 0) {
			lw_trend_opts_default(&o);
			o.limit = 1 << 30;
			lw_trend_analyze(s, &o);
		}
		lw_trend_set_free(s);
	}
	close(fd);
	return 0;
}
