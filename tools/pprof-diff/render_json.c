/* render_json.c: the whole report as one JSON document, exact integers in
 * the sample unit; percentages are null where their base is 0.
 */
#include <math.h>

#include "diff.h"
#include "json.h"

static void side(struct lw_json *j, const struct pd_side *s, int64_t sum, int64_t abs_sum)
{
	lw_json_begin_object(j);
	lw_json_key(j, "profiles");
	lw_json_begin_array(j);
	for (size_t i = 0; i < s->n_inputs; i++)
		lw_json_string(j, s->inputs[i]);
	lw_json_end_array(j);
	lw_json_key(j, "total");
	lw_json_int(j, sum);
	lw_json_key(j, "abs_total");
	lw_json_int(j, abs_sum);
	lw_json_end_object(j);
}

static void pct(struct lw_json *j, const char *key, int64_t v, int64_t base)
{
	lw_json_key(j, key);
	double p = pd_pct(v, base);
	if (isnan(p))
		lw_json_null(j);
	else
		lw_json_double(j, p);
}

static void gate(struct lw_json *j, const struct pd_gate *g)
{
	lw_json_begin_object(j);
	lw_json_key(j, "status");
	lw_json_string(j, !g->active ? "none" : g->n ? "fail" : "pass");
	lw_json_key(j, "violations");
	lw_json_begin_array(j);
	for (size_t i = 0; i < g->n; i++) {
		const struct pd_violation *v = &g->v[i];
		lw_json_begin_object(j);
		lw_json_key(j, "rule");
		lw_json_string(j, v->rule);
		lw_json_key(j, "subject");
		lw_json_string(j, v->subject);
		lw_json_key(j, "delta");
		lw_json_int(j, v->delta);
		lw_json_key(j, "limit");
		lw_json_int(j, v->limit);
		lw_json_key(j, "comment");
		lw_json_string(j, v->comment);
		lw_json_key(j, "functions");
		lw_json_begin_array(j);
		for (size_t k = 0; k < v->n_members; k++)
			lw_json_string(j, v->members[k]);
		lw_json_end_array(j);
		lw_json_end_object(j);
	}
	lw_json_end_array(j);
	lw_json_end_object(j);
}

void pd_render_json(FILE *f, const struct pd_report *r)
{
	const struct pd_table *t = r->t;
	const struct pd_selection *sel = r->sel;
	struct lw_json j;

	lw_json_init(&j, f, 1);
	lw_json_begin_object(&j);
	lw_json_key(&j, "sample_type");
	lw_json_string(&j, sel->type);
	lw_json_key(&j, "unit");
	lw_json_string(&j, sel->unit);
	lw_json_key(&j, "semantics");
	lw_json_string(&j, pd_semantics_name(sel->sem));
	lw_json_key(&j, "view");
	lw_json_string(&j, pd_view_name(t->view));
	lw_json_key(&j, "combine");
	lw_json_string(&j, pd_combine_name(r->how));
	lw_json_key(&j, "base");
	side(&j, r->base, t->base_sum, t->base_abs);
	lw_json_key(&j, "current");
	side(&j, r->cur, t->cur_sum, t->cur_abs);
	lw_json_key(&j, "delta");
	lw_json_int(&j, (int64_t)((uint64_t)t->cur_sum - (uint64_t)t->base_sum));
	pct(&j, "delta_pct", (int64_t)((uint64_t)t->cur_sum - (uint64_t)t->base_sum), t->base_abs);
	lw_json_key(&j, "percent_of");
	lw_json_int(&j, r->total);
	lw_json_key(&j, "base_spread");
	lw_json_int(&j, t->base_sum_spread);
	lw_json_key(&j, "sampling_periods_differ");
	lw_json_bool(&j, sel->periods_differ);
	lw_json_key(&j, "period_rescaled");
	lw_json_bool(&j, sel->period_rescaled);
	lw_json_key(&j, "normalize_ratio");
	if (sel->normalize_ratio != 0)
		lw_json_double(&j, sel->normalize_ratio);
	else
		lw_json_null(&j);
	lw_json_key(&j, "rows");
	lw_json_begin_array(&j);
	for (size_t i = 0; i < r->shown->n; i++) {
		const struct pd_row *row = &t->rows[r->shown->idx[i]];
		lw_json_begin_object(&j);
		lw_json_key(&j, "name");
		lw_json_string(&j, row->key);
		lw_json_key(&j, "file");
		lw_json_string(&j, row->file ? row->file : "");
		if (t->view == LW_BY_LINE) {
			lw_json_key(&j, "line");
			lw_json_int(&j, row->line);
		}
		lw_json_key(&j, "base");
		lw_json_int(&j, row->base_flat);
		lw_json_key(&j, "current");
		lw_json_int(&j, row->cur_flat);
		lw_json_key(&j, "delta");
		lw_json_int(&j, row->dflat);
		pct(&j, "delta_pct", row->dflat, row->base_flat);
		lw_json_key(&j, "base_cum");
		lw_json_int(&j, row->base_cum);
		lw_json_key(&j, "current_cum");
		lw_json_int(&j, row->cur_cum);
		lw_json_key(&j, "delta_cum");
		lw_json_int(&j, row->dcum);
		pct(&j, "delta_of_total_pct", row->dflat, r->total);
		lw_json_key(&j, "base_spread");
		lw_json_int(&j, row->spread_flat);
		lw_json_end_object(&j);
	}
	lw_json_end_array(&j);
	lw_json_key(&j, "gate");
	gate(&j, r->gate);
	lw_json_end_object(&j);
	lw_json_finish(&j);
}
