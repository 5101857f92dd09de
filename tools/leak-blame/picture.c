/* picture.c: where a service's resident memory goes, over time.
 *
 * At every memstats.csv row, RSS is split into the Go heap (HeapInuse),
 * goroutine stacks (StackInuse), other runtime memory (Sys - HeapInuse -
 * HeapReleased - StackInuse: idle heap not yet returned, GC metadata, spans,
 * unused stack spans), the C heap that cgo-trace saw outstanding (its
 * latest snapshot at or before the row), and the unexplained remainder
 * (what none of those accounts for: C memory nobody traced, mmap, the
 * binary). The runtime's figure is address space, not all of it resident,
 * so it is capped at what the heap, stacks and C heap leave of RSS: the
 * remainder then only grows when RSS outgrows everything Go accounts for.
 * Its trend is fitted like every other series.
 */
#include <math.h>

#include "blame.h"
#include "err.h"

static const char *const part_keys[LB_NPARTS] = { "go heap", "stacks", "runtime", "c heap",
						  "unexplained" };

static double col(const struct lb_memstats *ms, enum lb_ms_col c, size_t i)
{
	double v = ms->col[c] ? ms->col[c][i] : NAN;
	return isfinite(v) ? v : 0;
}

void lb_picture_build(struct lb_target *t)
{
	const struct lb_memstats *ms = &t->ms;
	const struct lb_kind *cgo = &t->kinds[LB_CGO];
	struct lb_picture *p = &t->pic;
	size_t i, j, ci = 0;
	double *ctotal = NULL;

	if (!ms->n || !ms->have[LB_MS_RSS])
		return;
	p->available = 1;
	p->traced_c = cgo->n_points > 0;
	p->n = ms->n;
	p->times = lw_xcalloc(ms->n, sizeof(*p->times));
	p->rss = lw_xcalloc(ms->n, sizeof(double));
	for (j = 0; j < LB_NPARTS; j++)
		p->part[j] = lw_xcalloc(ms->n, sizeof(double));
	if (p->traced_c) {
		ctotal = lw_xcalloc(cgo->n_points, sizeof(double));
		for (j = 0; j < cgo->n_keys; j++)
			for (i = 0; i < cgo->n_points; i++)
				ctotal[i] += cgo->keys[j]->value[i];
	}
	for (i = 0; i < ms->n; i++) {
		double heap = col(ms, LB_MS_HEAP_INUSE, i), stk = col(ms, LB_MS_STACK_INUSE, i);
		double rt = 0, c = 0;

		if (ctotal) {
			while (ci + 1 < cgo->n_points && cgo->times[ci + 1] <= ms->times[i])
				ci++;
			c = cgo->times[ci] <= ms->times[i] ? ctotal[ci] : 0;
		}
		if (ms->have[LB_MS_SYS]) {
			/* address space, not all resident: it takes at most what
			 * the heap, stacks and C heap leave of RSS */
			double left = col(ms, LB_MS_RSS, i) - heap - stk - c;
			rt = col(ms, LB_MS_SYS, i) - heap - col(ms, LB_MS_HEAP_RELEASED, i) - stk;
			rt = fmin(rt, left);
			if (rt < 0)
				rt = 0;
		}
		p->times[i] = ms->times[i];
		p->rss[i] = col(ms, LB_MS_RSS, i);
		p->part[LB_PART_HEAP][i] = heap;
		p->part[LB_PART_STACKS][i] = stk;
		p->part[LB_PART_RUNTIME][i] = rt;
		p->part[LB_PART_CHEAP][i] = c;
		p->part[LB_PART_UNEXPLAINED][i] = p->rss[i] - heap - stk - rt - c;
	}
	free(ctotal);
}

void lb_picture_add_series(struct lb_target *t)
{
	struct lb_picture *p = &t->pic;
	struct lw_trend_group *g;
	size_t i, j;

	if (!p->available)
		return;
	g = lw_trend_group_new(t->set, t->name, "picture", "bytes", 0);
	if (!g)
		lw_die("out of memory");
	g->quantum = 0;
	for (i = 0; i < p->n; i++) {
		long pt = lw_trend_add_point(g, p->times[i]);
		if (pt < 0)
			lw_die("out of memory");
		if (lw_trend_set_value(g, (size_t)pt, "rss", p->rss[i]))
			lw_die("out of memory");
		for (j = 0; j < LB_NPARTS; j++) {
			if (j == LB_PART_CHEAP && !p->traced_c)
				continue;
			if (lw_trend_set_value(g, (size_t)pt, part_keys[j], p->part[j][i]))
				lw_die("out of memory");
		}
	}
	p->group = g;
}

/* After analysis: the fitted series. */
void lb_picture_bind(struct lb_target *t)
{
	struct lb_picture *p = &t->pic;
	size_t j;

	if (!p->group)
		return;
	p->se_rss = lw_trend_find(p->group, "rss");
	for (j = 0; j < LB_NPARTS; j++)
		p->se_part[j] = lw_trend_find(p->group, part_keys[j]);
}

int lb_picture_row(const struct lb_picture *p, int i, double *first, double *last, double *rate,
		   const char **verdict)
{
	const struct lw_trend_series *se = i == 0 ? p->se_rss : p->se_part[i - 1];
	const double *v = i == 0 ? p->rss : p->part[i - 1];

	if (!p->available || (i - 1 == LB_PART_CHEAP && !p->traced_c))
		return -1;
	*first = v[0];
	*last = v[p->n - 1];
	/* a part that is 0 throughout has no series: it is steady at 0 */
	*rate = se ? se->fit.ts_per_hour : 0;
	*verdict = lw_trend_verdict_name(se ? se->fit.verdict : LW_TREND_STEADY);
	return 0;
}
