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
 * for request/alignment, else the key itself. Computed once for the
 * profile (sorted by key, then first seen), so that a sample with many
 * numeric labels costs n log n, not n times the profile's labels. */
struct key_unit {
	const char *key, *unit;
	size_t seq;
};

struct unit_table {
	struct key_unit *v;
	size_t n;
};

static int cmp_key_unit(const void *a, const void *b)
{
	const struct key_unit *l = a, *r = b;
	int k = strcmp(l->key, r->key);
	if (k)
		return k;
	return (l->seq > r->seq) - (l->seq < r->seq);
}

static void unit_table_build(struct unit_table *t, const struct lw_profile *p)
{
	size_t n = 0;
	t->v = NULL;
	t->n = 0;
	for (size_t s = 0; s < p->n_samples; s++)
		for (size_t i = 0; i < p->samples[s].n_labels; i++) {
			const struct lw_label *l = &p->samples[s].labels[i];
			if (!*l->str && l->num_unit && *l->num_unit) {
				if (n == t->n) {
					n = n ? 2 * n : 16;
					t->v = lw_xreallocarray(t->v, n, sizeof(*t->v));
				}
				t->v[t->n] = (struct key_unit){ l->key, l->num_unit, t->n };
				t->n++;
			}
		}
	if (t->n)
		qsort(t->v, t->n, sizeof(*t->v), cmp_key_unit);
	size_t k = 0; /* keep the first entry of each key */
	for (size_t i = 0; i < t->n; i++)
		if (k == 0 || strcmp(t->v[k - 1].key, t->v[i].key))
			t->v[k++] = t->v[i];
	t->n = k;
}

static const char *num_label_unit(const struct unit_table *t, const char *key)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(t->v[mid].key, key);
		if (c == 0)
			return t->v[mid].unit;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!strcmp(key, "request") || !strcmp(key, "alignment"))
		return "bytes";
	return key;
}

/* Label indices by key, then position, so each key's values are adjacent
 * and in sample order. */
static const struct lw_label *g_labels;

static int cmp_label_idx(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int k = strcmp(g_labels[x].key, g_labels[y].key);
	if (k)
		return k;
	return (x > y) - (x < y);
}

/* One "%10s:  v1 v2" line per distinct key (string or numeric), sorted. */
static void print_labels(FILE *out, const struct unit_table *units, const struct lw_sample *s,
			 int numeric)
{
	struct strvec lines = { 0 };
	size_t *idx = lw_xcalloc(s->n_labels + 1, sizeof(*idx)), m = 0;
	for (size_t i = 0; i < s->n_labels; i++)
		if ((!*s->labels[i].str) == numeric)
			idx[m++] = i;
	g_labels = s->labels;
	if (m)
		qsort(idx, m, sizeof(*idx), cmp_label_idx);
	for (size_t g = 0; g < m;) {
		const struct lw_label *l = &s->labels[idx[g]];
		char buf[4096];
		size_t w = (size_t)snprintf(buf, sizeof(buf), "%10s: ", l->key);
		const char *unit = numeric ? num_label_unit(units, l->key) : NULL;
		size_t e = g;
		for (; e < m && !strcmp(s->labels[idx[e]].key, l->key); e++) {
			if (w >= sizeof(buf))
				continue;
			const struct lw_label *ml = &s->labels[idx[e]];
			char v[64];
			const char *val = ml->str;
			if (numeric)
				val = lw_format_auto(v, sizeof(v), ml->num, unit);
			w += (size_t)snprintf(buf + w, sizeof(buf) - w, " %s", val);
		}
		g = e;
		sv_push(&lines, lw_xasprintf("%s\n", buf));
	}
	free(idx);
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
	struct unit_table units;
	unit_table_build(&units, p);
	for (size_t s = 0; s < p->n_samples; s++) {
		const struct lw_sample *sm = &p->samples[s];
		if (keep && !keep[s])
			continue;
		if (sm->n_locs == 0)
			continue;
		fprintf(out, "%s\n", separator);
		print_labels(out, &units, sm, 0);
		print_labels(out, &units, sm, 1);
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
	free(units.v);
	free(keep);
	return 0;
}
