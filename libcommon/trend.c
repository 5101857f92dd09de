/* trend.c: the series model of trend.h and the analysis that gives each
 * series its verdict. The builders that read files are in trend_input.c.
 */
#include "trend.h"

#include <math.h>

#include "grow.h"
#include "lwhash.h"
#include "stats.h"

#define NS_PER_HOUR 3.6e12

const char *lw_trend_verdict_name(enum lw_trend_verdict v)
{
	switch (v) {
	case LW_TREND_TOO_SHORT:
		return "too-short";
	case LW_TREND_STEADY:
		return "steady";
	case LW_TREND_SHRINKING:
		return "shrinking";
	case LW_TREND_PLATEAU:
		return "plateau";
	case LW_TREND_GROWING:
		return "growing";
	case LW_TREND_LEAK:
		return "leak";
	}
	return "?";
}

void lw_trend_opts_default(struct lw_trend_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->conf = 0.95;
	o->alpha = 0.05;
	o->min_points = 8;
	o->warmup = LW_WARMUP_AUTO;
	o->noise_steps = 4;
	o->noise_sigmas = 2;
	o->plateau_ratio = 0.25;
	o->plateau_alpha = 0.01;
	o->min_rate_bytes = 1024.0 * 1024.0;
	o->min_rate_count = 60;
	o->limit = 0;
}

double lw_trend_min_rate(const struct lw_trend_opts *o, const char *unit)
{
	return strcmp(unit, "bytes") == 0 ? o->min_rate_bytes : o->min_rate_count;
}

/* ---- model ---- */

struct group_index {
	struct lw_itab tab;
	size_t guess; /* the series the next lw_trend_set_value probably wants */
};

/* FNV-1a over 8-byte words: keys are long function names and stacks, looked
 * up once per key and snapshot. */
static uint64_t key_hash(const char *k)
{
	size_t n = strlen(k), i;
	uint64_t h = 0xcbf29ce484222325ULL, w;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, k + i, 8);
		h = (h ^ w) * 0x100000001b3ULL;
	}
	w = 0;
	memcpy(&w, k + i, n - i);
	h = (h ^ w ^ n) * 0x100000001b3ULL;
	return lw_mix64(h);
}

static uint64_t rehash_series(void *ctx, uint32_t idx)
{
	struct lw_trend_group *g = ctx;
	return key_hash(g->series[idx]->key);
}

struct lw_trend_set *lw_trend_set_new(void)
{
	return calloc(1, sizeof(struct lw_trend_set));
}

static void group_free(struct lw_trend_group *g)
{
	size_t i;

	for (i = 0; i < g->n_series; i++) {
		free((char *)g->series[i]->key);
		free(g->series[i]->values);
		free(g->series[i]);
	}
	free(g->series);
	free(g->times);
	if (g->index) {
		lw_itab_free(&((struct group_index *)g->index)->tab);
		free(g->index);
	}
	free((char *)g->target);
	free((char *)g->kind);
	free((char *)g->unit);
	free(g);
}

void lw_trend_set_free(struct lw_trend_set *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n_groups; i++)
		group_free(s->groups[i]);
	free(s->groups);
	free(s);
}

/* Grows a series' values from old_cap to new_cap points, zero-filled. */
static int series_resize(struct lw_trend_series *se, size_t old_cap, size_t new_cap)
{
	double *v = realloc(se->values, new_cap * sizeof(double));

	if (!v)
		return -1;
	memset(v + old_cap, 0, (new_cap - old_cap) * sizeof(double));
	se->values = v;
	return 0;
}

static struct lw_trend_series *series_new(struct lw_trend_group *g, const char *key, int is_total)
{
	struct group_index *ix = g->index;
	struct lw_trend_series *se;

	if (lw_grow(&g->series, &g->cap_series, g->n_series + 1, sizeof(*g->series), 16))
		return NULL;
	if (g->n_series >= UINT32_MAX - 1 || lw_itab_reserve(&ix->tab, rehash_series, g))
		return NULL;
	se = calloc(1, sizeof(*se));
	if (!se)
		return NULL;
	se->key = strdup(key);
	if (!se->key || series_resize(se, 0, g->cap_points ? g->cap_points : 1)) {
		free((char *)se->key);
		free(se->values);
		free(se);
		return NULL;
	}
	se->alloc_pt0 = se->alloc_pt1 = -1;
	se->is_total = is_total;
	se->group = g;
	se->idx = g->n_series;
	se->fit.verdict = LW_TREND_TOO_SHORT;
	{
		size_t i = lw_itab_first(&ix->tab, key_hash(key));
		while (ix->tab.slots[i])
			i = (i + 1) & ix->tab.mask;
		ix->tab.slots[i] = (uint32_t)g->n_series + 1;
		ix->tab.n++;
	}
	g->series[g->n_series++] = se;
	return se;
}

struct lw_trend_group *lw_trend_group_new(struct lw_trend_set *s, const char *target,
					  const char *kind, const char *unit, int with_total)
{
	struct lw_trend_group *g;
	struct group_index *ix;

	if (lw_grow(&s->groups, &s->cap_groups, s->n_groups + 1, sizeof(*s->groups), 8))
		return NULL;
	g = calloc(1, sizeof(*g));
	ix = calloc(1, sizeof(*ix));
	if (!g || !ix || lw_itab_init(&ix->tab, 64)) {
		free(g);
		free(ix);
		return NULL;
	}
	g->index = ix;
	g->target = strdup(target ? target : "");
	g->kind = strdup(kind);
	g->unit = strdup(unit ? unit : "");
	if (!g->target || !g->kind || !g->unit || (with_total && !series_new(g, LW_TREND_TOTAL, 1))) {
		group_free(g);
		return NULL;
	}
	s->groups[s->n_groups++] = g;
	return g;
}

struct lw_trend_series *lw_trend_find(const struct lw_trend_group *g, const char *key)
{
	const struct group_index *ix = g->index;
	size_t i = lw_itab_first(&ix->tab, key_hash(key));

	for (; ix->tab.slots[i]; i = (i + 1) & ix->tab.mask) {
		struct lw_trend_series *se = g->series[ix->tab.slots[i] - 1];
		if (strcmp(se->key, key) == 0)
			return se;
	}
	return NULL;
}

long lw_trend_add_point(struct lw_trend_group *g, int64_t t)
{
	size_t i;

	if (g->n_points > 0) {
		int64_t last = g->times[g->n_points - 1];
		if (t < last)
			return -1;
		if (t == last) {
			/* the same snapshot again: the later one replaces it */
			for (i = 0; i < g->n_series; i++) {
				struct lw_trend_series *se = g->series[i];
				se->values[g->n_points - 1] = 0;
				if (se->alloc_pt1 == (long)g->n_points - 1)
					se->alloc1 = 0;
				if (se->alloc_pt0 == (long)g->n_points - 1)
					se->alloc0 = 0;
			}
			return (long)g->n_points - 1;
		}
	}
	if (g->n_points == g->cap_points &&
	    lw_trend_group_reserve(g, g->cap_points ? g->cap_points * 2 : 64))
		return -1;
	g->times[g->n_points] = t;
	return (long)g->n_points++;
}

int lw_trend_group_reserve(struct lw_trend_group *g, size_t n_points)
{
	size_t i;

	void *p;

	if (n_points <= g->cap_points)
		return 0;
	p = realloc(g->times, n_points * sizeof(*g->times));
	if (!p)
		return -1;
	g->times = p;
	for (i = 0; i < g->n_series; i++)
		if (series_resize(g->series[i], g->cap_points, n_points))
			return -1;
	g->cap_points = n_points;
	return 0;
}

/* Keeps the cumulative allocations at the first and last points given. */
static void note_alloc(struct lw_trend_series *se, size_t point, double alloc)
{
	long pt = (long)point;

	if (se->alloc_pt0 < 0 || pt < se->alloc_pt0) {
		se->alloc_pt0 = pt;
		se->alloc0 = 0;
	}
	if (pt == se->alloc_pt0)
		se->alloc0 += alloc;
	if (pt > se->alloc_pt1) {
		se->alloc_pt1 = pt;
		se->alloc1 = 0;
	}
	if (pt == se->alloc_pt1)
		se->alloc1 += alloc;
}

int lw_trend_set_values(struct lw_trend_group *g, size_t point, const char *key, double v,
			double alloc)
{
	struct group_index *ix = g->index;
	struct lw_trend_series *se = NULL, *tot;

	/* successive profiles list their keys in much the same order, the
	 * order the series were created in: try the one after the last */
	if (ix->guess < g->n_series && strcmp(g->series[ix->guess]->key, key) == 0)
		se = g->series[ix->guess];
	else
		se = lw_trend_find(g, key);
	tot = g->n_series && g->series[0]->is_total && se != g->series[0] ? g->series[0] : NULL;
	if (!se && v == 0) {
		/* nothing in use and no series yet: its allocations still
		 * belong to the total's turnover */
		if (!isnan(alloc) && tot)
			note_alloc(tot, point, alloc);
		return 0;
	}
	if (!se && !(se = series_new(g, key, 0)))
		return -1;
	ix->guess = se->idx + 1;
	se->values[point] += v;
	if (tot)
		tot->values[point] += v;
	if (!isnan(alloc)) {
		note_alloc(se, point, alloc);
		if (tot)
			note_alloc(tot, point, alloc);
	}
	return 0;
}

int lw_trend_set_value(struct lw_trend_group *g, size_t point, const char *key, double v)
{
	return lw_trend_set_values(g, point, key, v, NAN);
}

/* ---- analysis ---- */

static size_t warmup_points(const struct lw_trend_group *g, const struct lw_trend_opts *o)
{
	size_t n = g->n_points, w = 0;
	int64_t cut;

	if (n == 0)
		return 0;
	switch (o->warmup) {
	case LW_WARMUP_POINTS:
		w = o->warmup_points < 0 ? 0 : (size_t)o->warmup_points;
		return w > n ? n : w;
	case LW_WARMUP_DURATION:
		/* saturated: a warm-up beyond the int64 clock leaves out all */
		if (g->times[0] > 0 && o->warmup_nanos > INT64_MAX - g->times[0])
			cut = INT64_MAX;
		else
			cut = g->times[0] + o->warmup_nanos;
		break;
	default:
		/* a service's start-up (pools, caches filling, first GC cycles)
		 * sits at the start; a tenth of the span is cheap to give up */
		cut = g->times[0] + (int64_t)(((uint64_t)g->times[n - 1] - (uint64_t)g->times[0]) /
					      10); /* the span may exceed INT64_MAX */
		break;
	}
	while (w < n && g->times[w] < cut)
		w++;
	return w;
}

/* Smallest non-zero change between two consecutive values: a stand-in for
 * the sampling step when the unit does not tell it. */
static double min_step(const double *y, size_t n)
{
	double m = INFINITY;
	size_t i;

	for (i = 1; i < n; i++) {
		double d = fabs(y[i] - y[i - 1]);
		if (d > 0 && d < m)
			m = d;
	}
	return isfinite(m) ? m : 0;
}

struct work {
	double *x, *y, *r;
};

/* Median absolute deviation from the median (r is reordered). */
static double mad(double *r, size_t n)
{
	double m = lw_median(r, n);
	size_t i;

	for (i = 0; i < n; i++)
		r[i] = fabs(r[i] - m);
	return lw_median(r, n);
}

static void load_window(const struct lw_trend_series *se, size_t w, struct work *wk)
{
	const struct lw_trend_group *g = se->group;
	size_t i, n = g->n_points - w;

	for (i = 0; i < n; i++) {
		/* times ascend; the gap may exceed INT64_MAX, not UINT64_MAX */
		wk->x[i] = (double)((uint64_t)g->times[w + i] - (uint64_t)g->times[w]);
		wk->y[i] = se->values[w + i];
	}
}

static void fit_series(struct lw_trend_series *se, size_t w, const struct lw_trend_opts *o,
		       struct work *wk)
{
	struct lw_trend_group *g = se->group;
	struct lw_trend_fit *f = &se->fit;
	size_t n = g->n_points - w;
	struct lw_linfit lf;
	struct lw_mk mk;
	struct lw_theil_sen ts;
	double quantum;

	memset(f, 0, sizeof(*f));
	f->warmup = w;
	f->points = n;
	f->mk_p = f->q = f->late_p = f->plateau_p = NAN;
	f->ls_per_hour = f->r2 = f->ts_per_hour = f->ci_low = f->ci_high = NAN;
	f->growth = f->late_per_hour = f->noise_floor = NAN;
	f->share = NAN;
	f->ttl_hours = NAN;
	f->verdict = LW_TREND_TOO_SHORT;
	if (n == 0)
		return;
	f->first = se->values[w];
	f->last = se->values[g->n_points - 1];
	if (n < 2)
		return;
	load_window(se, w, wk);
	if (lw_linear_fit(wk->x, wk->y, n, &lf) == 0) {
		f->ls_per_hour = lf.slope * NS_PER_HOUR;
		f->r2 = lf.r2;
	}
	if (lw_mann_kendall(wk->y, n, &mk) == 0) {
		f->mk_s = mk.s;
		f->mk_p = mk.p;
	}
	if (lw_theil_sen(wk->x, wk->y, n, o->conf, &ts) == 0) {
		f->ts_per_hour = ts.slope * NS_PER_HOUR;
		f->ci_low = ts.ci_low * NS_PER_HOUR;
		f->ci_high = ts.ci_high * NS_PER_HOUR;
		f->growth = ts.slope * wk->x[n - 1];
		if (o->limit > 0 && (g->series[0] == se || strcmp(g->kind, "memstats") == 0)) {
			/* remember the fitted current value for the time to limit */
			f->ttl_hours = ts.intercept + ts.slope * wk->x[n - 1];
		}
	}
	quantum = g->quantum < 0 ? min_step(wk->y, n) : g->quantum;
	f->noise_floor = o->noise_steps * quantum;
	if (se->alloc_pt1 > se->alloc_pt0 && quantum > 0) {
		/* a live set replaced within the recording (a cache, a pool of
		 * buffers) is sampled afresh: its sampled size wanders around
		 * the true one by about sqrt(size x step), slowly when the
		 * turnover is slow, and that can look like a trend */
		double level = lw_median(wk->y, n);
		double freed = (se->alloc1 - se->alloc0) -
			       (se->values[se->alloc_pt1] - se->values[se->alloc_pt0]);
		if (level > 0 && freed >= level)
			f->wander = sqrt(level * quantum);
		f->noise_floor = fmax(f->noise_floor, o->noise_sigmas * f->wander);
	}
	if (!isnan(f->growth) && o->noise_sigmas > 0) {
		/* growth must also stand out of the series' own scatter: sampling
		 * a large churning working set, or the GC sawtooth */
		size_t i;
		for (i = 0; i < n; i++)
			wk->r[i] = wk->y[i] - (ts.intercept + ts.slope * wk->x[i]);
		f->noise_floor = fmax(f->noise_floor, o->noise_sigmas * 1.4826 * mad(wk->r, n));
	}
}

/* P(X <= k) for X ~ Binomial(n, p). */
static double binom_cdf(double k, double n, double p)
{
	double s = 0, i;

	if (k < 0)
		return 0;
	if (k >= n)
		return 1;
	if (n > 5000) {
		/* normal approximation with continuity correction */
		double mu = n * p, sd = sqrt(n * p * (1 - p));
		return sd > 0 ? lw_norm_cdf((k + 0.5 - mu) / sd) : (k >= mu);
	}
	for (i = 0; i <= k; i++)
		s += exp(lgamma(n + 1) - lgamma(i + 1) - lgamma(n - i + 1) + i * log(p) +
			 (n - i) * log1p(-p));
	return s > 1 ? 1 : s;
}

/* Theil-Sen growth of y over points [a, b), >= 0. */
static double part_growth(const struct work *wk, size_t a, size_t b, const struct lw_trend_opts *o,
			  struct lw_theil_sen *ts)
{
	if (b - a < 2 || lw_theil_sen(wk->x + a, wk->y + a, b - a, o->conf, ts))
		return 0;
	return fmax(0, ts->slope * (wk->x[b - 1] - wk->x[a]));
}

/* The plateau test of a significantly rising series (see trend.h). For a
 * sampled series, each tail is weighed against the head before it: under a
 * constant rate, the steps gained in head and tail split in proportion to
 * their spans, so the tail's share is binomial. Estimating the rate from
 * the whole window instead would let the flat tail of a cache drag it down
 * until the tail no longer looks flat. */
static int is_plateau(struct lw_trend_series *se, const struct lw_trend_opts *o, struct work *wk)
{
	struct lw_trend_fit *f = &se->fit;
	size_t n = f->points, t;
	double quantum = se->group->quantum, best = 1;
	int exact_plateau = 0;
	static const size_t num[3] = { 1, 1, 2 }, den[3] = { 3, 2, 3 };

	load_window(se, f->warmup, wk);
	if (quantum < 0)
		quantum = min_step(wk->y, n);
	for (t = 0; t < 3; t++) {
		size_t m = n * num[t] / den[t], late0;
		struct lw_theil_sen lts, hts;
		struct lw_mk lmk;
		double head, tail, frac, head_rate;

		if (m < 5)
			m = n < 5 ? n : 5;
		late0 = n - m;
		if (late0 + 1 < 3 || lw_mann_kendall(wk->y + late0, m, &lmk))
			continue;
		/* growth within the level's sampling wander is no growth */
		tail = fmax(0, part_growth(wk, late0, n, o, &lts) - o->noise_sigmas * f->wander);
		if (t == 0) {
			f->late_per_hour = lts.slope * NS_PER_HOUR;
			f->late_p = lmk.p_up;
		}
		/* the head ends where the tail starts: the boundary point is in both */
		head = part_growth(wk, 0, late0 + 1, o, &hts);
		frac = (wk->x[n - 1] - wk->x[late0]) / wk->x[n - 1];
		head_rate = head / (wk->x[late0] - wk->x[0]);
		if (quantum <= 0) {
			/* exact values: confident that the tail rises at most
			 * plateau_ratio as fast as the head did */
			if (head_rate > 0 && lts.ci_high <= o->plateau_ratio * head_rate)
				exact_plateau = 1;
			continue;
		}
		/* a leak that merely slowed down is not a plateau */
		if (tail / frac > o->plateau_ratio * head / (1 - frac))
			continue;
		best = fmin(best, binom_cdf(floor(tail / quantum), nearbyint((head + tail) / quantum),
					    frac));
	}
	if (quantum > 0) {
		f->plateau_p = fmin(1, 3 * best);
		return f->plateau_p < o->plateau_alpha;
	}
	return exact_plateau;
}

static void verdict(struct lw_trend_series *se, const struct lw_trend_opts *o, struct work *wk)
{
	struct lw_trend_fit *f = &se->fit;
	int sig;

	if (f->points < o->min_points || isnan(f->q)) {
		f->verdict = LW_TREND_TOO_SHORT;
		return;
	}
	sig = f->q <= o->alpha;
	if (sig && f->ts_per_hour > 0 && f->ci_low > 0 && f->growth > f->noise_floor) {
		if (is_plateau(se, o, wk))
			f->verdict = LW_TREND_PLATEAU;
		else if (f->ts_per_hour >= lw_trend_min_rate(o, se->group->unit))
			f->verdict = LW_TREND_LEAK;
		else
			f->verdict = LW_TREND_GROWING;
	} else if (sig && f->ts_per_hour < 0 && f->ci_high < 0 && -f->growth > f->noise_floor) {
		f->verdict = LW_TREND_SHRINKING;
	} else {
		f->verdict = LW_TREND_STEADY;
	}
}

static void finish_group(struct lw_trend_group *g, const struct lw_trend_opts *o)
{
	double den = 0;
	size_t i;
	int has_total = g->n_series && g->series[0]->is_total;

	for (i = 0; i < g->n_series; i++) {
		struct lw_trend_fit *f = &g->series[i]->fit;
		if (!g->series[i]->is_total && f->ts_per_hour > 0)
			den += f->ts_per_hour;
	}
	for (i = 0; i < g->n_series; i++) {
		struct lw_trend_series *se = g->series[i];
		struct lw_trend_fit *f = &se->fit;
		if (has_total && !se->is_total)
			f->share = den > 0 && f->ts_per_hour > 0 ? f->ts_per_hour / den : 0;
		if (o->limit > 0 && !isnan(f->ttl_hours)) {
			double cur = f->ttl_hours;
			if (f->verdict != LW_TREND_LEAK && f->verdict != LW_TREND_GROWING)
				f->ttl_hours = INFINITY;
			else if (cur >= o->limit)
				f->ttl_hours = 0;
			else
				f->ttl_hours = (o->limit - cur) / f->ts_per_hour;
		}
	}
}

int lw_trend_analyze(struct lw_trend_set *s, const struct lw_trend_opts *o)
{
	size_t maxn = 2, total = 0, gi, i, k;
	struct work wk;
	double *p = NULL;

	for (gi = 0; gi < s->n_groups; gi++) {
		if (s->groups[gi]->n_points > maxn)
			maxn = s->groups[gi]->n_points;
		total += s->groups[gi]->n_series;
	}
	wk.x = malloc(maxn * sizeof(double));
	wk.y = malloc(maxn * sizeof(double));
	wk.r = malloc(maxn * sizeof(double));
	p = malloc((total ? total : 1) * sizeof(double));
	if (!wk.x || !wk.y || !wk.r || !p) {
		free(wk.x);
		free(wk.y);
		free(wk.r);
		free(p);
		return -1;
	}
	for (gi = 0, k = 0; gi < s->n_groups; gi++) {
		struct lw_trend_group *g = s->groups[gi];
		size_t w = warmup_points(g, o);
		for (i = 0; i < g->n_series; i++, k++) {
			struct lw_trend_fit *f = &g->series[i]->fit;
			fit_series(g->series[i], w, o, &wk);
			p[k] = f->points >= o->min_points ? f->mk_p : NAN;
		}
	}
	/* one family: every series fitted in this run */
	if (lw_bh_qvalues(p, total, p)) {
		free(wk.x);
		free(wk.y);
		free(wk.r);
		free(p);
		return -1;
	}
	for (gi = 0, k = 0; gi < s->n_groups; gi++) {
		struct lw_trend_group *g = s->groups[gi];
		for (i = 0; i < g->n_series; i++, k++) {
			g->series[i]->fit.q = p[k];
			verdict(g->series[i], o, &wk);
		}
		finish_group(g, o);
	}
	free(wk.x);
	free(wk.y);
	free(wk.r);
	free(p);
	return 0;
}
