/* stats.c: trend statistics (see stats.h for the contract).
 *
 * The pairwise statistics are O(n log n) so that thousands of series of a
 * thousand points each stay cheaper than decoding the profiles they came
 * from: Kendall's S by merge-sort inversion counting (Knight 1966), and the
 * Theil-Sen order statistics by randomised slope selection (in the spirit of
 * Matousek 1991 and Dillencourt, Mount and Netanyahu 1992) where every count
 * is exact because it is done on 128-bit integers.
 */
#include "stats.h"

#include <math.h>

double lw_norm_cdf(double z)
{
	return 0.5 * erfc(-z / M_SQRT2);
}

/* Acklam's rational approximation, then one Halley step on erfc, which
 * brings it to full double precision. */
double lw_norm_ppf(double p)
{
	static const double a[] = { -3.969683028665376e+01, 2.209460984245205e+02,
				    -2.759285104469687e+02, 1.383577518672690e+02,
				    -3.066479806614716e+01, 2.506628277459239e+00 };
	static const double b[] = { -5.447609879822406e+01, 1.615858368580409e+02,
				    -1.556989798598866e+02, 6.680131188771972e+01,
				    -1.328068155288572e+01 };
	static const double c[] = { -7.784894002430293e-03, -3.223964580411365e-01,
				    -2.400758277161838e+00, -2.549732539343734e+00,
				    4.374664141464968e+00, 2.938163982698783e+00 };
	static const double d[] = { 7.784695709041462e-03, 3.224671290700398e-01,
				    2.445134137142996e+00, 3.754408661907416e+00 };
	double q, r, x;

	if (!(p > 0 && p < 1))
		return NAN;
	if (p < 0.02425) {
		q = sqrt(-2 * log(p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	} else if (p <= 1 - 0.02425) {
		q = p - 0.5;
		r = q * q;
		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
		    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
	} else {
		q = sqrt(-2 * log(1 - p));
		x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	}
	{
		double e = 0.5 * erfc(-x / M_SQRT2) - p;
		double u = e * sqrt(2 * M_PI) * exp(x * x / 2);
		x = x - u / (1 + x * u / 2);
	}
	return x;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* k-th smallest (0-based) of v[0..n-1], reordering v so that v[0..k-1] <=
 * v[k] (Hoare partition quickselect). */
static double select_kth(double *v, size_t n, size_t k)
{
	ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1;

	while (lo < hi) {
		double pivot = v[lo + (hi - lo) / 2];
		ptrdiff_t i = lo - 1, j = hi + 1;

		for (;;) {
			double t;
			do
				i++;
			while (v[i] < pivot);
			do
				j--;
			while (v[j] > pivot);
			if (i >= j)
				break;
			t = v[i];
			v[i] = v[j];
			v[j] = t;
		}
		if ((ptrdiff_t)k <= j)
			hi = j;
		else
			lo = j + 1;
	}
	return v[k];
}

double lw_median(const double *x, size_t n)
{
	double *v, m;

	if (n == 0)
		return NAN;
	v = malloc(n * sizeof(*v));
	if (!v)
		return NAN;
	memcpy(v, x, n * sizeof(*v));
	m = select_kth(v, n, n / 2);
	if (n % 2 == 0) {
		/* the lower middle is the largest value below index n/2 */
		double lower = select_kth(v, n / 2, n / 2 - 1);
		m = (m + lower) / 2;
	}
	free(v);
	return m;
}

double lw_quantile_sorted(const double *s, size_t n, double q)
{
	double h, f;
	size_t i;

	if (n == 0 || !(q >= 0 && q <= 1))
		return NAN;
	h = (double)(n - 1) * q;
	f = floor(h);
	i = (size_t)f;
	if (i + 1 >= n)
		return s[n - 1];
	return s[i] + (h - f) * (s[i + 1] - s[i]);
}

int lw_linear_fit(const double *x, const double *y, size_t n, struct lw_linfit *out)
{
	double mx = 0, my = 0, sxx = 0, sxy = 0, syy = 0;
	size_t i;

	if (n < 2)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		mx += x[i];
		my += y[i];
	}
	mx /= (double)n;
	my /= (double)n;
	for (i = 0; i < n; i++) {
		double dx = x[i] - mx, dy = y[i] - my;
		sxx += dx * dx;
		sxy += dx * dy;
		syy += dy * dy;
	}
	if (sxx == 0)
		return -EINVAL;
	out->slope = sxy / sxx;
	out->intercept = my - out->slope * mx;
	out->r2 = syy == 0 ? 1.0 : sxy * sxy / (sxx * syy);
	if (out->r2 > 1)
		out->r2 = 1;
	return 0;
}

/* ---- Mann-Kendall ---- */

/* Merge sort of v counting pairs i<j with v[i] > v[j]. */
static uint64_t sort_count_inv(double *v, double *tmp, size_t n)
{
	uint64_t inv = 0;
	size_t w;

	/* bottom-up, so no recursion depth to worry about */
	for (w = 1; w < n; w *= 2) {
		size_t lo;
		for (lo = 0; lo < n - w; lo += 2 * w) {
			size_t mid = lo + w, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi) {
				if (v[i] <= v[j]) {
					tmp[k++] = v[i++];
				} else {
					inv += mid - i;
					tmp[k++] = v[j++];
				}
			}
			while (i < mid)
				tmp[k++] = v[i++];
			while (j < hi)
				tmp[k++] = v[j++];
			memcpy(v + lo, tmp + lo, (hi - lo) * sizeof(*v));
		}
	}
	return inv;
}

static double tie_term_sorted(const double *s, size_t n, uint64_t *tie_pairs)
{
	double term = 0;
	uint64_t pairs = 0;
	size_t i = 0;

	while (i < n) {
		size_t j = i + 1;
		while (j < n && s[j] == s[i])
			j++;
		if (j - i > 1) {
			double t = (double)(j - i);
			term += t * (t - 1) * (2 * t + 5);
			pairs += (uint64_t)(j - i) * (j - i - 1) / 2;
		}
		i = j;
	}
	if (tie_pairs)
		*tie_pairs = pairs;
	return term;
}

double lw_tie_term(const double *x, size_t n)
{
	double *v, t;

	if (n < 2)
		return 0;
	v = malloc(n * sizeof(*v));
	if (!v)
		return NAN;
	memcpy(v, x, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_double);
	t = tie_term_sorted(v, n, NULL);
	free(v);
	return t;
}

/* Exact null distribution of S for n <= 10 without ties: S = N - 2*inv and
 * the number of permutations with k inversions is a Mahonian number. */
#define MK_EXACT_MAX 10
static void mk_exact(size_t n, int64_t s, double *p_two, double *p_up)
{
	double cnt[MK_EXACT_MAX * (MK_EXACT_MAX - 1) / 2 + 1] = { 1 };
	size_t maxinv = 0, m, k, j;
	double total = 0, ge = 0, absge = 0;
	int64_t N = (int64_t)(n * (n - 1) / 2);

	for (m = 2; m <= n; m++) {
		double next[LW_ARRAY_SIZE(cnt)] = { 0 };
		size_t newmax = maxinv + m - 1;
		for (k = 0; k <= maxinv; k++)
			for (j = 0; j < m; j++)
				next[k + j] += cnt[k];
		memcpy(cnt, next, sizeof(cnt));
		maxinv = newmax;
	}
	for (k = 0; k <= maxinv; k++) {
		int64_t sk = N - 2 * (int64_t)k;
		total += cnt[k];
		if (sk >= s)
			ge += cnt[k];
		if (llabs(sk) >= llabs(s))
			absge += cnt[k];
	}
	*p_up = ge / total;
	*p_two = absge / total;
}

int lw_mann_kendall(const double *y, size_t n, struct lw_mk *out)
{
	double *v, *tmp, nn = (double)n;
	uint64_t inv, ties, N;
	double term;

	if (n < 2)
		return -EINVAL;
	v = malloc(2 * n * sizeof(*v));
	if (!v)
		return -ENOMEM;
	tmp = v + n;
	memcpy(v, y, n * sizeof(*v));
	inv = sort_count_inv(v, tmp, n);
	term = tie_term_sorted(v, n, &ties);
	free(v);

	N = (uint64_t)n * (n - 1) / 2;
	out->s = (int64_t)(N - inv - ties) - (int64_t)inv;
	out->var_s = (nn * (nn - 1) * (2 * nn + 5) - term) / 18.0;
	out->tau = (double)out->s / (double)N;
	out->exact = 0;
	if (out->s > 0)
		out->z = ((double)out->s - 1) / sqrt(out->var_s);
	else if (out->s < 0)
		out->z = ((double)out->s + 1) / sqrt(out->var_s);
	else
		out->z = 0;
	if (out->var_s <= 0) {
		/* all values equal: no information either way */
		out->z = 0;
		out->p = 1;
		out->p_up = 1;
	} else if (n <= MK_EXACT_MAX && ties == 0) {
		mk_exact(n, out->s, &out->p, &out->p_up);
		out->exact = 1;
	} else {
		out->p = erfc(fabs(out->z) / M_SQRT2);
		out->p_up = 0.5 * erfc(out->z / M_SQRT2);
	}
	if (out->p > 1)
		out->p = 1;
	return 0;
}

/* ---- Theil-Sen ---- */

/* Ranks of the pairwise slopes (0-based, ascending) that the estimator and
 * its interval need, by scipy.stats.theilslopes' formulas. */
struct ts_ranks {
	size_t r[4]; /* lower CI, median low, median high, upper CI */
};

static void ts_ranks(size_t n, size_t N, double var, double conf, struct ts_ranks *tr)
{
	double z = lw_norm_ppf((1 - conf) / 2); /* negative */
	double sigma = sqrt(var > 0 ? var : 0);
	double ru = nearbyint(((double)N - z * sigma) / 2);
	double rl = nearbyint(((double)N + z * sigma) / 2) - 1;

	(void)n;
	if (ru > (double)N - 1)
		ru = (double)N - 1;
	if (rl < 0)
		rl = 0;
	if (rl > (double)N - 1)
		rl = (double)N - 1;
	tr->r[0] = (size_t)rl;
	tr->r[1] = (N - 1) / 2;
	tr->r[2] = N / 2;
	tr->r[3] = (size_t)ru;
}

static double ts_var(const double *y, size_t n)
{
	double nn = (double)n;
	/* x is strictly increasing, so only y has ties */
	return (nn * (nn - 1) * (2 * nn + 5) - lw_tie_term(y, n)) / 18.0;
}

static int ts_check(const double *x, size_t n, double conf)
{
	size_t i;

	if (n < 2 || !(conf > 0 && conf < 1))
		return -EINVAL;
	for (i = 1; i < n; i++)
		if (!(x[i] > x[i - 1]))
			return -EINVAL;
	return 0;
}

static void ts_finish(const double *x, const double *y, size_t n, const double vals[4],
		      struct lw_theil_sen *out)
{
	out->ci_low = vals[0];
	out->slope = vals[1] == vals[2] ? vals[1] : (vals[1] + vals[2]) / 2;
	out->ci_high = vals[3];
	out->intercept = lw_median(y, n) - out->slope * lw_median(x, n);
}

int lw_theil_sen_naive(const double *x, const double *y, size_t n, double conf,
		       struct lw_theil_sen *out)
{
	struct ts_ranks tr;
	double *s, vals[4];
	size_t N, i, j, k;
	int rc = ts_check(x, n, conf);

	if (rc)
		return rc;
	N = n * (n - 1) / 2;
	s = malloc(N * sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (i = 0, k = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			s[k++] = (y[j] - y[i]) / (x[j] - x[i]);
	qsort(s, N, sizeof(*s), cmp_double);
	ts_ranks(n, N, ts_var(y, n), conf, &tr);
	for (k = 0; k < 4; k++)
		vals[k] = s[tr.r[k]];
	free(s);
	ts_finish(x, y, n, vals, out);
	return 0;
}

/* Fast path: integer data, exact counting. A slope is a rational dy/dx with
 * dx > 0; a pivot may also be -inf or +inf. For a pivot t = a/b, the pair
 * i<j has slope <= t iff u_j <= u_i with u = y*b - a*x (all exact in
 * 128 bits since |x|, |y| < 2^53 and pairwise differences < 2^54). */
typedef __int128 i128;

struct slope {
	int64_t dy, dx; /* dx > 0 */
	int inf;        /* -1 or +1 for the infinite pivots, else 0 */
};

struct ts_work {
	const int64_t *x, *y;
	size_t n;
	i128 *u, *utmp;
	size_t *idx, *itmp;
	uint64_t rng;
};

static int slope_cmp(const struct slope *a, const struct slope *b)
{
	i128 l, r;

	if (a->inf || b->inf)
		return (a->inf > b->inf) - (a->inf < b->inf);
	l = (i128)a->dy * b->dx;
	r = (i128)b->dy * a->dx;
	return (l > r) - (l < r);
}

struct skey {
	double v;
	uint32_t i;
};

static void sample_sort(struct slope *sample, struct skey *k, size_t n)
{
	struct skey *tmp = k + n;
	struct slope *out = (struct slope *)(tmp + n);
	size_t w, i;

	for (i = 0; i < n; i++) {
		k[i].v = (double)sample[i].dy / (double)sample[i].dx;
		k[i].i = (uint32_t)i;
	}
	for (w = 1; w < n; w *= 2) {
		size_t lo;
		for (lo = 0; lo < n - w; lo += 2 * w) {
			size_t mid = lo + w, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t a = lo, b = mid, c = lo;
			while (a < mid && b < hi)
				tmp[c++] = k[b].v < k[a].v ? k[b++] : k[a++];
			while (a < mid)
				tmp[c++] = k[a++];
			while (b < hi)
				tmp[c++] = k[b++];
			memcpy(k + lo, tmp + lo, (hi - lo) * sizeof(*k));
		}
	}
	for (i = 0; i < n; i++)
		out[i] = sample[k[i].i];
	memcpy(sample, out, n * sizeof(*sample));
}

static i128 ukey(const struct ts_work *w, size_t i, const struct slope *t)
{
	if (t->inf < 0)
		return w->x[i];
	if (t->inf > 0)
		return -(i128)w->x[i];
	return (i128)w->y[i] * t->dx - (i128)t->dy * w->x[i];
}

/* Counts pairs with slope < t (*lt) and <= t (*le). */
static void ts_count(struct ts_work *w, const struct slope *t, uint64_t *lt, uint64_t *le)
{
	i128 *v = w->u, *tmp = w->utmp;
	size_t n = w->n, i, wd;
	uint64_t nonstrict = 0, eq = 0;

	for (i = 0; i < n; i++)
		v[i] = ukey(w, i, t);
	/* pairs i<j with u_j <= u_i: non-strict inversions */
	for (wd = 1; wd < n; wd *= 2) {
		size_t lo;
		for (lo = 0; lo < n - wd; lo += 2 * wd) {
			size_t mid = lo + wd, hi = lo + 2 * wd < n ? lo + 2 * wd : n;
			size_t a = lo, b = mid, k = lo;
			while (a < mid && b < hi) {
				if (v[a] < v[b]) {
					tmp[k++] = v[a++];
				} else {
					nonstrict += mid - a;
					tmp[k++] = v[b++];
				}
			}
			while (a < mid)
				tmp[k++] = v[a++];
			while (b < hi)
				tmp[k++] = v[b++];
			memcpy(v + lo, tmp + lo, (hi - lo) * sizeof(*v));
		}
	}
	for (i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && v[j] == v[i])
			j++;
		eq += (uint64_t)(j - i) * (j - i - 1) / 2;
		i = j;
	}
	*le = nonstrict;
	*lt = nonstrict - eq;
}

static uint64_t rng_next(uint64_t *s)
{
	/* splitmix64: deterministic, so the output is reproducible */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

struct ts_pair_key {
	i128 a, b;
	size_t i;
};

static int pair_key_less(const struct ts_pair_key *p, const struct ts_pair_key *q)
{
	return p->a != q->a ? p->a < q->a : p->b < q->b;
}

/* Bottom-up merge sort by (a, b): qsort's indirect comparisons of 128-bit
 * keys cost more than the rest of the enumeration. */
static int pk_sort(struct ts_pair_key *v, size_t n)
{
	struct ts_pair_key *tmp = malloc((n ? n : 1) * sizeof(*tmp));
	size_t w;

	if (!tmp)
		return -1;
	for (w = 1; w < n; w *= 2) {
		size_t lo;
		for (lo = 0; lo < n - w; lo += 2 * w) {
			size_t mid = lo + w, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				tmp[k++] = pair_key_less(&v[j], &v[i]) ? v[j++] : v[i++];
			while (i < mid)
				tmp[k++] = v[i++];
			while (j < hi)
				tmp[k++] = v[j++];
			memcpy(v + lo, tmp + lo, (hi - lo) * sizeof(*v));
		}
	}
	free(tmp);
	return 0;
}

/* Slopes strictly between lo and hi, as doubles, appended to out (which has
 * room for cap). Pairs with A_i < A_j and B_i > B_j, A and B the keys at lo
 * and hi, are exactly those (and then x_i < x_j follows). Returns the count
 * or (size_t)-1 on allocation failure. */
static size_t ts_enumerate(struct ts_work *w, const struct slope *lo, const struct slope *hi,
			   double *out, size_t cap)
{
	size_t n = w->n, i, wd, cnt = 0;
	struct ts_pair_key *pk = malloc(n * sizeof(*pk));
	size_t *v = w->idx, *tmp = w->itmp;
	i128 *B = w->u;

	if (!pk)
		return (size_t)-1;
	for (i = 0; i < n; i++) {
		pk[i].a = ukey(w, i, lo);
		pk[i].b = ukey(w, i, hi);
		pk[i].i = i;
	}
	if (pk_sort(pk, n)) {
		free(pk);
		return (size_t)-1;
	}
	for (i = 0; i < n; i++) {
		v[i] = pk[i].i;
		B[pk[i].i] = pk[i].b;
	}
	free(pk);
	for (wd = 1; wd < n; wd *= 2) {
		size_t l0;
		for (l0 = 0; l0 < n - wd; l0 += 2 * wd) {
			size_t mid = l0 + wd, h = l0 + 2 * wd < n ? l0 + 2 * wd : n;
			size_t a = l0, b = mid, k = l0;
			while (a < mid && b < h) {
				if (B[v[a]] <= B[v[b]]) {
					tmp[k++] = v[a++];
				} else {
					size_t r = v[b], q;
					for (q = a; q < mid && cnt < cap; q++) {
						size_t li = v[q], p0 = li < r ? li : r, p1 = li < r ? r : li;
						out[cnt++] = (double)(w->y[p1] - w->y[p0]) /
							     (double)(w->x[p1] - w->x[p0]);
					}
					tmp[k++] = v[b++];
				}
			}
			while (a < mid)
				tmp[k++] = v[a++];
			while (b < h)
				tmp[k++] = v[b++];
			memcpy(v + l0, tmp + l0, (h - l0) * sizeof(*v));
		}
	}
	return cnt;
}

static double slope_value(const struct slope *s)
{
	return (double)s->dy / (double)s->dx;
}

/* Fills vals[k] with the r[k]-th smallest slope. */
static int ts_select(struct ts_work *w, const size_t r[4], double vals[4])
{
	size_t n = w->n, N = n * (n - 1) / 2, k;
	struct slope lo = { 0, 1, -1 }, hi = { 0, 1, 1 };
	uint64_t c_lo = 0, c_hi = N; /* slopes <= lo, slopes < hi */
	int done[4] = { 0 };
	size_t limit, s_target = n < 256 ? 256 : n, stalls = 0;
	struct slope *sample;
	struct skey *skey;
	double *enumv;
	size_t cnt;

	limit = 8 * n;
	if (limit < 2 * (r[3] - r[0] + 1))
		limit = 2 * (r[3] - r[0] + 1);
	if (limit < 4096)
		limit = 4096;
	sample = malloc(s_target * sizeof(*sample));
	/* sample_sort's keys, their merge buffer and the reordered sample */
	skey = malloc(s_target * (2 * sizeof(*skey) + sizeof(*sample)));
	if (!sample || !skey) {
		free(sample);
		free(skey);
		return -ENOMEM;
	}

	while (c_hi - c_lo > limit && stalls < 4) {
		size_t got = 0, tries = 0, rmin = SIZE_MAX, rmax = 0, m = c_hi - c_lo;
		double delta, pa, pb;
		struct slope cand[2];
		int moved = 0, c;

		for (k = 0; k < 4; k++) {
			if (done[k])
				continue;
			if (r[k] < rmin)
				rmin = r[k];
			if (r[k] > rmax)
				rmax = r[k];
		}
		if (rmin == SIZE_MAX)
			break;
		while (got < s_target && tries < 64 * s_target) {
			size_t i = rng_next(&w->rng) % n, j = rng_next(&w->rng) % n;
			struct slope s;
			tries++;
			if (i == j)
				continue;
			if (i > j) {
				size_t t = i;
				i = j;
				j = t;
			}
			s.dy = w->y[j] - w->y[i];
			s.dx = w->x[j] - w->x[i];
			s.inf = 0;
			if (slope_cmp(&s, &lo) > 0 && slope_cmp(&s, &hi) < 0)
				sample[got++] = s;
		}
		if (got < 16)
			break;
		/* pivots need only be real slopes near the wanted ranks: an
		 * order by the rounded values is good enough to pick them */
		sample_sort(sample, skey, got);
		delta = 2.5 * sqrt((double)got) + 1;
		pa = (double)(rmin - c_lo) * (double)got / (double)m - delta;
		pb = (double)(rmax + 1 - c_lo) * (double)got / (double)m + delta;
		cand[0] = pa >= 0 ? sample[(size_t)pa] : lo;
		cand[1] = pb < (double)got ? sample[(size_t)pb] : hi;
		for (c = 0; c < 2; c++) {
			uint64_t lt, le;
			if (cand[c].inf)
				continue;
			ts_count(w, &cand[c], &lt, &le);
			/* a rank whose value is this pivot is resolved outright,
			 * which also handles huge blocks of equal slopes */
			for (k = 0; k < 4; k++) {
				if (!done[k] && lt <= r[k] && r[k] < le) {
					done[k] = 1;
					vals[k] = slope_value(&cand[c]);
				}
			}
			for (k = 0, rmin = SIZE_MAX, rmax = 0; k < 4; k++) {
				if (done[k])
					continue;
				if (r[k] < rmin)
					rmin = r[k];
				if (r[k] > rmax)
					rmax = r[k];
			}
			if (rmin == SIZE_MAX)
				break;
			if (le <= rmin && le > c_lo && slope_cmp(&cand[c], &lo) > 0) {
				lo = cand[c];
				c_lo = le;
				moved = 1;
			}
			if (lt > rmax && lt < c_hi && slope_cmp(&cand[c], &hi) < 0) {
				hi = cand[c];
				c_hi = lt;
				moved = 1;
			}
		}
		if (!moved)
			stalls++;
	}
	for (k = 0; k < 4 && done[k]; k++)
		;
	free(sample);
	free(skey);
	if (k == 4)
		return 0;
	/* the rest lies strictly between lo and hi: list and select */
	cnt = c_hi - c_lo;
	enumv = malloc((cnt ? cnt : 1) * sizeof(*enumv));
	if (!enumv)
		return -ENOMEM;
	if (ts_enumerate(w, &lo, &hi, enumv, cnt) != cnt) {
		free(enumv);
		return -ENOMEM; /* cannot happen unless counting disagreed */
	}
	/* from the largest rank down: each selection leaves the smaller
	 * values below it, so the next one searches only there */
	{
		size_t top = cnt, prev = SIZE_MAX;
		int kk;
		for (kk = 3; kk >= 0; kk--) {
			size_t idx;
			if (done[kk])
				continue;
			idx = r[kk] - c_lo;
			if (idx >= top) {
				/* equal ranks (the median of an odd count) */
				vals[kk] = vals[kk + 1];
				continue;
			}
			if (prev != SIZE_MAX && idx + 1 == prev) {
				/* the next smaller value: the largest below */
				double m = enumv[0];
				size_t q;
				for (q = 1; q < top; q++)
					if (enumv[q] > m)
						m = enumv[q];
				vals[kk] = m;
			} else {
				vals[kk] = select_kth(enumv, top, idx);
			}
			top = idx;
			prev = idx;
		}
	}
	free(enumv);
	return 0;
}

static int all_integral(const double *v, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!(fabs(v[i]) < 9007199254740992.0) || v[i] != floor(v[i]))
			return 0;
	return 1;
}

int lw_theil_sen(const double *x, const double *y, size_t n, double conf,
		 struct lw_theil_sen *out)
{
	struct ts_work w = { 0 };
	struct ts_ranks tr;
	double vals[4];
	int64_t *xi = NULL;
	size_t i, N;
	int rc = ts_check(x, n, conf);

	if (rc)
		return rc;
	for (i = 1; i < n && y[i] == y[0]; i++)
		;
	if (i == n) {
		/* constant: every slope is 0 */
		out->slope = out->ci_low = out->ci_high = 0;
		out->intercept = y[0];
		return 0;
	}
	if (n <= 64 || !all_integral(x, n) || !all_integral(y, n))
		return lw_theil_sen_naive(x, y, n, conf, out);

	N = n * (n - 1) / 2;
	ts_ranks(n, N, ts_var(y, n), conf, &tr);
	xi = malloc(2 * n * sizeof(*xi));
	w.u = malloc(2 * n * sizeof(*w.u));
	w.idx = malloc(2 * n * sizeof(*w.idx));
	if (!xi || !w.u || !w.idx) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		xi[i] = (int64_t)x[i];
		xi[n + i] = (int64_t)y[i];
	}
	w.x = xi;
	w.y = xi + n;
	w.n = n;
	w.utmp = w.u + n;
	w.itmp = w.idx + n;
	w.rng = 0x6c77u ^ n;
	rc = ts_select(&w, tr.r, vals);
	if (rc == 0)
		ts_finish(x, y, n, vals, out);
out:
	free(xi);
	free(w.u);
	free(w.idx);
	return rc;
}

/* ---- Benjamini-Hochberg ---- */

struct pidx {
	double p;
	size_t i;
};

static int pidx_cmp(const void *a, const void *b)
{
	const struct pidx *x = a, *y = b;
	if (x->p != y->p)
		return x->p < y->p ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

int lw_bh_qvalues(const double *p, size_t n, double *q)
{
	struct pidx *v;
	size_t m = 0, i;
	double run = 1;

	v = malloc((n ? n : 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (isnan(p[i]))
			continue;
		v[m].p = p[i];
		v[m].i = i;
		m++;
	}
	qsort(v, m, sizeof(*v), pidx_cmp);
	for (i = 0; i < n; i++)
		if (isnan(p[i]))
			q[i] = NAN;
	/* from the largest p down: q_(k) = min over j >= k of m/j * p_(j) */
	for (i = m; i > 0; i--) {
		double qq = v[i - 1].p * (double)m / (double)i;
		if (qq < run)
			run = qq;
		q[v[i - 1].i] = run;
	}
	free(v);
	return 0;
}
