/* trendfit.h: trend-fit's modules: options, ordering of the series, the
 * three output formats and the alerts.
 */
#ifndef TRENDFIT_H
#define TRENDFIT_H

#include <stdio.h>

#include "json.h"
#include "trend.h"

enum tf_format { TF_TEXT, TF_CSV, TF_JSON };

struct tf_opts {
	struct lw_trend_opts trend;
	struct lw_trend_source src;
	enum tf_format format;
	const char *output;      /* NULL: stdout */
	const char *alerts_path; /* --alerts */
	const char *series_path; /* --series */
	const char *series_unit;
	const char *focus, *ignore;
	const char *service;     /* alerts: service name when the target has none */
	double alert_rate;       /* bytes per hour */
	double alert_goroutines; /* per hour */
	double alert_ttl_hours;  /* 0: off */
	long top;                /* text: series per group */
	int decode_only;         /* hidden: read and aggregate only (bench) */
};

/* One alert: the series that fired, and what it says. */
struct tf_alert {
	const char *what; /* "heap growth", "goroutine growth", "rss growth", "time to limit" */
	const struct lw_trend_series *se;
	double threshold; /* rate per hour, or hours for time to limit */
};

struct tf_alerts {
	struct tf_alert *v;
	size_t n;
};

/* The series of a group in report order: the total, then leaks first,
 * then by |Theil-Sen rate| descending, then by key. Caller frees. */
struct lw_trend_series **tf_sorted_series(const struct lw_trend_group *g);

void tf_find_alerts(const struct lw_trend_set *s, const struct tf_opts *o, struct tf_alerts *out);
/* Writes the alerts document (JSON) to f. */
void tf_write_alerts(FILE *f, const struct lw_trend_set *s, const struct tf_alerts *a,
		     const struct tf_opts *o);
/* The alerts as a JSON array (for the JSON report). */
void tf_alerts_json_array(struct lw_json *j, const struct lw_trend_set *s,
			  const struct tf_alerts *a, const struct tf_opts *o);
/* Ends a JSON document (report or alerts): "limit_bytes", then closes the
 * top-level object and finishes j. */
void tf_json_finish_report(struct lw_json *j, const struct tf_opts *o);

void tf_write_csv(FILE *f, const struct lw_trend_set *s);
void tf_write_json(FILE *f, const struct lw_trend_set *s, const struct tf_alerts *a,
		   const struct tf_opts *o);
void tf_write_text(FILE *f, const struct lw_trend_set *s, const struct tf_alerts *a,
		   const struct tf_opts *o);

#endif
