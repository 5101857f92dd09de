/* fuzz_lb_memstats: leak-blame's memstats.csv reader (collect.c, through
 * lb_collect_archive on a directory holding only that file) and the memory
 * picture built from what it accepts (picture.c). Contract: 0 with one
 * target whose rows have strictly rising times, or -1 with a one-line
 * message naming the file.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "../../tools/leak-blame/blame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], file[96];

static void cleanup(void)
{
	unlink(file);
	rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/fuzz_lb_memstats.XXXXXX");
		if (!mkdtemp(dir))
			abort();
		snprintf(file, sizeof(file), "%s/memstats.csv", dir);
		atexit(cleanup);
	}
	FILE *f = fopen(file, "wb");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f))
		abort();

	struct lb_opts o;
	struct lb_report r;
	struct lw_error err;
	memset(&o, 0, sizeof(o));
	memset(&r, 0, sizeof(r));
	lw_trend_opts_default(&o.trend);
	o.profile_paths = 1;
	err.msg[0] = '\0';
	if (lb_collect_archive(&r, dir, &o, &err) == 0) {
		if (r.n_targets != 1)
			abort();
		struct lb_target *t = r.targets[0];
		for (size_t i = 1; i < t->ms.n; i++)
			if (t->ms.times[i] <= t->ms.times[i - 1])
				abort();
		lb_picture_build(t);
		volatile double sink = 0;
		for (size_t i = 0; i < t->pic.n; i++)
			for (int j = 0; j < LB_NPARTS; j++)
				sink += t->pic.part[j][i];
		(void)sink;
	} else if (!strstr(err.msg, "memstats.csv'") || strchr(err.msg, '\n')) {
		abort();
	}
	lb_report_free(&r);
	lb_intern_free();
	return 0;
}
