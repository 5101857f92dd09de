/* alerts.c: which series fire an alert, and the alerts document.
 *
 * One alert per group at most: a group's total or one of its keys with the
 * verdict "leak" at or above the rate threshold (--alert-rate for bytes,
 * --alert-goroutines for goroutine counts), and with --limit, one per
 * target whose memory (rss from memstats.csv, else the heap total) reaches
 * the limit sooner than --alert-ttl. Plateaus, steady and noisy series never
 * fire: the verdict already weighed the sampling noise.
 */
#include <math.h>

#include "alertdoc.h"
#include "err.h"
#include "json.h"
#include "units.h"
#include "trendfit.h"

static void push(struct tf_alerts *a, const char *what, const struct lw_trend_series *se,
		 double threshold)
{
	a->v = lw_xreallocarray(a->v, a->n + 1, sizeof(*a->v));
	a->v[a->n].what = what;
	a->v[a->n].se = se;
	a->v[a->n].threshold = threshold;
	a->n++;
}

/* The rate threshold of a group and the name of its alert; -1 if the group
 * has no rate alert (heap object counts). */
static double group_threshold(const struct lw_trend_group *g, const struct tf_opts *o,
			      const char **what)
{
	int bytes = strcmp(g->unit, "bytes") == 0;

	if (!strcmp(g->kind, "heap") || !strcmp(g->kind, "cgo")) {
		*what = !strcmp(g->kind, "heap") ? "heap growth" : "cgo growth";
		return bytes ? o->alert_rate : -1;
	}
	if (!strcmp(g->kind, "goroutine") || !strcmp(g->kind, "goroutineleak")) {
		*what = "goroutine growth";
		return o->alert_goroutines;
	}
	if (!strcmp(g->kind, "series")) {
		*what = "series growth";
		return bytes ? o->alert_rate : o->alert_goroutines;
	}
	return -1;
}

static int fires(const struct lw_trend_series *se, double threshold)
{
	return se->fit.verdict == LW_TREND_LEAK && se->fit.ts_per_hour >= threshold;
}

static const struct lw_trend_group *find_group(const struct lw_trend_set *s, const char *target,
					       const char *kind, const char *unit)
{
	size_t i;
	for (i = 0; i < s->n_groups; i++) {
		const struct lw_trend_group *g = s->groups[i];
		if (!strcmp(g->target, target) && !strcmp(g->kind, kind) && !strcmp(g->unit, unit))
			return g;
	}
	return NULL;
}

void tf_find_alerts(const struct lw_trend_set *s, const struct tf_opts *o, struct tf_alerts *out)
{
	size_t gi, i;

	for (gi = 0; gi < s->n_groups; gi++) {
		const struct lw_trend_group *g = s->groups[gi];
		const char *what = NULL;
		double thr;

		if (!strcmp(g->kind, "memstats")) {
			/* the process as the kernel and the runtime see it */
			const struct lw_trend_series *rss = lw_trend_find(g, "rss");
			const struct lw_trend_series *gor = lw_trend_find(g, "goroutines");
			if (rss && fires(rss, o->alert_rate))
				push(out, "rss growth", rss, o->alert_rate);
			if (gor && fires(gor, o->alert_goroutines))
				push(out, "goroutine growth", gor, o->alert_goroutines);
			continue;
		}
		thr = group_threshold(g, o, &what);
		if (thr < 0)
			continue;
		{
			struct lw_trend_series **v = tf_sorted_series(g);
			for (i = 0; i < g->n_series; i++) {
				if (fires(v[i], thr)) {
					push(out, what, v[i], thr);
					break;
				}
			}
			free(v);
		}
	}
	if (o->trend.limit <= 0)
		return;
	for (gi = 0; gi < s->n_groups; gi++) {
		const struct lw_trend_group *g = s->groups[gi];
		const struct lw_trend_series *primary = NULL;

		/* one time-to-limit alert per target: rss when known, else heap */
		if (!strcmp(g->kind, "memstats") && !strcmp(g->unit, "bytes")) {
			primary = lw_trend_find(g, "rss");
		} else if (!strcmp(g->kind, "heap") && !strcmp(g->unit, "bytes")) {
			const struct lw_trend_group *ms = find_group(s, g->target, "memstats", "bytes");
			if (ms && lw_trend_find(ms, "rss"))
				continue;
			primary = g->n_series && g->series[0]->is_total ? g->series[0] : NULL;
		} else if (!strcmp(g->kind, "series") && !strcmp(g->unit, "bytes")) {
			primary = g->series[0];
		}
		if (primary && primary->fit.ttl_hours < o->alert_ttl_hours)
			push(out, "time to limit", primary, o->alert_ttl_hours);
	}
}

/* The keys behind an alert: the growing keys of the alert's own group, or
 * for process-wide alerts (memstats, time to limit) of the target's heap. */
static void top_keys(struct lw_json *j, const struct lw_trend_set *s, const struct tf_alert *a)
{
	const struct lw_trend_group *g = a->se->group;
	struct lw_trend_series **v;
	size_t i, shown = 0;

	if (!strcmp(g->kind, "memstats") || !strcmp(a->what, "time to limit")) {
		const struct lw_trend_group *h = find_group(s, g->target, "heap", "bytes");
		if (!strcmp(g->kind, "memstats") && !strcmp(a->se->key, "goroutines"))
			h = find_group(s, g->target, "goroutine", "count");
		if (h)
			g = h;
	}
	lw_json_key(j, "top_keys");
	lw_json_begin_array(j);
	v = tf_sorted_series(g);
	for (i = 0; i < g->n_series && shown < 5; i++) {
		const struct lw_trend_fit *f = &v[i]->fit;
		if (v[i]->is_total || !(f->ts_per_hour > 0) ||
		    (f->verdict != LW_TREND_LEAK && f->verdict != LW_TREND_GROWING))
			continue;
		lw_alert_top_key(j, v[i]->key, g->kind, lw_trend_verdict_name(f->verdict),
				 f->ts_per_hour, f->share);
		shown++;
	}
	free(v);
	lw_json_end_array(j);
}

/* The alert's "kind", as scripts/notify reads it (a kind containing
 * "goroutine" becomes a GoroutineLeak alert, anything else MemoryLeak). */
static const char *alert_kind(const struct tf_alert *a, const struct tf_opts *o)
{
	const struct lw_trend_group *g = a->se->group;

	if (!strcmp(g->kind, "memstats"))
		return a->se->key; /* "rss", "goroutines" */
	if (!strcmp(g->kind, "heap"))
		return o->src.sample_index ? o->src.sample_index : "inuse_space";
	return g->kind;
}

static const char *alert_rule(const struct tf_alert *a)
{
	if (!strcmp(a->what, "time to limit"))
		return "ttl";
	return !strcmp(a->se->group->unit, "bytes") ? "rate" : "goroutines";
}

static const char *alert_service(const struct tf_alert *a, const struct tf_opts *o)
{
	const char *t = a->se->group->target;
	return *t ? t : o->service && *o->service ? o->service : "unknown";
}

static void alert_body(struct lw_json *j, const struct lw_trend_set *s, const struct tf_alert *a,
		       const struct tf_opts *o)
{
	const struct lw_trend_series *se = a->se;
	const struct lw_trend_fit *f = &se->fit;
	const char *rule = alert_rule(a), *service = alert_service(a, o);
	const char *kind = alert_kind(a, o);
	int bytes = !strcmp(se->group->unit, "bytes");
	int ttl = !strcmp(rule, "ttl");
	/* critical: the limit is near, or ten times the alert rate */
	int critical = ttl || f->ttl_hours < o->alert_ttl_hours || f->ts_per_hour >= 10 * a->threshold;
	char buf[512], rate[64];

	if (bytes)
		lw_format_bytes_iec(rate, sizeof(rate), f->ts_per_hour);
	else
		snprintf(rate, sizeof(rate), "%.0f", f->ts_per_hour);
	snprintf(buf, sizeof(buf), "trend-fit/%s/%s/%s/%s", service, kind, se->key, rule);
	lw_alert_begin(j, &(struct lw_alert){
		.id = buf,
		.tool = "trend-fit",
		.service = service,
		.what = se->key,
		.kind = kind,
		.rule = rule,
		.severity = critical ? "critical" : "warning",
		.rate_per_hour = f->ts_per_hour,
		.unit = bytes ? "bytes"
		      : !strcmp(se->group->kind, "goroutine") || !strcmp(se->key, "goroutines")
			      ? "goroutines"
			      : se->group->unit,
		/* confidence that the series trends at all: 1 - its FDR q-value */
		.confidence = isnan(f->q) ? NAN : 1 - f->q,
		.ttl_seconds = isfinite(f->ttl_hours) ? f->ttl_hours * 3600 : NAN,
	});
	top_keys(j, s, a);
	if (ttl)
		snprintf(buf, sizeof(buf), "%s: %s reaches the limit in %.1f h (+%s%s/h)", service,
			 se->key, f->ttl_hours, rate, bytes ? "" : " goroutines");
	else
		snprintf(buf, sizeof(buf), "%s: %s %s grows %s%s/h (%s, q=%.2g)", service, kind,
			 se->key, rate, bytes ? "" : " goroutines", lw_trend_verdict_name(f->verdict),
			 f->q);
	lw_json_key(j, "summary");
	lw_json_string(j, buf);
	/* the rest is trend-fit's own detail */
	lw_json_key(j, "target");
	lw_json_string(j, se->group->target);
	lw_json_key(j, "series_kind");
	lw_json_string(j, se->group->kind);
	lw_json_key(j, "verdict");
	lw_json_string(j, lw_trend_verdict_name(f->verdict));
	lw_json_key(j, "ci_per_hour");
	lw_json_begin_array(j);
	lw_json_double(j, f->ci_low);
	lw_json_double(j, f->ci_high);
	lw_json_end_array(j);
	lw_json_key(j, ttl ? "threshold_hours" : "threshold_per_hour");
	lw_json_double(j, a->threshold);
	lw_json_key(j, "q");
	lw_json_double(j, f->q);
	lw_json_key(j, "points");
	lw_json_int(j, (int64_t)f->points);
	lw_json_key(j, "first");
	lw_json_double(j, f->first);
	lw_json_key(j, "last");
	lw_json_double(j, f->last);
	lw_json_end_object(j);
}

void tf_write_alerts(FILE *f, const struct lw_trend_set *s, const struct tf_alerts *a,
		     const struct tf_opts *o)
{
	struct lw_json j;

	lw_json_init(&j, f, 1);
	lw_json_begin_object(&j);
	lw_json_key(&j, "tool");
	lw_json_string(&j, "trend-fit");
	if (o->service && *o->service) {
		lw_json_key(&j, "service");
		lw_json_string(&j, o->service);
	}
	lw_json_key(&j, "alerts");
	tf_alerts_json_array(&j, s, a, o);
	tf_json_finish_report(&j, o);
}

void tf_alerts_json_array(struct lw_json *j, const struct lw_trend_set *s,
			  const struct tf_alerts *a, const struct tf_opts *o)
{
	size_t i;

	lw_json_begin_array(j);
	for (i = 0; i < a->n; i++)
		alert_body(j, s, &a->v[i], o);
	lw_json_end_array(j);
}

void tf_json_finish_report(struct lw_json *j, const struct tf_opts *o)
{
	lw_json_key(j, "limit_bytes");
	if (o->trend.limit > 0)
		lw_json_double(j, o->trend.limit);
	else
		lw_json_null(j);
	lw_json_end_object(j);
	lw_json_finish(j);
}
