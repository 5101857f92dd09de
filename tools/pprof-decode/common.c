/* common.c: pieces several views share: pprof's report header lines
 * (report.ProfileLabels), Go 1.19's time layout, focus/ignore on samples.
 */
#include <time.h>

#include "decode.h"
#include "merge.h"
#include "units.h"

static const char *base_name(const char *path, char *buf, size_t sz)
{
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	size_t i = n;
	while (i > 0 && path[i - 1] != '/')
		i--;
	if (n == 1 && path[0] == '/')
		i = 0;
	snprintf(buf, sz, "%.*s", (int)(n - i), path + i);
	return buf;
}

void format_go_time(char *buf, size_t sz, int64_t nanos)
{
	/* Go: time.Unix(0, nanos).Format("Jan 2, 2006 at 3:04pm (MST)") */
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)(nanos / 1000000000);
	if (nanos < 0 && nanos % 1000000000)
		t--; /* floor, as Go's time.Unix does */
	struct tm tm;
	if (!localtime_r(&t, &tm)) {
		snprintf(buf, sz, "%lld", (long long)nanos);
		return;
	}
	int h = tm.tm_hour % 12;
	if (h == 0)
		h = 12;
	snprintf(buf, sz, "%s %d, %d at %d:%02d%s (%s)", mon[tm.tm_mon], tm.tm_mday,
		 tm.tm_year + 1900, h, tm.tm_min, tm.tm_hour < 12 ? "am" : "pm",
		 tm.tm_zone ? tm.tm_zone : "UTC");
}

void print_profile_labels(FILE *out, const struct decode_ctx *c, const char *total_str)
{
	const struct lw_profile *p = c->p;
	char b[4096];
	if (p->n_mappings > 0) {
		const struct lw_mapping *m = p->mappings[0];
		if (m->filename && *m->filename)
			fprintf(out, "File: %s\n", base_name(m->filename, b, sizeof(b)));
		if (m->build_id && *m->build_id)
			fprintf(out, "Build ID: %s\n", m->build_id);
	}
	for (size_t i = 0; i < p->n_comments; i++)
		if (p->comments[i][0] != '#')
			fprintf(out, "%s\n", p->comments[i]);
	if (*p->sample_types[c->si].type)
		fprintf(out, "Type: %s\n", p->sample_types[c->si].type);
	if (p->time_nanos != 0) {
		format_go_time(b, sizeof(b), p->time_nanos);
		fprintf(out, "Time: %s\n", b);
	}
	if (p->duration_nanos != 0) {
		char dur[64], pct[48] = "";
		lw_format_auto(dur, sizeof(dur), p->duration_nanos, "nanoseconds");
		const char *unit = p->sample_types[c->si].unit, *tu;
		double tn = lw_unit_scale(lw_agg_total(p, c->si), unit, "nanoseconds", &tu);
		if (!strcmp(tu, "ns") && tn != 0) {
			char pb[32];
			lw_format_percent(pb, sizeof(pb), (int64_t)tn, p->duration_nanos);
			snprintf(pct, sizeof(pct), "(%s)", pb);
		}
		fprintf(out, "Duration: %s, Total samples = %s %s\n", dur, total_str, pct);
	}
}

void print_active_filters(FILE *out, const struct decode_ctx *c)
{
	if (!c->has_filter)
		return;
	fprintf(out, "Active filters:\n");
	const char *names[2] = { "focus", "ignore" };
	const char *vals[2] = { c->o->focus, c->o->ignore };
	for (int i = 0; i < 2; i++) {
		if (!vals[i])
			continue;
		char s[1024];
		snprintf(s, sizeof(s), "%s=%s", names[i], vals[i]);
		/* pprof cuts at 80 bytes and appends an ellipsis */
		if (strlen(s) > 80)
			fprintf(out, "   %.80s\xe2\x80\xa6\n", s);
		else
			fprintf(out, "   %s\n", s);
	}
}

int filter_keep(const struct decode_ctx *c, uint8_t **keep)
{
	const struct lw_profile *p = c->p;
	*keep = NULL;
	if (!c->has_filter)
		return 0;
	*keep = lw_xmalloc(p->n_samples + 1);
	if (lw_filter_samples(p, &c->filter, *keep)) {
		free(*keep);
		*keep = NULL;
		lw_warn("out of memory");
		return -1;
	}
	return 0;
}

int filter_profile_samples(struct decode_ctx *c)
{
	struct lw_profile *p = c->p;
	uint8_t *keep = malloc(p->n_samples + 1);
	if (!keep || lw_filter_samples(p, &c->filter, keep)) {
		free(keep);
		return -ENOMEM;
	}
	size_t k = 0;
	for (size_t i = 0; i < p->n_samples; i++)
		if (keep[i])
			p->samples[k++] = p->samples[i];
	p->n_samples = k;
	free(keep);
	return 0;
}
