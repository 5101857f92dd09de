/* test_trend.c: libcommon/trend: the series model (points, keys, totals,
 * repeated times), warm-up choices, shares, time to limit, and verdicts on
 * simulated Go heap sampling: sites whose live objects are re-sampled every
 * cycle (churn) must stay steady among hundreds of them, slow leaks of a
 * few sampling steps must be found, a cache that fills must be a plateau.
 */
#include <math.h>

#include "check.h"
#include "trend.h"

#define PERIOD 524288.0
#define MIN_NS 60000000000LL

static uint64_t rs = 0x9e3779b97f4a7c15ULL;
static double urand(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (double)(rs >> 11) / 9007199254740992.0;
}

/* Go's sampler: each object of size sz is sampled with probability
 * 1 - exp(-sz/R), and a sampled one counts sz / (1 - exp(-sz/R)). */
static double sampled_bytes(long objects, double sz)
{
	double p = 1 - exp(-sz / PERIOD), v = 0;
	long i;
	for (i = 0; i < objects; i++)
		if (urand() < p)
			v += sz / p;
	return floor(v);
}

static void test_model(void)
{
	struct lw_trend_set *s = lw_trend_set_new();
	struct lw_trend_group *g = lw_trend_group_new(s, "svc", "heap", "bytes", 1);
	struct lw_trend_series *a, *tot;
	long p0, p1, p2;

	CHECK(s && g, "set and group");
	p0 = lw_trend_add_point(g, 1000);
	lw_trend_set_value(g, (size_t)p0, "a", 5);
	lw_trend_set_value(g, (size_t)p0, "b", 7);
	p1 = lw_trend_add_point(g, 2000);
	lw_trend_set_value(g, (size_t)p1, "a", 1);
	p2 = lw_trend_add_point(g, 2000); /* same time: replaces point 1 */
	lw_trend_set_value(g, (size_t)p2, "a", 3);
	lw_trend_set_value(g, (size_t)p2, "a", 4); /* values add up within a point */
	CHECK_EQ_I64(p1, 1, "second point");
	CHECK_EQ_I64(p2, 1, "a repeated time reuses the point");
	CHECK_EQ_I64(lw_trend_add_point(g, 1500), -1, "time going back is refused");
	CHECK_EQ_I64(g->n_points, 2, "two points");
	CHECK_EQ_I64(g->n_series, 3, "total + two keys");
	tot = g->series[0];
	a = lw_trend_find(g, "a");
	CHECK_STR(tot->key, LW_TREND_TOTAL, "total first");
	CHECK(a && a->values[0] == 5 && a->values[1] == 7, "key values");
	CHECK(lw_trend_find(g, "b")->values[1] == 0, "absent key is 0");
	CHECK(tot->values[0] == 12 && tot->values[1] == 7, "total is the key sum");
	CHECK(lw_trend_find(g, "nope") == NULL, "find absent");
	CHECK_STR(lw_trend_verdict_name(LW_TREND_TOO_SHORT), "too-short", "verdict names");
	{
		/* many keys and points: the index and the arrays grow */
		struct lw_trend_group *h = lw_trend_group_new(s, "", "heap", "bytes", 1);
		char k[32];
		int i, j, ok = 1;
		for (i = 0; i < 300; i++) {
			long pt = lw_trend_add_point(h, (int64_t)i * MIN_NS);
			for (j = 0; j <= i % 50; j++) {
				snprintf(k, sizeof(k), "f%d", j * 7);
				lw_trend_set_value(h, (size_t)pt, k, (double)(i + j));
			}
		}
		for (j = 0; j < 50; j++) {
			struct lw_trend_series *se;
			snprintf(k, sizeof(k), "f%d", j * 7);
			se = lw_trend_find(h, k);
			ok &= se && se->values[299] == (299 % 50 >= j ? 299 + j : 0) &&
			      se->values[j] == (double)(2 * j);
		}
		CHECK(ok && h->n_series == 51 && h->n_points == 300, "growth of keys and points");
	}
	lw_trend_set_free(s);
}

static struct lw_trend_group *line_group(struct lw_trend_set *s, const char *key, int n,
					 double v0, double per_min, double quantum)
{
	struct lw_trend_group *g = lw_trend_group_new(s, "", "series", "bytes", 0);
	int i;
	g->quantum = quantum;
	for (i = 0; i < n; i++) {
		long pt = lw_trend_add_point(g, (int64_t)i * MIN_NS);
		lw_trend_set_value(g, (size_t)pt, key, v0 + per_min * i);
	}
	return g;
}

/* Times near both ends of the int64 clock (1678 and 2261): the span and
 * a saturating warm-up must not overflow (C signed overflow is UB). */
static void test_extreme_times(void)
{
	struct lw_trend_set *s = lw_trend_set_new();
	struct lw_trend_opts o;
	struct lw_trend_group *g = lw_trend_group_new(s, "", "series", "bytes", 0);
	long pt = lw_trend_add_point(g, -9214560000000000000LL);
	int i;

	lw_trend_set_value(g, (size_t)pt, "x", 1);
	for (i = 0; i < 20; i++) {
		pt = lw_trend_add_point(g, 9183178800000000000LL + (int64_t)i * MIN_NS);
		lw_trend_set_value(g, (size_t)pt, "x", 1000 + 100 * i);
	}
	lw_trend_opts_default(&o);
	CHECK(lw_trend_analyze(s, &o) == 0, "analyze a span over INT64_MAX");
	CHECK_EQ_I64(g->series[0]->fit.warmup, 1, "auto warm-up: the 1678 point only");
	lw_trend_set_free(s);

	s = lw_trend_set_new();
	g = line_group(s, "x", 20, 1000, 100, 0);
	for (i = 0; i < 20; i++) /* 2023-11-14 on: + 9e18 is past 2262 */
		g->times[i] += 1700000000000000000LL;
	o.warmup = LW_WARMUP_DURATION;
	o.warmup_nanos = 9000000000000000000LL;
	CHECK(lw_trend_analyze(s, &o) == 0, "analyze with a warm-up past the clock");
	CHECK_EQ_I64(g->series[0]->fit.warmup, 20, "warm-up past the int64 clock: all points");
	lw_trend_set_free(s);
}

static void test_warmup_ttl(void)
{
	struct lw_trend_set *s = lw_trend_set_new();
	struct lw_trend_opts o;
	struct lw_trend_group *g = line_group(s, "x", 61, 100 * PERIOD, PERIOD, 0);
	struct lw_trend_fit *f = &g->series[0]->fit;

	lw_trend_opts_default(&o);
	o.limit = 200 * PERIOD;
	CHECK(lw_trend_analyze(s, &o) == 0, "analyze");
	CHECK_EQ_I64(f->warmup, 6, "auto warm-up: first 10% of an hour");
	CHECK_EQ_I64(f->points, 55, "points after warm-up");
	CHECK_NEAR(f->ts_per_hour, 60 * PERIOD, 1e-3, "rate per hour");
	/* 160 steps now, 40 to go at 60 per hour */
	CHECK_NEAR(f->ttl_hours, 40.0 / 60, 1e-9, "time to limit");
	CHECK(f->verdict == LW_TREND_LEAK, "a clean line leaks");
	o.warmup = LW_WARMUP_POINTS;
	o.warmup_points = 20;
	lw_trend_analyze(s, &o);
	CHECK_EQ_I64(f->warmup, 20, "warm-up by points");
	o.warmup = LW_WARMUP_DURATION;
	o.warmup_nanos = 30 * MIN_NS;
	lw_trend_analyze(s, &o);
	CHECK_EQ_I64(f->warmup, 30, "warm-up by duration");
	o.warmup_points = 100;
	o.warmup = LW_WARMUP_POINTS;
	lw_trend_analyze(s, &o);
	CHECK(f->verdict == LW_TREND_TOO_SHORT && f->points == 0, "all warm-up: too-short");
	o.warmup = LW_WARMUP_AUTO;
	o.limit = 100 * PERIOD; /* already above */
	lw_trend_analyze(s, &o);
	CHECK(f->ttl_hours == 0, "limit already reached");
	o.min_rate_bytes = 100 * PERIOD;
	lw_trend_analyze(s, &o);
	CHECK(f->verdict == LW_TREND_GROWING, "below --min-rate: growing");
	lw_trend_set_free(s);
}

/* A site whose live set is re-drawn by the sampler at every snapshot. */
static void churn_series(double *v, int n, long objects, double sz)
{
	int i;
	for (i = 0; i < n; i++)
		v[i] = sampled_bytes(objects, sz);
}

/* A leaking site: objects accumulate; sampled once, they stay. */
static void leak_series(double *v, int n, long per_snapshot, double sz, long objects0)
{
	double acc = sampled_bytes(objects0, sz);
	int i;
	for (i = 0; i < n; i++) {
		acc += sampled_bytes(per_snapshot, sz);
		v[i] = acc;
	}
}

static void test_sampling_noise(void)
{
	enum { N = 48, STEADY = 400, LEAKS = 20 };
	struct lw_trend_set *s = lw_trend_set_new();
	struct lw_trend_group *g = lw_trend_group_new(s, "svc", "heap", "bytes", 1);
	struct lw_trend_opts o;
	static double v[STEADY + LEAKS + 2][N];
	char k[32];
	int i, j, fp = 0, tp = 0, plateau = 0, detectable = 0;

	g->quantum = PERIOD;
	for (i = 0; i < STEADY; i++) /* 1-50 MB of small objects, re-sampled */
		churn_series(v[i], N, 1000 + (long)(urand() * 200000), 64 + 32 * (i % 16));
	/* 80-200 KiB per snapshot: 7 to 19 sampling steps in all, at random
	 * moments (below ~4 steps a leak cannot be told from noise) */
	for (i = 0; i < LEAKS; i++)
		leak_series(v[STEADY + i], N, 80 + 40 * (i % 4), 1024, 5000);
	/* a cache: fills for 20 snapshots, then only replaces its entries */
	for (j = 0; j < N; j++)
		v[STEADY + LEAKS][j] = sampled_bytes(j < 20 ? 200 * (j + 1) : 4000, 4096);
	/* a pool sized once, then constant: one step, must not be a leak */
	for (j = 0; j < N; j++)
		v[STEADY + LEAKS + 1][j] = j < 20 ? 3 * PERIOD : 4 * PERIOD;
	for (j = 0; j < N; j++) {
		long pt = lw_trend_add_point(g, (int64_t)j * 15 * 1000000000LL);
		for (i = 0; i < STEADY + LEAKS + 2; i++) {
			snprintf(k, sizeof(k), "f%d", i);
			lw_trend_set_value(g, (size_t)pt, k, v[i][j]);
		}
	}
	lw_trend_opts_default(&o);
	CHECK(lw_trend_analyze(s, &o) == 0, "analyze 422 series");
	for (i = 0; i < STEADY + LEAKS + 2; i++) {
		const struct lw_trend_series *se;
		snprintf(k, sizeof(k), "f%d", i);
		se = lw_trend_find(g, k);
		if (i < STEADY)
			fp += se->fit.verdict == LW_TREND_LEAK || se->fit.verdict == LW_TREND_GROWING;
		else if (i < STEADY + LEAKS) {
			/* what the sampler let through: steps actually gained after
			 * the warm-up (chance may give a 7-step leak only 3) */
			double got = (v[i][N - 1] - v[i][se->fit.warmup]) / PERIOD;
			if (got >= 6) {
				detectable++;
				tp += se->fit.verdict == LW_TREND_LEAK;
			}
		}
		else if (i == STEADY + LEAKS)
			plateau = se->fit.verdict == LW_TREND_PLATEAU;
		else
			CHECK(se->fit.verdict == LW_TREND_STEADY, "one step up is steady");
	}
	printf("# simulated sampling: %d/%d leaks of >= 6 sampled steps found (of %d leaks), "
	       "%d/%d churn sites flagged\n", tp, detectable, LEAKS, fp, STEADY);
	CHECK_EQ_I64(fp, 0, "no churn site flagged");
	CHECK(detectable >= LEAKS - 3, "most simulated leaks gained >= 6 sampled steps");
	CHECK_EQ_I64(tp, detectable, "every leak of >= 6 sampled steps found");
	CHECK(plateau, "the cache is a plateau");
	{
		/* shares: among the key growth, the leaks take almost all */
		double sum = 0;
		for (i = 1; i < (int)g->n_series; i++)
			sum += g->series[i]->fit.share;
		CHECK_NEAR(sum, 1, 1e-9, "shares add up to 1");
		CHECK(isnan(g->series[0]->fit.share), "the total has no share");
	}
	lw_trend_set_free(s);
}

/* A cache of 3000 entries of 4 KiB that fills for 16 snapshots, then
 * replaces 10% of its entries per snapshot: each entry is sampled (or not)
 * when it is allocated, so the sampled size wanders slowly around 12 MB.
 * With the cumulative allocations given, that is never a leak. */
static int cache_verdict(int with_alloc)
{
	enum { E = 3000, N = 48 };
	static unsigned char sampled[E];
	struct lw_trend_set *s = lw_trend_set_new();
	struct lw_trend_group *g = lw_trend_group_new(s, "", "heap", "bytes", 1);
	struct lw_trend_opts o;
	double p = 1 - exp(-4096 / PERIOD), allocated = 0;
	int filled = 0, i, j, v;

	g->quantum = PERIOD;
	for (j = 0; j < N; j++) {
		long pt = lw_trend_add_point(g, (int64_t)j * 15 * 1000000000LL);
		double live = 0;
		if (filled < E) {
			for (i = 0; i < 190 && filled < E; i++, filled++) {
				sampled[filled] = urand() < p;
				allocated += 4096;
			}
		} else {
			for (i = 0; i < E / 10; i++) {
				sampled[(int)(urand() * E)] = urand() < p;
				allocated += 4096;
			}
		}
		for (i = 0; i < filled; i++)
			live += sampled[i] ? 4096 / p : 0;
		lw_trend_set_values(g, (size_t)pt, "cache", floor(live),
				    with_alloc ? allocated : NAN);
		/* a key with allocations and nothing in use: total only */
		lw_trend_set_values(g, (size_t)pt, "gone", 0, with_alloc ? 1e6 * j : NAN);
	}
	lw_trend_opts_default(&o);
	lw_trend_analyze(s, &o);
	v = (int)lw_trend_find(g, "cache")->fit.verdict;
	CHECK(lw_trend_find(g, "gone") == NULL, "an all-zero key makes no series");
	if (with_alloc)
		CHECK(g->series[0]->alloc_pt0 == 0 && g->series[0]->alloc_pt1 == N - 1 &&
			      g->series[0]->alloc1 == allocated + 1e6 * (N - 1),
		      "the total keeps first and last cumulative allocations");
	lw_trend_set_free(s);
	return v;
}

static void test_cache_wander(void)
{
	int k, leaks = 0, v;
	for (k = 0; k < 10; k++) {
		v = cache_verdict(1);
		leaks += v == LW_TREND_LEAK || v == LW_TREND_GROWING;
	}
	printf("# cache with turnover: %d of 10 runs called a leak\n", leaks);
	CHECK_EQ_I64(leaks, 0, "a cache whose sampled size wanders is no leak");
}

static void test_shapes(void)
{
	struct lw_trend_set *s = lw_trend_set_new();
	struct lw_trend_opts o;
	struct lw_trend_group *up, *down, *flat, *saw, *rep;
	int i;

	up = line_group(s, "up", 30, 1e6, 1e5, 0);
	down = line_group(s, "down", 30, 1e7, -1e5, 0);
	flat = line_group(s, "flat", 30, 1e6, 0, 0);
	/* GC sawtooth: HeapAlloc climbs to the next GC and drops, phases vary */
	saw = lw_trend_group_new(s, "", "memstats", "bytes", 0);
	for (i = 0; i < 60; i++) {
		long pt = lw_trend_add_point(saw, (int64_t)i * MIN_NS);
		lw_trend_set_value(saw, (size_t)pt, "HeapAlloc",
				   20e6 + fmod(i * 7.3, 10.0) * 2e6 + urand() * 1e5);
	}
	/* snapshots without a GC in between repeat the previous profile */
	rep = lw_trend_group_new(s, "", "heap", "bytes", 0);
	rep->quantum = PERIOD;
	for (i = 0; i < 40; i++) {
		long pt = lw_trend_add_point(rep, (int64_t)i * MIN_NS);
		lw_trend_set_value(rep, (size_t)pt, "f", (double)((i / 2) % 3 + 10) * PERIOD);
	}
	lw_trend_opts_default(&o);
	lw_trend_analyze(s, &o);
	CHECK(up->series[0]->fit.verdict == LW_TREND_LEAK, "line up: leak");
	CHECK(down->series[0]->fit.verdict == LW_TREND_SHRINKING, "line down: shrinking");
	CHECK(flat->series[0]->fit.verdict == LW_TREND_STEADY, "flat: steady");
	CHECK(flat->series[0]->fit.mk_p == 1, "flat: p 1");
	CHECK(saw->series[0]->fit.verdict == LW_TREND_STEADY, "GC sawtooth: steady");
	CHECK(rep->series[0]->fit.verdict == LW_TREND_STEADY, "repeated snapshots: steady");
	CHECK(isnan(up->series[0]->fit.ttl_hours), "no limit: ttl NAN");
	CHECK_EQ_I64(up->series[0]->fit.points, 27, "warm-up 3 of 30");
	{
		/* the noise floor: 3 sampling steps of growth are not a leak at 4 */
		struct lw_trend_set *t = lw_trend_set_new();
		struct lw_trend_group *q = line_group(t, "q", 40, 10 * PERIOD, 3 * PERIOD / 39, PERIOD);
		lw_trend_analyze(t, &o);
		CHECK(q->series[0]->fit.verdict == LW_TREND_STEADY, "growth within the noise floor");
		CHECK_NEAR(q->series[0]->fit.noise_floor, 4 * PERIOD, 0, "noise floor");
		o.noise_steps = 1;
		lw_trend_analyze(t, &o);
		CHECK(q->series[0]->fit.verdict == LW_TREND_LEAK, "above a lower floor: leak");
		q->quantum = -1; /* estimated: smallest change */
		o.noise_steps = 4;
		lw_trend_analyze(t, &o);
		CHECK_NEAR(q->series[0]->fit.noise_floor, 4 * (3 * PERIOD / 39), 1,
			   "estimated step");
		lw_trend_set_free(t);
	}
	{
		struct lw_trend_set *t = lw_trend_set_new();
		unsigned k = 0;
		CHECK(lw_trend_parse_kinds("heap,memstats", &k) == 0 &&
			      k == (LW_TREND_K_HEAP | LW_TREND_K_MEMSTATS),
		      "parse kinds");
		CHECK(lw_trend_parse_kinds("heap,,cpu", &k) == -1, "bad kinds");
		CHECK(lw_trend_analyze(t, &o) == 0, "empty set analyses");
		lw_trend_set_free(t);
	}
	lw_trend_set_free(s);
}

int main(void)
{
	test_model();
	test_warmup_ttl();
	test_extreme_times();
	test_sampling_noise();
	test_cache_wander();
	test_shapes();
	return check_done("test_trend");
}
