/* merge.c: profile.Merge / Scale of Go 1.19's vendored pprof in C.
 *
 * Keys follow merge.go: mappings by (size rounded up to 4 KiB, file offset,
 * build id else file name), functions by (start line, name, system name,
 * file name), locations by (address relative to the mapping start, mapping,
 * [function, line, column]..., is_folded), samples by (locations, string
 * labels, numeric labels with units). Entities get fresh ids 1..N in first
 * use order; all-zero samples are dropped, and a merge that produced new
 * zero samples (values cancelling out) is compacted once more, as pprof does.
 */
#include <math.h>

#include "merge.h"
#include "grow.h"
#include "lwhash.h"

/* A set of variable-length uint64 keys, each with an integer value. */
struct kset {
	struct lw_itab tab;
	uint64_t *buf;
	size_t n_buf, cap_buf;
	struct kent {
		size_t off, len;
		uint64_t hash;
		uintptr_t val;
	} *ents;
	size_t n, cap;
};

static uint64_t kset_rehash(void *ctx, uint32_t idx)
{
	return ((struct kset *)ctx)->ents[idx].hash;
}

static int kset_init(struct kset *k, size_t expect)
{
	memset(k, 0, sizeof(*k));
	return lw_itab_init(&k->tab, expect);
}

static void kset_free(struct kset *k)
{
	lw_itab_free(&k->tab);
	free(k->buf);
	free(k->ents);
	memset(k, 0, sizeof(*k));
}

/* Finds key; if absent inserts it with *val. Returns 1 found (*val set to
 * the stored value), 0 inserted, -1 out of memory. */
static int kset_get_or_put(struct kset *k, const uint64_t *key, size_t len, uintptr_t *val)
{
	uint64_t h = lwh_bytes(key, len * sizeof(*key));
	size_t i;
	for (i = lw_itab_first(&k->tab, h); k->tab.slots[i]; i = (i + 1) & k->tab.mask) {
		const struct kent *e = &k->ents[k->tab.slots[i] - 1];
		if (e->hash == h && e->len == len &&
		    !memcmp(k->buf + e->off, key, len * sizeof(*key))) {
			*val = e->val;
			return 1;
		}
	}
	if (lw_itab_reserve(&k->tab, kset_rehash, k))
		return -1;
	if (lw_grow(&k->ents, &k->cap, k->n + 1, sizeof(*k->ents), 256))
		return -1;
	if (lw_grow(&k->buf, &k->cap_buf, k->n_buf + len, sizeof(*k->buf), 4096))
		return -1;
	memcpy(k->buf + k->n_buf, key, len * sizeof(*key));
	k->ents[k->n] = (struct kent){ k->n_buf, len, h, *val };
	k->n_buf += len;
	i = lw_itab_first(&k->tab, h);
	while (k->tab.slots[i])
		i = (i + 1) & k->tab.mask;
	k->tab.slots[i] = (uint32_t)++k->n;
	k->tab.n++;
	return 0;
}

struct mapinfo {
	struct lw_mapping *m;
	int64_t offset;
};

struct merger {
	struct lw_profile *p;
	struct kset mappings, functions, locations, samples;
	/* per source profile: source entity -> merged entity */
	struct lw_pmap map_by_src, fn_by_src, loc_by_src;
	struct mapinfo *mapinfos; /* pointed to by map_by_src values */
	size_t n_mapinfos, cap_mapinfos;
	uint64_t *key; /* scratch key buffer */
	size_t cap_key;
	struct lw_location **locs;
	size_t cap_locs;
	struct lw_label *labels;
	size_t cap_labels;
};

static int key_reserve(struct merger *m, size_t n)
{
	if (n <= m->cap_key)
		return 0;
	size_t nc = m->cap_key ? m->cap_key : 64;
	while (nc < n)
		nc *= 2;
	uint64_t *nk = realloc(m->key, nc * sizeof(*nk));
	if (!nk)
		return -1;
	m->key = nk;
	m->cap_key = nc;
	return 0;
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

/* Returns a mapinfo index + 1 in *out (0 = no mapping). */
static int map_mapping(struct merger *m, const struct lw_mapping *src, size_t *out)
{
	*out = 0;
	if (!src)
		return 0;
	uintptr_t v = (uintptr_t)lw_pmap_get(&m->map_by_src, src);
	if (v) {
		*out = v;
		return 0;
	}
	const uint64_t round = 0x1000;
	uint64_t size = src->memory_limit - src->memory_start;
	size = size + round - 1;
	size = size - (size % round);
	const char *id = *nz(src->build_id) ? src->build_id : nz(src->filename);
	const char *iid = lw_profile_intern(m->p, id);
	if (!iid)
		return -1;
	uint64_t key[3] = { size, src->file_offset, (uintptr_t)iid };
	uintptr_t idx = m->p->n_mappings;
	int r = kset_get_or_put(&m->mappings, key, 3, &idx);
	if (r < 0)
		return -1;
	struct mapinfo mi;
	if (r == 1) {
		mi.m = m->p->mappings[idx];
		mi.offset = (int64_t)(mi.m->memory_start - src->memory_start);
	} else {
		struct lw_mapping nm = *src;
		nm.id = m->p->n_mappings + 1;
		mi.m = lw_profile_add_mapping(m->p, &nm);
		if (!mi.m)
			return -1;
		mi.offset = 0;
	}
	if (lw_grow(&m->mapinfos, &m->cap_mapinfos, m->n_mapinfos + 1, sizeof(*m->mapinfos), 16))
		return -1;
	m->mapinfos[m->n_mapinfos++] = mi;
	*out = m->n_mapinfos;
	return lw_pmap_put(&m->map_by_src, src, (void *)(uintptr_t)*out);
}

static struct lw_function *map_function(struct merger *m, const struct lw_function *src)
{
	if (!src)
		return NULL;
	struct lw_function *f = lw_pmap_get(&m->fn_by_src, src);
	if (f)
		return f;
	const char *name = lw_profile_intern(m->p, nz(src->name));
	const char *sys = lw_profile_intern(m->p, nz(src->system_name));
	const char *file = lw_profile_intern(m->p, nz(src->filename));
	if (!name || !sys || !file)
		return NULL;
	uint64_t key[4] = { (uint64_t)src->start_line, (uintptr_t)name, (uintptr_t)sys,
			    (uintptr_t)file };
	uintptr_t v = 0;
	int r = kset_get_or_put(&m->functions, key, 4, &v);
	if (r < 0)
		return NULL;
	if (r == 1) {
		f = (struct lw_function *)v;
	} else {
		f = lw_profile_add_function(m->p, m->p->n_functions + 1, name, sys, file,
					    src->start_line);
		if (!f)
			return NULL;
		m->functions.ents[m->functions.n - 1].val = (uintptr_t)f;
	}
	if (lw_pmap_put(&m->fn_by_src, src, f))
		return NULL;
	return f;
}

static struct lw_location *map_location(struct merger *m, const struct lw_location *src)
{
	struct lw_location *l = lw_pmap_get(&m->loc_by_src, src);
	if (l)
		return l;
	size_t mi_idx;
	if (map_mapping(m, src->mapping, &mi_idx))
		return NULL;
	struct mapinfo mi = { NULL, 0 };
	if (mi_idx)
		mi = m->mapinfos[mi_idx - 1];
	/* Go's uint64(int64(addr) + offset), in unsigned arithmetic: no UB */
	uint64_t addr = src->address + (uint64_t)mi.offset;
	struct lw_line *lines = NULL;
	if (src->n_lines) {
		lines = malloc(src->n_lines * sizeof(*lines));
		if (!lines)
			return NULL;
	}
	if (key_reserve(m, 4 + 3 * src->n_lines)) {
		free(lines);
		return NULL;
	}
	uint64_t *key = m->key;
	key[0] = mi.m ? addr - mi.m->memory_start : addr;
	key[1] = mi.m ? mi.m->id : 0;
	key[2] = src->is_folded;
	key[3] = src->n_lines;
	for (size_t i = 0; i < src->n_lines; i++) {
		lines[i] = src->lines[i];
		lines[i].fn = map_function(m, src->lines[i].fn);
		if (src->lines[i].fn && !lines[i].fn) {
			free(lines);
			return NULL;
		}
		key[4 + 3 * i] = lines[i].fn ? lines[i].fn->id : 0;
		key[5 + 3 * i] = (uint64_t)lines[i].line;
		key[6 + 3 * i] = (uint64_t)lines[i].column;
	}
	uintptr_t v = 0;
	int r = kset_get_or_put(&m->locations, key, 4 + 3 * src->n_lines, &v);
	if (r < 0) {
		free(lines);
		return NULL;
	}
	if (r == 1) {
		l = (struct lw_location *)v;
	} else {
		l = lw_profile_add_location(m->p, m->p->n_locations + 1, mi.m, addr, lines,
					    src->n_lines);
		if (!l) {
			free(lines);
			return NULL;
		}
		l->is_folded = src->is_folded;
		m->locations.ents[m->locations.n - 1].val = (uintptr_t)l;
	}
	free(lines);
	if (lw_pmap_put(&m->loc_by_src, src, l))
		return NULL;
	return l;
}

static int label_cmp(const void *a, const void *b)
{
	/* Keys are interned in the merged profile, so ordering by pointer is
	 * canonical; sort_labels is stable, keeping each key's value order. */
	const struct lw_label *l = a, *r = b;
	if (l->key != r->key)
		return (uintptr_t)l->key < (uintptr_t)r->key ? -1 : 1;
	return 0;
}

/* Stable sort: insertion for the usual few labels, a bottom-up merge sort
 * when a (hostile) sample has many, which insertion would make quadratic.
 * 0, or -1 out of memory. */
static int sort_labels(struct lw_label *lb, size_t n)
{
	if (n <= 16) {
		for (size_t i = 1; i < n; i++) {
			struct lw_label t = lb[i];
			size_t j = i;
			while (j > 0 && label_cmp(&lb[j - 1], &t) > 0) {
				lb[j] = lb[j - 1];
				j--;
			}
			lb[j] = t;
		}
		return 0;
	}
	struct lw_label *tmp = malloc(n * sizeof(*tmp));
	if (!tmp)
		return -1;
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = n - lo > w ? lo + w : n;
			size_t hi = n - mid > w ? mid + w : n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi) /* the left one on ties: stable */
				tmp[k++] = label_cmp(&lb[j], &lb[i]) < 0 ? lb[j++] : lb[i++];
			while (i < mid)
				tmp[k++] = lb[i++];
			while (j < hi)
				tmp[k++] = lb[j++];
		}
		memcpy(lb, tmp, n * sizeof(*lb));
	}
	free(tmp);
	return 0;
}

static int is_zero(const int64_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i])
			return 0;
	return 1;
}

static int map_sample(struct merger *m, const struct lw_sample *src)
{
	if (src->n_locs > m->cap_locs) {
		size_t nc = src->n_locs * 2;
		struct lw_location **nl = realloc(m->locs, nc * sizeof(*nl));
		if (!nl)
			return -1;
		m->locs = nl;
		m->cap_locs = nc;
	}
	if (src->n_labels > m->cap_labels) {
		size_t nc = src->n_labels * 2;
		struct lw_label *nl = realloc(m->labels, nc * sizeof(*nl));
		if (!nl)
			return -1;
		m->labels = nl;
		m->cap_labels = nc;
	}
	for (size_t i = 0; i < src->n_locs; i++) {
		m->locs[i] = map_location(m, src->locs[i]);
		if (!m->locs[i])
			return -1;
	}
	/* string labels first, then numeric, each stably sorted by key */
	size_t nl = 0;
	for (int pass = 0; pass < 2; pass++) {
		size_t start = nl;
		for (size_t i = 0; i < src->n_labels; i++) {
			const struct lw_label *lb = &src->labels[i];
			int is_str = *nz(lb->str) != '\0';
			if (is_str != (pass == 0))
				continue;
			struct lw_label d = *lb;
			d.key = lw_profile_intern(m->p, nz(lb->key));
			d.str = lw_profile_intern(m->p, nz(lb->str));
			d.num_unit = lw_profile_intern(m->p, nz(lb->num_unit));
			if (!d.key || !d.str || !d.num_unit)
				return -1;
			m->labels[nl++] = d;
		}
		if (sort_labels(m->labels + start, nl - start))
			return -1;
	}
	size_t klen = 2 + src->n_locs + 4 * nl;
	if (key_reserve(m, klen))
		return -1;
	uint64_t *key = m->key;
	size_t k = 0;
	key[k++] = src->n_locs;
	for (size_t i = 0; i < src->n_locs; i++)
		key[k++] = m->locs[i]->id;
	key[k++] = nl;
	for (size_t i = 0; i < nl; i++) {
		key[k++] = (uintptr_t)m->labels[i].key;
		key[k++] = (uintptr_t)m->labels[i].str;
		key[k++] = (uint64_t)m->labels[i].num;
		key[k++] = (uintptr_t)m->labels[i].num_unit;
	}
	uintptr_t idx = m->p->n_samples;
	int r = kset_get_or_put(&m->samples, key, k, &idx);
	if (r < 0)
		return -1;
	if (r == 1) {
		int64_t *v = m->p->samples[idx].values;
		for (size_t i = 0; i < m->p->n_sample_types; i++)
			v[i] = lw_add64(v[i], src->values[i]);
		return 0;
	}
	if (!lw_profile_add_sample(m->p, m->locs, src->n_locs, src->values, m->labels, nl))
		return -1;
	return 0;
}

static void fmt_types(const struct lw_profile *p, char *buf, size_t sz)
{
	size_t w = 0;
	buf[0] = '\0';
	w += (size_t)snprintf(buf, sz, "[");
	for (size_t i = 0; i < p->n_sample_types && w < sz; i++)
		w += (size_t)snprintf(buf + w, sz - w, "%s%s/%s", i ? " " : "",
				      nz(p->sample_types[i].type), nz(p->sample_types[i].unit));
	if (w < sz)
		snprintf(buf + w, sz - w, "]");
}

int lw_profile_compatible(const struct lw_profile *a, const struct lw_profile *b, char *why,
			  size_t whysz)
{
	char ta[200], tb[200];
	if (strcmp(nz(a->period_type.type), nz(b->period_type.type)) ||
	    strcmp(nz(a->period_type.unit), nz(b->period_type.unit))) {
		if (why)
			snprintf(why, whysz, "incompatible period types %s/%s and %s/%s",
				 nz(a->period_type.type), nz(a->period_type.unit),
				 nz(b->period_type.type), nz(b->period_type.unit));
		return 0;
	}
	int ok = a->n_sample_types == b->n_sample_types;
	for (size_t i = 0; ok && i < a->n_sample_types; i++)
		ok = !strcmp(nz(a->sample_types[i].type), nz(b->sample_types[i].type)) &&
		     !strcmp(nz(a->sample_types[i].unit), nz(b->sample_types[i].unit));
	if (!ok) {
		if (why) {
			fmt_types(a, ta, sizeof(ta));
			fmt_types(b, tb, sizeof(tb));
			snprintf(why, whysz, "incompatible sample types %s and %s", ta, tb);
		}
		return 0;
	}
	return 1;
}

/* combineHeaders */
static struct lw_profile *combine_headers(struct lw_profile *const *ps, size_t n)
{
	struct lw_profile *p = lw_profile_new();
	if (!p)
		return NULL;
	const struct lw_profile *s0 = ps[0];
	int64_t t = 0, d = 0, period = 0;
	const char *dst = "";
	const char *doc = "";
	for (size_t i = 0; i < n; i++) {
		const struct lw_profile *s = ps[i];
		if (t == 0 || s->time_nanos < t)
			t = s->time_nanos;
		d = lw_add64(d, s->duration_nanos);
		if (period == 0 || period < s->period)
			period = s->period;
		if (!*dst)
			dst = nz(s->default_sample_type);
		if (!*doc)
			doc = nz(s->doc_url);
		for (size_t c = 0; c < s->n_comments; c++) {
			int seen = 0;
			for (size_t k = 0; k < p->n_comments && !seen; k++)
				seen = !strcmp(p->comments[k], s->comments[c]);
			if (!seen && lw_profile_add_comment(p, s->comments[c]))
				goto fail;
		}
	}
	for (size_t i = 0; i < s0->n_sample_types; i++)
		if (lw_profile_add_sample_type(p, nz(s0->sample_types[i].type),
					       nz(s0->sample_types[i].unit)))
			goto fail;
	p->drop_frames = lw_profile_intern(p, nz(s0->drop_frames));
	p->keep_frames = lw_profile_intern(p, nz(s0->keep_frames));
	p->period_type.type = lw_profile_intern(p, nz(s0->period_type.type));
	p->period_type.unit = lw_profile_intern(p, nz(s0->period_type.unit));
	p->default_sample_type = lw_profile_intern(p, dst);
	p->doc_url = lw_profile_intern(p, doc);
	if (!p->drop_frames || !p->keep_frames || !p->period_type.type || !p->period_type.unit ||
	    !p->default_sample_type || !p->doc_url)
		goto fail;
	p->time_nanos = t;
	p->duration_nanos = d;
	p->period = period;
	p->source = s0->source;
	return p;
fail:
	lw_profile_free(p);
	return NULL;
}

static void merger_free(struct merger *m)
{
	kset_free(&m->mappings);
	kset_free(&m->functions);
	kset_free(&m->locations);
	kset_free(&m->samples);
	lw_pmap_free(&m->map_by_src);
	lw_pmap_free(&m->fn_by_src);
	lw_pmap_free(&m->loc_by_src);
	free(m->mapinfos);
	free(m->key);
	free(m->locs);
	free(m->labels);
}

struct lw_profile *lw_profile_merge(struct lw_profile *const *ps, size_t n, struct lw_error *err)
{
	if (n == 0) {
		if (err)
			snprintf(err->msg, sizeof(err->msg), "no profiles to merge");
		return NULL;
	}
	for (size_t i = 1; i < n; i++) {
		char why[480];
		if (!lw_profile_compatible(ps[0], ps[i], why, sizeof(why))) {
			if (err)
				snprintf(err->msg, sizeof(err->msg), "%s", why);
			return NULL;
		}
	}
	struct merger m;
	memset(&m, 0, sizeof(m));
	struct lw_profile *p = combine_headers(ps, n);
	if (!p)
		goto oom;
	m.p = p;
	size_t ns = ps[0]->n_samples;
	if (kset_init(&m.mappings, 16) || kset_init(&m.functions, ps[0]->n_functions) ||
	    kset_init(&m.locations, ps[0]->n_locations) || kset_init(&m.samples, ns))
		goto oom;
	for (size_t i = 0; i < n; i++) {
		const struct lw_profile *s = ps[i];
		lw_pmap_free(&m.map_by_src);
		lw_pmap_free(&m.fn_by_src);
		lw_pmap_free(&m.loc_by_src);
		if (lw_pmap_init(&m.map_by_src, s->n_mappings) ||
		    lw_pmap_init(&m.fn_by_src, s->n_functions) ||
		    lw_pmap_init(&m.loc_by_src, s->n_locations))
			goto oom;
		if (p->n_mappings == 0 && s->n_mappings > 0) {
			size_t dummy;
			if (map_mapping(&m, s->mappings[0], &dummy))
				goto oom;
		}
		for (size_t k = 0; k < s->n_samples; k++)
			if (!is_zero(s->samples[k].values, s->n_sample_types) &&
			    map_sample(&m, &s->samples[k]))
				goto oom;
	}
	merger_free(&m);
	for (size_t k = 0; k < p->n_samples; k++) {
		if (is_zero(p->samples[k].values, p->n_sample_types)) {
			/* values cancelled out: compact again, dropping them */
			struct lw_profile *q = lw_profile_merge(&p, 1, err);
			lw_profile_free(p);
			return q;
		}
	}
	/* keep what a single-source merge cannot change */
	if (n == 1) {
		p->source = ps[0]->source;
	}
	return p;
oom:
	merger_free(&m);
	lw_profile_free(p);
	if (err)
		snprintf(err->msg, sizeof(err->msg), "out of memory");
	return NULL;
}

void lw_profile_scale(struct lw_profile *p, double ratio)
{
	if (ratio == 1)
		return;
	size_t keep = 0;
	for (size_t i = 0; i < p->n_samples; i++) {
		struct lw_sample *s = &p->samples[i];
		int nonzero = 0;
		for (size_t k = 0; k < p->n_sample_types; k++) {
			s->values[k] = lw_go_int64(round((double)s->values[k] * ratio));
			nonzero |= s->values[k] != 0;
		}
		if (nonzero)
			p->samples[keep++] = *s;
	}
	p->n_samples = keep;
}

int64_t lw_profile_total(const struct lw_profile *p, int si)
{
	int64_t t = 0;
	if (si < 0 || (size_t)si >= p->n_sample_types)
		return 0;
	for (size_t i = 0; i < p->n_samples; i++) {
		int64_t v = p->samples[i].values[si];
		t = lw_add64(t, lw_abs64(v));
	}
	return t;
}
