/* render_csv.c: one row per shown key, exact integers in the sample unit.
 *   name,base,current,delta,delta_pct,base_cum,current_cum,delta_cum,
 *   delta_of_total_pct,file,line,base_spread
 * delta_pct is relative to the row's own base (empty when that is 0, a key
 * new on the current side); delta_of_total_pct is pprof's flat% (signed).
 */
#include "csvout.h"
#include "diff.h"

void pd_render_csv(FILE *f, const struct pd_report *r)
{
	static const char *const cols[] = {
		"name", "base", "current", "delta", "delta_pct", "base_cum", "current_cum",
		"delta_cum", "delta_of_total_pct", "file", "line", "base_spread", NULL,
	};
	struct lw_csv_out c;
	const struct pd_table *t = r->t;

	lw_csv_init(&c, f);
	lw_csv_header(&c, cols);
	for (size_t i = 0; i < r->shown->n; i++) {
		const struct pd_row *row = &t->rows[r->shown->idx[i]];
		lw_csv_str(&c, row->key);
		lw_csv_int(&c, row->base_flat);
		lw_csv_int(&c, row->cur_flat);
		lw_csv_int(&c, row->dflat);
		if (row->base_flat)
			lw_csv_fixed(&c, pd_pct(row->dflat, row->base_flat), 2);
		else
			lw_csv_str(&c, "");
		lw_csv_int(&c, row->base_cum);
		lw_csv_int(&c, row->cur_cum);
		lw_csv_int(&c, row->dcum);
		if (r->total)
			lw_csv_fixed(&c, pd_pct(row->dflat, r->total), 2);
		else
			lw_csv_str(&c, "");
		lw_csv_str(&c, row->file ? row->file : "");
		if (row->line)
			lw_csv_int(&c, row->line);
		else
			lw_csv_str(&c, "");
		lw_csv_int(&c, row->spread_flat);
		lw_csv_end_row(&c);
	}
}
