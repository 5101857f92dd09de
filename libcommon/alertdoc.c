/* alertdoc.c: see alertdoc.h. */
#include "alertdoc.h"

static void kv_str(struct lw_json *j, const char *k, const char *v)
{
	lw_json_key(j, k);
	if (v)
		lw_json_string(j, v);
	else
		lw_json_null(j);
}

static void kv_num(struct lw_json *j, const char *k, double v)
{
	lw_json_key(j, k);
	lw_json_double(j, v);
}

void lw_alert_begin(struct lw_json *j, const struct lw_alert *a)
{
	lw_json_begin_object(j);
	kv_str(j, "id", a->id);
	kv_str(j, "tool", a->tool);
	kv_str(j, "service", a->service);
	kv_str(j, "what", a->what);
	kv_str(j, "kind", a->kind);
	kv_str(j, "rule", a->rule);
	kv_str(j, "severity", a->severity);
	kv_num(j, "rate_per_hour", a->rate_per_hour);
	kv_str(j, "unit", a->unit);
	kv_num(j, "confidence", a->confidence);
	kv_num(j, "time_to_limit_seconds", a->ttl_seconds);
}

void lw_alert_top_key(struct lw_json *j, const char *key, const char *kind, const char *verdict,
		      double rate_per_hour, double share)
{
	lw_json_begin_object(j);
	kv_str(j, "key", key);
	kv_str(j, "kind", kind);
	kv_str(j, "verdict", verdict);
	kv_num(j, "rate_per_hour", rate_per_hour);
	kv_num(j, "share", share);
	lw_json_end_object(j);
}
