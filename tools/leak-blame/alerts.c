/* alerts.c: the alert document of --alerts, for scripts/notify.
 *
 * The same schema trend-fit --alerts writes: {"tool", "service", "alerts":
 * [...]} with, per alert, a stable id (leak-blame/SERVICE/SOURCE/FUNCTION/
 * PATTERN, so that notify's deduplication recognises a leak that keeps
 * firing), what (the function), kind (heap, cgo, goroutine or rss), rule
 * (the pattern), severity, rate_per_hour in bytes, unit, confidence,
 * time_to_limit_seconds (with --limit: when the service's total memory
 * reaches it, limit.c; null without, or when it does not grow), top_keys,
 * summary and description (the
 * recommendation), plus leak-blame's own fields (pattern, file, line,
 * c_function, verdict). One alert per suspect at or above --fail-on; an
 * empty list when nothing fires, so notify resolves what fired before.
 */
#include <math.h>

#include "alertdoc.h"
#include "blame.h"
#include "json.h"

/* This document's strings: an empty one is null. */
static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

static void alert(struct lw_json *j, const struct lb_target *t, const struct lb_suspect *s)
{
	char id[1024], sum[1024], rate[64], loc[512];
	struct lb_buf d = { 0 };
	const char *service = *t->service ? t->service : "unknown";
	size_t i;

	snprintf(id, sizeof(id), "leak-blame/%s/%s/%s/%s", service, s->source, s->function,
		 lb_pattern_name(s->pattern));
	lb_loc_str(loc, sizeof(loc), &s->where);
	snprintf(sum, sizeof(sum), "%s: %s%s%s%s %s, %s", service, s->function, *loc ? " (" : "", loc,
		 *loc ? ")" : "", lb_pattern_title(s->pattern), lb_suspect_rate_str(rate, sizeof(rate), s));
	lb_buf_add(&d, s->recommendation);
	for (i = 0; i < s->n_quotes && i < 2; i++)
		lb_buf_addf(&d, "\n%s:%lld: %s", lb_basename(s->quotes[i].file),
			    (long long)s->quotes[i].line, s->quotes[i].text);

	lw_alert_begin(j, &(struct lw_alert){
		.id = nonempty(id),
		.tool = "leak-blame",
		.service = nonempty(service),
		.what = nonempty(s->function),
		.kind = nonempty(s->source),
		.rule = nonempty(lb_pattern_name(s->pattern)),
		.severity = "warning",
		.rate_per_hour = s->bytes_per_hour,
		.unit = "bytes",
		.confidence = s->confidence,
		.ttl_seconds = isfinite(t->limit.ttl_hours) ? t->limit.ttl_hours * 3600 : NAN,
	});
	lw_json_key(j, "top_keys");
	lw_json_begin_array(j);
	lw_alert_top_key(j, nonempty(s->function), nonempty(s->source),
			 nonempty(lw_trend_verdict_name(s->verdict)), s->bytes_per_hour, s->share);
	for (i = 0; i < s->n_related; i++)
		lw_alert_top_key(j, nonempty(s->related[i]->name), nonempty(s->related_kind[i]->name),
				 nonempty(lw_trend_verdict_name(s->related[i]->se->fit.verdict)),
				 s->related[i]->se->fit.ts_per_hour, s->related[i]->se->fit.share);
	lw_json_end_array(j);
	lw_json_kv_str(j, "summary", nonempty(sum));
	{
		char *desc = lb_buf_take(&d);
		lw_json_kv_str(j, "description", nonempty(desc));
		free(desc);
	}
	lw_json_kv_str(j, "pattern", nonempty(lb_pattern_name(s->pattern)));
	lw_json_kv_str(j, "pattern_confidence", nonempty(lb_sure_name(s->pattern_sure)));
	lw_json_kv_str(j, "verdict", nonempty(lw_trend_verdict_name(s->verdict)));
	lw_json_kv_str(j, "file", nonempty(s->where.file));
	lw_json_key(j, "line");
	if (s->where.line > 0)
		lw_json_int(j, s->where.line);
	else
		lw_json_null(j);
	lw_json_kv_str(j, "c_function", nonempty(s->c_function));
	lw_json_kv_double(j, "goroutines_per_hour", s->goroutines_per_hour);
	lw_json_end_object(j);
}

void lb_write_alerts(FILE *f, const struct lb_report *r)
{
	struct lw_json j;
	size_t i, k;

	lw_json_init(&j, f, 1);
	lw_json_begin_object(&j);
	lw_json_kv_str(&j, "tool", "leak-blame");
	lw_json_kv_str(&j, "service", nonempty(r->n_targets == 1 ? r->targets[0]->service : NULL));
	lw_json_key(&j, "alerts");
	lw_json_begin_array(&j);
	for (i = 0; i < r->n_targets; i++) {
		const struct lb_target *t = r->targets[i];
		for (k = 0; k < t->n_sus; k++)
			if (t->sus[k]->verdict >= r->opts->fail_on)
				alert(&j, t, t->sus[k]);
	}
	lw_json_end_array(&j);
	lw_json_key(&j, "limit_bytes");
	if (r->opts->trend.limit > 0)
		lw_json_double(&j, r->opts->trend.limit);
	else
		lw_json_null(&j);
	lw_json_end_object(&j);
	lw_json_finish(&j);
}
