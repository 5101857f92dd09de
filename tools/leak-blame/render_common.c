/* render_common.c: what every output format says the same way. */
#include <math.h>

#include "blame.h"

char *lb_loc_str(char *buf, size_t sz, const struct lb_frame *f)
{
	if (!*f->file)
		snprintf(buf, sz, "%s", "");
	else if (f->line > 0)
		snprintf(buf, sz, "%s:%lld", lb_basename(f->file), (long long)f->line);
	else
		snprintf(buf, sz, "%s", lb_basename(f->file));
	return buf;
}

char *lb_frame_str(char *buf, size_t sz, const struct lb_frame *f, int full_path)
{
	if (!*f->file)
		snprintf(buf, sz, "%s", f->func);
	else if (full_path)
		snprintf(buf, sz, "%s %s:%lld", f->func, f->file, (long long)f->line);
	else
		snprintf(buf, sz, "%s (%s:%lld)", f->func, lb_basename(f->file), (long long)f->line);
	return buf;
}

int lb_suspect_series(const struct lb_suspect *s, const double **v, const int64_t **t, size_t *n)
{
	const struct lw_trend_series *se = s->key ? s->key->se : NULL;

	if (s->pattern == LB_PAT_UNEXPLAINED || !s->kind || !se)
		return -1;
	*v = se->values;
	*t = s->kind->times;
	*n = s->kind->n_points;
	return 0;
}

char *lb_suspect_rate_str(char *buf, size_t sz, const struct lb_suspect *s)
{
	char r[64], g[64] = "";

	lb_fmt_rate(r, sizeof(r), s->bytes_per_hour, "bytes");
	if (isfinite(s->goroutines_per_hour))
		snprintf(g, sizeof(g), "%+.0f goroutines/h, ", s->goroutines_per_hour);
	snprintf(buf, sz, "%s%s", g, r);
	return buf;
}
