/* gen.c: writes a large synthetic Go-heap-like profile for bench/decode.
 *
 * usage: gen OUT [SAMPLES] [LOCATIONS]
 * Functions are named like Go code ("github.com/acme/svcN/pkgM.(*TypeK).MethodJ"),
 * stacks are 32-frame (Go's heap limit) walks up a fixed call tree (so they share prefixes as
 * real stacks do), 1 location in 5 carries an inlined frame, every sample has
 * the four heap values and a "bytes" label. Deterministic (fixed seed).
 */
#include "pprof_io.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: gen OUT [SAMPLES] [LOCATIONS]\n");
		return 2;
	}
	size_t nsamples = argc > 2 ? strtoul(argv[2], NULL, 10) : 200000;
	size_t nlocs = argc > 3 ? strtoul(argv[3], NULL, 10) : 50000;
	size_t nfuncs = nlocs / 2 + 1;
	struct lw_profile *p = lw_profile_new();
	if (!p)
		return 1;
	lw_profile_add_sample_type(p, "alloc_objects", "count");
	lw_profile_add_sample_type(p, "alloc_space", "bytes");
	lw_profile_add_sample_type(p, "inuse_objects", "count");
	lw_profile_add_sample_type(p, "inuse_space", "bytes");
	p->period_type.type = lw_profile_intern(p, "space");
	p->period_type.unit = lw_profile_intern(p, "bytes");
	p->period = 524288;
	p->time_nanos = 1700000000000000000LL;
	struct lw_mapping m = { .id = 1, .memory_start = 0x400000, .memory_limit = 0x4000000,
				.filename = "/usr/local/bin/bigservice", .build_id = "",
				.has_functions = true };
	struct lw_mapping *map = lw_profile_add_mapping(p, &m);
	struct lw_function **fns = calloc(nfuncs, sizeof(*fns));
	for (size_t i = 0; i < nfuncs; i++) {
		char name[160], file[160];
		snprintf(name, sizeof(name), "github.com/acme/svc%zu/pkg%zu.(*Type%zu).Method%zu",
			 i % 37, i % 211, i % 1009, i);
		snprintf(file, sizeof(file), "github.com/acme/svc%zu/pkg%zu/file%zu.go", i % 37,
			 i % 211, i % 97);
		fns[i] = lw_profile_add_function(p, i + 1, name, name, file, 0);
	}
	struct lw_location **locs = calloc(nlocs, sizeof(*locs));
	size_t *parent = calloc(nlocs, sizeof(*parent));
	for (size_t i = 0; i < nlocs; i++) {
		struct lw_line lines[2];
		size_t n = 1;
		lines[0].fn = fns[i % nfuncs];
		lines[0].line = (int64_t)(10 + next() % 500);
		lines[0].column = 0;
		if (next() % 5 == 0) {
			lines[1].fn = fns[next() % nfuncs];
			lines[1].line = (int64_t)(10 + next() % 500);
			lines[1].column = 0;
			n = 2;
		}
		locs[i] = lw_profile_add_location(p, i + 1, map, 0x400000 + i * 16, lines, n);
		/* call tree: a location's caller has a smaller index */
		parent[i] = i ? i - 1 - next() % (i < 1000 ? i : 1000) : 0;
	}
	struct lw_location *stack[64];
	for (size_t s = 0; s < nsamples; s++) {
		size_t leaf = nlocs / 4 + next() % (nlocs - nlocs / 4), d = 0;
		for (size_t cur = leaf; d < 32; cur = parent[cur]) {
			stack[d++] = locs[cur];
			if (cur == 0)
				break;
		}
		int64_t size = (int64_t)(16 << (next() % 12));
		int64_t objs = (int64_t)(1 + next() % 100);
		int64_t in = objs / (int64_t)(1 + next() % 4);
		int64_t v[4] = { objs, objs * size, in, in * size };
		struct lw_label lb = { .key = "bytes", .str = "", .num = size, .num_unit = "" };
		lw_profile_add_sample(p, stack, d, v, &lb, 1);
	}
	struct lw_error err;
	if (lw_profile_write_file(p, argv[1], &err)) {
		fprintf(stderr, "gen: %s\n", err.msg);
		return 1;
	}
	lw_profile_free(p);
	free(fns);
	free(locs);
	free(parent);
	return 0;
}
