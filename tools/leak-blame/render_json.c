/* render_json.c: the machine-readable report (schema in leak-blame.1).
 *
 * Top level: tool, version, archive, fail_on, verdict, services (each with
 * its window, snapshot counts and memory picture) and suspects, a flat
 * list over all services in rank order: scripts/notify reads it as is.
 */
#include <math.h>

#include "archive.h"
#include "blame.h"
#include "json.h"

static void time_str(struct lw_json *j, const char *k, int64_t t)
{
	char b[LW_ARCHIVE_CSV_TIME_LEN];
	lw_json_kv_str(j, k, lw_archive_csv_time(b, sizeof(b), t));
}

static void frame_obj(struct lw_json *j, const char *k, const struct lb_frame *f)
{
	lw_json_key(j, k);
	if (!*f->func) {
		lw_json_null(j);
		return;
	}
	lw_json_begin_object(j);
	lw_json_kv_str(j, "function", f->func);
	lw_json_kv_str(j, "file", f->file);
	lw_json_kv_int(j, "line", f->line);
	lw_json_end_object(j);
}

static void frames(struct lw_json *j, const struct lb_stack *st)
{
	size_t i;
	char b[1024];

	lw_json_begin_array(j);
	for (i = st->n_frames; i-- > 0;)
		lw_json_string(j, lb_frame_str(b, sizeof(b), &st->frames[i], 1));
	lw_json_end_array(j);
}

static void series(struct lw_json *j, const int64_t *t, const double *v, size_t n)
{
	size_t i;

	lw_json_key(j, "times");
	lw_json_begin_array(j);
	for (i = 0; i < n; i++)
		lw_json_double(j, (double)(t[i] / 1000000) / 1000.0);
	lw_json_end_array(j);
	lw_json_key(j, "values");
	lw_json_begin_array(j);
	for (i = 0; i < n; i++)
		lw_json_double(j, v[i]);
	lw_json_end_array(j);
}

static void suspect(struct lw_json *j, const struct lb_target *t, const struct lb_suspect *s,
		    size_t n_stacks)
{
	const double *v;
	const int64_t *tt;
	size_t n, i;

	lw_json_begin_object(j);
	lw_json_kv_int(j, "rank", s->rank);
	lw_json_kv_str(j, "service", t->service);
	lw_json_kv_str(j, "function", s->function);
	lw_json_kv_str(j, "file", *s->where.file ? s->where.file : NULL);
	if (s->where.line > 0)
		lw_json_kv_int(j, "line", s->where.line);
	else {
		lw_json_key(j, "line");
		lw_json_null(j);
	}
	lw_json_kv_str(j, "source", s->source);
	lw_json_kv_str(j, "pattern", lb_pattern_name(s->pattern));
	lw_json_kv_str(j, "pattern_title", lb_pattern_title(s->pattern));
	lw_json_kv_str(j, "pattern_confidence", lb_sure_name(s->pattern_sure));
	lw_json_kv_str(j, "verdict", lw_trend_verdict_name(s->verdict));
	lw_json_kv_str(j, "severity", s->verdict == LW_TREND_LEAK ? "warning" : "info");
	lw_json_kv_double(j, "bytes_per_hour", s->bytes_per_hour);
	lw_json_kv_double(j, "goroutines_per_hour", s->goroutines_per_hour);
	lw_json_kv_double(j, "share", s->share);
	lw_json_kv_double(j, "confidence", s->confidence);
	lw_json_kv_double(j, "q", s->q);
	lw_json_kv_str(j, "unit", s->unit);
	lw_json_kv_double(j, "first", s->first);
	lw_json_kv_double(j, "last", s->last);
	lw_json_kv_int(j, "points", (int64_t)s->points);
	lw_json_kv_str(j, "c_function", s->c_function);
	frame_obj(j, "c_location", &s->c_where);
	lw_json_key(j, "goroutines");
	if (s->gkey) {
		lw_json_begin_object(j);
		lw_json_kv_str(j, "waiting_in", s->gkey->name);
		lw_json_kv_str(j, "state", *s->state ? s->state : NULL);
		lw_json_kv_double(j, "wait_minutes_max", s->wait_max_minutes);
		lw_json_kv_str(j, "blocking_call", s->blocked_call);
		frame_obj(j, "blocked_at", &s->blocked_at);
		frame_obj(j, "created_by", &s->created_by);
		lw_json_end_object(j);
	} else {
		lw_json_null(j);
	}
	lw_json_key(j, "related");
	lw_json_begin_array(j);
	for (i = 0; i < s->n_related; i++) {
		lw_json_begin_object(j);
		lw_json_kv_str(j, "function", s->related[i]->name);
		lw_json_kv_str(j, "source", s->related_kind[i]->name);
		lw_json_kv_double(j, "bytes_per_hour", s->related[i]->se->fit.ts_per_hour);
		lw_json_kv_str(j, "verdict", lw_trend_verdict_name(s->related[i]->se->fit.verdict));
		lw_json_end_object(j);
	}
	lw_json_end_array(j);
	lw_json_key(j, "code");
	lw_json_begin_array(j);
	for (i = 0; i < s->n_quotes; i++) {
		lw_json_begin_object(j);
		lw_json_kv_str(j, "file", s->quotes[i].file);
		lw_json_kv_int(j, "line", s->quotes[i].line);
		lw_json_kv_str(j, "text", s->quotes[i].text);
		lw_json_kv_str(j, "note", s->quotes[i].note);
		lw_json_end_object(j);
	}
	lw_json_end_array(j);
	lw_json_key(j, "evidence");
	lw_json_begin_array(j);
	for (i = 0; i < s->n_evidence; i++)
		lw_json_string(j, s->evidence[i]);
	lw_json_end_array(j);
	lw_json_kv_str(j, "assessment", s->assessment);
	lw_json_kv_str(j, "recommendation", s->recommendation);
	lw_json_key(j, "stack");
	if (s->n_top)
		frames(j, s->top[0]);
	else {
		lw_json_begin_array(j);
		lw_json_end_array(j);
	}
	lw_json_key(j, "stacks");
	lw_json_begin_array(j);
	for (i = 0; i < s->n_top && i < n_stacks; i++) {
		const struct lb_kind *k = s->top_kind;
		lw_json_begin_object(j);
		lw_json_kv_double(j, "value", s->top[i]->value[k->n_points - 1]);
		lw_json_kv_str(j, "unit", k->id == LB_HEAP || k->id == LB_CGO ? "bytes" : "goroutines");
		if (*s->top[i]->state)
			lw_json_kv_str(j, "state", s->top[i]->state);
		lw_json_key(j, "frames");
		frames(j, s->top[i]);
		lw_json_end_object(j);
	}
	lw_json_end_array(j);
	lw_json_key(j, "series");
	if (lb_suspect_series(s, &v, &tt, &n) == 0) {
		lw_json_begin_object(j);
		lw_json_kv_str(j, "unit", s->kind->id == LB_HEAP || s->kind->id == LB_CGO ? "bytes" : "goroutines");
		series(j, tt, v, n);
		lw_json_end_object(j);
	} else if (s->pattern == LB_PAT_UNEXPLAINED && t->pic.se_part[LB_PART_UNEXPLAINED]) {
		lw_json_begin_object(j);
		lw_json_kv_str(j, "unit", "bytes");
		series(j, t->pic.times, t->pic.part[LB_PART_UNEXPLAINED], t->pic.n);
		lw_json_end_object(j);
	} else {
		lw_json_null(j);
	}
	lw_json_end_object(j);
}

/* With --limit: {"bytes", "basis", "last", "bytes_per_hour", "verdict",
 * "time_to_limit_seconds"}; null without. */
static void limit(struct lw_json *j, const struct lb_target *t, double bytes)
{
	const struct lb_limit *l = &t->limit;

	lw_json_key(j, "limit");
	if (bytes <= 0) {
		lw_json_null(j);
		return;
	}
	lw_json_begin_object(j);
	lw_json_kv_double(j, "bytes", bytes);
	lw_json_kv_str(j, "basis", l->basis);
	lw_json_kv_double(j, "last", l->basis ? l->last : NAN);
	lw_json_kv_double(j, "bytes_per_hour", l->basis ? l->bytes_per_hour : NAN);
	lw_json_kv_str(j, "verdict", l->basis ? lw_trend_verdict_name(l->verdict) : NULL);
	/* INFINITY (not growing) is null too, as in the alerts */
	lw_json_kv_double(j, "time_to_limit_seconds", isfinite(l->ttl_hours) ? l->ttl_hours * 3600 : NAN);
	lw_json_end_object(j);
}

static void picture(struct lw_json *j, const struct lb_target *t)
{
	static const char *const names[LB_NPARTS] = { "go_heap", "stacks", "runtime", "c_heap",
						       "unexplained" };
	const struct lb_picture *p = &t->pic;
	size_t i;

	lw_json_key(j, "picture");
	if (!p->available) {
		lw_json_null(j);
		return;
	}
	lw_json_begin_object(j);
	lw_json_key(j, "traced_c_heap");
	lw_json_bool(j, p->traced_c);
	lw_json_key(j, "parts");
	lw_json_begin_array(j);
	for (i = 0; i <= LB_NPARTS; i++) {
		const char *verdict;
		double first, last, rate;
		if (lb_picture_row(p, (int)i, &first, &last, &rate, &verdict))
			continue;
		lw_json_begin_object(j);
		lw_json_kv_str(j, "part", i == 0 ? "rss" : names[i - 1]);
		lw_json_kv_double(j, "first", first);
		lw_json_kv_double(j, "last", last);
		lw_json_kv_double(j, "bytes_per_hour", rate);
		lw_json_kv_str(j, "verdict", verdict);
		lw_json_end_object(j);
	}
	lw_json_end_array(j);
	lw_json_key(j, "times");
	lw_json_begin_array(j);
	for (i = 0; i < p->n; i++)
		lw_json_double(j, (double)(p->times[i] / 1000000) / 1000.0);
	lw_json_end_array(j);
	lw_json_key(j, "values");
	lw_json_begin_object(j);
	lw_json_key(j, "rss");
	lw_json_begin_array(j);
	for (i = 0; i < p->n; i++)
		lw_json_double(j, p->rss[i]);
	lw_json_end_array(j);
	for (size_t k = 0; k < LB_NPARTS; k++) {
		if (k == LB_PART_CHEAP && !p->traced_c)
			continue;
		lw_json_key(j, names[k]);
		lw_json_begin_array(j);
		for (i = 0; i < p->n; i++)
			lw_json_double(j, p->part[k][i]);
		lw_json_end_array(j);
	}
	lw_json_end_object(j);
	lw_json_end_object(j);
}

static const char *overall(const struct lb_report *r)
{
	size_t i, j;
	enum lw_trend_verdict w = LW_TREND_STEADY;

	for (i = 0; i < r->n_targets; i++)
		for (j = 0; j < r->targets[i]->n_sus; j++)
			if (r->targets[i]->sus[j]->verdict > w)
				w = r->targets[i]->sus[j]->verdict;
	return w == LW_TREND_LEAK ? "leak" : w == LW_TREND_GROWING ? "growing" : "ok";
}

void lb_render_json(FILE *f, const struct lb_report *r)
{
	struct lw_json j;
	size_t i, k;

	lw_json_init(&j, f, 1);
	lw_json_begin_object(&j);
	lw_json_kv_str(&j, "tool", "leak-blame");
	lw_json_kv_str(&j, "version", LW_VERSION);
	lw_json_kv_str(&j, "archive", r->archive);
	lw_json_kv_str(&j, "fail_on", lw_trend_verdict_name(r->opts->fail_on));
	lw_json_kv_str(&j, "verdict", overall(r));
	lw_json_kv_str(&j, "service", r->n_targets == 1 ? r->targets[0]->service : NULL);
	lw_json_key(&j, "services");
	lw_json_begin_array(&j);
	for (i = 0; i < r->n_targets; i++) {
		const struct lb_target *t = r->targets[i];
		lw_json_begin_object(&j);
		lw_json_kv_str(&j, "service", t->service);
		lw_json_kv_str(&j, "target", t->name);
		lw_json_kv_int(&j, "snapshots", (int64_t)t->n_snapshots);
		if (t->n_snapshots) {
			time_str(&j, "start", t->t_first);
			time_str(&j, "end", t->t_last);
		}
		lw_json_key(&j, "kinds");
		lw_json_begin_object(&j);
		for (k = 0; k < LB_NKINDS; k++)
			if (t->kinds[k].n_points)
				lw_json_kv_int(&j, t->kinds[k].name, (int64_t)t->kinds[k].n_points);
		if (t->ms.n)
			lw_json_kv_int(&j, "memstats", (int64_t)t->ms.n);
		lw_json_end_object(&j);
		lw_json_kv_int(&j, "suspects", (int64_t)t->n_sus);
		lw_json_kv_str(&j, "note", t->note);
		limit(&j, t, r->opts->trend.limit);
		picture(&j, t);
		lw_json_end_object(&j);
	}
	lw_json_end_array(&j);
	lw_json_key(&j, "suspects");
	lw_json_begin_array(&j);
	for (i = 0; i < r->n_targets; i++)
		for (k = 0; k < r->targets[i]->n_sus; k++)
			if (r->targets[i]->sus[k]->rank > 0)
				suspect(&j, r->targets[i], r->targets[i]->sus[k], (size_t)r->opts->n_stacks);
	lw_json_end_array(&j);
	lw_json_end_object(&j);
	lw_json_finish(&j);
}
