/* output.c: trend-fit's reports: CSV (libcsv, one row per series), JSON
 * (series and alerts) and the text summary (overall verdict first, then per
 * group its total and top series). Series appear in a fixed order so that
 * reports diff cleanly: per group the total, then by verdict (leak first),
 * |Theil-Sen rate| descending, key.
 */
#include <math.h>

#include "csvout.h"
#include "err.h"
#include "units.h"
#include "trendfit.h"

static int verdict_rank(enum lw_trend_verdict v)
{
	switch (v) {
	case LW_TREND_LEAK:
		return 0;
	case LW_TREND_GROWING:
		return 1;
	case LW_TREND_PLATEAU:
		return 2;
	case LW_TREND_SHRINKING:
		return 3;
	case LW_TREND_STEADY:
		return 4;
	default:
		return 5;
	}
}

static int series_cmp(const void *pa, const void *pb)
{
	const struct lw_trend_series *a = *(struct lw_trend_series *const *)pa;
	const struct lw_trend_series *b = *(struct lw_trend_series *const *)pb;
	int ra, rb;
	double xa, xb;

	if (a->is_total != b->is_total)
		return a->is_total ? -1 : 1;
	ra = verdict_rank(a->fit.verdict);
	rb = verdict_rank(b->fit.verdict);
	if (ra != rb)
		return ra - rb;
	xa = isnan(a->fit.ts_per_hour) ? -1 : fabs(a->fit.ts_per_hour);
	xb = isnan(b->fit.ts_per_hour) ? -1 : fabs(b->fit.ts_per_hour);
	if (xa != xb)
		return xa > xb ? -1 : 1;
	return strcmp(a->key, b->key);
}

struct lw_trend_series **tf_sorted_series(const struct lw_trend_group *g)
{
	struct lw_trend_series **v = lw_xcalloc(g->n_series ? g->n_series : 1, sizeof(*v));

	if (g->n_series)
		memcpy(v, g->series, g->n_series * sizeof(*v));
	qsort(v, g->n_series, sizeof(*v), series_cmp);
	return v;
}

/* ---- CSV ---- */

static void csv_num(struct lw_csv_out *c, double v)
{
	char b[64];

	if (isnan(v))
		b[0] = '\0';
	else if (isinf(v))
		snprintf(b, sizeof(b), "%s", v > 0 ? "inf" : "-inf");
	else
		snprintf(b, sizeof(b), "%.10g", v);
	lw_csv_str(c, b);
}

static const char *const csv_cols[] = {
	"key", "kind", "points", "first", "last", "slope_per_hour", "theil_sen_per_hour",
	"ci_low", "ci_high", "r2", "mk_p", "q", "verdict", "share", "unit", "target", "warmup",
	"growth", "noise_floor", "wander", "late_per_hour", "plateau_p", "ttl_hours", NULL,
};

void tf_write_csv(FILE *f, const struct lw_trend_set *s)
{
	struct lw_csv_out c;
	size_t gi, i;

	lw_csv_init(&c, f);
	lw_csv_header(&c, csv_cols);
	for (gi = 0; gi < s->n_groups; gi++) {
		const struct lw_trend_group *g = s->groups[gi];
		struct lw_trend_series **v = tf_sorted_series(g);
		for (i = 0; i < g->n_series; i++) {
			const struct lw_trend_fit *ft = &v[i]->fit;
			lw_csv_str(&c, v[i]->key);
			lw_csv_str(&c, g->kind);
			lw_csv_int(&c, (int64_t)ft->points);
			csv_num(&c, ft->first);
			csv_num(&c, ft->last);
			csv_num(&c, ft->ls_per_hour);
			csv_num(&c, ft->ts_per_hour);
			csv_num(&c, ft->ci_low);
			csv_num(&c, ft->ci_high);
			csv_num(&c, ft->r2);
			csv_num(&c, ft->mk_p);
			csv_num(&c, ft->q);
			lw_csv_str(&c, lw_trend_verdict_name(ft->verdict));
			csv_num(&c, ft->share);
			lw_csv_str(&c, g->unit);
			lw_csv_str(&c, g->target);
			lw_csv_int(&c, (int64_t)ft->warmup);
			csv_num(&c, ft->growth);
			csv_num(&c, ft->noise_floor);
			csv_num(&c, ft->wander);
			csv_num(&c, ft->late_per_hour);
			csv_num(&c, ft->plateau_p);
			csv_num(&c, ft->ttl_hours);
			lw_csv_end_row(&c);
		}
		free(v);
	}
}

/* ---- JSON ---- */

static void json_series(struct lw_json *j, const struct lw_trend_series *se)
{
	const struct lw_trend_fit *f = &se->fit;
	const struct lw_trend_group *g = se->group;

	lw_json_begin_object(j);
	lw_json_key(j, "key");
	lw_json_string(j, se->key);
	lw_json_key(j, "total");
	lw_json_bool(j, se->is_total);
	lw_json_key(j, "kind");
	lw_json_string(j, g->kind);
	lw_json_key(j, "target");
	lw_json_string(j, g->target);
	lw_json_key(j, "unit");
	lw_json_string(j, g->unit);
	lw_json_key(j, "verdict");
	lw_json_string(j, lw_trend_verdict_name(f->verdict));
	lw_json_key(j, "points");
	lw_json_int(j, (int64_t)f->points);
	lw_json_key(j, "warmup");
	lw_json_int(j, (int64_t)f->warmup);
	lw_json_key(j, "first");
	lw_json_double(j, f->first);
	lw_json_key(j, "last");
	lw_json_double(j, f->last);
	lw_json_key(j, "slope_per_hour");
	lw_json_double(j, f->ls_per_hour);
	lw_json_key(j, "r2");
	lw_json_double(j, f->r2);
	lw_json_key(j, "theil_sen_per_hour");
	lw_json_double(j, f->ts_per_hour);
	lw_json_key(j, "ci_low");
	lw_json_double(j, f->ci_low);
	lw_json_key(j, "ci_high");
	lw_json_double(j, f->ci_high);
	lw_json_key(j, "mk_s");
	lw_json_int(j, f->mk_s);
	lw_json_key(j, "mk_p");
	lw_json_double(j, f->mk_p);
	lw_json_key(j, "q");
	lw_json_double(j, f->q);
	lw_json_key(j, "growth");
	lw_json_double(j, f->growth);
	lw_json_key(j, "noise_floor");
	lw_json_double(j, f->noise_floor);
	lw_json_key(j, "wander");
	lw_json_double(j, f->wander);
	lw_json_key(j, "late_per_hour");
	lw_json_double(j, f->late_per_hour);
	lw_json_key(j, "plateau_p");
	lw_json_double(j, f->plateau_p);
	lw_json_key(j, "share");
	lw_json_double(j, f->share);
	lw_json_key(j, "ttl_hours");
	lw_json_double(j, f->ttl_hours);
	lw_json_end_object(j);
}

void tf_write_json(FILE *f, const struct lw_trend_set *s, const struct tf_alerts *a,
		   const struct tf_opts *o)
{
	struct lw_json j;
	size_t gi, i;

	lw_json_init(&j, f, 1);
	lw_json_begin_object(&j);
	lw_json_key(&j, "groups");
	lw_json_begin_array(&j);
	for (gi = 0; gi < s->n_groups; gi++) {
		const struct lw_trend_group *g = s->groups[gi];
		struct lw_trend_series **v = tf_sorted_series(g);
		lw_json_begin_object(&j);
		lw_json_key(&j, "target");
		lw_json_string(&j, g->target);
		lw_json_key(&j, "kind");
		lw_json_string(&j, g->kind);
		lw_json_key(&j, "unit");
		lw_json_string(&j, g->unit);
		lw_json_key(&j, "snapshots");
		lw_json_int(&j, (int64_t)g->n_points);
		lw_json_key(&j, "sampling_step");
		lw_json_double(&j, g->quantum > 0 ? g->quantum : NAN);
		lw_json_key(&j, "first_time_ns");
		if (g->n_points)
			lw_json_int(&j, g->times[0]);
		else
			lw_json_null(&j);
		lw_json_key(&j, "last_time_ns");
		if (g->n_points)
			lw_json_int(&j, g->times[g->n_points - 1]);
		else
			lw_json_null(&j);
		lw_json_key(&j, "series");
		lw_json_begin_array(&j);
		for (i = 0; i < g->n_series; i++)
			json_series(&j, v[i]);
		lw_json_end_array(&j);
		lw_json_end_object(&j);
		free(v);
	}
	lw_json_end_array(&j);
	lw_json_key(&j, "alerts");
	tf_alerts_json_array(&j, s, a, o);
	tf_json_finish_report(&j, o);
}

/* ---- text ---- */

static char *fmt_amount(char *b, size_t n, double v, const char *unit)
{
	if (isnan(v))
		snprintf(b, n, "-");
	else if (!strcmp(unit, "bytes"))
		lw_format_bytes_iec(b, n, v);
	else
		snprintf(b, n, "%.6g", v);
	return b;
}

static char *fmt_rate(char *b, size_t n, double v, const char *unit)
{
	char a[40];

	if (isnan(v)) {
		snprintf(b, n, "-");
		return b;
	}
	fmt_amount(a, sizeof(a), fabs(v), unit);
	snprintf(b, n, "%s%s/h", v < 0 ? "-" : "+", a);
	return b;
}

static char *fmt_span(char *b, size_t n, int64_t ns)
{
	double s = (double)ns / 1e9;

	if (s < 120)
		snprintf(b, n, "%.1fs", s);
	else if (s < 7200)
		snprintf(b, n, "%.1fmin", s / 60);
	else if (s < 172800)
		snprintf(b, n, "%.1fh", s / 3600);
	else
		snprintf(b, n, "%.1fd", s / 86400);
	return b;
}

static void text_line(FILE *f, const struct lw_trend_series *se, int indent)
{
	const struct lw_trend_fit *ft = &se->fit;
	const char *unit = se->group->unit;
	char r[48], lo[48], hi[48], a[48], z[48], sh[32];

	if (ft->verdict == LW_TREND_TOO_SHORT) {
		fprintf(f, "%*s%-9s %s (%zu points)\n", indent, "", "too-short", se->key, ft->points);
		return;
	}
	if (isnan(ft->share))
		snprintf(sh, sizeof(sh), "      ");
	else
		snprintf(sh, sizeof(sh), "%5.1f%%", 100 * ft->share);
	fprintf(f, "%*s%-9s %14s [%s, %s]  %s  q=%.2g  %s -> %s  %s\n", indent, "",
		lw_trend_verdict_name(ft->verdict), fmt_rate(r, sizeof(r), ft->ts_per_hour, unit),
		fmt_rate(lo, sizeof(lo), ft->ci_low, unit), fmt_rate(hi, sizeof(hi), ft->ci_high, unit),
		sh, ft->q, fmt_amount(a, sizeof(a), ft->first, unit),
		fmt_amount(z, sizeof(z), ft->last, unit), se->key);
}

void tf_write_text(FILE *f, const struct lw_trend_set *s, const struct tf_alerts *a,
		   const struct tf_opts *o)
{
	size_t gi, i, leaks = 0;
	char b[64];

	for (gi = 0; gi < s->n_groups; gi++)
		for (i = 0; i < s->groups[gi]->n_series; i++)
			leaks += s->groups[gi]->series[i]->fit.verdict == LW_TREND_LEAK;
	fprintf(f, "verdict: %s (%zu leaking series, %zu alert%s)\n",
		a->n ? "ALERT" : leaks ? "leaks below the alert thresholds" : "no leak", leaks, a->n,
		a->n == 1 ? "" : "s");
	for (i = 0; i < a->n; i++) {
		const struct lw_trend_series *se = a->v[i].se;
		char r[48];
		if (!strcmp(a->v[i].what, "time to limit"))
			fprintf(f, "ALERT: %s%s%s: %s reaches the limit in %.1f h (%s)\n",
				se->group->target, *se->group->target ? " " : "", se->group->kind,
				se->key, se->fit.ttl_hours,
				fmt_rate(r, sizeof(r), se->fit.ts_per_hour, se->group->unit));
		else
			fprintf(f, "ALERT: %s: %s%s%s %s at %s (q=%.2g)\n", a->v[i].what,
				se->group->target, *se->group->target ? " " : "", se->group->kind,
				se->key, fmt_rate(r, sizeof(r), se->fit.ts_per_hour, se->group->unit),
				se->fit.q);
	}
	for (gi = 0; gi < s->n_groups; gi++) {
		const struct lw_trend_group *g = s->groups[gi];
		struct lw_trend_series **v = tf_sorted_series(g);
		size_t shown = 0;
		/* unsigned: times from 1678 to 2262 span more than INT64_MAX */
		uint64_t uspan = g->n_points ? (uint64_t)g->times[g->n_points - 1] - (uint64_t)g->times[0] : 0;
		int64_t span = uspan > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)uspan;

		fprintf(f, "\n%s%s%s (%s): %zu snapshots over %s", g->target, *g->target ? " " : "",
			g->kind, g->unit, g->n_points, fmt_span(b, sizeof(b), span));
		if (g->n_series)
			fprintf(f, ", warm-up %zu", g->series[0]->fit.warmup);
		if (g->quantum > 0)
			fprintf(f, ", sampling step %s", fmt_amount(b, sizeof(b), g->quantum, g->unit));
		fprintf(f, "\n");
		for (i = 0; i < g->n_series; i++) {
			if (!v[i]->is_total && (long)shown >= o->top)
				break;
			/* steady keys are noise in a summary: the CSV has them all */
			if (!v[i]->is_total && v[i]->fit.verdict == LW_TREND_STEADY && shown >= 3)
				break;
			text_line(f, v[i], 2);
			if (!v[i]->is_total)
				shown++;
		}
		if (i < g->n_series)
			fprintf(f, "  ... %zu more series (--format=csv lists all)\n", g->n_series - i);
		free(v);
	}
}
