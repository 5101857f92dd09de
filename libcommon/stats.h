/* stats.h: the trend statistics of trend-fit and leak-blame.
 *
 * Least squares, Theil-Sen (Sen's slope with the confidence interval of
 * Sen 1968 / Gilbert 1987, computed exactly as scipy.stats.theilslopes
 * does), the Mann-Kendall trend test with tie correction, Benjamini-
 * Hochberg q-values, medians and quantiles. Pure functions of their inputs:
 * no global state, no I/O. Series are given in time order (x strictly
 * increasing); functions that need scratch memory allocate it and return
 * -ENOMEM if they cannot. Reference values for the unit tests come from an
 * independent pure-Python implementation (tests/unit/stats_ref.py).
 */
#ifndef LW_STATS_H
#define LW_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Standard normal CDF and its inverse (p in (0,1); 0 < |result| < 38). */
double lw_norm_cdf(double z);
double lw_norm_ppf(double p);

/* Median of n values (average of the two middle ones for even n; NAN for
 * n == 0). x is not modified. */
double lw_median(const double *x, size_t n);
/* Quantile q in [0,1] of sorted values, linear interpolation between order
 * statistics (numpy's default, R type 7). NAN for n == 0. */
double lw_quantile_sorted(const double *sorted, size_t n, double q);

struct lw_linfit {
	double slope;
	double intercept;
	double r2; /* coefficient of determination; 1 for a constant y, NAN if n < 2 */
};
/* Ordinary least squares y = intercept + slope * x. 0, or -EINVAL when
 * n < 2 or all x are equal. */
int lw_linear_fit(const double *x, const double *y, size_t n, struct lw_linfit *out);

struct lw_mk {
	int64_t s;       /* Kendall's S = sum over i<j of sign(y_j - y_i) */
	double var_s;    /* Var(S) with the tie correction */
	double z;        /* (S -+ 1) / sqrt(var_s), 0 when S == 0 */
	double p;        /* two-sided p-value */
	double p_up;     /* one-sided p-value for an increasing trend */
	double tau;      /* S / (n(n-1)/2) (Kendall's tau-a) */
	int exact;       /* 1 if p comes from the exact null distribution */
};
/* Mann-Kendall test on y[0..n-1] taken in time order. The p-values use the
 * normal approximation with continuity correction; for n <= 10 without ties
 * they come from the exact distribution of S instead. O(n log n).
 * 0, -EINVAL when n < 2, or -ENOMEM. */
int lw_mann_kendall(const double *y, size_t n, struct lw_mk *out);
/* Tie correction term sum t(t-1)(2t+5) over groups of equal values. */
double lw_tie_term(const double *x, size_t n);

struct lw_theil_sen {
	double slope;     /* median of the pairwise slopes */
	double intercept; /* median(y) - slope * median(x) */
	double ci_low;    /* confidence interval of the slope (Sen's method) */
	double ci_high;
};
/* Theil-Sen estimator with a confidence interval at level conf (e.g. 0.95).
 * x must be strictly increasing. When all x and y are integers below 2^53
 * it runs in O(n log n) expected time (randomised slope selection with exact
 * integer counting); otherwise in O(n^2). The result is the same either way.
 * 0, -EINVAL (n < 2, x not increasing, conf not in (0,1)), or -ENOMEM. */
int lw_theil_sen(const double *x, const double *y, size_t n, double conf,
		 struct lw_theil_sen *out);
/* The O(n^2) definition itself, kept for tests and tiny inputs. */
int lw_theil_sen_naive(const double *x, const double *y, size_t n, double conf,
		       struct lw_theil_sen *out);

/* Benjamini-Hochberg q-values (R's p.adjust(method = "BH")): q[i] is the
 * smallest false-discovery rate at which p[i] is rejected. NAN p-values are
 * not counted as tests and get NAN. q may alias p. 0 or -ENOMEM. */
int lw_bh_qvalues(const double *p, size_t n, double *q);

#endif
