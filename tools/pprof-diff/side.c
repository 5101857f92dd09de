/* side.c: the runs of one side (base or current), the sample type they are
 * compared on, and the value normalisations applied before diffing.
 */
#include <dirent.h>
#include <math.h>
#include <sys/stat.h>

#include "diff.h"
#include "err.h"
#include "merge.h"

static void side_push(struct pd_side *s, const char *path)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 4;
		s->runs = lw_xreallocarray(s->runs, s->cap, sizeof(*s->runs));
	}
	memset(&s->runs[s->n], 0, sizeof(s->runs[0]));
	s->runs[s->n].path = lw_xstrdup(path);
	s->n++;
	s->inputs = lw_xreallocarray(s->inputs, s->n_inputs + 1, sizeof(*s->inputs));
	s->inputs[s->n_inputs++] = lw_xstrdup(path);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int pd_side_add_path(struct pd_side *s, const char *path, struct lw_error *err)
{
	struct stat st;

	if (strcmp(path, "-") == 0 || stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
		/* Files (and errors) are reported by the reader, with its wording. */
		side_push(s, path);
		return 0;
	}
	DIR *d = opendir(path);
	if (!d) {
		snprintf(err->msg, sizeof(err->msg), "'%s': %s", path, strerror(errno));
		return -1;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue; /* hidden files, temp files of atomic writers */
		char *full = lw_xasprintf("%s/%s", path, de->d_name);
		if (stat(full, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(full);
			continue;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			names = lw_xreallocarray(names, cap, sizeof(*names));
		}
		names[n++] = full;
	}
	closedir(d);
	if (n == 0) {
		free(names);
		snprintf(err->msg, sizeof(err->msg), "'%s': no profiles in directory", path);
		return -1;
	}
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		side_push(s, names[i]);
		free(names[i]);
	}
	free(names);
	return 0;
}

int pd_side_load(struct pd_side *s, struct lw_error *err)
{
	for (size_t i = 0; i < s->n; i++) {
		s->runs[i].prof = lw_profile_read_file(s->runs[i].path, err);
		if (!s->runs[i].prof)
			return -1;
	}
	return 0;
}

void pd_side_free(struct pd_side *s)
{
	for (size_t i = 0; i < s->n; i++) {
		lw_profile_free(s->runs[i].prof);
		free(s->runs[i].path);
	}
	free(s->runs);
	for (size_t i = 0; i < s->n_inputs; i++)
		free(s->inputs[i]);
	free(s->inputs);
	memset(s, 0, sizeof(*s));
}

int pd_side_merge_runs(struct pd_side *s, struct lw_error *err)
{
	if (s->n < 2)
		return 0;
	struct lw_profile **ps = lw_xcalloc(s->n, sizeof(*ps));
	for (size_t i = 0; i < s->n; i++)
		ps[i] = s->runs[i].prof;
	struct lw_profile *m = lw_profile_merge(ps, s->n, err);
	free(ps);
	if (!m)
		return -1;
	/* The merged profile has the first run's sample types. */
	for (size_t i = 0; i < s->n; i++) {
		lw_profile_free(s->runs[i].prof);
		if (i > 0)
			free(s->runs[i].path);
	}
	s->runs[0].prof = m;
	s->n = 1;
	return 0;
}

static void list_types(const struct lw_profile *p, char *buf, size_t size)
{
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < p->n_sample_types && off < size; i++) {
		int k = snprintf(buf + off, size - off, "%s%s/%s", i ? ", " : "",
				 p->sample_types[i].type, p->sample_types[i].unit);
		if (k < 0)
			break;
		off += (size_t)k;
	}
}

static const char *first_default(const struct pd_side *base, const struct pd_side *cur)
{
	/* pprof merges [current, base]: the merged default_sample_type is the
	 * first non-empty one. */
	const struct pd_side *sides[2] = {cur, base};
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < sides[k]->n; i++)
			if (sides[k]->runs[i].prof->default_sample_type[0])
				return sides[k]->runs[i].prof->default_sample_type;
	return "";
}

static const char *default_type(const struct pd_side *base, const struct pd_side *cur)
{
	/* pprof's SampleIndexByName(""): the default type if it names one,
	 * else the last sample type. */
	const struct lw_profile *c0 = cur->runs[0].prof;
	const char *want = first_default(base, cur);
	for (size_t j = 0; j < c0->n_sample_types; j++)
		if (strcmp(c0->sample_types[j].type, want) == 0)
			return c0->sample_types[j].type;
	return c0->sample_types[c0->n_sample_types - 1].type;
}

static enum pd_semantics semantics_of(const char *type)
{
	/* Cumulative since process start: allocations, CPU, contention. */
	static const char *const counters[] = {"samples", "cpu", "contentions", "delay",
					       "alloc_objects", "alloc_space"};
	if (strncmp(type, "alloc_", 6) == 0)
		return PD_COUNTER;
	for (size_t i = 0; i < LW_ARRAY_SIZE(counters); i++)
		if (strcmp(type, counters[i]) == 0)
			return PD_COUNTER;
	return PD_LEVEL; /* in-use memory, goroutines, threads */
}

static int check_run(struct pd_run *r, const char *name, const struct pd_run *ref,
		     const char *unit, struct lw_error *err)
{
	const struct lw_profile *p = r->prof;
	char types[256];

	if (p->n_sample_types == 0) {
		snprintf(err->msg, sizeof(err->msg), "'%s': profile has no sample types", r->path);
		return -1;
	}
	r->si = lw_sample_index(p, name);
	if (r->si < 0) {
		list_types(p, types, sizeof(types));
		snprintf(err->msg, sizeof(err->msg),
			 "'%s': incompatible profiles: no sample type '%s' (it has %s)", r->path,
			 name, types);
		return -1;
	}
	const char *u = p->sample_types[r->si].unit;
	if (strcmp(u, unit) != 0) {
		snprintf(err->msg, sizeof(err->msg),
			 "'%s': incompatible profiles: %s in %s, but in %s in '%s'", r->path, name,
			 u, unit, ref->path);
		return -1;
	}
	const struct lw_value_type *a = &p->period_type, *b = &ref->prof->period_type;
	if (a->type[0] && b->type[0] && (strcmp(a->type, b->type) || strcmp(a->unit, b->unit))) {
		snprintf(err->msg, sizeof(err->msg),
			 "'%s': incompatible profiles: period type %s/%s, but %s/%s in '%s'",
			 r->path, a->type, a->unit, b->type, b->unit, ref->path);
		return -1;
	}
	return 0;
}

int pd_select(struct pd_side *base, struct pd_side *cur, const char *want,
	      struct pd_selection *sel, struct lw_error *err)
{
	struct pd_run *r0 = &cur->runs[0];
	const struct lw_profile *p0 = r0->prof;
	const char *name;

	memset(sel, 0, sizeof(*sel));
	if (p0->n_sample_types == 0) {
		snprintf(err->msg, sizeof(err->msg), "'%s': profile has no sample types", r0->path);
		return -1;
	}
	if (!want || !*want) {
		name = default_type(base, cur);
	} else {
		int si = lw_sample_index(p0, want);
		if (si < 0) {
			char types[256];
			list_types(p0, types, sizeof(types));
			snprintf(err->msg, sizeof(err->msg), "'%s': no sample type '%s' (it has %s)",
				 r0->path, want, types);
			return -1;
		}
		/* By name from here on: "heap vs allocs" differ only in the
		 * default type, and an index means the current side's type. */
		name = p0->sample_types[si].type;
	}
	int si0 = lw_sample_index(p0, name);
	sel->type = p0->sample_types[si0].type;
	sel->unit = p0->sample_types[si0].unit;
	sel->sem = semantics_of(sel->type);
	const struct pd_side *sides[2] = {cur, base};
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < sides[k]->n; i++)
			if (check_run(&sides[k]->runs[i], sel->type, r0, sel->unit, err) != 0)
				return -1;
	return 0;
}

static void scale_type(struct lw_profile *p, int si, double ratio)
{
	/* pprof's ScaleN: math.Round, i.e. half away from zero, as C round(). */
	for (size_t i = 0; i < p->n_samples; i++) {
		int64_t *v = &p->samples[i].values[si];
		*v = lw_go_int64(round((double)*v * ratio));
	}
}

void pd_normalize_periods(struct pd_side *base, struct pd_side *cur, struct pd_selection *sel)
{
	/* Go heap/allocs values are unsampled by the runtime (scaleHeapSample)
	 * and goroutine counts are exact, so only raw sample counts (a CPU
	 * profile's "samples") depend on the period: express every run in the
	 * first current run's period. */
	int64_t ref = cur->runs[0].prof->period;
	bool raw = strcmp(sel->type, "samples") == 0 && strcmp(sel->unit, "count") == 0;
	struct pd_side *sides[2] = {base, cur};

	sel->period_ref = ref;
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < sides[k]->n; i++) {
			struct pd_run *r = &sides[k]->runs[i];
			int64_t per = r->prof->period;
			if (per <= 0 || ref <= 0 || per == ref)
				continue;
			sel->periods_differ = true;
			if (raw) {
				scale_type(r->prof, r->si, (double)per / (double)ref);
				sel->period_rescaled = true;
			}
		}
}

void pd_run_totals(const struct pd_run *r, int64_t *sum, int64_t *abs_sum)
{
	int64_t s = 0, a = 0;
	const struct lw_profile *p = r->prof;
	for (size_t i = 0; i < p->n_samples; i++) {
		int64_t v = p->samples[i].values[r->si];
		s = lw_add64(s, v);
		a = lw_add64(a, lw_abs64(v));
	}
	if (sum)
		*sum = s;
	if (abs_sum)
		*abs_sum = a;
}

static int64_t side_type_sum(const struct pd_side *s, const char *type, enum pd_combine how)
{
	int64_t *v = lw_xcalloc(s->n, sizeof(*v));
	for (size_t i = 0; i < s->n; i++) {
		const struct lw_profile *p = s->runs[i].prof;
		int si = -1;
		for (size_t j = 0; j < p->n_sample_types; j++)
			if (strcmp(p->sample_types[j].type, type) == 0)
				si = (int)j;
		if (si < 0)
			continue;
		for (size_t k = 0; k < p->n_samples; k++)
			v[i] = lw_add64(v[i], p->samples[k].values[si]);
	}
	int64_t r = pd_combine(how, v, s->n);
	free(v);
	return r;
}

void pd_normalize_current(struct pd_side *base, struct pd_side *cur, enum pd_combine how,
			  struct pd_selection *sel)
{
	/* pprof's Profile.Normalize scales the *source* so that each sample
	 * type's signed total equals the base's (ratio 0 when the source total
	 * is 0), every sample type independently. */
	const struct lw_profile *p0 = cur->runs[0].prof;
	size_t nt = p0->n_sample_types;
	double *ratio = lw_xcalloc(nt, sizeof(*ratio));

	for (size_t j = 0; j < nt; j++) {
		const char *type = p0->sample_types[j].type;
		int64_t b = side_type_sum(base, type, how), c = side_type_sum(cur, type, how);
		ratio[j] = c == 0 ? 0.0 : (double)b / (double)c;
		if ((int)j == cur->runs[0].si)
			sel->normalize_ratio = ratio[j];
	}
	for (size_t i = 0; i < cur->n; i++) {
		struct lw_profile *p = cur->runs[i].prof;
		for (size_t j = 0; j < nt; j++) {
			if (ratio[j] == 1.0)
				continue;
			int si = lw_sample_index(p, p0->sample_types[j].type);
			if (si >= 0)
				scale_type(p, si, ratio[j]);
		}
	}
	free(ratio);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* n / d rounded half away from zero. */
static int64_t div_round(__int128 n, int64_t d)
{
	__int128 q = n / d, r = n % d;
	if (r < 0)
		r = -r;
	if (2 * r >= d)
		q += n < 0 ? -1 : 1;
	return (int64_t)q;
}

int64_t pd_combine(enum pd_combine how, int64_t *v, size_t n)
{
	if (n == 0)
		return 0;
	if (n == 1)
		return v[0];
	__int128 sum = 0;
	int64_t max = v[0];
	switch (how) {
	case PD_SUM:
		for (size_t i = 0; i < n; i++)
			sum += v[i];
		return (int64_t)sum;
	case PD_MEAN:
		for (size_t i = 0; i < n; i++)
			sum += v[i];
		return div_round(sum, (int64_t)n);
	case PD_MAX:
		for (size_t i = 1; i < n; i++)
			if (v[i] > max)
				max = v[i];
		return max;
	case PD_MEDIAN:
	default:
		qsort(v, n, sizeof(*v), cmp_i64);
		if (n % 2)
			return v[n / 2];
		return div_round((__int128)v[n / 2 - 1] + v[n / 2], 2);
	}
}

const char *pd_combine_name(enum pd_combine how)
{
	switch (how) {
	case PD_SUM: return "sum";
	case PD_MEAN: return "mean";
	case PD_MAX: return "max";
	case PD_MEDIAN:
	default: return "median";
	}
}
