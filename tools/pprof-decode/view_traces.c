/* view_traces.c: go tool pprof -traces (report.printTraces).
 *
 * Every sample of the merged profile: its string labels, numeric labels
 * (scaled by their unit), then the stack leaf first with "(inline)" on
 * frames inlined into the next one, separated by pprof's dashed rule.
 */
#include "decode.h"
#include "units.h"

static const char separator[] = "-----------+-------------------------------------------------------";

struct strvec {
	char **v;
	size_t n, cap;
};

static void sv_push(struct strvec *s, char *str)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->v = lw_xreallocarray(s->v, s->cap, sizeof(*s->v));
	}
	s->v[s->n++] = str;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* profile.NumLabelUnits: the first explicit unit of a key, else "bytes"
 * for request/alignment, else the key itself. */
static const char *num_label_unit(const struct lw_profile *p, const char *key)
{
	for (size_t s = 0; s < p->n_samples; s++)
		for (size_t i = 0; i < p->samples[s].n_labels; i++) {
			const struct lw_label *l = &p->samples[s].labels[i];
			if (!*l->str && !strcmp(l->key, key) && l->num_unit && *l->num_unit)
				return l->num_unit;
		}
	if (!strcmp(key, "request") || !strcmp(key, "alignment"))
		return "bytes";
	return key;
}

/* One "%10s:  v1 v2" line per distinct key (string or numeric), sorted. */
static void print_labels(FILE *out, const struct lw_profile *p, const struct lw_sample *s,
			 int numeric)
{
	struct strvec lines = { 0 };
	for (size_t i = 0; i < s->n_labels; i++) {
		const struct lw_label *l = &s->labels[i];
		int is_num = !*l->str;
		if (is_num != numeric)
			continue;
		int dup = 0;
		for (size_t k = 0; k < i && !dup; k++)
			dup = (!*s->labels[k].str) == numeric && !strcmp(s->labels[k].key, l->key);
		if (dup)
			continue;
		char buf[4096];
		size_t w = (size_t)snprintf(buf, sizeof(buf), "%10s: ", l->key);
		const char *unit = numeric ? num_label_unit(p, l->key) : NULL;
		for (size_t k = i; k < s->n_labels && w < sizeof(buf); k++) {
			const struct lw_label *m = &s->labels[k];
			if ((!*m->str) != numeric || strcmp(m->key, l->key))
				continue;
			char v[64];
			const char *val = m->str;
			if (numeric)
				val = lw_format_auto(v, sizeof(v), m->num, unit);
			w += (size_t)snprintf(buf + w, sizeof(buf) - w, " %s", val);
		}
		sv_push(&lines, lw_xasprintf("%s\n", buf));
	}
	if (lines.n)
		qsort(lines.v, lines.n, sizeof(*lines.v), cmp_str);
	for (size_t i = 0; i < lines.n; i++) {
		fputs(lines.v[i], out);
		free(lines.v[i]);
	}
	free(lines.v);
}

int view_traces(FILE *out, struct decode_ctx *c)
{
	const struct lw_profile *p = c->p;
	const char *unit = p->sample_types[c->si].unit;
	char buf[8192], v[64];
	uint8_t *keep;
	if (filter_keep(c, &keep))
		return LW_EXIT_ERROR;
	lw_format_auto(v, sizeof(v), lw_agg_total(p, c->si), unit);
	print_profile_labels(out, c, v);
	for (size_t s = 0; s < p->n_samples; s++) {
		const struct lw_sample *sm = &p->samples[s];
		if (keep && !keep[s])
			continue;
		if (sm->n_locs == 0)
			continue;
		fprintf(out, "%s\n", separator);
		print_labels(out, p, sm, 0);
		print_labels(out, p, sm, 1);
		lw_format_auto(v, sizeof(v), sm->values[c->si], unit);
		int first = 1;
		for (size_t i = 0; i < sm->n_locs; i++) {
			const struct lw_location *l = sm->locs[i];
			size_t n = l->n_lines ? l->n_lines : 1;
			for (size_t k = 0; k < n; k++) {
				lw_frame_name(l, k, LW_BY_FUNCTION, buf, sizeof(buf));
				fprintf(out, "%10s   %s%s\n", first ? v : "", buf,
					k != n - 1 ? " (inline)" : "");
				first = 0;
			}
		}
	}
	fprintf(out, "%s\n", separator);
	free(keep);
	return 0;
}
