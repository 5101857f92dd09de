/* view_top.c: go tool pprof -top (report.printText) as text, CSV or JSON.
 *
 * Text output matches Go 1.19's pprof byte for byte: header labels, the
 * "Showing nodes accounting for" line, "Dropped N nodes (cum <= X)",
 * "Showing top K nodes out of M", then flat flat% sum% cum cum% name.
 * CSV and JSON carry the same rows with exact integers in the sample unit.
 */
#include "csvout.h"
#include "decode.h"
#include "json.h"
#include "units.h"

static double pct(int64_t v, int64_t total)
{
	return total ? (double)v / (double)total * 100.0 : 0.0;
}

static void print_text(FILE *out, struct decode_ctx *c, const struct lw_agg *a,
		       const struct lw_top_info *ti)
{
	const char *unit = c->p->sample_types[c->si].unit;
	struct lw_display_unit du = { .raw_unit = unit, .suffix = "minimum" };
	if (a->n_rows) {
		/* report.selectOutputUnit */
		int64_t minv = 0;
		for (size_t i = 0; i < a->n_rows; i++) {
			/* Go's abs: INT64_MIN stays negative (C's -INT64_MIN is UB) */
			int64_t v = lw_abs64(a->rows[i].flat);
			if (v == 0)
				v = lw_abs64(a->rows[i].cum);
			if (v > 0 && (minv == 0 || v < minv))
				minv = v;
		}
		du = lw_display_unit_select(unit, minv, a->total);
	}
	char v1[64], v2[64], p1[32], p2[32], p3[32];
	lw_format_value(v1, sizeof(v1), a->total, &du);
	print_profile_labels(out, c, v1);
	print_active_filters(out, c);
	lw_format_value(v1, sizeof(v1), ti->flat_sum, &du);
	lw_format_percent(p1, sizeof(p1), ti->flat_sum, a->total);
	const char *trimmed = p1;
	while (*trimmed == ' ')
		trimmed++;
	lw_format_value(v2, sizeof(v2), a->total, &du);
	fprintf(out, "Showing nodes accounting for %s, %s of %s total\n", v1, trimmed, v2);
	if (a->total != 0) {
		if (ti->dropped_nodes > 0) {
			lw_format_value(v1, sizeof(v1), ti->node_cutoff, &du);
			fprintf(out, "Dropped %zu node%s (cum <= %s)\n", ti->dropped_nodes,
				ti->dropped_nodes > 1 ? "s" : "", v1);
		}
		if (a->n_rows > 0 && a->n_rows < ti->orig_count)
			fprintf(out, "Showing top %zu nodes out of %zu\n", a->n_rows, ti->orig_count);
	}
	fprintf(out, "%10s %5s%% %5s%% %10s %5s%%\n", "flat", "flat", "sum", "cum", "cum");
	int64_t sum = 0;
	for (size_t i = 0; i < a->n_rows; i++) {
		const struct lw_agg_row *r = &a->rows[i];
		sum = lw_add64(sum, r->flat);
		lw_format_value(v1, sizeof(v1), r->flat, &du);
		lw_format_value(v2, sizeof(v2), r->cum, &du);
		lw_format_percent(p1, sizeof(p1), r->flat, a->total);
		lw_format_percent(p2, sizeof(p2), sum, a->total);
		lw_format_percent(p3, sizeof(p3), r->cum, a->total);
		fprintf(out, "%10s %s %s %10s %s  %s%s%s\n", v1, p1, p2, v2, p3, r->key,
			*r->inline_label ? " " : "", r->inline_label);
	}
}

static void print_csv(FILE *out, const struct lw_agg *a)
{
	static const char *const hdr[] = { "flat", "flat_pct", "sum_pct", "cum", "cum_pct",
					   "name", "inline", NULL };
	struct lw_csv_out cv;
	lw_csv_init(&cv, out);
	lw_csv_header(&cv, hdr);
	int64_t sum = 0;
	for (size_t i = 0; i < a->n_rows; i++) {
		const struct lw_agg_row *r = &a->rows[i];
		sum = lw_add64(sum, r->flat);
		lw_csv_int(&cv, r->flat);
		lw_csv_fixed(&cv, pct(r->flat, a->total), 4);
		lw_csv_fixed(&cv, pct(sum, a->total), 4);
		lw_csv_int(&cv, r->cum);
		lw_csv_fixed(&cv, pct(r->cum, a->total), 4);
		lw_csv_str(&cv, r->key);
		lw_csv_str(&cv, r->inline_label);
		lw_csv_end_row(&cv);
	}
}

static void print_json(FILE *out, struct decode_ctx *c, const struct lw_agg *a,
		       const struct lw_top_info *ti)
{
	const struct lw_profile *p = c->p;
	struct lw_json j;
	lw_json_init(&j, out, 1);
	lw_json_begin_object(&j);
	lw_json_key(&j, "file");
	lw_json_string(&j, p->n_mappings ? p->mappings[0]->filename : "");
	lw_json_key(&j, "sample_type");
	lw_json_string(&j, p->sample_types[c->si].type);
	lw_json_key(&j, "unit");
	lw_json_string(&j, p->sample_types[c->si].unit);
	lw_json_key(&j, "time_nanos");
	lw_json_int(&j, p->time_nanos);
	lw_json_key(&j, "duration_nanos");
	lw_json_int(&j, p->duration_nanos);
	lw_json_key(&j, "total");
	lw_json_int(&j, a->total);
	lw_json_key(&j, "shown_flat");
	lw_json_int(&j, ti->flat_sum);
	lw_json_key(&j, "dropped_nodes");
	lw_json_int(&j, (int64_t)ti->dropped_nodes);
	lw_json_key(&j, "node_cutoff");
	lw_json_int(&j, ti->node_cutoff);
	lw_json_key(&j, "nodes_before_nodecount");
	lw_json_int(&j, (int64_t)ti->orig_count);
	lw_json_key(&j, "rows");
	lw_json_begin_array(&j);
	int64_t sum = 0;
	for (size_t i = 0; i < a->n_rows; i++) {
		const struct lw_agg_row *r = &a->rows[i];
		sum = lw_add64(sum, r->flat);
		lw_json_begin_object(&j);
		lw_json_key(&j, "flat");
		lw_json_int(&j, r->flat);
		lw_json_key(&j, "flat_pct");
		lw_json_double(&j, pct(r->flat, a->total));
		lw_json_key(&j, "sum_pct");
		lw_json_double(&j, pct(sum, a->total));
		lw_json_key(&j, "cum");
		lw_json_int(&j, r->cum);
		lw_json_key(&j, "cum_pct");
		lw_json_double(&j, pct(r->cum, a->total));
		lw_json_key(&j, "name");
		lw_json_string(&j, r->key);
		lw_json_key(&j, "inline");
		lw_json_string(&j, r->inline_label);
		lw_json_end_object(&j);
	}
	lw_json_end_array(&j);
	lw_json_end_object(&j);
	lw_json_finish(&j);
}

int view_top(FILE *out, struct decode_ctx *c)
{
	struct lw_top_opts to = LW_TOP_OPTS_DEFAULT;
	struct lw_top_info ti;
	struct lw_agg a;
	to.node_fraction = c->o->node_fraction;
	to.node_count = c->o->node_count;
	to.cum_sort = c->o->cum;
	int rc = lw_agg_top(c->p, c->si, c->o->lines ? LW_BY_LINE : LW_BY_FUNCTION,
			    c->has_filter ? &c->filter : NULL, &to, &a, &ti);
	if (rc) {
		lw_warn("cannot aggregate: %s", strerror(-rc));
		return 2;
	}
	switch (c->o->format) {
	case FMT_CSV: print_csv(out, &a); break;
	case FMT_JSON: print_json(out, c, &a, &ti); break;
	default: print_text(out, c, &a, &ti); break;
	}
	lw_agg_free(&a);
	return 0;
}
