/* proto.c: profiles built from the runs, for --proto and --cancel.
 *
 * A side's runs are first combined into one profile: summed by
 * lw_profile_merge for --combine=sum (what pprof does with several
 * sources), else per sample (stack and labels) by the median, mean or max.
 * The diff profile is what go tool pprof -diff_base -proto writes: the
 * current samples, and the base samples with the label pprof::base=true
 * and negated values, merged (driver/fetch.go fetchProfiles).
 */
#include "diff.h"
#include "err.h"
#include "merge.h"

#define RUN_LABEL "pprof-diff::run"

static void set_label(struct lw_profile *p, const char *key, const char *val)
{
	/* pprof's SetLabel: replaces the key's values, else adds it. */
	const char *k = lw_profile_intern(p, key), *v = lw_profile_intern(p, val);
	const char *empty = lw_profile_intern(p, "");
	if (!k || !v || !empty)
		lw_die("out of memory");
	for (size_t i = 0; i < p->n_samples; i++) {
		struct lw_sample *s = &p->samples[i];
		size_t j;
		for (j = 0; j < s->n_labels; j++)
			if (s->labels[j].key == k)
				break;
		if (j < s->n_labels) {
			s->labels[j].str = v;
			s->labels[j].num = 0;
			continue;
		}
		struct lw_label *nl = lw_profile_alloc(p, (s->n_labels + 1) * sizeof(*nl));
		if (!nl)
			lw_die("out of memory");
		if (s->n_labels)
			memcpy(nl, s->labels, s->n_labels * sizeof(*nl));
		nl[s->n_labels] = (struct lw_label){.key = k, .str = v, .num = 0, .num_unit = empty};
		s->labels = nl;
		s->n_labels++;
	}
}

/* Groups of merged samples that differ only by the run label. */
struct gkey {
	uint64_t hash;
	size_t first; /* sample index */
};

static uint64_t mix(uint64_t h, uint64_t x)
{
	h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h;
}

static uint64_t sample_hash(const struct lw_sample *s, const char *runkey)
{
	uint64_t h = s->n_locs;
	for (size_t i = 0; i < s->n_locs; i++)
		h = mix(h, (uint64_t)(uintptr_t)s->locs[i]);
	for (size_t i = 0; i < s->n_labels; i++) {
		const struct lw_label *l = &s->labels[i];
		if (l->key == runkey)
			continue;
		h = mix(h, (uint64_t)(uintptr_t)l->key);
		h = mix(h, (uint64_t)(uintptr_t)l->str);
		h = mix(h, (uint64_t)l->num);
		h = mix(h, (uint64_t)(uintptr_t)l->num_unit);
	}
	return h;
}

static bool same_labels_one_way(const struct lw_sample *a, const struct lw_sample *b,
				const char *runkey)
{
	for (size_t i = 0; i < a->n_labels; i++) {
		const struct lw_label *l = &a->labels[i];
		if (l->key == runkey)
			continue;
		size_t j;
		for (j = 0; j < b->n_labels; j++) {
			const struct lw_label *m = &b->labels[j];
			if (m->key == l->key && m->str == l->str && m->num == l->num &&
			    m->num_unit == l->num_unit)
				break;
		}
		if (j == b->n_labels)
			return false;
	}
	return true;
}

static bool same_group(const struct lw_sample *a, const struct lw_sample *b, const char *runkey)
{
	if (a->n_locs != b->n_locs || a->n_labels != b->n_labels)
		return false;
	for (size_t i = 0; i < a->n_locs; i++)
		if (a->locs[i] != b->locs[i])
			return false;
	return same_labels_one_way(a, b, runkey) && same_labels_one_way(b, a, runkey);
}

static long run_of(const struct lw_sample *s, const char *runkey)
{
	for (size_t i = 0; i < s->n_labels; i++)
		if (s->labels[i].key == runkey)
			return strtol(s->labels[i].str, NULL, 10);
	return -1;
}

/* Rewrites merged (whose samples carry RUN_LABEL) into one sample per group
 * holding the combined values. */
static void combine_groups(struct lw_profile *p, size_t nruns, enum pd_combine how)
{
	const char *runkey = lw_profile_intern(p, RUN_LABEL);
	size_t nt = p->n_sample_types, ns = p->n_samples;
	size_t cap = 16;
	while (cap < 2 * ns)
		cap *= 2;
	struct gkey *tab = lw_xcalloc(cap, sizeof(*tab));
	size_t *group_of = lw_xcalloc(ns ? ns : 1, sizeof(*group_of));
	size_t *firsts = lw_xcalloc(ns ? ns : 1, sizeof(*firsts));
	size_t ng = 0;

	for (size_t i = 0; i < ns; i++) {
		uint64_t h = sample_hash(&p->samples[i], runkey);
		size_t j = h & (cap - 1);
		for (;;) {
			if (tab[j].hash == 0 && tab[j].first == 0) {
				tab[j] = (struct gkey){.hash = h | 1, .first = ng + 1};
				firsts[ng] = i;
				group_of[i] = ng++;
				break;
			}
			size_t g = tab[j].first - 1;
			if (tab[j].hash == (h | 1) &&
			    same_group(&p->samples[firsts[g]], &p->samples[i], runkey)) {
				group_of[i] = g;
				break;
			}
			j = (j + 1) & (cap - 1);
		}
	}
	free(tab);

	int64_t *vals = lw_xcalloc((ng ? ng : 1) * nruns * nt, sizeof(*vals));
	for (size_t i = 0; i < ns; i++) {
		long r = run_of(&p->samples[i], runkey);
		if (r < 0 || (size_t)r >= nruns)
			continue;
		for (size_t t = 0; t < nt; t++)
			vals[(group_of[i] * nruns + (size_t)r) * nt + t] =
				lw_add64(vals[(group_of[i] * nruns + (size_t)r) * nt + t],
					 p->samples[i].values[t]);
	}
	int64_t *tmp = lw_xcalloc(nruns, sizeof(*tmp));
	size_t out = 0;
	for (size_t g = 0; g < ng; g++) {
		struct lw_sample s = p->samples[firsts[g]];
		bool nonzero = false;
		for (size_t t = 0; t < nt; t++) {
			for (size_t r = 0; r < nruns; r++)
				tmp[r] = vals[(g * nruns + r) * nt + t];
			s.values[t] = pd_combine(how, tmp, nruns);
			nonzero |= s.values[t] != 0;
		}
		if (!nonzero)
			continue; /* as pprof's merge drops all-zero samples */
		size_t k = 0;
		for (size_t j = 0; j < s.n_labels; j++)
			if (s.labels[j].key != runkey)
				s.labels[k++] = s.labels[j];
		s.n_labels = k;
		p->samples[out++] = s;
	}
	p->n_samples = out;
	free(tmp);
	free(vals);
	free(firsts);
	free(group_of);
}

/* One profile for the side; the caller frees it. NULL with err set. */
static struct lw_profile *combine_side(const struct pd_side *s, enum pd_combine how,
				       struct lw_error *err)
{
	struct lw_profile **ps = lw_xcalloc(s->n, sizeof(*ps));
	struct lw_profile *out = NULL;

	if (s->n == 1) {
		out = lw_profile_clone(s->runs[0].prof);
		if (!out)
			lw_die("out of memory");
		goto done;
	}
	for (size_t i = 0; i < s->n; i++) {
		if (how == PD_SUM) {
			ps[i] = s->runs[i].prof;
			continue;
		}
		ps[i] = lw_profile_clone(s->runs[i].prof);
		if (!ps[i])
			lw_die("out of memory");
		char num[32];
		snprintf(num, sizeof(num), "%zu", i);
		set_label(ps[i], RUN_LABEL, num);
	}
	out = lw_profile_merge(ps, s->n, err);
	if (out && how != PD_SUM)
		combine_groups(out, s->n, how);
	if (how != PD_SUM)
		for (size_t i = 0; i < s->n; i++)
			lw_profile_free(ps[i]);
done:
	free(ps);
	return out;
}

/* current + (-base), base labelled when label is set. */
static struct lw_profile *diff_profile(struct pd_side *base, struct pd_side *cur,
				       enum pd_combine how, bool label, struct lw_error *err)
{
	struct lw_profile *c = combine_side(cur, how, err), *b = NULL, *d = NULL;
	if (!c)
		return NULL;
	b = combine_side(base, how, err);
	if (!b)
		goto out;
	if (label)
		set_label(b, "pprof::base", "true");
	lw_profile_scale(b, -1);
	struct lw_profile *two[2] = {c, b};
	d = lw_profile_merge(two, 2, err);
out:
	lw_profile_free(b);
	lw_profile_free(c);
	return d;
}

int pd_write_proto(const char *path, struct pd_side *base, struct pd_side *cur,
		   enum pd_combine how, struct lw_error *err)
{
	struct lw_profile *d = diff_profile(base, cur, how, true, err);
	if (!d) {
		char why[sizeof(err->msg)];
		memcpy(why, err->msg, sizeof(why));
		snprintf(err->msg, sizeof(err->msg), "cannot write diff profile '%s': %.400s", path,
			 why);
		return -1;
	}
	int rc = lw_profile_write_file(d, path, err);
	lw_profile_free(d);
	return rc;
}

int pd_cancel_total(struct pd_side *base, struct pd_side *cur, enum pd_combine how, int si_cur,
		    int64_t *total, struct lw_error *err)
{
	struct lw_profile *d = diff_profile(base, cur, how, false, err);
	if (!d) {
		char why[sizeof(err->msg)];
		memcpy(why, err->msg, sizeof(why));
		snprintf(err->msg, sizeof(err->msg), "--cancel: %.480s", why);
		return -1;
	}
	*total = lw_profile_total(d, si_cur);
	lw_profile_free(d);
	return 0;
}
