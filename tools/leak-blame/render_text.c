/* render_text.c: the terminal report: per service the verdict, then each
 * suspect (function, pattern, growth, evidence, quoted code, heaviest
 * stacks root to leaf, how sure, the fix), then the memory picture.
 */
#include <math.h>

#include "archive.h"
#include "blame.h"

/* text from the current column (first line after a prefix the caller
 * printed), continuation lines after indent. */
static void wrap(FILE *f, const char *indent, const char *text, size_t width)
{
	const char *p = text;
	size_t col = 0;

	while (*p) {
		size_t w = strcspn(p, " ");
		if (col && col + 1 + w > width) {
			fprintf(f, "\n%s", indent);
			col = 0;
		} else if (col) {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, w, f);
		col += w;
		p += w;
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
}

static void stack_lines(FILE *f, const struct lb_stack *st)
{
	size_t i, n = st->n_frames;
	char b[1024];

	/* root to leaf; long stacks keep their ends */
	for (i = n; i-- > 0;) {
		const struct lb_frame *fr = &st->frames[i];
		if (n > 14 && i < n - 6 && i > 6) {
			if (i == n - 7)
				fprintf(f, "          ... %zu frames ...\n", n - 13);
			continue;
		}
		fprintf(f, "        %s %s\n", (long)i == st->attr.blame ? "=>" : "  ",
			lb_frame_str(b, sizeof(b), fr, 0));
	}
}

static void kinds_line(FILE *f, const struct lb_target *t)
{
	int k, first = 1;

	for (k = 0; k < LB_NKINDS; k++) {
		if (!t->kinds[k].n_points)
			continue;
		fprintf(f, "%s%s %zu", first ? "" : ", ", t->kinds[k].name, t->kinds[k].n_points);
		first = 0;
	}
	if (t->ms.n)
		fprintf(f, "%smemstats %zu", first ? "" : ", ", t->ms.n);
}

static void picture(FILE *f, const struct lb_target *t)
{
	static const char *const names[LB_NPARTS] = { "go heap", "stacks", "runtime", "c heap (traced)",
						       "unexplained" };
	const struct lb_picture *p = &t->pic;
	char a[32], b[32], r[48];
	size_t i;

	if (!p->available) {
		fprintf(f, "memory picture: no memstats.csv with rss\n");
		return;
	}
	fprintf(f, "memory picture (rss = go heap + stacks + runtime + c heap + unexplained):\n");
	fprintf(f, "  %-16s %12s %12s %16s  %s\n", "part", "first", "last", "trend", "verdict");
	for (i = 0; i <= LB_NPARTS; i++) {
		const char *name = i == 0 ? "rss" : names[i - 1], *verdict;
		double first, last, rate;
		if (lb_picture_row(p, (int)i, &first, &last, &rate, &verdict)) {
			fprintf(f, "  %-16s %12s %12s %16s  %s\n", "c heap", "-", "-", "-",
				"not traced (no cgo-trace profiles)");
			continue;
		}
		fprintf(f, "  %-16s %12s %12s %16s  %s\n", name, lb_fmt_bytes(a, sizeof(a), first),
			lb_fmt_bytes(b, sizeof(b), last), lb_fmt_rate(r, sizeof(r), rate, "bytes"), verdict);
	}
}

static void suspect(FILE *f, const struct lb_suspect *s, size_t n_stacks)
{
	char b[1024], r[128], c[64];
	size_t i;

	fprintf(f, "#%d %s", s->rank, s->function);
	if (*s->where.file)
		fprintf(f, "  %s", lb_loc_str(b, sizeof(b), &s->where));
	fprintf(f, "\n");
	fprintf(f, "   pattern:    %s (%s confidence)\n", lb_pattern_title(s->pattern),
		lb_sure_name(s->pattern_sure));
	fprintf(f, "   growth:     %s", lb_suspect_rate_str(r, sizeof(r), s));
	if (isfinite(s->share))
		fprintf(f, ", %.0f%% of the %s growth", 100 * s->share, s->source);
	fprintf(f, " (%s, confidence %.2f)\n", lw_trend_verdict_name(s->verdict), s->confidence);
	if (s->c_function)
		fprintf(f, "   C function: %s%s%s\n", s->c_function, *s->c_where.file ? "  " : "",
			lb_loc_str(c, sizeof(c), &s->c_where));
	if (*s->created_by.func)
		fprintf(f, "   created by: %s\n", lb_frame_str(b, sizeof(b), &s->created_by, 0));
	fprintf(f, "   evidence:\n");
	for (i = 0; i < s->n_evidence; i++) {
		fprintf(f, "     - ");
		wrap(f, "       ", s->evidence[i], 88);
	}
	if (s->n_quotes) {
		fprintf(f, "   code:\n");
		for (i = 0; i < s->n_quotes; i++) {
			const struct lb_quote *q = &s->quotes[i];
			snprintf(c, sizeof(c), "%s:%lld", lb_basename(q->file), (long long)q->line);
			fprintf(f, "     %-16s %s    // <- %s\n", c, q->text, q->note);
		}
	}
	if (s->n_top && n_stacks) {
		fprintf(f, "   stacks (heaviest first, root to leaf, => blamed frame):\n");
		for (i = 0; i < s->n_top && i < n_stacks; i++) {
			const struct lb_stack *st = s->top[i];
			const struct lb_kind *k = s->top_kind;
			double last = st->value[k->n_points - 1];
			if (k->id == LB_GOROUTINE || k->id == LB_DUMP)
				fprintf(f, "     %.0f goroutines%s%s%s:\n", last, *st->state ? " [" : "", st->state,
					*st->state ? "]" : "");
			else
				fprintf(f, "     %s in use:\n", lb_fmt_bytes(c, sizeof(c), last));
			stack_lines(f, st);
		}
	}
	fprintf(f, "   how sure:\n     ");
	wrap(f, "     ", s->assessment, 90);
	fprintf(f, "   fix:\n     ");
	wrap(f, "     ", s->recommendation, 90);
}

void lb_render_text(FILE *f, const struct lb_report *r)
{
	size_t i, j;
	char t0[LW_ARCHIVE_CSV_TIME_LEN], d[32], lim[256];

	for (i = 0; i < r->n_targets; i++) {
		const struct lb_target *t = r->targets[i];
		size_t shown = 0;
		enum lw_trend_verdict worst = LW_TREND_STEADY;
		for (j = 0; j < t->n_sus; j++)
			if (t->sus[j]->verdict > worst)
				worst = t->sus[j]->verdict;
		if (i)
			fprintf(f, "\n");
		fprintf(f, "service %s: ", *t->service ? t->service : "(unnamed)");
		if (t->n_snapshots)
			fprintf(f, "%zu snapshots from %s over %s (", t->n_snapshots,
				lw_archive_csv_time(t0, sizeof(t0), t->t_first),
				lb_fmt_duration(d, sizeof(d), (double)(t->t_last - t->t_first) / 1e9));
		else
			fprintf(f, "no profiles (");
		kinds_line(f, t);
		fprintf(f, ")\n");
		if (t->n_sus == 0)
			fprintf(f, "verdict: no leak%s%s%s\n", t->note ? " (" : "", t->note ? t->note : "",
				t->note ? ")" : "");
		else
			fprintf(f, "verdict: %s: %zu suspect%s\n", worst == LW_TREND_LEAK ? "LEAK" : "GROWING",
				t->n_sus, t->n_sus == 1 ? "" : "s");
		if (r->opts->trend.limit > 0)
			fprintf(f, "time to limit: %s\n",
				lb_limit_line(lim, sizeof(lim), &t->limit, r->opts->trend.limit));
		for (j = 0; j < t->n_sus; j++) {
			if (t->sus[j]->rank < 0)
				continue;
			fprintf(f, "\n");
			suspect(f, t->sus[j], (size_t)r->opts->n_stacks);
			shown++;
		}
		if (shown < t->n_sus)
			fprintf(f, "\n(%zu more suspects: --max-suspects shows them)\n", t->n_sus - shown);
		fprintf(f, "\n");
		picture(f, t);
	}
}
