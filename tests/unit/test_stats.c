/* test_stats.c: libcommon/stats against reference values computed
 * independently in pure Python (tests/unit/stats_ref.py, textbook O(n^2)
 * definitions, the exact Mann-Kendall null distribution by enumerating
 * permutations, and Benjamini & Hochberg's 1995 worked example), plus the
 * fast Theil-Sen path against the O(n^2) definition on larger series.
 */
#include <math.h>

#include "check.h"
#include "stats.h"
#include "test_stats_ref.h"

static double rel_tol(double want, double tol)
{
	double a = fabs(want);
	return a > 1 ? a * tol : tol;
}

#define NEAR(got, want, tol, what) CHECK_NEAR(got, want, rel_tol(want, tol), what)

static void test_ref_cases(void)
{
	size_t i;
	char what[128];

	for (i = 0; i < LW_ARRAY_SIZE(ref_cases); i++) {
		const struct ref_case *c = &ref_cases[i];
		struct lw_linfit lf;
		struct lw_mk mk;
		struct lw_theil_sen ts, tn;

		snprintf(what, sizeof(what), "%s: least squares", c->name);
		CHECK(lw_linear_fit(c->x, c->y, c->n, &lf) == 0, what);
		NEAR(lf.slope, c->ls_slope, 1e-9, what);
		NEAR(lf.intercept, c->ls_icpt, 1e-6, what);
		NEAR(lf.r2, c->r2, 1e-9, what);

		snprintf(what, sizeof(what), "%s: mann-kendall", c->name);
		CHECK(lw_mann_kendall(c->y, c->n, &mk) == 0, what);
		CHECK_EQ_I64(mk.s, c->mk_s, what);
		NEAR(mk.var_s, c->mk_var, 1e-12, what);
		NEAR(mk.z, c->mk_z, 1e-12, what);
		CHECK_NEAR(mk.p, c->mk_p, 1e-12, what);
		CHECK_NEAR(mk.p_up, c->mk_p_up, 1e-12, what);
		CHECK_EQ_I64(mk.exact, c->mk_exact, what);

		snprintf(what, sizeof(what), "%s: theil-sen", c->name);
		CHECK(lw_theil_sen(c->x, c->y, c->n, 0.95, &ts) == 0, what);
		NEAR(ts.slope, c->ts_slope, 1e-12, what);
		NEAR(ts.intercept, c->ts_icpt, 1e-9, what);
		NEAR(ts.ci_low, c->ts_lo, 1e-12, what);
		NEAR(ts.ci_high, c->ts_hi, 1e-12, what);
		snprintf(what, sizeof(what), "%s: theil-sen naive", c->name);
		CHECK(lw_theil_sen_naive(c->x, c->y, c->n, 0.95, &tn) == 0, what);
		NEAR(tn.slope, c->ts_slope, 1e-12, what);
		NEAR(tn.ci_low, c->ts_lo, 1e-12, what);
		NEAR(tn.ci_high, c->ts_hi, 1e-12, what);
	}
}

static void test_bh(void)
{
	double q[16];
	size_t i;
	int rejected = 0;

	CHECK(lw_bh_qvalues(bh_p, LW_ARRAY_SIZE(bh_p), q) == 0, "bh: runs");
	for (i = 0; i < LW_ARRAY_SIZE(bh_p); i++) {
		CHECK_NEAR(q[i], bh_q[i], 1e-12, "bh: paper example q-value");
		rejected += q[i] <= 0.05;
	}
	/* the paper rejects the four smallest at FDR 0.05 */
	CHECK_EQ_I64(rejected, 4, "bh: four discoveries at 0.05");
	CHECK(lw_bh_qvalues(bh_p2, LW_ARRAY_SIZE(bh_p2), q) == 0, "bh: unsorted");
	for (i = 0; i < LW_ARRAY_SIZE(bh_p2); i++)
		CHECK_NEAR(q[i], bh_q2[i], 1e-12, "bh: unsorted with ties");
	{
		double p[3] = { 0.01, NAN, 0.04 }, qq[3];
		lw_bh_qvalues(p, 3, qq);
		CHECK(isnan(qq[1]), "bh: NAN stays NAN and is not counted");
		CHECK_NEAR(qq[0], 0.02, 1e-15, "bh: m counts only real p-values");
		CHECK_NEAR(qq[2], 0.04, 1e-15, "bh: largest keeps its p");
	}
	/* q may alias p */
	{
		double p[4] = { 0.01, 0.02, 0.03, 0.04 };
		lw_bh_qvalues(p, 4, p);
		CHECK_NEAR(p[0], 0.04, 1e-15, "bh: in place");
	}
}

static void test_helpers(void)
{
	double s[8];
	size_t i;

	CHECK_NEAR(lw_median(med_in, 8), med_even, 0, "median even");
	CHECK_NEAR(lw_median(med_in, 7), med_odd7, 0, "median odd");
	CHECK(isnan(lw_median(med_in, 0)), "median of nothing is NAN");
	memcpy(s, med_in, sizeof(s));
	for (i = 1; i < 8; i++) { /* insertion sort, independent of stats.c */
		double v = s[i];
		size_t j = i;
		while (j > 0 && s[j - 1] > v) {
			s[j] = s[j - 1];
			j--;
		}
		s[j] = v;
	}
	for (i = 0; i < LW_ARRAY_SIZE(q_at); i++)
		CHECK_NEAR(lw_quantile_sorted(s, 8, q_at[i]), q_want[i], 1e-12, "quantile");
	CHECK_NEAR(lw_norm_ppf(0.975), ppf_975, 1e-14, "norm ppf 0.975");
	CHECK_NEAR(lw_norm_ppf(0.001), ppf_001, 1e-13, "norm ppf 0.001 (tail branch)");
	CHECK_NEAR(lw_norm_ppf(1 - 0.001), -ppf_001, 1e-13, "norm ppf 0.999");
	CHECK_NEAR(lw_norm_cdf(1.96), cdf_196, 1e-15, "norm cdf 1.96");
	CHECK(isnan(lw_norm_ppf(0)) && isnan(lw_norm_ppf(1)), "norm ppf domain");
	{
		double y[5] = { 1, 1, 2, 2, 2 };
		/* groups of 2 and 3: 2*1*9 + 3*2*11 = 84 */
		CHECK_NEAR(lw_tie_term(y, 5), 84, 0, "tie term");
	}
}

static void test_errors(void)
{
	double x[3] = { 0, 1, 1 }, y[3] = { 1, 2, 3 };
	struct lw_linfit lf;
	struct lw_mk mk;
	struct lw_theil_sen ts;

	CHECK(lw_linear_fit(x, y, 1, &lf) == -EINVAL, "ls: n < 2");
	CHECK(lw_mann_kendall(y, 1, &mk) == -EINVAL, "mk: n < 2");
	CHECK(lw_theil_sen(x, y, 3, 0.95, &ts) == -EINVAL, "ts: x not increasing");
	CHECK(lw_theil_sen(x, y, 2, 1.5, &ts) == -EINVAL, "ts: conf out of range");
	{
		double c[4] = { 7, 7, 7, 7 }, t[4] = { 0, 1, 2, 3 };
		CHECK(lw_mann_kendall(c, 4, &mk) == 0 && mk.s == 0 && mk.p == 1,
		      "mk: constant series has p 1");
		CHECK(lw_theil_sen(t, c, 4, 0.95, &ts) == 0 && ts.slope == 0 && ts.ci_low == 0 &&
			      ts.ci_high == 0 && ts.intercept == 7,
		      "ts: constant series");
		CHECK(lw_linear_fit(t, c, 4, &lf) == 0 && lf.slope == 0 && lf.r2 == 1,
		      "ls: constant series");
	}
}

static uint64_t rnd_state = 12345;
static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* The fast path must give exactly what the definition gives, including on
 * heap-like data full of ties (quantized steps, repeated snapshots). */
static void test_fast_vs_naive(void)
{
	static const size_t sizes[] = { 65, 300, 1000 };
	size_t si, kind;
	char what[128];

	for (si = 0; si < LW_ARRAY_SIZE(sizes); si++) {
		size_t n = sizes[si], i;
		double *x = malloc(n * sizeof(*x)), *y = malloc(n * sizeof(*y));
		for (kind = 0; kind < 5; kind++) {
			struct lw_theil_sen a, b;
			for (i = 0; i < n; i++) {
				x[i] = (double)(i * 250000000 + rnd() % 1000);
				switch (kind) {
				case 0: /* flat working set, sampling noise */
					y[i] = 524288.0 * (double)(40 + rnd() % 5);
					break;
				case 1: /* leak under noise */
					y[i] = 524288.0 * (double)(40 + i / 7 + rnd() % 9);
					break;
				case 2: /* mostly constant, one step */
					y[i] = i < n / 3 ? 1048576.0 : 1572864.0;
					break;
				case 3: /* wide integers, no ties */
					y[i] = (double)(rnd() % 1000000007) + (double)i * 1000;
					break;
				default: /* GC steps: repeated snapshots */
					y[i] = 8192.0 * (double)((i / 4) % 11 + (i / 4 == 3 ? 50 : 0));
					break;
				}
			}
			snprintf(what, sizeof(what), "fast = naive, n=%zu kind=%zu", n, kind);
			CHECK(lw_theil_sen(x, y, n, 0.95, &a) == 0 &&
				      lw_theil_sen_naive(x, y, n, 0.95, &b) == 0,
			      what);
			CHECK(a.slope == b.slope && a.ci_low == b.ci_low && a.ci_high == b.ci_high &&
				      a.intercept == b.intercept,
			      what);
			if (a.slope != b.slope || a.ci_low != b.ci_low || a.ci_high != b.ci_high)
				printf("#   fast %.17g [%.17g, %.17g] naive %.17g [%.17g, %.17g]\n",
				       a.slope, a.ci_low, a.ci_high, b.slope, b.ci_low, b.ci_high);
			{
				/* other confidence levels move the ranks */
				struct lw_theil_sen c, d;
				lw_theil_sen(x, y, n, 0.80, &c);
				lw_theil_sen_naive(x, y, n, 0.80, &d);
				CHECK(c.ci_low == d.ci_low && c.ci_high == d.ci_high,
				      "fast = naive at 80%");
			}
		}
		free(x);
		free(y);
	}
}

/* Mann-Kendall's O(n log n) S against the definition. */
static void test_mk_vs_definition(void)
{
	size_t n = 400, i, j;
	double *y = malloc(n * sizeof(*y));
	int64_t s = 0;
	struct lw_mk mk;

	for (i = 0; i < n; i++)
		y[i] = (double)(rnd() % 17) + (double)(i / 50);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			s += (y[j] > y[i]) - (y[j] < y[i]);
	lw_mann_kendall(y, n, &mk);
	CHECK_EQ_I64(mk.s, s, "mk: S by merge sort = S by pairs");
	free(y);
}

int main(void)
{
	test_ref_cases();
	test_bh();
	test_helpers();
	test_errors();
	test_fast_vs_naive();
	test_mk_vs_definition();
	return check_done("test_stats");
}
