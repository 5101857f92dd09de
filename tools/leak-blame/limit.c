/* limit.c: with --limit, when the service's total memory reaches it.
 *
 * The total is RSS when memstats.csv has it (the figure a container limit
 * or the OOM killer judges), else what the profiles see: the Go heap's
 * in-use bytes plus cgo-trace's outstanding C heap. The time to the limit
 * is trend.h's ttl_hours, the figure trend-fit --limit reports: (limit -
 * the fitted current value) / the Theil-Sen slope when the series leaks or
 * grows, INFINITY when it does not, 0 when the limit is already reached.
 * RSS is the memory picture's series, fitted with every other series of
 * the service; the profile total is fitted on its own set, so that --limit
 * never changes the false-discovery control, hence the verdicts, of the
 * suspects.
 */
#include <math.h>

#include "blame.h"
#include "err.h"

/* Sum over a kind's keys at point i. */
static double kind_total(const struct lb_kind *k, size_t i)
{
	double v = 0;
	size_t j;

	for (j = 0; j < k->n_keys; j++)
		v += k->keys[j]->value[i];
	return v;
}

/* Fits one series (times t, values v, n points) alone and copies its
 * result into l. */
static void fit_alone(struct lb_limit *l, const struct lb_target *t, const int64_t *times,
		      const double *v, size_t n, double quantum, const struct lb_opts *o)
{
	struct lw_trend_set *set = lw_trend_set_new();
	struct lw_trend_group *g;
	const struct lw_trend_series *se;
	size_t i;

	if (!set || !(g = lw_trend_group_new(set, t->name, "memory", "bytes", 0)))
		lw_die("out of memory");
	g->quantum = quantum;
	for (i = 0; i < n; i++) {
		long pt = lw_trend_add_point(g, times[i]);
		if (pt < 0 || lw_trend_set_value(g, (size_t)pt, "total", v[i]))
			lw_die("out of memory");
	}
	if (lw_trend_analyze(set, &o->trend))
		lw_die("out of memory");
	/* the only series, so series[0]: trend.c projects it to the limit */
	se = lw_trend_find(g, "total");
	if (se) {
		l->last = se->fit.last;
		l->bytes_per_hour = se->fit.ts_per_hour;
		l->verdict = se->fit.verdict;
		l->ttl_hours = se->fit.ttl_hours;
	} else {
		/* zero throughout: no series; nothing grows */
		l->last = 0;
		l->bytes_per_hour = 0;
		l->verdict = LW_TREND_STEADY;
		l->ttl_hours = n ? INFINITY : NAN;
	}
	lw_trend_set_free(set);
}

/* Go heap + traced C heap at the heap snapshots (the C heap of cgo-trace's
 * latest snapshot at or before each, else its first); C heap alone when
 * there are no heap profiles. */
static void profile_total(struct lb_limit *l, const struct lb_target *t, const struct lb_opts *o)
{
	const struct lb_kind *heap = &t->kinds[LB_HEAP], *cgo = &t->kinds[LB_CGO];
	const struct lb_kind *base = heap->n_points ? heap : cgo;
	double *v, quantum;
	size_t i, ci = 0;

	if (!base->n_points)
		return;
	l->basis = !heap->n_points ? "c heap" : cgo->n_points ? "go heap + c heap" : "go heap";
	v = lw_xcalloc(base->n_points, sizeof(*v));
	for (i = 0; i < base->n_points; i++) {
		v[i] = kind_total(base, i);
		if (base == heap && cgo->n_points) {
			while (ci + 1 < cgo->n_points && cgo->times[ci + 1] <= heap->times[i])
				ci++;
			v[i] += kind_total(cgo, ci);
		}
	}
	/* the coarser sampling step of the two sets the noise floor */
	quantum = fmax(heap->n_points ? heap->quantum : 0, cgo->n_points ? cgo->quantum : 0);
	fit_alone(l, t, base->times, v, base->n_points, quantum, o);
	free(v);
}

void lb_limit_fit(struct lb_target *t, const struct lb_opts *o)
{
	struct lb_limit *l = &t->limit;
	const struct lb_picture *p = &t->pic;

	memset(l, 0, sizeof(*l));
	l->ttl_hours = NAN;
	if (o->trend.limit <= 0)
		return;
	if (p->available) {
		l->basis = "rss";
		if (p->se_rss && p->group->series[0] == p->se_rss) {
			/* trend.c projects a group's first series: rss is the
			 * picture's, fitted with the rest of the service */
			l->last = p->se_rss->fit.last;
			l->bytes_per_hour = p->se_rss->fit.ts_per_hour;
			l->verdict = p->se_rss->fit.verdict;
			l->ttl_hours = p->se_rss->fit.ttl_hours;
		} else {
			/* rss 0 at the first rows: another part came first */
			fit_alone(l, t, p->times, p->rss, p->n, 0, o);
		}
		return;
	}
	profile_total(l, t, o);
}

char *lb_limit_str(char *buf, size_t sz, const struct lb_limit *l)
{
	char d[32];

	if (isnan(l->ttl_hours))
		snprintf(buf, sz, "unknown");
	else if (isinf(l->ttl_hours))
		snprintf(buf, sz, "never at this trend");
	else if (l->ttl_hours <= 0)
		snprintf(buf, sz, "reached");
	else
		snprintf(buf, sz, "in %s", lb_fmt_duration(d, sizeof(d), round(l->ttl_hours * 3600)));
	return buf;
}

char *lb_limit_line(char *buf, size_t sz, const struct lb_limit *l, double limit)
{
	char w[48], a[32], b[32], r[48];

	if (l->basis)
		snprintf(buf, sz, "%s (limit %s; %s %s, %s, %s)", lb_limit_str(w, sizeof(w), l),
			 lb_fmt_bytes(a, sizeof(a), limit), l->basis, lb_fmt_bytes(b, sizeof(b), l->last),
			 lb_fmt_rate(r, sizeof(r), l->bytes_per_hour, "bytes"),
			 lw_trend_verdict_name(l->verdict));
	else
		snprintf(buf, sz, "%s (limit %s; no rss, heap or cgo snapshots)",
			 lb_limit_str(w, sizeof(w), l), lb_fmt_bytes(a, sizeof(a), limit));
	return buf;
}
