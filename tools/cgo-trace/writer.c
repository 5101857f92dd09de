/* writer.c: snapshot -> lw_profile (libcommon profile builder) -> file. */
#include <math.h>

#include "pprof_io.h"
#include "profile.h"
#include "writer.h"

void ct_scale_heap_sample(uint64_t count, uint64_t size, int64_t rate, int64_t *ocount,
			  int64_t *osize)
{
	if (count == 0 || size == 0) {
		*ocount = *osize = 0;
		return;
	}
	if (rate <= 1) {
		*ocount = (int64_t)count;
		*osize = (int64_t)size;
		return;
	}
	double avg = (double)size / (double)count;
	double scale = 1 / (1 - exp(-avg / (double)rate));
	*ocount = (int64_t)((double)count * scale);
	*osize = (int64_t)((double)size * scale);
}

struct fnent {
	const char *name, *file; /* interned in the profile */
	struct lw_function *fn;
	struct fnent *next;
};

struct build {
	struct lw_profile *p;
	struct ct_symbolizer *sym;
	struct ct_modules *mods;
	struct ct_u64map locs;	/* pc -> lw_location */
	struct ct_u64map fns;	/* hash(name, file) -> fnent chain */
	struct ct_u64map maps;	/* module index + 1 -> lw_mapping */
	struct lw_location *lost;
	int oom;
};

static struct lw_function *function(struct build *b, const char *name, const char *file)
{
	const char *n = lw_profile_intern(b->p, name), *f = lw_profile_intern(b->p, file);
	uint64_t key;
	uintptr_t v = 0;
	struct fnent *e;

	if (!n || !f)
		return NULL;
	key = lw_mix64((uint64_t)(uintptr_t)n ^ lw_mix64((uint64_t)(uintptr_t)f)) | 1;
	ct_u64map_get(&b->fns, key, &v);
	for (e = (struct fnent *)v; e; e = e->next)
		if (e->name == n && e->file == f)
			return e->fn;
	e = lw_profile_alloc(b->p, sizeof(*e));
	if (!e)
		return NULL;
	e->name = n;
	e->file = f;
	e->fn = lw_profile_add_function(b->p, 0, n, n, f, 0);
	e->next = (struct fnent *)v;
	if (!e->fn || ct_u64map_put(&b->fns, key, (uintptr_t)e))
		return NULL;
	return e->fn;
}

static struct lw_mapping *mapping(struct build *b, struct ct_module *cm)
{
	size_t idx = (size_t)(cm - b->mods->v);
	uintptr_t v;
	struct lw_mapping m = { 0 };
	struct lw_mapping *lm;

	if (ct_u64map_get(&b->maps, idx + 1, &v))
		return (struct lw_mapping *)v;
	m.memory_start = cm->start;
	m.memory_limit = cm->end;
	m.file_offset = cm->offset;
	m.filename = cm->path;
	m.build_id = cm->build_id;
	ct_module_dwfl(b->mods, cm); /* fills in the build id */
	m.has_functions = cm->mod != NULL;
	m.has_filenames = m.has_line_numbers = m.has_inline_frames = cm->mod != NULL;
	lm = lw_profile_add_mapping(b->p, &m);
	if (!lm || ct_u64map_put(&b->maps, idx + 1, (uintptr_t)lm))
		return NULL;
	return lm;
}

static struct lw_location *location(struct build *b, uint64_t pc)
{
	uint64_t addr = pc - 1; /* the call instruction, as Go's profiles do */
	uintptr_t v;
	const struct ct_sym *s;
	struct lw_line lines[32];
	struct lw_mapping *m = NULL;
	struct lw_location *loc;
	size_t n = 0;

	if (ct_u64map_get(&b->locs, pc, &v))
		return (struct lw_location *)v;
	s = ct_symbolize(b->sym, addr);
	if (!s)
		return NULL;
	if (s->module && !(m = mapping(b, s->module)))
		return NULL;
	for (int i = 0; i < s->n && n < LW_ARRAY_SIZE(lines); i++) {
		lines[n].fn = function(b, s->frames[i].func, s->frames[i].file);
		if (!lines[n].fn)
			return NULL;
		lines[n].line = s->frames[i].line;
		lines[n].column = 0;
		n++;
	}
	loc = lw_profile_add_location(b->p, 0, m, addr, lines, n);
	if (!loc || ct_u64map_put(&b->locs, pc, (uintptr_t)loc))
		return NULL;
	if (m && s->n == 0)
		m->has_functions = m->has_filenames = m->has_line_numbers = m->has_inline_frames = false;
	else if (m && !s->has_lines)
		m->has_filenames = m->has_line_numbers = m->has_inline_frames = false;
	return loc;
}

/* Stands for allocations whose stack was lost (see the comments). */
static struct lw_location *lost_location(struct build *b)
{
	if (!b->lost) {
		struct lw_line line = { function(b, "[stack lost]", ""), 0, 0 };
		if (!line.fn)
			return NULL;
		b->lost = lw_profile_add_location(b->p, 0, NULL, 0, &line, 1);
	}
	return b->lost;
}

static int add_sample(struct build *b, const struct ct_rec *r, int64_t rate)
{
	struct lw_location *locs[CT_MAX_FRAMES];
	int64_t values[4];
	struct lw_label label = { 0 };
	size_t n = 0;

	ct_scale_heap_sample(r->alloc_count, r->alloc_bytes, rate, &values[0], &values[1]);
	ct_scale_heap_sample(r->inuse_count, r->inuse_bytes, rate, &values[2], &values[3]);
	if (!values[0] && !values[1] && !values[2] && !values[3])
		return 0;
	for (uint32_t i = 0; i < r->stack->n && i < CT_MAX_FRAMES; i++)
		if (!(locs[n++] = location(b, r->stack->pc[i])))
			return -1;
	if (n == 0 && !(locs[n++] = lost_location(b)))
		return -1;
	label.key = "bytes";
	label.str = "";
	label.num = (int64_t)r->size;
	label.num_unit = "";
	return lw_profile_add_sample(b->p, locs, n, values, &label, r->size ? 1 : 0) ? 0 : -1;
}

int ct_write_profile(const char *path, const struct ct_snapshot *snap, struct ct_symbolizer *sym,
		     struct ct_modules *mods, const struct ct_meta *meta, char *err, size_t errsz)
{
	struct build b = { .sym = sym, .mods = mods };
	struct lw_error lerr;
	int rc = -1;

	b.p = lw_profile_new();
	if (!b.p)
		goto oom;
	if (lw_profile_add_sample_type(b.p, "alloc_objects", "count") ||
	    lw_profile_add_sample_type(b.p, "alloc_space", "bytes") ||
	    lw_profile_add_sample_type(b.p, "inuse_objects", "count") ||
	    lw_profile_add_sample_type(b.p, "inuse_space", "bytes"))
		goto oom;
	b.p->period_type.type = lw_profile_intern(b.p, "space");
	b.p->period_type.unit = lw_profile_intern(b.p, "bytes");
	b.p->period = meta->sample_rate > 1 ? meta->sample_rate : 1;
	b.p->time_nanos = meta->time_nanos;
	b.p->duration_nanos = meta->duration_nanos;
	for (size_t i = 0; i < meta->n_comments; i++)
		if (lw_profile_add_comment(b.p, meta->comments[i]))
			goto oom;
	/* The executable's mapping first, as pprof expects. */
	for (size_t i = 0; i < mods->n; i++)
		if (mods->v[i].is_main && !mods->v[i].dead && !mapping(&b, &mods->v[i]))
			goto oom;
	for (size_t i = 0; i < snap->n; i++)
		if (add_sample(&b, &snap->v[i], meta->sample_rate))
			goto oom;
	if (lw_profile_write_file(b.p, path, &lerr)) {
		snprintf(err, errsz, "%s", lerr.msg);
		goto out;
	}
	rc = 0;
	goto out;
oom:
	snprintf(err, errsz, "out of memory building the profile");
out:
	ct_u64map_free(&b.locs);
	ct_u64map_free(&b.fns);
	ct_u64map_free(&b.maps);
	lw_profile_free(b.p);
	return rc;
}
