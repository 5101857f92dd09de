/* collect.c: reads an archive (or profile files) into leak-blame's model.
 *
 * Per target (service): every heap, cgo and goroutine profile and
 * goroutine dump, in time order. Each distinct stack is attributed once
 * (frames.c) and keeps its values at every snapshot: in-use bytes and
 * objects, cumulative allocations, the largest live object (the `bytes`
 * label), goroutine counts, states, wait times and creation sites. Profiles
 * are read one at a time and freed, so memory grows with distinct stacks x
 * snapshots, not with samples. memstats.csv is read by column name.
 */
#include <math.h>
#include <dirent.h>
#include <sys/stat.h>

#include "archive.h"
#include "blame.h"
#include "csvout.h"
#include "err.h"
#include "parse.h"

struct ent {
	char *path;
	const char *target; /* interned */
	enum lb_kind_id kind;
	int64_t time;
};

static const char *const kind_names[LB_NKINDS] = { "heap", "cgo", "goroutine", "goroutine-dump" };

static int kind_of_name(const char *k, enum lb_kind_id *id)
{
	if (strcmp(k, "heap") == 0)
		*id = LB_HEAP;
	else if (strcmp(k, "cgo") == 0)
		*id = LB_CGO;
	else if (strcmp(k, "goroutine") == 0)
		*id = LB_GOROUTINE;
	else if (strcmp(k, "goroutine-dump") == 0)
		*id = LB_DUMP;
	else
		return -1;
	return 0;
}

static void set_err(struct lw_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_err(struct lw_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

static struct lb_target *target_get(struct lb_report *r, const char *name)
{
	struct lb_target *t;
	size_t i;
	int k;

	for (i = 0; i < r->n_targets; i++)
		if (strcmp(r->targets[i]->name, name) == 0)
			return r->targets[i];
	t = lw_xcalloc(1, sizeof(*t));
	t->name = lb_intern(name);
	t->service = t->name;
	for (k = 0; k < LB_NKINDS; k++) {
		t->kinds[k].id = (enum lb_kind_id)k;
		t->kinds[k].name = kind_names[k];
	}
	r->targets = lw_xreallocarray(r->targets, r->n_targets + 1, sizeof(*r->targets));
	r->targets[r->n_targets++] = t;
	return t;
}

/* ---- stacks and keys ---- */

static double *zeros(size_t n)
{
	return lw_xcalloc(n ? n : 1, sizeof(double));
}

static struct lb_key *key_get(struct lb_kind *k, const char *name, size_t npts)
{
	size_t i = lb_map_get(&k->keymap, name);
	struct lb_key *key;

	if (i != (size_t)-1)
		return k->keys[i];
	key = lw_xcalloc(1, sizeof(*key));
	key->name = lb_intern(name);
	key->value = zeros(npts);
	key->runtime_only = 1;
	if (k->n_keys == k->cap_keys) {
		k->cap_keys = k->cap_keys ? k->cap_keys * 2 : 32;
		k->keys = lw_xreallocarray(k->keys, k->cap_keys, sizeof(*k->keys));
	}
	lb_map_put(&k->keymap, name, k->n_keys);
	k->keys[k->n_keys++] = key;
	return key;
}

/* The name of a stack nobody outside the runtime is to blame for: its
 * first frame outside package runtime, else its leaf. */
static const char *fallback_name(const struct lb_frame *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strncmp(f[i].func, "runtime.", 8) != 0)
			return f[i].func;
	return n ? f[0].func : "<unknown>";
}

static struct lb_stack *stack_get(struct lb_kind *k, const struct lb_frame *f, size_t n,
				  const char *state, const struct lb_frame *created_by,
				  const struct lb_opts *o, size_t npts)
{
	struct lb_stack *st;
	struct lb_key *key;
	size_t i, len = (n + 2) * sizeof(struct lb_frame);
	struct lb_frame *sig = k->sig_buf;

	/* the identity of a stack: its frames, whose strings are interned,
	 * so the bytes of the frames are the key (plus a dump's state and
	 * creation site) */
	if (len > k->sig_cap) {
		k->sig_cap = len * 2;
		k->sig_buf = sig = lw_xrealloc(k->sig_buf, k->sig_cap);
	}
	memset(sig, 0, len);
	sig[0].func = state ? lb_intern(state) : NULL;
	if (created_by)
		sig[1] = *created_by;
	memcpy(sig + 2, f, n * sizeof(*f));
	i = lb_bmap_get(&k->stackmap, sig, len);
	if (i != (size_t)-1)
		return k->stacks[i];
	st = lw_xcalloc(1, sizeof(*st));
	st->frames = lw_xcalloc(n ? n : 1, sizeof(*st->frames));
	memcpy(st->frames, f, n * sizeof(*f));
	st->n_frames = n;
	st->state = lb_intern(state ? state : "");
	if (created_by)
		st->created_by = *created_by;
	else
		st->created_by.func = st->created_by.file = lb_intern("");
	lb_attribute(&o->rules, f, n, k->id == LB_CGO, &st->attr);
	st->value = zeros(npts);
	if (k->id == LB_HEAP || k->id == LB_CGO) {
		st->objects = zeros(npts);
		st->max_object = zeros(npts);
	}
	if (k->id == LB_DUMP)
		st->wait_max = zeros(npts);
	key = key_get(k, st->attr.blame >= 0 ? f[st->attr.blame].func : fallback_name(f, n), npts);
	if (st->attr.blame >= 0)
		key->runtime_only = 0;
	st->key = key;
	if (key->n_stacks == key->cap_stacks) {
		key->cap_stacks = key->cap_stacks ? key->cap_stacks * 2 : 4;
		key->stacks = lw_xreallocarray(key->stacks, key->cap_stacks, sizeof(*key->stacks));
	}
	key->stacks[key->n_stacks++] = st;
	if (k->n_stacks == k->cap_stacks) {
		k->cap_stacks = k->cap_stacks ? k->cap_stacks * 2 : 64;
		k->stacks = lw_xreallocarray(k->stacks, k->cap_stacks, sizeof(*k->stacks));
	}
	lb_bmap_put(&k->stackmap, sig, len, k->n_stacks);
	k->stacks[k->n_stacks++] = st;
	return st;
}

/* A profile's functions with their names and files interned, looked up by
 * pointer: interning every frame of every sample anew costs more than
 * reading the profile. */
struct fn_memo {
	const struct lw_function **fn;
	const char **name, **file;
	size_t mask;
};

static void memo_init(struct fn_memo *m, size_t n_functions)
{
	size_t cap = 64;

	while (cap < n_functions * 2 + 2)
		cap <<= 1;
	m->fn = lw_xcalloc(cap, sizeof(*m->fn));
	m->name = lw_xcalloc(cap, sizeof(*m->name));
	m->file = lw_xcalloc(cap, sizeof(*m->file));
	m->mask = cap - 1;
}

static void memo_free(struct fn_memo *m)
{
	free(m->fn);
	free(m->name);
	free(m->file);
}

static size_t memo_slot(struct fn_memo *m, const struct lw_function *fn)
{
	uint64_t h = (uint64_t)(uintptr_t)fn;
	size_t i;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	for (i = h & m->mask; m->fn[i] && m->fn[i] != fn; i = (i + 1) & m->mask)
		;
	if (!m->fn[i]) {
		m->fn[i] = fn;
		m->name[i] = lb_intern(fn->name);
		m->file[i] = lb_intern(fn->filename);
	}
	return i;
}

/* Frames of a profile sample, leaf first, inline frames expanded. */
static size_t sample_frames(const struct lw_sample *sm, struct fn_memo *memo, struct lb_frame **buf,
			    size_t *cap)
{
	size_t i, j, n = 0;

	for (i = 0; i < sm->n_locs; i++) {
		const struct lw_location *loc = sm->locs[i];
		size_t nl = loc->n_lines ? loc->n_lines : 1;
		for (j = 0; j < nl; j++) {
			if (n == *cap) {
				*cap = *cap ? *cap * 2 : 64;
				*buf = lw_xreallocarray(*buf, *cap, sizeof(**buf));
			}
			if (loc->n_lines) {
				size_t slot = memo_slot(memo, loc->lines[j].fn);
				(*buf)[n].func = memo->name[slot];
				(*buf)[n].file = memo->file[slot];
				(*buf)[n].line = loc->lines[j].line;
			} else {
				char name[64];
				lw_frame_name(loc, 0, LW_BY_FUNCTION, name, sizeof(name));
				(*buf)[n].func = lb_intern(name);
				(*buf)[n].file = lb_intern("");
				(*buf)[n].line = 0;
			}
			n++;
		}
	}
	return n;
}

static int type_index(const struct lw_profile *p, const char *type)
{
	size_t i;

	for (i = 0; i < p->n_sample_types; i++)
		if (strcmp(p->sample_types[i].type, type) == 0)
			return (int)i;
	return -1;
}

static void add_profile(struct lb_kind *k, size_t pt, size_t npts, const struct lw_profile *p,
			const struct lb_opts *o)
{
	struct lb_frame *fb = NULL;
	size_t cap = 0, i, n;
	int si = -1, oi = -1, asi = -1, aoi = -1;
	struct fn_memo memo;

	if (k->id == LB_HEAP || k->id == LB_CGO) {
		si = type_index(p, "inuse_space");
		oi = type_index(p, "inuse_objects");
		asi = type_index(p, "alloc_space");
		aoi = type_index(p, "alloc_objects");
		if (si < 0)
			si = lw_sample_index(p, NULL);
		if (asi >= 0)
			k->has_alloc = 1;
		if (p->period > 1 && strcmp(p->sample_types[si].unit, "bytes") == 0)
			k->quantum = fmax(k->quantum, (double)p->period);
		if (p->period > k->period)
			k->period = p->period;
	} else {
		si = 0;
	}
	memo_init(&memo, p->n_functions);
	for (i = 0; i < p->n_samples; i++) {
		const struct lw_sample *sm = &p->samples[i];
		struct lb_stack *st;
		double v = (double)sm->values[si];

		if (v == 0 && (asi < 0 || sm->values[asi] == 0))
			continue;
		n = sample_frames(sm, &memo, &fb, &cap);
		st = stack_get(k, fb, n, NULL, NULL, o, npts);
		st->value[pt] += v;
		st->key->value[pt] += v;
		if (st->objects) {
			int64_t b = 0;
			size_t l;
			if (oi >= 0)
				st->objects[pt] += (double)sm->values[oi];
			if (asi >= 0 && pt == 0)
				st->alloc_space0 += (double)sm->values[asi];
			if (asi >= 0 && pt == npts - 1)
				st->alloc_space1 += (double)sm->values[asi];
			if (aoi >= 0 && pt == npts - 1)
				st->alloc_objects1 += (double)sm->values[aoi];
			for (l = 0; l < sm->n_labels; l++)
				if (strcmp(sm->labels[l].key, "bytes") == 0 && !*sm->labels[l].str)
					b = sm->labels[l].num;
			if (b == 0 && oi >= 0 && sm->values[oi] > 0)
				b = sm->values[si] / sm->values[oi];
			if (v > 0 && (double)b > st->max_object[pt])
				st->max_object[pt] = (double)b;
		}
	}
	free(fb);
	memo_free(&memo);
}

static void add_dump(struct lb_kind *k, size_t pt, size_t npts, const struct lw_profile *p,
		     const struct lb_opts *o)
{
	struct lb_frame *fb = NULL;
	size_t cap = 0, i, j;

	for (i = 0; i < p->n_goroutines; i++) {
		const struct lw_goroutine *g = &p->goroutines[i];
		struct lb_frame cb;
		struct lb_stack *st;

		if (g->n_frames > cap) {
			cap = g->n_frames;
			fb = lw_xreallocarray(fb, cap, sizeof(*fb));
		}
		for (j = 0; j < g->n_frames; j++) {
			fb[j].func = lb_intern(g->frames[j].func);
			fb[j].file = lb_intern(g->frames[j].file);
			fb[j].line = g->frames[j].line;
		}
		cb.func = lb_intern(g->created_by.func);
		cb.file = lb_intern(g->created_by.file);
		cb.line = g->created_by.line;
		st = stack_get(k, fb, g->n_frames, g->state, &cb, o, npts);
		st->value[pt] += 1;
		st->key->value[pt] += 1;
		if ((double)g->wait_minutes > st->wait_max[pt])
			st->wait_max[pt] = (double)g->wait_minutes;
	}
	free(fb);
}

/* ---- memstats.csv ---- */

static const char *const ms_names[LB_MS_NCOLS] = {
	"rss", "HeapInuse", "HeapIdle", "HeapReleased", "StackInuse", "Sys", "goroutines",
};

struct ms_ctx {
	const char *path;
	struct lb_memstats *ms;
	int time_col;
	int col[LB_MS_NCOLS];
	int ncols;
	size_t cap;
};

static int ms_row(void *vc, char **f, int nf, long line, char *err, size_t errsz)
{
	struct ms_ctx *c = vc;
	struct lb_memstats *ms = c->ms;
	int i;

	if (c->ncols == 0) {
		c->ncols = nf;
		c->time_col = -1;
		for (i = 0; i < LB_MS_NCOLS; i++)
			c->col[i] = -1;
		for (i = 0; i < nf; i++) {
			int j;
			if (strcmp(f[i], "time") == 0)
				c->time_col = i;
			for (j = 0; j < LB_MS_NCOLS; j++)
				if (strcmp(f[i], ms_names[j]) == 0)
					c->col[j] = i;
		}
		if (c->time_col < 0) {
			snprintf(err, errsz, "'%s': line 1: no 'time' column", c->path);
			return -1;
		}
		return 0;
	}
	if (nf == 1 && !f[0][0])
		return 0;
	if (nf != c->ncols) {
		snprintf(err, errsz, "'%s': line %ld: %d fields, want %d", c->path, line, nf, c->ncols);
		return -1;
	}
	if (ms->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		ms->times = lw_xreallocarray(ms->times, c->cap, sizeof(*ms->times));
		for (i = 0; i < LB_MS_NCOLS; i++)
			ms->col[i] = lw_xreallocarray(ms->col[i], c->cap, sizeof(double));
	}
	if (lw_archive_parse_time(f[c->time_col], &ms->times[ms->n])) {
		snprintf(err, errsz, "'%s': line %ld: bad time '%s'", c->path, line, f[c->time_col]);
		return -1;
	}
	if (ms->n && ms->times[ms->n] <= ms->times[ms->n - 1])
		return 0; /* a repeated or older row: keep the first */
	for (i = 0; i < LB_MS_NCOLS; i++) {
		double v = NAN;
		if (c->col[i] >= 0 && f[c->col[i]][0]) {
			if (lw_parse_double(f[c->col[i]], &v)) {
				snprintf(err, errsz, "'%s': line %ld: bad %s '%s'", c->path, line,
					 ms_names[i], f[c->col[i]]);
				return -1;
			}
			ms->have[i] = 1;
		}
		ms->col[i][ms->n] = v;
	}
	ms->n++;
	return 0;
}

static int read_memstats(struct lb_target *t, const char *path, struct lw_error *err)
{
	struct ms_ctx c = { .path = path, .ms = &t->ms };

	return lw_csv_read_file(path, ms_row, &c, err->msg, sizeof(err->msg));
}

/* ---- driving ---- */

static int ent_cmp(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;
	int c = strcmp(x->target, y->target);

	if (c)
		return c;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return strcmp(x->path, y->path);
}

static int process(struct lb_report *r, struct ent *e, size_t n, const struct lb_opts *o,
		   struct lw_error *err)
{
	size_t i = 0;

	if (n)
		qsort(e, n, sizeof(*e), ent_cmp);
	while (i < n) {
		struct lb_target *t = target_get(r, e[i].target);
		struct lb_kind *k = &t->kinds[e[i].kind];
		size_t j, end = i, npts = 0;
		int64_t last = INT64_MIN;

		while (end < n && e[end].target == e[i].target && e[end].kind == e[i].kind)
			end++;
		for (j = i; j < end; j++) {
			if (e[j].time != last)
				npts++;
			last = e[j].time;
		}
		k->times = lw_xcalloc(npts, sizeof(*k->times));
		last = INT64_MIN;
		for (j = i; j < end; j++) {
			struct lw_profile *p;
			if (e[j].time == last)
				continue; /* two snapshots at one time: keep the first */
			last = e[j].time;
			p = lw_profile_read_file(e[j].path, err);
			if (!p)
				return -1;
			if (k->id == LB_DUMP && p->source != LW_SRC_GOROUTINE_DUMP) {
				set_err(err, "'%s': not a goroutine dump (?debug=2)", e[j].path);
				lw_profile_free(p);
				return -1;
			}
			if (k->id != LB_DUMP && p->n_sample_types == 0) {
				set_err(err, "'%s': profile has no sample types", e[j].path);
				lw_profile_free(p);
				return -1;
			}
			k->times[k->n_points] = e[j].time;
			if (k->id == LB_DUMP)
				add_dump(k, k->n_points, npts, p, o);
			else
				add_profile(k, k->n_points, npts, p, o);
			k->n_points++;
			lw_profile_free(p);
			if (!t->n_snapshots || e[j].time < t->t_first)
				t->t_first = e[j].time;
			if (!t->n_snapshots || e[j].time > t->t_last)
				t->t_last = e[j].time;
			t->n_snapshots++;
		}
		i = end;
	}
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int target_cmp(const void *a, const void *b)
{
	return strcmp((*(struct lb_target *const *)a)->name, (*(struct lb_target *const *)b)->name);
}

static int file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int lb_collect_archive(struct lb_report *r, const char *dir, const struct lb_opts *o,
		       struct lw_error *err)
{
	struct lw_archive_entry *ae = NULL;
	struct ent *e;
	size_t n = 0, m = 0, i;
	char ebuf[sizeof(err->msg)];
	int rc;

	if (lw_archive_scan(dir, &ae, &n, ebuf, sizeof(ebuf))) {
		set_err(err, "%s", ebuf);
		return -1;
	}
	e = lw_xcalloc(n ? n : 1, sizeof(*e));
	for (i = 0; i < n; i++) {
		enum lb_kind_id id;
		if (kind_of_name(ae[i].kind, &id))
			continue; /* allocs, goroutineleak: not used */
		e[m].path = lw_xstrdup(ae[i].path);
		e[m].target = lb_intern(ae[i].target);
		e[m].kind = id;
		e[m].time = ae[i].time_nanos;
		m++;
	}
	lw_archive_entries_free(ae, n);
	rc = process(r, e, m, o, err);
	for (i = 0; i < m; i++)
		free(e[i].path);
	free(e);
	if (rc)
		return rc;
	/* memstats.csv of every target, including targets with no profiles */
	{
		char *path = lw_xasprintf("%s/%s", dir, LW_ARCHIVE_MEMSTATS);
		if (file_exists(path)) {
			struct lb_target *t = target_get(r, "");
			rc = read_memstats(t, path, err);
		}
		free(path);
	}
	/* targets' memstats.csv, also of targets with no profiles */
	if (rc == 0) {
		DIR *d = opendir(dir);
		struct dirent *de;
		char **names = NULL;
		size_t nn = 0;
		while (d && (de = readdir(d))) {
			char *path;
			if (de->d_name[0] == '.' || !lw_archive_valid_target(de->d_name))
				continue;
			path = lw_xasprintf("%s/%s/%s", dir, de->d_name, LW_ARCHIVE_MEMSTATS);
			if (file_exists(path)) {
				names = lw_xreallocarray(names, nn + 1, sizeof(*names));
				names[nn++] = lw_xstrdup(de->d_name);
			}
			free(path);
		}
		if (d)
			closedir(d);
		if (nn)
			qsort(names, nn, sizeof(*names), name_cmp);
		for (i = 0; i < nn; i++) {
			char *path = lw_xasprintf("%s/%s/%s", dir, names[i], LW_ARCHIVE_MEMSTATS);
			if (rc == 0)
				rc = read_memstats(target_get(r, names[i]), path, err);
			free(path);
			free(names[i]);
		}
		free(names);
	}
	/* targets in name order, the bare target ("") first */
	if (r->n_targets)
		qsort(r->targets, r->n_targets, sizeof(*r->targets), target_cmp);
	if (rc == 0 && r->n_targets == 0) {
		set_err(err, "'%s': no heap, cgo or goroutine profiles and no memstats.csv", dir);
		rc = -1;
	}
	return rc;
}

static int has_type(const struct lw_profile *p, const char *t)
{
	return type_index(p, t) >= 0;
}

static int is_cgo_profile(const struct lw_profile *p)
{
	size_t i;

	for (i = 0; i < p->n_comments; i++)
		if (strncmp(p->comments[i], "cgo-trace", 9) == 0)
			return 1;
	return 0;
}

int lb_collect_files(struct lb_report *r, char *const *paths, size_t n, const struct lb_opts *o,
		     struct lw_error *err)
{
	struct ent *e = lw_xcalloc(n ? n : 1, sizeof(*e));
	size_t i, m = 0;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		const char *base = lb_basename(paths[i]);
		char kind[32];
		int64_t t = 0;
		enum lb_kind_id id;
		struct lw_profile *p = lw_profile_read_file(paths[i], err);

		if (!p) {
			rc = -1;
			break;
		}
		if (lw_archive_parse_name(base, kind, sizeof(kind), &t) == 0 && kind_of_name(kind, &id) == 0) {
			;
		} else if (p->source == LW_SRC_GOROUTINE_DUMP) {
			id = LB_DUMP;
		} else if (has_type(p, "goroutine")) {
			id = LB_GOROUTINE;
		} else if (has_type(p, "inuse_space") || has_type(p, "inuse_objects")) {
			id = is_cgo_profile(p) ? LB_CGO : LB_HEAP;
		} else {
			set_err(err, "'%s': not a heap, cgo or goroutine profile", paths[i]);
			lw_profile_free(p);
			rc = -1;
			break;
		}
		if (p->time_nanos > 0)
			t = p->time_nanos;
		if (t == 0) {
			struct stat st;
			if (stat(paths[i], &st) == 0)
				t = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
		}
		lw_profile_free(p);
		e[m].path = lw_xstrdup(paths[i]);
		e[m].target = lb_intern("");
		e[m].kind = id;
		e[m].time = t;
		m++;
	}
	if (rc == 0)
		rc = process(r, e, m, o, err);
	for (i = 0; i < m; i++)
		free(e[i].path);
	free(e);
	return rc;
}

static void kind_free(struct lb_kind *k)
{
	size_t i;

	for (i = 0; i < k->n_stacks; i++) {
		struct lb_stack *s = k->stacks[i];
		free(s->frames);
		free(s->value);
		free(s->objects);
		free(s->max_object);
		free(s->wait_max);
		free(s);
	}
	for (i = 0; i < k->n_keys; i++) {
		free(k->keys[i]->stacks);
		free(k->keys[i]->value);
		free(k->keys[i]);
	}
	free(k->stacks);
	free(k->keys);
	free(k->times);
	lb_map_free(&k->keymap);
	lb_bmap_free(&k->stackmap);
	free(k->sig_buf);
}

static void suspect_free(struct lb_suspect *s)
{
	size_t i;

	for (i = 0; i < s->n_evidence; i++)
		free(s->evidence[i]);
	free(s->evidence);
	for (i = 0; i < s->n_quotes; i++)
		free(s->quotes[i].text);
	free(s->quotes);
	free(s->related);
	free(s->related_kind);
	free(s->recommendation);
	free(s->assessment);
	free(s);
}

void lb_report_free(struct lb_report *r)
{
	size_t i, j;

	for (i = 0; i < r->n_targets; i++) {
		struct lb_target *t = r->targets[i];
		for (j = 0; j < LB_NKINDS; j++)
			kind_free(&t->kinds[j]);
		free(t->ms.times);
		for (j = 0; j < LB_MS_NCOLS; j++)
			free(t->ms.col[j]);
		free(t->pic.times);
		free(t->pic.rss);
		for (j = 0; j < LB_NPARTS; j++)
			free(t->pic.part[j]);
		for (j = 0; j < t->n_sus; j++)
			suspect_free(t->sus[j]);
		free(t->sus);
		free(t->note);
		if (t->set)
			lw_trend_set_free(t->set);
		free(t);
	}
	free(r->targets);
	r->targets = NULL;
	r->n_targets = 0;
}
