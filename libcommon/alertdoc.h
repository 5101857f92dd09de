/* alertdoc.h: one alert of the document scripts/notify reads.
 *
 * trend-fit --alerts and leak-blame --alerts write the same schema:
 * {"tool", "service", "alerts": [...], "limit_bytes"}, each alert opening
 * with the fields notify uses (id ... time_to_limit_seconds, then
 * top_keys), in this order. This module writes those, so the two tools
 * cannot drift apart; the document around them and each tool's own
 * fields after them stay with the tool.
 */
#ifndef LW_ALERTDOC_H
#define LW_ALERTDOC_H

#include "json.h"

struct lw_alert {
	const char *id, *tool, *service, *what, *kind, *rule, *severity; /* NULL: null */
	double rate_per_hour;
	const char *unit;    /* NULL: null */
	double confidence;   /* not finite: null */
	double ttl_seconds;  /* time_to_limit_seconds; not finite: null */
};

/* Begins the alert object and writes the common fields, up to and
 * including "time_to_limit_seconds". The caller goes on with "top_keys"
 * (lw_alert_top_key), summary, description, its own fields, and ends the
 * object. */
void lw_alert_begin(struct lw_json *j, const struct lw_alert *a);

/* One entry of "top_keys": {key, kind, verdict, rate_per_hour, share}
 * (a NULL string: null). */
void lw_alert_top_key(struct lw_json *j, const char *key, const char *kind, const char *verdict,
		      double rate_per_hour, double share);

#endif
