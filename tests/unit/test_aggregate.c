/* test_aggregate.c: units.c, aggregate.c and merge.c on profiles built in
 * memory, with expectations computed by hand from pprof's rules (the
 * golden comparisons against go tool pprof are in tests/t010x).
 */
#include "aggregate.h"
#include "check.h"
#include "merge.h"
#include "units.h"

static struct lw_profile *p;
static struct lw_function *fn[8];
static struct lw_location *loc[8];

static struct lw_location *mkloc(uint64_t id, struct lw_function *inner, struct lw_function *outer)
{
	struct lw_line lines[2] = { { inner, 10, 0 }, { outer, 20, 0 } };
	return lw_profile_add_location(p, id, p->mappings[0], 0x1000 + id, lines, outer ? 2 : 1);
}

static void sample(int64_t v, struct lw_location *a, struct lw_location *b, struct lw_location *c,
		   struct lw_location *d)
{
	struct lw_location *l[4] = { a, b, c, d };
	size_t n = 0;
	while (n < 4 && l[n])
		n++;
	int64_t vals[2] = { v / 16, v };
	lw_profile_add_sample(p, l, n, vals, NULL, 0);
}

/* main -> rec -> rec -> alloc; main -> helper(inlined grow) ; one unsymbolized leaf */
static void build(void)
{
	p = lw_profile_new();
	lw_profile_add_sample_type(p, "objects", "count");
	lw_profile_add_sample_type(p, "space", "bytes");
	struct lw_mapping m = { .id = 1, .memory_start = 0x1000, .memory_limit = 0x9000,
				.filename = "/usr/bin/app", .build_id = "" };
	lw_profile_add_mapping(p, &m);
	const char *names[] = { "main.main", "main.rec", "main.alloc", "main.helper", "main.grow" };
	for (int i = 0; i < 5; i++)
		fn[i] = lw_profile_add_function(p, (uint64_t)i + 1, names[i], names[i], "a//b/../x.go", 0);
	loc[0] = mkloc(1, fn[0], NULL);
	loc[1] = mkloc(2, fn[1], NULL);
	loc[2] = mkloc(3, fn[2], NULL);
	loc[3] = mkloc(4, fn[4], fn[3]); /* grow inlined into helper */
	loc[4] = lw_profile_add_location(p, 5, p->mappings[0], 0x4000, NULL, 0);
	sample(1600, loc[2], loc[1], loc[1], loc[0]); /* recursion: rec counted once */
	sample(320, loc[3], loc[0], NULL, NULL);
	sample(0, loc[2], loc[0], NULL, NULL); /* zero value: skipped */
	sample(80, loc[4], loc[0], NULL, NULL);
}

static const struct lw_agg_row *row(const struct lw_agg *a, const char *k)
{
	const struct lw_agg_row *r = lw_agg_find(a, k);
	if (!r)
		printf("# no row '%s'\n", k);
	return r;
}

static void test_units(void)
{
	char b[64];
	struct lw_display_unit du = lw_display_unit_select("bytes", 96, 12524316);
	CHECK_STR(du.suffix, "kB", "min 96 B, total 12 MB -> kB (min*100 rule)");
	CHECK_STR(lw_format_value(b, sizeof(b), 6293094, &du), "6145.60kB", "kB with 2 decimals");
	CHECK_STR(lw_format_value(b, sizeof(b), 6291456, &du), "6144kB", ".00 trimmed");
	CHECK_STR(lw_format_value(b, sizeof(b), 0, &du), "0", "zero is 0");
	CHECK_STR(lw_format_value(b, sizeof(b), -2048, &du), "-2kB", "negative");
	du = lw_display_unit_select("count", 1, 58);
	CHECK_STR(lw_format_value(b, sizeof(b), 57, &du), "57", "counts are plain");
	CHECK_STR(lw_format_auto(b, sizeof(b), 240360000000LL, "nanoseconds"), "240.36s", "ns auto");
	CHECK_STR(lw_format_auto(b, sizeof(b), 1536, "bytes"), "1.50kB", "bytes auto");
	CHECK_STR(lw_format_percent(b, sizeof(b), 1, 1), "  100%", "100%");
	CHECK_STR(lw_format_percent(b, sizeof(b), 4961, 10000), "49.61%", "percent");
	CHECK_STR(lw_format_percent(b, sizeof(b), 75, 10000000), "0.00075%", "small percent %g");
	CHECK_STR(lw_format_percent(b, sizeof(b), 0, 10), "    0%", "zero percent");
	CHECK_STR(lw_format_percent(b, sizeof(b), 5, 0), "    0%", "total 0");
	CHECK(lw_unit_kind("Bytes") == LW_UNIT_BYTES, "unit kind bytes");
	CHECK(lw_unit_kind("nanoseconds") == LW_UNIT_NANOS, "unit kind ns");
	CHECK(lw_unit_kind("count") == LW_UNIT_COUNT, "unit kind count");
	CHECK_STR(lw_format_bytes_iec(b, sizeof(b), 1572864), "1.50 MiB", "iec");
	/* Go's abs(MinInt64) wraps to MinInt64, which then counts as neither
	 * min nor max; C's -INT64_MIN is UB (caught under SANITIZE=undefined) */
	const int64_t extreme[2] = { INT64_MIN, 5 };
	du = lw_display_unit_pick("bytes", extreme, 2);
	CHECK_STR(du.suffix, "B", "display unit of INT64_MIN and 5: B, no overflow");
}

static void test_sample_index(void)
{
	CHECK_EQ_I64(lw_sample_index(p, NULL), 1, "default = last type");
	CHECK_EQ_I64(lw_sample_index(p, "0"), 0, "numeric index");
	CHECK_EQ_I64(lw_sample_index(p, "2"), -1, "index out of range");
	CHECK_EQ_I64(lw_sample_index(p, "inuse_space"), 1, "inuse_ prefix fallback");
	CHECK_EQ_I64(lw_sample_index(p, "bogus"), -1, "unknown name");
	p->default_sample_type = lw_profile_intern(p, "objects");
	CHECK_EQ_I64(lw_sample_index(p, ""), 0, "default_sample_type");
	p->default_sample_type = lw_profile_intern(p, "");
}

static void test_aggregate(void)
{
	struct lw_agg a;
	CHECK_EQ_I64(lw_aggregate(p, 1, LW_BY_FUNCTION, NULL, &a), 0, "aggregate");
	CHECK_EQ_I64(a.total, 2000, "total = sum |v|");
	const struct lw_agg_row *r = row(&a, "main.rec");
	CHECK(r && r->flat == 0 && r->cum == 1600, "recursive frame counted once");
	r = row(&a, "main.main");
	CHECK(r && r->cum == 2000 && r->flat == 0, "root cum");
	r = row(&a, "main.grow");
	CHECK(r && r->flat == 320, "flat goes to the innermost inlined line");
	r = row(&a, "main.helper");
	CHECK(r && r->flat == 0 && r->cum == 320, "inline caller gets cum only");
	r = row(&a, "[app]");
	CHECK(r && r->flat == 80, "unsymbolized location keyed by [binary]");
	lw_agg_free(&a);

	CHECK_EQ_I64(lw_aggregate(p, 1, LW_BY_LINE, NULL, &a), 0, "by line");
	CHECK(row(&a, "main.alloc a/x.go:10") != NULL, "file cleaned like filepath.Clean");
	lw_agg_free(&a);

	regex_t re;
	regcomp(&re, "helper", REG_EXTENDED | REG_NOSUB);
	struct lw_filter f = { .focus = &re };
	CHECK_EQ_I64(lw_aggregate(p, 1, LW_BY_FUNCTION, &f, &a), 0, "focus");
	CHECK(row(&a, "main.rec") == NULL && a.total == 2000, "focus keeps total, drops others");
	lw_agg_free(&a);
	f.focus = NULL;
	f.ignore = &re;
	CHECK_EQ_I64(lw_aggregate(p, 1, LW_BY_FUNCTION, &f, &a), 0, "ignore");
	r = row(&a, "main.main");
	CHECK(r && r->cum == 1680 && row(&a, "main.grow") == NULL, "ignore drops the sample");
	lw_agg_free(&a);
	regfree(&re);

	CHECK_EQ_I64(lw_aggregate(p, 1, LW_BY_STACK, NULL, &a), 0, "by stack");
	r = row(&a, "main.main;main.rec;main.rec;main.alloc");
	CHECK(r && r->flat == 1600, "folded stack keeps recursion");
	r = row(&a, "main.main;main.helper;main.grow");
	CHECK(r && r->flat == 320, "folded stack expands inline frames");
	lw_agg_free(&a);

	struct lw_top_opts o = LW_TOP_OPTS_DEFAULT;
	struct lw_top_info ti;
	o.node_fraction = 0.1; /* cutoff 200: drops [app] (80) */
	CHECK_EQ_I64(lw_agg_top(p, 1, LW_BY_FUNCTION, NULL, &o, &a, &ti), 0, "top");
	CHECK_EQ_I64(ti.dropped_nodes, 1, "dropped below nodefraction");
	CHECK_EQ_I64(ti.flat_sum, 1920, "flat of the dropped leaf is lost");
	CHECK_STR(a.rows[0].key, "main.alloc", "sorted by flat");
	r = row(&a, "main.grow");
	CHECK(r && !strcmp(r->inline_label, "(inline)"), "(inline) label");
	lw_agg_free(&a);
}

static void test_merge(void)
{
	struct lw_error err;
	struct lw_profile *two[2] = { p, p };
	struct lw_profile *m = lw_profile_merge(two, 2, &err);
	CHECK(m != NULL, "merge with itself");
	if (!m)
		return;
	CHECK_EQ_I64(m->n_samples, 3, "zero sample dropped, equal ones joined");
	CHECK_EQ_I64(lw_profile_total(m, 1), 4000, "values summed");
	CHECK_EQ_I64(m->n_locations, 5, "locations deduplicated");
	lw_profile_scale(m, -0.5);
	CHECK_EQ_I64(lw_profile_total(m, 1), 2000, "scale");
	struct lw_profile *pm[2] = { p, m };
	struct lw_profile *z = lw_profile_merge(pm, 2, &err);
	CHECK(z && z->n_samples == 0, "cancelling values vanish");
	lw_profile_free(z);
	struct lw_profile *q = lw_profile_new();
	lw_profile_add_sample_type(q, "objects", "count");
	struct lw_profile *bad[2] = { p, q };
	CHECK(lw_profile_merge(bad, 2, &err) == NULL && strstr(err.msg, "incompatible"),
	      "incompatible sample types refused");
	CHECK(!lw_profile_compatible(p, q, NULL, 0), "compatible() says no");
	lw_profile_free(q);
	lw_profile_free(m);
}

int main(void)
{
	build();
	test_units();
	test_sample_index();
	test_aggregate();
	test_merge();
	lw_profile_free(p);
	return check_done("test_aggregate");
}
