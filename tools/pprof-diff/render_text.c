/* render_text.c: the text report. A short header, then the table exactly
 * as go tool pprof -top -diff_base prints it (report.go printText and
 * reportLabels), then the gate's verdict after a blank line.
 */
#include <inttypes.h>

#include "diff.h"
#include "units.h"

static void header(FILE *f, const struct pd_report *r)
{
	const struct pd_table *t = r->t;
	const struct pd_selection *sel = r->sel;
	char desc[1024], a[64], b[64], d[64];

	fprintf(f, "Type: %s (%s: delta = current - base%s)\n", sel->type,
		pd_semantics_name(sel->sem),
		sel->sem == PD_COUNTER ? ", the activity between the two" : "");
	fprintf(f, "View: %s\n", pd_view_name(t->view));
	fprintf(f, "Base: %s, total %s\n", pd_side_desc(desc, sizeof(desc), r->base),
		lw_format_auto(a, sizeof(a), t->base_sum, sel->unit));
	fprintf(f, "Current: %s, total %s\n", pd_side_desc(desc, sizeof(desc), r->cur),
		lw_format_auto(b, sizeof(b), t->cur_sum, sel->unit));
	if (t->nbase > 1 || t->ncur > 1)
		fprintf(f, "Combined: %s per %s of the runs of each side\n",
			pd_combine_name(r->how),
			t->view == LW_BY_STACK ? "stack" : t->view == LW_BY_LINE ? "line"
						  : t->view == LW_BY_FILE ? "file" : "function");
	int64_t delta = (int64_t)((uint64_t)t->cur_sum - (uint64_t)t->base_sum);
	lw_format_auto(d, sizeof(d), delta, sel->unit);
	char pct[32];
	if (t->base_abs)
		snprintf(pct, sizeof(pct), " (%+.2f%% of base)", pd_pct(delta, t->base_abs));
	else
		pct[0] = '\0';
	fprintf(f, "Delta: %s%s%s\n", delta > 0 ? "+" : "", d, pct);
	if (sel->periods_differ)
		fprintf(f, "Note: sampling periods differ; %s\n",
			sel->period_rescaled
				? "raw sample counts rescaled to the first current profile's period"
				: "values are already unsampled estimates, compared as they are");
	if (sel->normalize_ratio != 0)
		fprintf(f, "Normalized: current scaled by %.6g to the base total\n",
			sel->normalize_ratio);
}

static void table(FILE *f, const struct pd_report *r)
{
	const struct pd_table *t = r->t;
	const struct pd_shown *s = r->shown;
	struct lw_display_unit du = pd_pick_unit(t, s, r->sel->unit, r->total);
	char v1[64], v2[64], p1[32], p2[32], p3[32];
	int64_t flat_sum = 0;

	for (size_t i = 0; i < s->n; i++)
		flat_sum = lw_add64(flat_sum, t->rows[s->idx[i]].dflat);
	lw_format_percent(p1, sizeof(p1), flat_sum, r->total);
	const char *pt = p1;
	while (*pt == ' ')
		pt++;
	fprintf(f, "Showing nodes accounting for %s, %s of %s total\n",
		lw_format_value(v1, sizeof(v1), flat_sum, &du), pt,
		lw_format_value(v2, sizeof(v2), r->total, &du));
	if (r->total != 0) {
		if (s->dropped > 0) {
			int64_t cut = lw_go_int64((double)r->total * r->nodefraction);
			fprintf(f, "Dropped %zu node%s (cum <= %s)\n", s->dropped,
				s->dropped > 1 ? "s" : "",
				lw_format_value(v1, sizeof(v1), lw_abs64(cut), &du));
		}
		if (s->n > 0 && s->n < s->origcount)
			fprintf(f, "Showing top %zu nodes out of %zu\n", s->n, s->origcount);
	}
	fprintf(f, "%10s %5s%% %5s%% %10s %5s%%\n", "flat", "flat", "sum", "cum", "cum");
	int64_t sum = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct pd_row *row = &t->rows[s->idx[i]];
		sum = lw_add64(sum, row->dflat);
		fprintf(f, "%10s %s %s %10s %s  %s\n",
			lw_format_value(v1, sizeof(v1), row->dflat, &du),
			lw_format_percent(p1, sizeof(p1), row->dflat, r->total),
			lw_format_percent(p2, sizeof(p2), sum, r->total),
			lw_format_value(v2, sizeof(v2), row->dcum, &du),
			lw_format_percent(p3, sizeof(p3), row->dcum, r->total), row->key);
	}
}

static void gate(FILE *f, const struct pd_report *r)
{
	const struct pd_gate *g = r->gate;
	const char *unit = r->sel->unit;
	char d[96], l[96];

	if (!g->active)
		return;
	fprintf(f, "\n");
	if (g->n == 0) {
		fprintf(f, "Gate: PASS (within budget)\n");
		return;
	}
	fprintf(f, "Gate: FAIL (%zu over budget)\n", g->n);
	for (size_t i = 0; i < g->n; i++) {
		const struct pd_violation *v = &g->v[i];
		fprintf(f, "  %s: %s grew %s, limit %s", v->rule, v->subject,
			pd_amount(d, sizeof(d), v->delta, unit, true),
			pd_amount(l, sizeof(l), v->limit, unit, false));
		if (v->comment[0])
			fprintf(f, "  # %s", v->comment);
		fprintf(f, "\n");
		for (size_t k = 0; k < v->n_members; k++)
			fprintf(f, "    %s\n", v->members[k]);
	}
}

void pd_render_text(FILE *f, const struct pd_report *r)
{
	header(f, r);
	table(f, r);
	gate(f, r);
}
