/* gate.c: the CI memory gate. Growth is measured on the selected sample
 * type: the total as current - base of the signed sums, a function as its
 * flat delta (what it allocated itself; cum would charge main.main with
 * everything). Percent limits are of the base total, the denominator of
 * pprof -diff_base's percentages. With --noise=K a limit is raised to K
 * times the spread (max - min) of the same quantity among the base runs.
 * A budget entry replaces the command-line rule for what it matches: an
 * exact name first, else the first /regex/ in file order, whose allowance
 * covers the matching functions together.
 */
#include <math.h>

#include "diff.h"
#include "err.h"

int64_t pd_threshold_limit(const struct lw_threshold *t, int64_t total)
{
	double v = t->is_percent ? t->value / 100.0 * (double)total : t->value;
	if (v >= 9.2e18)
		return INT64_MAX;
	return (int64_t)llround(v);
}

static int64_t with_noise(int64_t limit, double k, int64_t spread)
{
	if (k <= 0)
		return limit;
	double n = k * (double)spread;
	int64_t nl = n >= 9.2e18 ? INT64_MAX : (int64_t)llround(n);
	return nl > limit ? nl : limit;
}

static struct pd_violation *add_violation(struct pd_gate *g, char *rule, const char *subject,
					  int64_t delta, int64_t limit, const char *comment)
{
	g->v = lw_xreallocarray(g->v, g->n + 1, sizeof(*g->v));
	g->v[g->n] = (struct pd_violation){
		.rule = rule,
		.subject = lw_xstrdup(subject),
		.delta = delta,
		.limit = limit,
		.comment = lw_xstrdup(comment ? comment : ""),
	};
	return &g->v[g->n++];
}

static const struct pd_budget_entry *match(const struct pd_budget *b, const char *name)
{
	if (!b)
		return NULL;
	for (size_t i = 0; i < b->n; i++)
		if (!b->e[i].is_regex && !b->e[i].is_total && strcmp(b->e[i].name, name) == 0)
			return &b->e[i];
	for (size_t i = 0; i < b->n; i++)
		if (b->e[i].is_regex && regexec(&b->e[i].re, name, 0, NULL, 0) == 0)
			return &b->e[i];
	return NULL;
}

struct group {
	int64_t delta;
	int64_t *base_runs;
	const struct pd_row **over; /* members that grew */
	size_t nover;
};

static int cmp_grew(const void *a, const void *b)
{
	const struct pd_row *l = *(const struct pd_row *const *)a;
	const struct pd_row *r = *(const struct pd_row *const *)b;
	if (l->dflat != r->dflat)
		return l->dflat > r->dflat ? -1 : 1;
	return strcmp(l->key, r->key);
}

static void set_members(struct pd_violation *v, struct group *gr)
{
	qsort(gr->over, gr->nover, sizeof(*gr->over), cmp_grew);
	v->members = lw_xcalloc(gr->nover ? gr->nover : 1, sizeof(*v->members));
	for (size_t i = 0; i < gr->nover; i++)
		v->members[i] = gr->over[i]->key;
	v->n_members = gr->nover;
}

static int64_t range_of(const int64_t *v, size_t n)
{
	if (n < 2)
		return 0;
	int64_t lo = v[0], hi = v[0];
	for (size_t i = 1; i < n; i++) {
		lo = v[i] < lo ? v[i] : lo;
		hi = v[i] > hi ? v[i] : hi;
	}
	return (int64_t)((uint64_t)hi - (uint64_t)lo); /* wraps, no UB */
}

static int cmp_violation(const void *a, const void *b)
{
	const struct pd_violation *l = a, *r = b;
	int lt = strcmp(l->subject, "total") == 0, rt = strcmp(r->subject, "total") == 0;
	if (lt != rt)
		return rt - lt;
	if (l->delta != r->delta)
		return l->delta > r->delta ? -1 : 1;
	return strcmp(l->subject, r->subject);
}

void pd_gate_eval(const struct pd_gate_opts *o, const struct pd_table *fn, struct pd_gate *g)
{
	const struct pd_budget *b = o->budget;

	memset(g, 0, sizeof(*g));
	g->active = o->n_fail_total || o->n_fail_function || (b && b->n);
	g->total_delta = (int64_t)((uint64_t)fn->cur_sum - (uint64_t)fn->base_sum);

	/* Total. */
	const struct pd_budget_entry *bt = NULL;
	for (size_t i = 0; b && i < b->n; i++)
		if (b->e[i].is_total)
			bt = &b->e[i];
	if (bt) {
		int64_t lim = with_noise(pd_threshold_limit(&bt->allow, fn->total), o->noise,
					 fn->base_sum_spread);
		if (g->total_delta > lim)
			add_violation(g, lw_xasprintf("budget line %ld", bt->lineno), "total",
				      g->total_delta, lim, bt->comment);
	} else {
		for (size_t i = 0; i < o->n_fail_total; i++) {
			int64_t lim = with_noise(pd_threshold_limit(&o->fail_total[i].th, fn->total),
						 o->noise, fn->base_sum_spread);
			if (g->total_delta > lim)
				add_violation(g, lw_xasprintf("--fail-total=%s", o->fail_total[i].arg),
					      "total", g->total_delta, lim, NULL);
		}
	}

	/* Functions. */
	size_t nb = fn->nbase;
	struct group *groups = lw_xcalloc(b && b->n ? b->n : 1, sizeof(*groups));
	for (size_t i = 0; i < fn->n; i++) {
		const struct pd_row *row = &fn->rows[i];
		const struct pd_budget_entry *e = match(b, row->key);
		if (e && e->is_regex) {
			struct group *gr = &groups[e - b->e];
			if (!gr->base_runs)
				gr->base_runs = lw_xcalloc(nb ? nb : 1, sizeof(*gr->base_runs));
			gr->delta = lw_add64(gr->delta, row->dflat);
			for (size_t r = 0; r < nb; r++)
				gr->base_runs[r] = lw_add64(gr->base_runs[r], row->base_run_flat[r]);
			if (row->dflat > 0) {
				gr->over = lw_xreallocarray(gr->over, gr->nover + 1, sizeof(*gr->over));
				gr->over[gr->nover++] = row;
			}
		} else if (e) {
			int64_t lim = with_noise(pd_threshold_limit(&e->allow, fn->total), o->noise,
						 row->spread_flat);
			if (row->dflat > lim)
				add_violation(g, lw_xasprintf("budget line %ld", e->lineno), row->key,
					      row->dflat, lim, e->comment);
		} else {
			for (size_t k = 0; k < o->n_fail_function; k++) {
				int64_t lim = with_noise(
					pd_threshold_limit(&o->fail_function[k].th, fn->total), o->noise,
					row->spread_flat);
				if (row->dflat > lim)
					add_violation(g, lw_xasprintf("--fail-function=%s",
								      o->fail_function[k].arg),
						      row->key, row->dflat, lim, NULL);
			}
		}
	}
	for (size_t i = 0; b && i < b->n; i++) {
		struct group *gr = &groups[i];
		if (!gr->base_runs)
			continue;
		int64_t lim = with_noise(pd_threshold_limit(&b->e[i].allow, fn->total), o->noise,
					 range_of(gr->base_runs, nb));
		if (gr->delta > lim)
			set_members(add_violation(g, lw_xasprintf("budget line %ld", b->e[i].lineno),
						  b->e[i].name, gr->delta, lim, b->e[i].comment),
				    gr);
		free(gr->base_runs);
		free(gr->over);
	}
	free(groups);
	if (g->n > 1)
		qsort(g->v, g->n, sizeof(*g->v), cmp_violation);
}

void pd_gate_free(struct pd_gate *g)
{
	for (size_t i = 0; i < g->n; i++) {
		free(g->v[i].rule);
		free(g->v[i].subject);
		free(g->v[i].comment);
		free((void *)g->v[i].members);
	}
	free(g->v);
	memset(g, 0, sizeof(*g));
}
