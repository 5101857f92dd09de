/* render_md.c: a CI job summary / pull-request comment. One verdict line,
 * then the top growers table (largest flat growth first), then what went
 * over budget. Human units here; csv/json carry the exact integers.
 */
#include <math.h>

#include "diff.h"

/* A code span; in a GFM table '|' must be escaped (elsewhere the escape
 * would show). Backticks and newlines cannot appear inside. */
static void code(FILE *f, const char *s, bool in_table)
{
	fputc('`', f);
	for (; *s; s++) {
		if (*s == '|' && in_table)
			fputs("\\|", f);
		else if (*s == '`')
			fputc('\'', f);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', f);
		else
			fputc(*s, f);
	}
	fputc('`', f);
}

static const char *key_title(enum lw_granularity g)
{
	switch (g) {
	case LW_BY_LINE: return "Line";
	case LW_BY_FILE: return "File";
	case LW_BY_STACK: return "Stack";
	case LW_BY_FUNCTION:
	default: return "Function";
	}
}

static void verdict(FILE *f, const struct pd_report *r)
{
	const struct pd_table *t = r->t;
	const struct pd_gate *g = r->gate;
	const char *unit = r->sel->unit;
	int64_t delta = (int64_t)((uint64_t)t->cur_sum - (uint64_t)t->base_sum);
	char d[64], b[64];

	if (!g->active)
		fputs("**pprof-diff**", f);
	else
		fputs(g->n ? "**pprof-diff: FAIL**" : "**pprof-diff: PASS**", f);
	fprintf(f, " - %s %s", r->sel->type, pd_human(d, sizeof(d), delta, unit, true));
	if (t->base_abs)
		fprintf(f, " (%+.2f%% of base %s)", pd_pct(delta, t->base_abs),
			pd_human(b, sizeof(b), t->base_sum, unit, false));
	if (g->active && g->n == 0)
		fputs(" - within budget", f);
	if (g->n) {
		/* Each rule once, with what broke it: "--fail-function=2MiB
		 * (main.a, main.b); budget line 3 (/re/: main.c)". */
		fputs(" - over budget: ", f);
		for (size_t i = 0; i < g->n; i++) {
			const struct pd_violation *v = &g->v[i];
			bool seen = false;
			for (size_t k = 0; k < i; k++)
				seen |= strcmp(g->v[k].rule, v->rule) == 0;
			if (seen)
				continue;
			fprintf(f, "%s%s (", i ? "; " : "", v->rule);
			size_t n = 0;
			for (size_t k = i; k < g->n; k++) {
				if (strcmp(g->v[k].rule, v->rule) != 0)
					continue;
				fputs(n++ ? ", " : "", f);
				if (strcmp(g->v[k].subject, "total") == 0)
					fputs("total", f);
				else
					code(f, g->v[k].subject, false);
				for (size_t m = 0; m < g->v[k].n_members; m++) {
					fputs(m ? ", " : ": ", f);
					code(f, g->v[k].members[m], false);
				}
			}
			fputc(')', f);
		}
	}
	fputs("\n\n", f);
}

void pd_render_markdown(FILE *f, const struct pd_report *r, long top)
{
	const struct pd_table *t = r->t;
	const char *unit = r->sel->unit;
	char b[96], c[96], d[96];
	size_t grew = 0, shrank = 0, shown = 0;

	verdict(f, r);
	for (size_t i = 0; i < t->n; i++) {
		if (t->rows[i].dflat > 0)
			grew++;
		else if (t->rows[i].dflat < 0)
			shrank++;
	}
	if (grew == 0) {
		fputs("_Nothing grew._\n", f);
	} else {
		/* Rows are in |flat delta| order; growers keep that order. */
		fprintf(f, "| %s | Base | Current | Delta | Change |\n", key_title(t->view));
		fputs("|:--|--:|--:|--:|--:|\n", f);
		for (size_t i = 0; i < t->n && (top <= 0 || shown < (size_t)top); i++) {
			const struct pd_row *row = &t->rows[i];
			if (row->dflat <= 0)
				continue;
			shown++;
			fputs("| ", f);
			code(f, row->key, true);
			fprintf(f, " | %s | %s | %s | ", pd_human(b, sizeof(b), row->base_flat, unit, false),
				pd_human(c, sizeof(c), row->cur_flat, unit, false),
				pd_human(d, sizeof(d), row->dflat, unit, true));
			if (row->base_flat == 0)
				fputs("new |\n", f);
			else
				fprintf(f, "%+.1f%% |\n", pd_pct(row->dflat, row->base_flat));
		}
	}
	if (grew > shown || shrank > 0) {
		fputc('\n', f);
		if (grew > shown)
			fprintf(f, "%zu more grew.%s", grew - shown, shrank ? " " : "");
		if (shrank > 0) {
			/* The largest shrinkers, in |delta| order like the rows. */
			fprintf(f, "%zu shrank", shrank);
			size_t k = 0;
			for (size_t i = 0; i < t->n && k < 3; i++) {
				if (t->rows[i].dflat >= 0)
					continue;
				fputs(k++ ? ", " : ": ", f);
				code(f, t->rows[i].key, false);
				fprintf(f, " %s", pd_human(d, sizeof(d), t->rows[i].dflat, unit, true));
			}
			fputs(shrank > k ? ", ..." : ".", f);
		}
		fputc('\n', f);
	}
	const struct pd_gate *g = r->gate;
	if (g->n) {
		fputs("\n**Over budget**\n\n", f);
		for (size_t i = 0; i < g->n; i++) {
			const struct pd_violation *v = &g->v[i];
			fprintf(f, "- %s: ", v->rule);
			if (strcmp(v->subject, "total") == 0)
				fputs("total", f);
			else
				code(f, v->subject, false);
			for (size_t k = 0; k < v->n_members; k++) {
				fputs(k ? ", " : " (", f);
				code(f, v->members[k], false);
				if (k + 1 == v->n_members)
					fputc(')', f);
			}
			pd_human(d, sizeof(d), v->delta, unit, true);
			pd_human(b, sizeof(b), v->limit, unit, false);
			if (strcmp(d + 1, b) == 0) /* rounded alike: show the exact numbers */
				fprintf(f, " grew %s, limit %s", pd_amount(d, sizeof(d), v->delta, unit, true),
					pd_amount(b, sizeof(b), v->limit, unit, false));
			else
				fprintf(f, " grew %s, limit %s", d, b);
			if (v->comment[0])
				fprintf(f, " - _%s_", v->comment);
			fputc('\n', f);
		}
	}
	char bd[512], cd[512];
	fprintf(f, "\n<sub>%s (%s), %s; base: %s; current: %s%s%s</sub>\n", r->sel->type, unit,
		pd_view_name(t->view), pd_side_desc(bd, sizeof(bd), r->base),
		pd_side_desc(cd, sizeof(cd), r->cur),
		(t->nbase > 1 || t->ncur > 1) ? "; runs combined by " : "",
		(t->nbase > 1 || t->ncur > 1) ? pd_combine_name(r->how) : "");
}
