/* pprof_write.c: lw_profile_encode / lw_profile_write_file (pprof_io.h).
 *
 * The model is turned into protobuf-c structs (allocated from a scratch
 * arena) and packed. Objects are identified by pointer, not by id: ids are
 * renumbered 1..N in array order (mappings, functions, locations), and an
 * object reachable from a sample but missing from the profile's arrays is
 * appended, so any model the builder can make encodes to a valid profile.
 * The string table is rebuilt by content, "" first. Lines without a
 * function and NULL frames (invalid in a profile) are left out.
 */
#include <zlib.h>

#include "atomicio.h"
#include "grow.h"
#include "gzip.h"
#include "pprof_internal.h"
#include "pprof_io.h"
#include "profile.pb-c.h"

typedef Perftools__Profiles__Profile PbProfile;
typedef Perftools__Profiles__ValueType PbValueType;
typedef Perftools__Profiles__Sample PbSample;
typedef Perftools__Profiles__Label PbLabel;
typedef Perftools__Profiles__Mapping PbMapping;
typedef Perftools__Profiles__Location PbLocation;
typedef Perftools__Profiles__Line PbLine;
typedef Perftools__Profiles__Function PbFunction;

/* A growable array of pointers (malloc'd, freed after packing). */
struct ptrvec {
	void **v;
	size_t n, cap;
};

static int vec_push(struct ptrvec *pv, void *x)
{
	if (lw_grow(&pv->v, &pv->cap, pv->n + 1, sizeof(*pv->v), 16))
		return -ENOMEM;
	pv->v[pv->n++] = x;
	return 0;
}

struct wctx {
	const struct lw_profile *p;
	struct lw_arena *a;
	int oom;
	/* string table: strs[i] with an open-addressing index by content */
	struct ptrvec strs;
	uint32_t *slots; /* index + 1, 0 = empty */
	size_t nslots;
	/* model pointer -> new id */
	struct lw_u64map fn_ids, map_ids, loc_ids;
	struct ptrvec fns, maps, locs; /* Pb objects in id order */
};

static int str_rehash(struct wctx *w)
{
	size_t ns = w->nslots ? w->nslots * 2 : 1024;
	uint32_t *s = calloc(ns, sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < w->strs.n; i++) {
		const char *str = w->strs.v[i];
		size_t j = lw_hash_bytes(str, strlen(str)) & (ns - 1);
		while (s[j])
			j = (j + 1) & (ns - 1);
		s[j] = (uint32_t)(i + 1);
	}
	free(w->slots);
	w->slots = s;
	w->nslots = ns;
	return 0;
}

/* String table index of s (added on first use). */
static int64_t sidx(struct wctx *w, const char *s)
{
	if (!s || !*s)
		return 0;
	if ((w->strs.n + 1) * 2 > w->nslots && str_rehash(w)) {
		w->oom = 1;
		return 0;
	}
	size_t len = strlen(s), mask = w->nslots - 1;
	size_t j = lw_hash_bytes(s, len) & mask;
	for (; w->slots[j]; j = (j + 1) & mask) {
		const char *t = w->strs.v[w->slots[j] - 1];
		if (t == s || strcmp(t, s) == 0)
			return w->slots[j] - 1;
	}
	if (w->strs.n >= UINT32_MAX - 1 || vec_push(&w->strs, (void *)(uintptr_t)s)) {
		w->oom = 1;
		return 0;
	}
	w->slots[j] = (uint32_t)w->strs.n;
	return (int64_t)w->strs.n - 1;
}

static void *walloc(struct wctx *w, size_t size)
{
	void *r = lw_arena_alloc(w->a, size);
	if (!r)
		w->oom = 1;
	return r;
}

static uint64_t fn_id(struct wctx *w, const struct lw_function *f)
{
	uintptr_t id;
	if (!f)
		return 0;
	if (lw_u64map_get(&w->fn_ids, (uintptr_t)f, &id))
		return id;
	PbFunction *pf = walloc(w, sizeof(*pf));
	if (!pf)
		return 0;
	perftools__profiles__function__init(pf);
	pf->id = w->fns.n + 1;
	pf->name = sidx(w, f->name);
	pf->system_name = sidx(w, f->system_name);
	pf->filename = sidx(w, f->filename);
	pf->start_line = f->start_line;
	if (vec_push(&w->fns, pf) || lw_u64map_put(&w->fn_ids, (uintptr_t)f, pf->id) < 0)
		w->oom = 1;
	return pf->id;
}

static uint64_t map_id(struct wctx *w, const struct lw_mapping *m)
{
	uintptr_t id;
	if (!m)
		return 0;
	if (lw_u64map_get(&w->map_ids, (uintptr_t)m, &id))
		return id;
	PbMapping *pm = walloc(w, sizeof(*pm));
	if (!pm)
		return 0;
	perftools__profiles__mapping__init(pm);
	pm->id = w->maps.n + 1;
	pm->memory_start = m->memory_start;
	pm->memory_limit = m->memory_limit;
	pm->file_offset = m->file_offset;
	pm->filename = sidx(w, m->filename);
	pm->build_id = sidx(w, m->build_id);
	pm->has_functions = m->has_functions;
	pm->has_filenames = m->has_filenames;
	pm->has_line_numbers = m->has_line_numbers;
	pm->has_inline_frames = m->has_inline_frames;
	if (vec_push(&w->maps, pm) || lw_u64map_put(&w->map_ids, (uintptr_t)m, pm->id) < 0)
		w->oom = 1;
	return pm->id;
}

static uint64_t loc_id(struct wctx *w, const struct lw_location *l)
{
	uintptr_t id;
	if (!l)
		return 0;
	if (lw_u64map_get(&w->loc_ids, (uintptr_t)l, &id))
		return id;
	PbLocation *pl = walloc(w, sizeof(*pl));
	if (!pl)
		return 0;
	perftools__profiles__location__init(pl);
	pl->id = w->locs.n + 1;
	if (vec_push(&w->locs, pl) || lw_u64map_put(&w->loc_ids, (uintptr_t)l, pl->id) < 0) {
		w->oom = 1;
		return 0;
	}
	pl->mapping_id = map_id(w, l->mapping);
	pl->address = l->address;
	pl->is_folded = l->is_folded;
	size_t nl = 0;
	for (size_t i = 0; i < l->n_lines; i++)
		nl += l->lines[i].fn != NULL;
	if (nl) {
		pl->line = walloc(w, nl * sizeof(*pl->line));
		PbLine *lines = walloc(w, nl * sizeof(*lines));
		if (!pl->line || !lines)
			return 0;
		for (size_t i = 0; i < l->n_lines; i++) {
			if (!l->lines[i].fn)
				continue;
			PbLine *ln = &lines[pl->n_line];
			perftools__profiles__line__init(ln);
			ln->function_id = fn_id(w, l->lines[i].fn);
			ln->line = l->lines[i].line;
			ln->column = l->lines[i].column;
			pl->line[pl->n_line++] = ln;
		}
	}
	return pl->id;
}

static PbValueType *value_type(struct wctx *w, const struct lw_value_type *vt)
{
	PbValueType *v = walloc(w, sizeof(*v));
	if (!v)
		return NULL;
	perftools__profiles__value_type__init(v);
	v->type = sidx(w, vt->type);
	v->unit = sidx(w, vt->unit);
	return v;
}

static int build_samples(struct wctx *w, PbProfile *pb)
{
	const struct lw_profile *p = w->p;
	size_t nt = p->n_sample_types;
	if (!p->n_samples)
		return 0;
	pb->sample = walloc(w, p->n_samples * sizeof(*pb->sample));
	PbSample *ss = walloc(w, p->n_samples * sizeof(*ss));
	if (!pb->sample || !ss)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_samples && !w->oom; i++) {
		const struct lw_sample *s = &p->samples[i];
		PbSample *d = &ss[i];
		perftools__profiles__sample__init(d);
		if (s->n_locs) {
			d->location_id = walloc(w, s->n_locs * sizeof(*d->location_id));
			if (!d->location_id)
				return -ENOMEM;
			/* a NULL frame would become the invalid id 0: leave it out */
			for (size_t j = 0; j < s->n_locs; j++)
				if (s->locs[j])
					d->location_id[d->n_location_id++] = loc_id(w, s->locs[j]);
		}
		if (nt) {
			/* values has n_sample_types entries by contract */
			d->value = walloc(w, nt * sizeof(*d->value));
			if (!d->value)
				return -ENOMEM;
			if (s->values)
				memcpy(d->value, s->values, nt * sizeof(*d->value));
			d->n_value = nt;
		}
		if (s->n_labels) {
			d->label = walloc(w, s->n_labels * sizeof(*d->label));
			PbLabel *ls = walloc(w, s->n_labels * sizeof(*ls));
			if (!d->label || !ls)
				return -ENOMEM;
			for (size_t j = 0; j < s->n_labels; j++) {
				const struct lw_label *l = &s->labels[j];
				PbLabel *pl = &ls[j];
				perftools__profiles__label__init(pl);
				pl->key = sidx(w, l->key);
				if (l->str && l->str[0]) {
					pl->str = sidx(w, l->str);
				} else {
					pl->num = l->num;
					pl->num_unit = sidx(w, l->num_unit);
				}
				d->label[j] = pl;
			}
			d->n_label = s->n_labels;
		}
		pb->sample[i] = d;
	}
	pb->n_sample = p->n_samples;
	return w->oom ? -ENOMEM : 0;
}

static int build(struct wctx *w, PbProfile *pb)
{
	const struct lw_profile *p = w->p;
	perftools__profiles__profile__init(pb);
	if (vec_push(&w->strs, (void *)(uintptr_t)"") || str_rehash(w))
		return -ENOMEM;
	if (p->n_sample_types) {
		pb->sample_type = walloc(w, p->n_sample_types * sizeof(*pb->sample_type));
		if (!pb->sample_type)
			return -ENOMEM;
		for (size_t i = 0; i < p->n_sample_types; i++)
			if (!(pb->sample_type[i] = value_type(w, &p->sample_types[i])))
				return -ENOMEM;
		pb->n_sample_type = p->n_sample_types;
	}
	/* Listed objects first, in array order, so ids follow it. */
	for (size_t i = 0; i < p->n_mappings; i++)
		map_id(w, p->mappings[i]);
	for (size_t i = 0; i < p->n_functions; i++)
		fn_id(w, p->functions[i]);
	for (size_t i = 0; i < p->n_locations; i++)
		loc_id(w, p->locations[i]);
	if (w->oom || build_samples(w, pb))
		return -ENOMEM;
	pb->drop_frames = sidx(w, p->drop_frames);
	pb->keep_frames = sidx(w, p->keep_frames);
	pb->time_nanos = p->time_nanos;
	pb->duration_nanos = p->duration_nanos;
	if ((p->period_type.type && p->period_type.type[0]) ||
	    (p->period_type.unit && p->period_type.unit[0])) {
		if (!(pb->period_type = value_type(w, &p->period_type)))
			return -ENOMEM;
	}
	pb->period = p->period;
	if (p->n_comments) {
		pb->comment = walloc(w, p->n_comments * sizeof(*pb->comment));
		if (!pb->comment)
			return -ENOMEM;
		for (size_t i = 0; i < p->n_comments; i++)
			pb->comment[i] = sidx(w, p->comments[i]);
		pb->n_comment = p->n_comments;
	}
	pb->default_sample_type = sidx(w, p->default_sample_type);
	pb->doc_url = sidx(w, p->doc_url);
	if (w->oom)
		return -ENOMEM;
	pb->mapping = (PbMapping **)w->maps.v;
	pb->n_mapping = w->maps.n;
	pb->location = (PbLocation **)w->locs.v;
	pb->n_location = w->locs.n;
	pb->function = (PbFunction **)w->fns.v;
	pb->n_function = w->fns.n;
	pb->string_table = (char **)w->strs.v;
	pb->n_string_table = w->strs.n;
	return 0;
}

int lw_profile_encode(const struct lw_profile *p, int gzip, uint8_t **out, size_t *out_len)
{
	struct wctx w = { .p = p };
	PbProfile pb;
	int rc = -ENOMEM;
	uint8_t *raw = NULL;
	*out = NULL;
	*out_len = 0;
	w.a = lw_arena_new();
	if (!w.a)
		return -ENOMEM;
	if (build(&w, &pb) == 0) {
		size_t n = perftools__profiles__profile__get_packed_size(&pb);
		raw = malloc(n ? n : 1);
		if (raw) {
			size_t got = perftools__profiles__profile__pack(&pb, raw);
			rc = got == n ? 0 : -EIO;
			if (rc == 0 && gzip) {
				rc = lw_gzip(raw, n, Z_BEST_SPEED, out, out_len);
				free(raw);
			} else if (rc == 0) {
				*out = raw;
				*out_len = n;
			} else {
				free(raw);
			}
		}
	}
	free(w.strs.v);
	free(w.slots);
	free(w.fns.v);
	free(w.maps.v);
	free(w.locs.v);
	lw_u64map_free(&w.fn_ids);
	lw_u64map_free(&w.map_ids);
	lw_u64map_free(&w.loc_ids);
	lw_arena_free(w.a);
	return rc;
}

int lw_profile_write_file(const struct lw_profile *p, const char *path, struct lw_error *err)
{
	uint8_t *buf;
	size_t len;
	const char *name = strcmp(path, "-") == 0 ? "<stdout>" : path;
	int rc = lw_profile_encode(p, 1, &buf, &len);
	if (rc) {
		lw_pprof_fail(err, name, "cannot encode profile: %s", strerror(-rc));
		return -1;
	}
	if (strcmp(path, "-") == 0) {
		size_t n = fwrite(buf, 1, len, stdout);
		int ok = n == len && fflush(stdout) == 0;
		rc = ok ? 0 : -(errno ? errno : EIO);
	} else {
		rc = lw_atomic_write(path, buf, len);
	}
	free(buf);
	if (rc) {
		lw_pprof_fail(err, name, "cannot write: %s", strerror(-rc));
		return -1;
	}
	return 0;
}
