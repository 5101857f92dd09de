/* view_folded.c: Brendan Gregg's folded stacks, "root;...;leaf value",
 * one line per distinct stack (inline frames expanded, function names as
 * pprof prints them), sorted, values exact in the sample unit: the input
 * of flamegraph.pl and speedscope. CSV: stack,value; JSON: [{stack,value}].
 */
#include "csvout.h"
#include "decode.h"
#include "json.h"

static int cmp_key(const void *a, const void *b)
{
	return strcmp(((const struct lw_agg_row *)a)->key, ((const struct lw_agg_row *)b)->key);
}

int view_folded(FILE *out, struct decode_ctx *c)
{
	struct lw_agg a;
	int rc = lw_aggregate(c->p, c->si, LW_BY_STACK, c->has_filter ? &c->filter : NULL, &a);
	if (rc) {
		lw_warn("cannot aggregate: %s", strerror(-rc));
		return LW_EXIT_ERROR;
	}
	if (a.n_rows)
		qsort(a.rows, a.n_rows, sizeof(*a.rows), cmp_key);
	if (c->o->format == FMT_CSV) {
		static const char *const hdr[] = { "stack", "value", NULL };
		struct lw_csv_out cv;
		lw_csv_init(&cv, out);
		lw_csv_header(&cv, hdr);
		for (size_t i = 0; i < a.n_rows; i++) {
			lw_csv_str(&cv, a.rows[i].key);
			lw_csv_int(&cv, a.rows[i].flat);
			lw_csv_end_row(&cv);
		}
	} else if (c->o->format == FMT_JSON) {
		struct lw_json j;
		lw_json_init(&j, out, 1);
		lw_json_begin_array(&j);
		for (size_t i = 0; i < a.n_rows; i++) {
			lw_json_begin_object(&j);
			lw_json_key(&j, "stack");
			lw_json_string(&j, a.rows[i].key);
			lw_json_key(&j, "value");
			lw_json_int(&j, a.rows[i].flat);
			lw_json_end_object(&j);
		}
		lw_json_end_array(&j);
		lw_json_finish(&j);
	} else {
		for (size_t i = 0; i < a.n_rows; i++)
			fprintf(out, "%s %lld\n", a.rows[i].key, (long long)a.rows[i].flat);
	}
	lw_agg_free(&a);
	return 0;
}
