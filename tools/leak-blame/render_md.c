/* render_md.c: the report as GitHub-flavoured Markdown, for a CI job
 * summary or a pull-request comment: a table of suspects, then per
 * suspect its evidence, the quoted code, the heaviest stack (folded in a
 * <details> block), how sure and the fix; then the memory picture.
 */
#include <math.h>

#include "archive.h"
#include "blame.h"

/* Table cells: no newlines, pipes escaped. */
static void cell(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '\n')
			fputc(' ', f);
		else
			fputc(*s, f);
	}
}

/* Inline code: a backtick fence longer than any run inside. */
static void code_span(FILE *f, const char *s)
{
	int run = 0, max = 0, i;
	const char *p;

	for (p = s; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > max)
			max = run;
	}
	for (i = 0; i <= max; i++)
		fputc('`', f);
	fprintf(f, "%s%s%s", *s == '`' ? " " : "", s, s[0] && s[strlen(s) - 1] == '`' ? " " : "");
	for (i = 0; i <= max; i++)
		fputc('`', f);
}

static void suspect(FILE *f, const struct lb_suspect *s, size_t n_stacks)
{
	char b[1024], r[128];
	size_t i, k;

	fprintf(f, "#### #%d ", s->rank);
	code_span(f, s->function);
	if (*s->where.file)
		fprintf(f, " (%s)", lb_loc_str(b, sizeof(b), &s->where));
	fprintf(f, ": %s\n\n", lb_pattern_title(s->pattern));
	fprintf(f, "**%s**", lb_suspect_rate_str(r, sizeof(r), s));
	if (isfinite(s->share))
		fprintf(f, ", %.0f%% of the %s growth", 100 * s->share, s->source);
	fprintf(f, "; verdict %s, confidence %.2f; pattern confidence %s.\n\n",
		lw_trend_verdict_name(s->verdict), s->confidence, lb_sure_name(s->pattern_sure));
	if (s->c_function) {
		fprintf(f, "C function: ");
		code_span(f, s->c_function);
		if (*s->c_where.file)
			fprintf(f, " (%s)", lb_loc_str(b, sizeof(b), &s->c_where));
		fprintf(f, "\n\n");
	}
	if (s->n_quotes) {
		fprintf(f, "```go\n");
		for (i = 0; i < s->n_quotes; i++) {
			const char *t = s->quotes[i].text;
			fprintf(f, "// %s:%lld (%s)\n", lb_basename(s->quotes[i].file), (long long)s->quotes[i].line,
				s->quotes[i].note);
			/* a fence inside the code would end the block early */
			fprintf(f, "%s\n", strstr(t, "```") ? "(line with a code fence omitted)" : t);
		}
		fprintf(f, "```\n\n");
	}
	fprintf(f, "Evidence:\n");
	for (i = 0; i < s->n_evidence; i++) {
		fprintf(f, "- ");
		cell(f, s->evidence[i]);
		fprintf(f, "\n");
	}
	fprintf(f, "\n**How sure:** %s\n\n**Fix:** %s\n\n", s->assessment, s->recommendation);
	for (i = 0; i < s->n_top && i < n_stacks; i++) {
		const struct lb_stack *st = s->top[i];
		const struct lb_kind *kd = s->top_kind;
		double last = st->value[kd->n_points - 1];
		if (kd->id == LB_HEAP || kd->id == LB_CGO)
			fprintf(f, "<details><summary>stack %zu: %s in use</summary>\n\n```\n", i + 1,
				lb_fmt_bytes(r, sizeof(r), last));
		else
			fprintf(f, "<details><summary>stack %zu: %.0f goroutines%s%s%s</summary>\n\n```\n", i + 1,
				last, *st->state ? " [" : "", st->state, *st->state ? "]" : "");
		for (k = st->n_frames; k-- > 0;)
			fprintf(f, "%s %s\n", (long)k == st->attr.blame ? "=>" : "  ",
				lb_frame_str(b, sizeof(b), &st->frames[k], 0));
		fprintf(f, "```\n\n</details>\n\n");
	}
}

static void picture(FILE *f, const struct lb_target *t)
{
	static const char *const names[LB_NPARTS] = { "Go heap", "goroutine stacks", "other runtime",
						       "C heap (cgo-trace)", "unexplained" };
	const struct lb_picture *p = &t->pic;
	char a[32], b[32], r[48];
	size_t i;

	fprintf(f, "#### Memory picture\n\n");
	if (!p->available) {
		fprintf(f, "No memstats.csv with rss in the archive.\n\n");
		return;
	}
	fprintf(f, "| part | first | last | trend | verdict |\n|---|---:|---:|---:|---|\n");
	for (i = 0; i <= LB_NPARTS; i++) {
		const char *verdict;
		double first, last, rate;
		if (lb_picture_row(p, (int)i, &first, &last, &rate, &verdict)) {
			fprintf(f, "| %s | - | - | - | not traced |\n", names[i - 1]);
			continue;
		}
		fprintf(f, "| %s | %s | %s | %s | %s |\n", i == 0 ? "**RSS**" : names[i - 1],
			lb_fmt_bytes(a, sizeof(a), first), lb_fmt_bytes(b, sizeof(b), last),
			lb_fmt_rate(r, sizeof(r), rate, "bytes"), verdict);
	}
	fprintf(f, "\n");
}

void lb_render_markdown(FILE *f, const struct lb_report *r)
{
	size_t i, j;
	char t0[LW_ARCHIVE_CSV_TIME_LEN], d[32], rate[128], loc[512];

	fprintf(f, "## leak-blame: %zu suspect%s\n\n", r->n_suspects, r->n_suspects == 1 ? "" : "s");
	for (i = 0; i < r->n_targets; i++) {
		const struct lb_target *t = r->targets[i];
		fprintf(f, "### Service `%s`\n\n", *t->service ? t->service : "(unnamed)");
		if (t->n_snapshots)
			fprintf(f, "%zu snapshots from %s over %s.\n\n", t->n_snapshots,
				lw_archive_csv_time(t0, sizeof(t0), t->t_first),
				lb_fmt_duration(d, sizeof(d), (double)(t->t_last - t->t_first) / 1e9));
		if (r->opts->trend.limit > 0) {
			const struct lb_limit *l = &t->limit;
			char w[48], a[32], b[32];
			fprintf(f, "**Time to the limit** (%s): %s", lb_fmt_bytes(a, sizeof(a), r->opts->trend.limit),
				lb_limit_str(w, sizeof(w), l));
			if (l->basis)
				fprintf(f, "; %s %s, %s, %s.\n\n", l->basis, lb_fmt_bytes(b, sizeof(b), l->last),
					lb_fmt_rate(rate, sizeof(rate), l->bytes_per_hour, "bytes"),
					lw_trend_verdict_name(l->verdict));
			else
				fprintf(f, " (no rss, heap or cgo snapshots).\n\n");
		}
		if (!t->n_sus) {
			fprintf(f, "No leak found%s%s%s.\n\n", t->note ? " (" : "", t->note ? t->note : "",
				t->note ? ")" : "");
		} else {
			fprintf(f, "| # | function | where | pattern | growth | share | verdict | confidence |\n");
			fprintf(f, "|---:|---|---|---|---:|---:|---|---:|\n");
			for (j = 0; j < t->n_sus; j++) {
				const struct lb_suspect *s = t->sus[j];
				if (s->rank < 0)
					continue;
				fprintf(f, "| %d | ", s->rank);
				code_span(f, s->function);
				fprintf(f, " | %s | %s (%s) | %s | ", lb_loc_str(loc, sizeof(loc), &s->where),
					lb_pattern_title(s->pattern), lb_sure_name(s->pattern_sure),
					lb_suspect_rate_str(rate, sizeof(rate), s));
				if (isfinite(s->share))
					fprintf(f, "%.0f%%", 100 * s->share);
				fprintf(f, " | %s | %.2f |\n", lw_trend_verdict_name(s->verdict), s->confidence);
			}
			fprintf(f, "\n");
			for (j = 0; j < t->n_sus; j++)
				if (t->sus[j]->rank > 0)
					suspect(f, t->sus[j], (size_t)r->opts->n_stacks);
		}
		picture(f, t);
	}
}
