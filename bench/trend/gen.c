/* bench/trend/gen.c: bench/trend's helper, two modes (the timing is
 * bench/decode/measure.c's, as in every bench):
 *
 *   gen DIR SNAPSHOTS FUNCTIONS   an archive target dir of Go-like heap
 *                                 profiles (heap-<time>.pb.gz, 1 min apart)
 *   decode DIR                    read every profile of DIR (libcommon's
 *                                 reader, nothing else): the decode floor
 *
 * Every profile has FUNCTIONS functions: 4/5 are allocation sites (leaves),
 * 1/5 their callers, so stacks are leaf <- caller <- caller <- main. Values
 * follow what a real service shows: 60% of the sites constant, 30% jitter by
 * whole 512 KiB sampling steps (churn), 8% absent now and then, 2% leak
 * (with jitter). Deterministic (fixed seed).
 */
#include <dirent.h>
#include <unistd.h>

#include "archive.h"
#include "pprof_io.h"
#include "profile.h"

#define PERIOD 524288

static uint64_t rng = 88172645463325252ULL;
static uint64_t xr(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int gen(const char *dir, long nsnap, long nfunc)
{
	long nleaf = nfunc * 4 / 5, ncall = nfunc - nleaf, s, i;
	int64_t t0 = (int64_t)1790000000 * 1000000000;
	int64_t *base = calloc((size_t)nleaf, sizeof(int64_t));
	char name[128];

	for (i = 0; i < nleaf; i++)
		base[i] = (int64_t)(1 + xr() % 40) * PERIOD;
	for (s = 0; s < nsnap; s++) {
		struct lw_profile *p = lw_profile_new();
		struct lw_function **fn = calloc((size_t)nfunc + 1, sizeof(*fn));
		struct lw_location **loc = calloc((size_t)nfunc + 1, sizeof(*loc));
		struct lw_mapping m = { 0 };
		struct lw_mapping *mp;
		uint8_t *buf;
		size_t len;
		char *path;
		FILE *f;

		lw_profile_add_sample_type(p, "alloc_objects", "count");
		lw_profile_add_sample_type(p, "alloc_space", "bytes");
		lw_profile_add_sample_type(p, "inuse_objects", "count");
		lw_profile_add_sample_type(p, "inuse_space", "bytes");
		p->period_type.type = lw_profile_intern(p, "space");
		p->period_type.unit = lw_profile_intern(p, "bytes");
		p->period = PERIOD;
		p->time_nanos = t0 + s * (int64_t)60000000000;
		m.memory_start = 0x400000;
		m.memory_limit = 0x4000000;
		m.filename = "/usr/local/bin/service";
		m.has_functions = true;
		mp = lw_profile_add_mapping(p, &m);
		for (i = 0; i <= nfunc; i++) {
			struct lw_line ln;
			if (i == nfunc)
				snprintf(name, sizeof(name), "main.main");
			else if (i < nleaf)
				snprintf(name, sizeof(name), "example.com/svc/pkg%ld.(*T%ld).alloc%ld",
					 i % 97, i % 13, i);
			else
				snprintf(name, sizeof(name), "example.com/svc/handlers.serve%ld", i);
			fn[i] = lw_profile_add_function(p, 0, name, name, "/src/svc/file.go", 10);
			ln.fn = fn[i];
			ln.line = 10 + i % 300;
			ln.column = 0;
			loc[i] = lw_profile_add_location(p, 0, mp, 0x401000 + 16 * (uint64_t)i, &ln, 1);
		}
		for (i = 0; i < nleaf; i++) {
			struct lw_location *st[4];
			int64_t v[4], inuse = base[i];
			long kind = i % 50;
			if (kind < 30) {
				/* constant: long-lived data */
			} else if (kind < 45) {
				inuse += (int64_t)(xr() % 7) * PERIOD; /* churn jitter */
			} else if (kind < 49) {
				if (xr() % 4 == 0)
					inuse = 0; /* absent in this snapshot */
			} else {
				inuse += (int64_t)(s * (1 + i % 3) / 8) * PERIOD +
					 (int64_t)(xr() % 3) * PERIOD; /* leak */
			}
			if (inuse == 0)
				continue;
			st[0] = loc[i];
			st[1] = loc[nleaf + i % ncall];
			st[2] = loc[nleaf + (i / 7) % ncall];
			st[3] = loc[nfunc];
			v[0] = inuse / 512 * 3;
			v[1] = inuse * 3;
			v[2] = inuse / 512;
			v[3] = inuse;
			lw_profile_add_sample(p, st, 4, v, NULL, 0);
		}
		if (lw_profile_encode(p, 1, &buf, &len)) {
			fprintf(stderr, "gen: encode failed\n");
			return 1;
		}
		path = lw_archive_path(dir, "heap", p->time_nanos, "pb.gz");
		f = fopen(path, "wb");
		if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
			fprintf(stderr, "gen: cannot write '%s'\n", path);
			return 1;
		}
		free(path);
		free(buf);
		free(fn);
		free(loc);
		lw_profile_free(p);
	}
	free(base);
	return 0;
}

static int decode(const char *dir)
{
	struct lw_archive_entry *e;
	size_t n, i, samples = 0;
	char err[512];

	if (lw_archive_scan(dir, &e, &n, err, sizeof(err))) {
		fprintf(stderr, "decode: %s\n", err);
		return 1;
	}
	for (i = 0; i < n; i++) {
		struct lw_error le;
		struct lw_profile *p = lw_profile_read_file(e[i].path, &le);
		if (!p) {
			fprintf(stderr, "decode: %s\n", le.msg);
			return 1;
		}
		samples += p->n_samples;
		lw_profile_free(p);
	}
	if (getenv("GEN_VERBOSE"))
		fprintf(stderr, "decoded %zu profiles, %zu samples\n", n, samples);
	lw_archive_entries_free(e, n);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "gen"))
		return gen(argv[2], atol(argv[3]), atol(argv[4]));
	if (argc == 3 && !strcmp(argv[1], "decode"))
		return decode(argv[2]);
	fprintf(stderr, "usage: gen gen DIR SNAPSHOTS FUNCTIONS | decode DIR\n");
	return 2;
}
