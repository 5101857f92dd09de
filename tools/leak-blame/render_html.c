/* render_html.c: the report as one self-contained HTML file.
 *
 * No scripts, no fonts, no images, no links out: styles are inline and
 * every chart is inline SVG drawn here (memory over time as stacked areas
 * with RSS on top; each suspect's series as a line), so the file opens
 * offline, in a mail attachment or a CI artifact, and looks the same.
 */
#include <math.h>

#include "archive.h"
#include "blame.h"

static void esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

/* ---- charts ---- */

struct cseries {
	const char *name;
	const double *v;
	const char *color;
};

#define CW 720.0
#define CH 230.0
#define ML 78.0
#define MR 30.0
#define MT 50.0
#define MB 28.0

/* Axis labels in one unit chosen for the whole axis: "1.5 MiB", "250". */
static void fmt_axis(char *b, size_t sz, double v, double unit, int bytes)
{
	static const char *const names[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int k = 0;
	double u = unit;

	if (!bytes) {
		snprintf(b, sz, "%g", v);
		return;
	}
	while (u >= 1024 && k < 4) {
		u /= 1024;
		k++;
	}
	if (v == 0)
		snprintf(b, sz, "0");
	else
		snprintf(b, sz, "%g %s", v / unit, names[k]);
}

/* A "nice" step (1, 2, 5 x 10^k of the axis unit) for about four ticks;
 * bytes: the unit is the power of 1024 that keeps max below 1024 of it. */
static double nice_step(double max, int bytes, double *unit)
{
	double u = 1, raw, p, m;

	while (bytes && max / u >= 1024)
		u *= 1024;
	*unit = u;
	raw = max / u / 4;
	p = pow(10, floor(log10(raw)));
	m = raw / p;
	return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p * u;
}

static void chart(FILE *f, const char *title, const int64_t *t, size_t n, const struct cseries *s,
		  size_t ns, int stacked, int bytes, const struct cseries *line)
{
	double *cum = NULL, ymax = 0, step, x0 = 0, x1, y, unit;
	size_t i, k;
	char b[64];

	if (n < 1 || ns < 1)
		return;
	x1 = (double)(t[n - 1] - t[0]) / 1e9;
	if (x1 <= 0)
		x1 = 1;
	cum = calloc((ns + 1) * n, sizeof(double));
	if (!cum)
		return;
	for (i = 0; i < n; i++) {
		double acc = 0;
		for (k = 0; k < ns; k++) {
			double v = isfinite(s[k].v[i]) ? s[k].v[i] : 0;
			if (stacked) {
				acc += v > 0 ? v : 0;
				cum[(k + 1) * n + i] = acc;
			} else {
				cum[(k + 1) * n + i] = v;
				acc = fmax(acc, v);
			}
		}
		ymax = fmax(ymax, acc);
		if (line && isfinite(line->v[i]))
			ymax = fmax(ymax, line->v[i]);
	}
	if (ymax <= 0)
		ymax = 1;
	step = nice_step(ymax, bytes, &unit);
	ymax = ceil(ymax / step) * step;
#define X(sec) (ML + ((sec) - x0) / (x1 - x0) * (CW - ML - MR))
#define Y(v) (CH - MB - (v) / ymax * (CH - MT - MB))
	fprintf(f, "<svg class=\"chart\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\">\n",
		CW, CH, CW, CH);
	fprintf(f, "<title>");
	esc(f, title);
	fprintf(f, "</title>\n<text x=\"%.0f\" y=\"15\" class=\"ct\">", ML);
	esc(f, title);
	fprintf(f, "</text>\n");
	/* grid and axes */
	for (y = 0; y <= ymax + step / 2; y += step) {
		fmt_axis(b, sizeof(b), y, unit, bytes);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>", ML, Y(y),
			CW - MR, Y(y));
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", ML - 6, Y(y) + 4, b);
	}
	for (k = 0; k <= 4; k++) {
		double sec = x0 + (x1 - x0) * (double)k / 4;
		lb_fmt_duration(b, sizeof(b), sec);
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n", X(sec), CH - 8, b);
	}
	/* series */
	for (k = 0; k < ns; k++) {
		double *lo = cum + k * n, *hi = cum + (k + 1) * n;
		if (stacked) {
			fprintf(f, "<polygon fill=\"%s\" fill-opacity=\"0.75\" stroke=\"none\" points=\"", s[k].color);
			for (i = 0; i < n; i++)
				fprintf(f, "%.1f,%.1f ", X((double)(t[i] - t[0]) / 1e9), Y(hi[i]));
			for (i = n; i-- > 0;)
				fprintf(f, "%.1f,%.1f ", X((double)(t[i] - t[0]) / 1e9), Y(lo[i]));
			fprintf(f, "\"/>\n");
		} else {
			fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", s[k].color);
			for (i = 0; i < n; i++)
				fprintf(f, "%.1f,%.1f ", X((double)(t[i] - t[0]) / 1e9), Y(hi[i] > 0 ? hi[i] : 0));
			fprintf(f, "\"/>\n");
		}
	}
	if (line) {
		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\" points=\"", line->color);
		for (i = 0; i < n; i++)
			if (isfinite(line->v[i]))
				fprintf(f, "%.1f,%.1f ", X((double)(t[i] - t[0]) / 1e9), Y(line->v[i]));
		fprintf(f, "\"/>\n");
	}
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"axis\"/>", ML, CH - MB, CW - MR,
		CH - MB);
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"axis\"/>\n", ML, MT - 6, ML,
		CH - MB);
	/* legend */
	{
		double lx = ML;
		size_t total = ns + (line ? 1 : 0);
		for (k = 0; k < total; k++) {
			const struct cseries *c = k < ns ? &s[k] : line;
			fprintf(f, "<rect x=\"%.0f\" y=\"25\" width=\"10\" height=\"10\" fill=\"%s\"/>", lx, c->color);
			fprintf(f, "<text x=\"%.0f\" y=\"34\">", lx + 13);
			esc(f, c->name);
			fprintf(f, "</text>\n");
			lx += 24 + 6.0 * (double)strlen(c->name);
		}
	}
	fprintf(f, "</svg>\n");
#undef X
#undef Y
	free(cum);
}

/* ---- page ---- */

static const char style[] =
	"body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:24px auto;"
	"max-width:1080px;color:#1f2328;line-height:1.45;padding:0 16px}"
	"h1{font-size:24px;margin-bottom:4px}h2{font-size:20px;border-bottom:1px solid #d0d7de;"
	"padding-bottom:4px;margin-top:32px}h3{font-size:17px;margin:20px 0 6px}.suspect h3{margin-top:0}"
	"h4{font-size:14px;margin:14px 0 4px}.meta{color:#656d76;font-size:13px}"
	".limit{font-size:15px}"
	".verdict{font-size:16px;font-weight:600;padding:8px 12px;border-radius:6px;display:inline-block}"
	".leak{background:#ffebe9;color:#a40e26}.ok{background:#dafbe1;color:#116329}"
	".growing{background:#fff8c5;color:#7d4e00}"
	".suspect{border:1px solid #d0d7de;border-radius:8px;padding:14px 18px;margin:18px 0;"
	"background:#fff}"
	".badge{display:inline-block;font-size:12px;font-weight:600;padding:2px 8px;border-radius:12px;"
	"margin-left:6px;vertical-align:middle;background:#ddf4ff;color:#0550ae}"
	".badge.high{background:#dafbe1;color:#116329}.badge.medium{background:#fff8c5;color:#7d4e00}"
	".badge.low{background:#eaeef2;color:#57606a}"
	"code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}"
	"pre{background:#f6f8fa;border-radius:6px;padding:10px;overflow-x:auto;margin:4px 0}"
	".q{color:#8250df}.note{color:#656d76}.blamed{background:#fff8c5;font-weight:600}"
	"table{border-collapse:collapse;font-size:13px;margin:8px 0}"
	"th,td{border:1px solid #d0d7de;padding:4px 10px;text-align:left}"
	"td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f6f8fa}"
	".fix{background:#ddf4ff;border-left:4px solid #0969da;padding:8px 12px;border-radius:4px}"
	"svg.chart{max-width:100%;height:auto;background:#fff}"
	"svg text{font-size:11px;fill:#57606a;font-family:inherit}svg .ct{font-size:13px;fill:#1f2328;"
	"font-weight:600}svg .grid{stroke:#eaeef2}svg .axis{stroke:#8c959f}"
	"ul{margin:4px 0;padding-left:22px}li{margin:2px 0}";

static const char *const part_names[LB_NPARTS] = { "Go heap", "goroutine stacks", "other runtime",
						   "C heap (cgo-trace)", "unexplained" };
static const char *const part_colors[LB_NPARTS] = { "#54aeff", "#a475f9", "#8c959f", "#fb8f44",
						    "#ff8182" };

static void picture(FILE *f, const struct lb_target *t)
{
	const struct lb_picture *p = &t->pic;
	struct cseries s[LB_NPARTS], rss = { "RSS", p->rss, "#1f2328" };
	size_t k, ns = 0;
	char a[32], b[32], r[48];

	fprintf(f, "<h3>Memory picture</h3>\n");
	if (!p->available) {
		fprintf(f, "<p class=\"meta\">No memstats.csv with rss in the archive.</p>\n");
		return;
	}
	for (k = 0; k < LB_NPARTS; k++) {
		if (k == LB_PART_CHEAP && !p->traced_c)
			continue;
		s[ns].name = part_names[k];
		s[ns].v = p->part[k];
		s[ns].color = part_colors[k];
		ns++;
	}
	chart(f, "Resident memory (RSS) and its parts over time", p->times, p->n, s, ns, 1, 1, &rss);
	fprintf(f, "<table><tr><th>part</th><th>first</th><th>last</th><th>trend</th><th>verdict</th></tr>\n");
	for (k = 0; k <= LB_NPARTS; k++) {
		const char *verdict;
		double first, last, rate;
		if (lb_picture_row(p, (int)k, &first, &last, &rate, &verdict)) {
			fprintf(f, "<tr><td>C heap</td><td colspan=\"4\">not traced: no cgo-trace "
				   "profiles in the archive</td></tr>\n");
			continue;
		}
		fprintf(f, "<tr><td>%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
			   "<td>%s</td></tr>\n",
			k == 0 ? "<b>RSS</b>" : part_names[k - 1], lb_fmt_bytes(a, sizeof(a), first),
			lb_fmt_bytes(b, sizeof(b), last), lb_fmt_rate(r, sizeof(r), rate, "bytes"), verdict);
	}
	fprintf(f, "</table>\n<p class=\"meta\">RSS = Go heap (HeapInuse) + goroutine stacks (StackInuse) + "
		   "other runtime (Sys &minus; HeapInuse &minus; HeapReleased &minus; StackInuse, at most what "
		   "is left of RSS) + C heap outstanding in cgo-trace + unexplained.</p>\n");
}

static void stack_pre(FILE *f, const struct lb_stack *st)
{
	size_t k;
	char b[1024];

	fprintf(f, "<pre>");
	for (k = st->n_frames; k-- > 0;) {
		int blamed = (long)k == st->attr.blame;
		if (blamed)
			fprintf(f, "<span class=\"blamed\">");
		esc(f, lb_frame_str(b, sizeof(b), &st->frames[k], 1));
		if (blamed)
			fprintf(f, "</span>");
		fprintf(f, "\n");
	}
	fprintf(f, "</pre>\n");
}

static void suspect(FILE *f, const struct lb_target *t, const struct lb_suspect *s, size_t n_stacks)
{
	char b[1024], r[128];
	const double *v;
	const int64_t *tt;
	size_t n, i;

	fprintf(f, "<section class=\"suspect\" id=\"s%d\">\n<h3>#%d <code>", s->rank, s->rank);
	esc(f, s->function);
	fprintf(f, "</code>");
	if (*s->where.file) {
		fprintf(f, " <span class=\"meta\">");
		esc(f, lb_loc_str(b, sizeof(b), &s->where));
		fprintf(f, "</span>");
	}
	fprintf(f, "<span class=\"badge\">%s</span><span class=\"badge %s\">%s confidence</span></h3>\n",
		lb_pattern_title(s->pattern), lb_sure_name(s->pattern_sure), lb_sure_name(s->pattern_sure));
	fprintf(f, "<p><b>%s</b>", lb_suspect_rate_str(r, sizeof(r), s));
	if (isfinite(s->share))
		fprintf(f, ", %.0f%% of the %s growth", 100 * s->share, s->source);
	fprintf(f, "; verdict <b>%s</b>, confidence %.2f", lw_trend_verdict_name(s->verdict), s->confidence);
	if (s->c_function) {
		fprintf(f, "; C function <code>");
		esc(f, s->c_function);
		fprintf(f, "</code>%s%s", *s->c_where.file ? " " : "",
			*s->c_where.file ? lb_loc_str(b, sizeof(b), &s->c_where) : "");
	}
	if (*s->created_by.func) {
		fprintf(f, "; created by <code>");
		esc(f, lb_frame_str(b, sizeof(b), &s->created_by, 0));
		fprintf(f, "</code>");
	}
	fprintf(f, ".</p>\n");
	if (lb_suspect_series(s, &v, &tt, &n) == 0) {
		struct cseries cs = { s->key->name, v, "#cf222e" };
		int bytes = s->kind->id == LB_HEAP || s->kind->id == LB_CGO;
		snprintf(b, sizeof(b), "%s over time (%s)",
			 bytes ? (s->kind->id == LB_CGO ? "C heap in use" : "Go heap in use") : "goroutines",
			 s->kind->name);
		chart(f, b, tt, n, &cs, 1, 0, bytes, NULL);
	} else if (s->pattern == LB_PAT_UNEXPLAINED && t->pic.available) {
		struct cseries cs = { "unexplained", t->pic.part[LB_PART_UNEXPLAINED], "#cf222e" };
		chart(f, "Unexplained part of RSS over time", t->pic.times, t->pic.n, &cs, 1, 0, 1, NULL);
	}
	if (s->n_quotes) {
		fprintf(f, "<h4>Code</h4>\n<pre>");
		for (i = 0; i < s->n_quotes; i++) {
			fprintf(f, "<span class=\"note\">%s:%lld</span>  ", lb_basename(s->quotes[i].file),
				(long long)s->quotes[i].line);
			esc(f, s->quotes[i].text);
			fprintf(f, "  <span class=\"q\">&larr; %s</span>\n", s->quotes[i].note);
		}
		fprintf(f, "</pre>\n");
	}
	fprintf(f, "<h4>Evidence</h4>\n<ul>\n");
	for (i = 0; i < s->n_evidence; i++) {
		fprintf(f, "<li>");
		esc(f, s->evidence[i]);
		fprintf(f, "</li>\n");
	}
	fprintf(f, "</ul>\n<h4>How sure</h4>\n<p>");
	esc(f, s->assessment);
	fprintf(f, "</p>\n<h4>Fix</h4>\n<p class=\"fix\">");
	esc(f, s->recommendation);
	fprintf(f, "</p>\n");
	for (i = 0; i < s->n_top && i < n_stacks; i++) {
		const struct lb_kind *kd = s->top_kind;
		double last = s->top[i]->value[kd->n_points - 1];
		fprintf(f, "<details%s><summary>Stack %zu (root to leaf): ", i == 0 ? " open" : "", i + 1);
		if (kd->id == LB_HEAP || kd->id == LB_CGO)
			fprintf(f, "%s in use", lb_fmt_bytes(r, sizeof(r), last));
		else
			fprintf(f, "%.0f goroutines", last);
		fprintf(f, "</summary>\n");
		stack_pre(f, s->top[i]);
		fprintf(f, "</details>\n");
	}
	fprintf(f, "</section>\n");
}

void lb_render_html(FILE *f, const struct lb_report *r)
{
	size_t i, j;
	char t0[LW_ARCHIVE_CSV_TIME_LEN], d[32], rate[128], loc[512], lim[256];

	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>leak-blame: ");
	esc(f, r->n_targets == 1 && *r->targets[0]->service ? r->targets[0]->service : r->archive);
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>leak-blame report</h1>\n", style);
	fprintf(f, "<p class=\"meta\">archive <code>");
	esc(f, r->archive);
	fprintf(f, "</code> &middot; leak-blame %s &middot; fail on %s</p>\n", LW_VERSION,
		lw_trend_verdict_name(r->opts->fail_on));
	for (i = 0; i < r->n_targets; i++) {
		const struct lb_target *t = r->targets[i];
		enum lw_trend_verdict w = LW_TREND_STEADY;
		for (j = 0; j < t->n_sus; j++)
			if (t->sus[j]->verdict > w)
				w = t->sus[j]->verdict;
		fprintf(f, "<h2>Service <code>");
		esc(f, *t->service ? t->service : "(unnamed)");
		fprintf(f, "</code></h2>\n<p class=\"meta\">");
		if (t->n_snapshots)
			fprintf(f, "%zu snapshots from %s over %s", t->n_snapshots,
				lw_archive_csv_time(t0, sizeof(t0), t->t_first),
				lb_fmt_duration(d, sizeof(d), (double)(t->t_last - t->t_first) / 1e9));
		fprintf(f, "</p>\n");
		if (r->opts->trend.limit > 0) {
			fprintf(f, "<p class=\"limit\">Time to limit: ");
			esc(f, lb_limit_line(lim, sizeof(lim), &t->limit, r->opts->trend.limit));
			fprintf(f, "</p>\n");
		}
		if (!t->n_sus) {
			fprintf(f, "<p class=\"verdict ok\">No leak found</p>\n");
			if (t->note) {
				fprintf(f, "<p class=\"meta\">");
				esc(f, t->note);
				fprintf(f, "</p>\n");
			}
		}
		else
			fprintf(f, "<p class=\"verdict %s\">%s: %zu suspect%s</p>\n",
				w == LW_TREND_LEAK ? "leak" : "growing", w == LW_TREND_LEAK ? "Leak" : "Growing",
				t->n_sus, t->n_sus == 1 ? "" : "s");
		if (t->n_sus) {
			fprintf(f, "<table><tr><th>#</th><th>function</th><th>where</th><th>pattern</th>"
				   "<th>growth</th><th>share</th><th>verdict</th></tr>\n");
			for (j = 0; j < t->n_sus; j++) {
				const struct lb_suspect *s = t->sus[j];
				if (s->rank < 0)
					continue;
				fprintf(f, "<tr><td class=\"n\">%d</td><td><code>", s->rank);
				esc(f, s->function);
				fprintf(f, "</code></td><td>");
				esc(f, lb_loc_str(loc, sizeof(loc), &s->where));
				fprintf(f, "</td><td>%s (%s)</td><td class=\"n\">%s</td><td class=\"n\">",
					lb_pattern_title(s->pattern), lb_sure_name(s->pattern_sure),
					lb_suspect_rate_str(rate, sizeof(rate), s));
				if (isfinite(s->share))
					fprintf(f, "%.0f%%", 100 * s->share);
				fprintf(f, "</td><td>%s</td></tr>\n", lw_trend_verdict_name(s->verdict));
			}
			fprintf(f, "</table>\n");
		}
		picture(f, t);
		for (j = 0; j < t->n_sus; j++)
			if (t->sus[j]->rank > 0)
				suspect(f, t, t->sus[j], (size_t)r->opts->n_stacks);
	}
	fprintf(f, "</body>\n</html>\n");
}
