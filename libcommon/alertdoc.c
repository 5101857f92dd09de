/* alertdoc.c: see alertdoc.h. */
#include "alertdoc.h"

void lw_alert_begin(struct lw_json *j, const struct lw_alert *a)
{
	lw_json_begin_object(j);
	lw_json_kv_str(j, "id", a->id);
	lw_json_kv_str(j, "tool", a->tool);
	lw_json_kv_str(j, "service", a->service);
	lw_json_kv_str(j, "what", a->what);
	lw_json_kv_str(j, "kind", a->kind);
	lw_json_kv_str(j, "rule", a->rule);
	lw_json_kv_str(j, "severity", a->severity);
	lw_json_kv_double(j, "rate_per_hour", a->rate_per_hour);
	lw_json_kv_str(j, "unit", a->unit);
	lw_json_kv_double(j, "confidence", a->confidence);
	lw_json_kv_double(j, "time_to_limit_seconds", a->ttl_seconds);
}

void lw_alert_top_key(struct lw_json *j, const char *key, const char *kind, const char *verdict,
		      double rate_per_hour, double share)
{
	lw_json_begin_object(j);
	lw_json_kv_str(j, "key", key);
	lw_json_kv_str(j, "kind", kind);
	lw_json_kv_str(j, "verdict", verdict);
	lw_json_kv_double(j, "rate_per_hour", rate_per_hour);
	lw_json_kv_double(j, "share", share);
	lw_json_end_object(j);
}
