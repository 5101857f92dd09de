/* profile.c: the profile model's memory (arena + interned strings), the
 * builder, lookups and deep copy (contract in profile.h).
 *
 * Everything of a profile lives in its arena, including the growable arrays
 * (grown by doubling, in place when possible), so lw_profile_free() is one
 * walk over a few large chunks and no caller ever frees a part. Chunks come
 * from calloc or fresh anonymous mappings and the bump pointer never moves
 * back (lw_arena_reset re-zeroes), so arena memory is always zeroed.
 */
#include <sys/mman.h>

#include "pprof_internal.h"
#include "profile.h"

/* ---- arena ---- */

struct lw_chunk {
	struct lw_chunk *next;
	size_t size; /* usable bytes in data */
	size_t used;
	size_t map_len; /* mmap'd chunk: its length; 0 = from calloc */
	max_align_t data[];
};

enum { ID_FN, ID_MAP, ID_LOC, ID_KINDS };

struct lw_arena {
	struct lw_chunk *head; /* current bump chunk */
	size_t next_chunk;
	/* Profile-private bookkeeping, kept here so that profile.h's layout
	 * stays as published: the largest id seen per object kind, and how
	 * many entries of the matching array were already scanned for it
	 * (readers may append to the arrays directly). */
	uint64_t max_id[ID_KINDS];
	size_t seen[ID_KINDS];
	const char *empty;
};

#define ARENA_ALIGN 16
#define ARENA_FIRST_CHUNK ((size_t)16 << 10)
#define ARENA_MAX_CHUNK ((size_t)4 << 20)
/* Bump chunks of this size and more (a big profile's; small ones never get
 * there) are mapped on their own, aligned and marked for transparent huge
 * pages: the model is written once into fresh memory, and 2 MiB pages spare
 * most of its page faults (a tenth of the reader's time with 4 KiB pages).
 * Only bump chunks, which fill up, are mapped so: at most the current one's
 * tail is resident in vain. */
#define ARENA_HUGE ((size_t)2 << 20)

static size_t align_up(size_t n)
{
	return (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

/* A chunk of len bytes in all (a multiple of ARENA_HUGE), header included. */
static struct lw_chunk *chunk_map(size_t len)
{
	char *m = mmap(NULL, len + ARENA_HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	if (m == MAP_FAILED) {
		errno = ENOMEM;
		return NULL;
	}
	/* keep the aligned [start, start + len) */
	char *start = (char *)(((uintptr_t)m + ARENA_HUGE - 1) & ~(uintptr_t)(ARENA_HUGE - 1));
	if (start > m)
		munmap(m, (size_t)(start - m));
	if (start + len < m + len + ARENA_HUGE)
		munmap(start + len, (size_t)(m + len + ARENA_HUGE - (start + len)));
#ifdef MADV_HUGEPAGE
	madvise(start, len, MADV_HUGEPAGE);
#endif
	struct lw_chunk *c = (struct lw_chunk *)start; /* anonymous memory is zeroed */
	c->size = len - sizeof(*c);
	c->map_len = len;
	return c;
}

/* A chunk with size usable bytes; bump chunks (bump != 0) of ARENA_HUGE
 * and more are mapped whole, header included. */
static struct lw_chunk *chunk_new(size_t size, int bump)
{
	if (size > SIZE_MAX / 2) {
		errno = ENOMEM;
		return NULL;
	}
	if (bump && size >= ARENA_HUGE)
		return chunk_map(size);
	struct lw_chunk *c = calloc(1, sizeof(*c) + size);
	if (!c)
		return NULL;
	c->size = size;
	return c;
}

static void chunk_free(struct lw_chunk *c)
{
	if (c->map_len)
		munmap(c, c->map_len);
	else
		free(c);
}

struct lw_arena *lw_arena_new(void)
{
	struct lw_arena *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->next_chunk = ARENA_FIRST_CHUNK;
	a->head = chunk_new(a->next_chunk, 1);
	if (!a->head) {
		free(a);
		return NULL;
	}
	return a;
}

void lw_arena_free(struct lw_arena *a)
{
	if (!a)
		return;
	struct lw_chunk *c = a->head;
	while (c) {
		struct lw_chunk *n = c->next;
		chunk_free(c);
		c = n;
	}
	free(a);
}

void *lw_alloc_huge(size_t size)
{
	if (size < 2 * ARENA_HUGE || size > SIZE_MAX - ARENA_HUGE)
		return malloc(size ? size : 1);
	size_t len = (size + ARENA_HUGE - 1) & ~(ARENA_HUGE - 1);
	void *p = NULL;
	if (posix_memalign(&p, ARENA_HUGE, len))
		return NULL;
#ifdef MADV_HUGEPAGE
	madvise(p, len, MADV_HUGEPAGE);
#endif
	return p;
}

void lw_arena_reset(struct lw_arena *a)
{
	struct lw_chunk *h = a->head, *c = h->next;
	while (c) {
		struct lw_chunk *n = c->next;
		chunk_free(c);
		c = n;
	}
	h->next = NULL;
	memset(h->data, 0, h->used);
	h->used = 0;
}

void *lw_arena_alloc(struct lw_arena *a, size_t size)
{
	if (size == 0)
		size = 1;
	if (size > SIZE_MAX / 2) {
		errno = ENOMEM;
		return NULL;
	}
	size = align_up(size);
	struct lw_chunk *h = a->head;
	if (h->size - h->used >= size) {
		void *p = (char *)h->data + h->used;
		h->used += size;
		return p;
	}
	if (size > a->next_chunk / 4) {
		/* Big block: its own chunk, linked behind the current one so the
		 * current chunk keeps serving small allocations. */
		struct lw_chunk *c = chunk_new(size, 0);
		if (!c)
			return NULL;
		c->used = size;
		c->next = h->next;
		h->next = c;
		return c->data;
	}
	if (a->next_chunk < ARENA_MAX_CHUNK)
		a->next_chunk *= 2;
	struct lw_chunk *c = chunk_new(a->next_chunk, 1);
	if (!c)
		return NULL;
	c->next = h;
	a->head = c;
	c->used = size;
	return c->data;
}

void *lw_arena_grow(struct lw_arena *a, void *ptr, size_t old_size, size_t new_size)
{
	if (!ptr)
		return lw_arena_alloc(a, new_size);
	if (new_size <= old_size)
		return ptr;
	struct lw_chunk *h = a->head;
	size_t old_al = align_up(old_size ? old_size : 1);
	char *end = (char *)h->data + h->used;
	if ((char *)ptr + old_al == end && new_size <= SIZE_MAX / 2) {
		size_t new_al = align_up(new_size);
		if (h->size - h->used >= new_al - old_al) {
			h->used += new_al - old_al;
			return ptr;
		}
	}
	void *n = lw_arena_alloc(a, new_size);
	if (!n)
		return NULL;
	memcpy(n, ptr, old_size);
	return n;
}

/* Grows *arr (elements of size elem, *cap of them) to hold at least need. */
static int arr_reserve(struct lw_arena *a, void *arrp, size_t *cap, size_t n, size_t need,
		       size_t elem)
{
	void **arr = arrp;
	if (need <= *cap && *arr)
		return 0;
	size_t c = *cap < 8 ? 8 : *cap;
	while (c < need) {
		if (c > SIZE_MAX / 2 / elem) {
			errno = ENOMEM;
			return -ENOMEM;
		}
		c *= 2;
	}
	/* *cap may be stale if a caller replaced the array; only the first n
	 * elements are meaningful. */
	void *na = lw_arena_grow(a, *arr, n * elem, c * elem);
	if (!na)
		return -ENOMEM;
	*arr = na;
	*cap = c;
	return 0;
}

/* ---- hashing ---- */

uint64_t lw_hash_bytes(const void *s, size_t n)
{
	/* FNV-1a over 8-byte words, then a finalizer: quick for the short
	 * identifiers and paths that make up string tables. */
	const unsigned char *p = s;
	uint64_t h = 0xcbf29ce484222325ULL ^ n;
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = (h ^ w) * 0x100000001b3ULL;
		h ^= h >> 29;
		p += 8;
		n -= 8;
	}
	uint64_t w = 0;
	memcpy(&w, p, n);
	h = (h ^ w) * 0x100000001b3ULL;
	return lw_mix64(h);
}

/* ---- u64 map ---- */

int lw_u64map_init(struct lw_u64map *m, size_t expected)
{
	size_t cap = 16;
	while (cap < expected * 2) {
		if (cap > SIZE_MAX / 4 / sizeof(uint64_t))
			return -ENOMEM;
		cap *= 2;
	}
	m->keys = calloc(cap, sizeof(*m->keys));
	m->vals = calloc(cap, sizeof(*m->vals));
	m->cap = cap;
	m->n = 0;
	if (!m->keys || !m->vals) {
		lw_u64map_free(m);
		return -ENOMEM;
	}
	return 0;
}

void lw_u64map_free(struct lw_u64map *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = NULL;
	m->vals = NULL;
	m->cap = m->n = 0;
}

static int u64map_rehash(struct lw_u64map *m)
{
	struct lw_u64map nm;
	if (m->cap > SIZE_MAX / 4 / sizeof(uint64_t) || lw_u64map_init(&nm, m->cap) != 0)
		return -ENOMEM;
	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i])
			lw_u64map_put(&nm, m->keys[i], m->vals[i]);
	lw_u64map_free(m);
	*m = nm;
	return 0;
}

int lw_u64map_put(struct lw_u64map *m, uint64_t key, uintptr_t val)
{
	if (m->cap == 0 && lw_u64map_init(m, 8) != 0)
		return -ENOMEM;
	if ((m->n + 1) * 2 > m->cap && u64map_rehash(m) != 0)
		return -ENOMEM;
	size_t mask = m->cap - 1;
	for (size_t i = lw_mix64(key) & mask;; i = (i + 1) & mask) {
		if (m->keys[i] == key)
			return 0;
		if (!m->keys[i]) {
			m->keys[i] = key;
			m->vals[i] = val;
			m->n++;
			return 1;
		}
	}
}

int lw_u64map_get(const struct lw_u64map *m, uint64_t key, uintptr_t *val)
{
	if (m->cap == 0 || key == 0)
		return 0;
	size_t mask = m->cap - 1;
	for (size_t i = lw_mix64(key) & mask;; i = (i + 1) & mask) {
		if (m->keys[i] == key) {
			if (val)
				*val = m->vals[i];
			return 1;
		}
		if (!m->keys[i])
			return 0;
	}
}

/* ---- string interning ---- */

struct strent {
	const char *s; /* NULL = empty slot */
	uint32_t len;
	uint32_t hash;
};

struct lw_strtab {
	struct strent *ents;
	size_t cap; /* power of two */
	size_t n;
};

static int strtab_grow(struct lw_strtab *t)
{
	size_t ncap = t->cap ? t->cap * 2 : 64;
	struct strent *ne = calloc(ncap, sizeof(*ne));
	if (!ne)
		return -ENOMEM;
	for (size_t i = 0; i < t->cap; i++) {
		if (!t->ents[i].s)
			continue;
		size_t j = t->ents[i].hash & (ncap - 1);
		while (ne[j].s)
			j = (j + 1) & (ncap - 1);
		ne[j] = t->ents[i];
	}
	free(t->ents);
	t->ents = ne;
	t->cap = ncap;
	return 0;
}

const char *lw_profile_intern_n(struct lw_profile *p, const char *s, size_t n)
{
	struct lw_strtab *t = p->strtab;
	if (!s) {
		s = "";
		n = 0;
	}
	if (n > UINT32_MAX - 1) {
		errno = ENOMEM;
		return NULL;
	}
	if ((t->n + 1) * 2 > t->cap && strtab_grow(t) != 0)
		return NULL;
	uint32_t h = (uint32_t)lw_hash_bytes(s, n);
	size_t mask = t->cap - 1;
	size_t i = h & mask;
	for (; t->ents[i].s; i = (i + 1) & mask) {
		const struct strent *e = &t->ents[i];
		if (e->hash == h && e->len == n && memcmp(e->s, s, n) == 0)
			return e->s;
	}
	char *copy = lw_arena_alloc(p->arena, n + 1);
	if (!copy)
		return NULL;
	if (n)
		memcpy(copy, s, n);
	t->ents[i].s = copy;
	t->ents[i].len = (uint32_t)n;
	t->ents[i].hash = h;
	t->n++;
	return copy;
}

const char *lw_profile_intern(struct lw_profile *p, const char *s)
{
	return lw_profile_intern_n(p, s, s ? strlen(s) : 0);
}

const char *lw_profile_empty(const struct lw_profile *p)
{
	return p->arena->empty;
}

/* ---- profile ---- */

struct lw_profile *lw_profile_new(void)
{
	struct lw_profile *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->arena = lw_arena_new();
	p->strtab = calloc(1, sizeof(*p->strtab));
	if (!p->arena || !p->strtab) {
		lw_profile_free(p);
		errno = ENOMEM;
		return NULL;
	}
	const char *e = lw_profile_intern_n(p, "", 0);
	if (!e) {
		lw_profile_free(p);
		errno = ENOMEM;
		return NULL;
	}
	p->arena->empty = e;
	p->drop_frames = p->keep_frames = e;
	p->period_type.type = p->period_type.unit = e;
	p->default_sample_type = p->doc_url = e;
	p->source = LW_SRC_PROTO;
	return p;
}

void lw_profile_free(struct lw_profile *p)
{
	if (!p)
		return;
	if (p->strtab)
		free(p->strtab->ents);
	free(p->strtab);
	lw_arena_free(p->arena);
	free(p);
}

void *lw_profile_alloc(struct lw_profile *p, size_t size)
{
	return lw_arena_alloc(p->arena, size);
}

/* Interns s (NULL => ""); NULL only on OOM. */
static const char *istr(struct lw_profile *p, const char *s)
{
	return s ? lw_profile_intern(p, s) : p->arena->empty;
}

int lw_profile_add_sample_type(struct lw_profile *p, const char *type, const char *unit)
{
	if (arr_reserve(p->arena, &p->sample_types, &p->cap_sample_types, p->n_sample_types,
			p->n_sample_types + 1, sizeof(*p->sample_types)))
		return -ENOMEM;
	const char *t = istr(p, type), *u = istr(p, unit);
	if (!t || !u)
		return -ENOMEM;
	p->sample_types[p->n_sample_types].type = t;
	p->sample_types[p->n_sample_types].unit = u;
	p->n_sample_types++;
	return 0;
}

int lw_profile_add_comment(struct lw_profile *p, const char *text)
{
	if (arr_reserve(p->arena, &p->comments, &p->cap_comments, p->n_comments,
			p->n_comments + 1, sizeof(*p->comments)))
		return -ENOMEM;
	const char *s = istr(p, text);
	if (!s)
		return -ENOMEM;
	p->comments[p->n_comments++] = s;
	return 0;
}

/* Next free id of a kind: the largest id seen + 1, scanning entries that
 * were appended without the builder. */
static uint64_t max_id_of(struct lw_profile *p, int kind)
{
	struct lw_arena *a = p->arena;
	size_t n = kind == ID_FN ? p->n_functions : kind == ID_MAP ? p->n_mappings : p->n_locations;
	if (a->seen[kind] > n) { /* the array was replaced: rescan */
		a->seen[kind] = 0;
		a->max_id[kind] = 0;
	}
	for (size_t i = a->seen[kind]; i < n; i++) {
		uint64_t id = kind == ID_FN	  ? (p->functions[i] ? p->functions[i]->id : 0)
			      : kind == ID_MAP ? (p->mappings[i] ? p->mappings[i]->id : 0)
					       : (p->locations[i] ? p->locations[i]->id : 0);
		if (id > a->max_id[kind])
			a->max_id[kind] = id;
	}
	a->seen[kind] = n;
	return a->max_id[kind];
}

static uint64_t pick_id(struct lw_profile *p, int kind, uint64_t id)
{
	uint64_t max = max_id_of(p, kind);
	if (id == 0)
		id = max + 1;
	if (id > p->arena->max_id[kind])
		p->arena->max_id[kind] = id;
	return id;
}

struct lw_function *lw_profile_add_function(struct lw_profile *p, uint64_t id, const char *name,
					    const char *system_name, const char *filename,
					    int64_t start_line)
{
	if (arr_reserve(p->arena, &p->functions, &p->cap_functions, p->n_functions,
			p->n_functions + 1, sizeof(*p->functions)))
		return NULL;
	struct lw_function *f = lw_arena_alloc(p->arena, sizeof(*f));
	if (!f)
		return NULL;
	f->name = istr(p, name);
	f->system_name = istr(p, system_name);
	f->filename = istr(p, filename);
	if (!f->name || !f->system_name || !f->filename)
		return NULL;
	f->start_line = start_line;
	f->id = pick_id(p, ID_FN, id);
	p->functions[p->n_functions++] = f;
	p->arena->seen[ID_FN] = p->n_functions;
	return f;
}

struct lw_mapping *lw_profile_add_mapping(struct lw_profile *p, const struct lw_mapping *m)
{
	if (arr_reserve(p->arena, &p->mappings, &p->cap_mappings, p->n_mappings,
			p->n_mappings + 1, sizeof(*p->mappings)))
		return NULL;
	struct lw_mapping *nm = lw_arena_alloc(p->arena, sizeof(*nm));
	if (!nm)
		return NULL;
	*nm = *m;
	nm->filename = istr(p, m->filename);
	nm->build_id = istr(p, m->build_id);
	if (!nm->filename || !nm->build_id)
		return NULL;
	nm->id = pick_id(p, ID_MAP, m->id);
	p->mappings[p->n_mappings++] = nm;
	p->arena->seen[ID_MAP] = p->n_mappings;
	return nm;
}

struct lw_location *lw_profile_add_location(struct lw_profile *p, uint64_t id,
					    struct lw_mapping *m, uint64_t address,
					    const struct lw_line *lines, size_t n_lines)
{
	if (arr_reserve(p->arena, &p->locations, &p->cap_locations, p->n_locations,
			p->n_locations + 1, sizeof(*p->locations)))
		return NULL;
	struct lw_location *l = lw_arena_alloc(p->arena, sizeof(*l));
	if (!l)
		return NULL;
	if (n_lines) {
		if (n_lines > SIZE_MAX / sizeof(*lines)) {
			errno = ENOMEM;
			return NULL;
		}
		l->lines = lw_arena_alloc(p->arena, n_lines * sizeof(*lines));
		if (!l->lines)
			return NULL;
		memcpy(l->lines, lines, n_lines * sizeof(*lines));
	}
	l->n_lines = n_lines;
	l->mapping = m;
	l->address = address;
	l->id = pick_id(p, ID_LOC, id);
	p->locations[p->n_locations++] = l;
	p->arena->seen[ID_LOC] = p->n_locations;
	return l;
}

struct lw_sample *lw_profile_add_sample(struct lw_profile *p, struct lw_location *const *locs,
					size_t n_locs, const int64_t *values,
					const struct lw_label *labels, size_t n_labels)
{
	if (arr_reserve(p->arena, &p->samples, &p->cap_samples, p->n_samples, p->n_samples + 1,
			sizeof(*p->samples)))
		return NULL;
	struct lw_sample *s = &p->samples[p->n_samples];
	memset(s, 0, sizeof(*s));
	if (n_locs > SIZE_MAX / sizeof(*locs) || n_labels > SIZE_MAX / sizeof(*labels)) {
		errno = ENOMEM;
		return NULL;
	}
	if (n_locs) {
		s->locs = lw_arena_alloc(p->arena, n_locs * sizeof(*locs));
		if (!s->locs)
			return NULL;
		memcpy(s->locs, locs, n_locs * sizeof(*locs));
	}
	s->n_locs = n_locs;
	if (p->n_sample_types) {
		s->values = lw_arena_alloc(p->arena, p->n_sample_types * sizeof(*values));
		if (!s->values)
			return NULL;
		if (values)
			memcpy(s->values, values, p->n_sample_types * sizeof(*values));
	}
	if (n_labels) {
		s->labels = lw_arena_alloc(p->arena, n_labels * sizeof(*labels));
		if (!s->labels)
			return NULL;
		for (size_t i = 0; i < n_labels; i++) {
			struct lw_label *d = &s->labels[i];
			d->key = istr(p, labels[i].key);
			d->str = istr(p, labels[i].str);
			d->num_unit = istr(p, labels[i].num_unit);
			d->num = labels[i].num;
			if (!d->key || !d->str || !d->num_unit)
				return NULL;
		}
	}
	s->n_labels = n_labels;
	p->n_samples++;
	return s;
}

int lw_profile_add_memstat(struct lw_profile *p, const char *name, double value)
{
	if (arr_reserve(p->arena, &p->memstats, &p->cap_memstats, p->n_memstats,
			p->n_memstats + 1, sizeof(*p->memstats)))
		return -ENOMEM;
	const char *n = istr(p, name);
	if (!n)
		return -ENOMEM;
	p->memstats[p->n_memstats].name = n;
	p->memstats[p->n_memstats].value = value;
	p->n_memstats++;
	return 0;
}

struct lw_goroutine *lw_profile_add_goroutine(struct lw_profile *p)
{
	if (arr_reserve(p->arena, &p->goroutines, &p->cap_goroutines, p->n_goroutines,
			p->n_goroutines + 1, sizeof(*p->goroutines)))
		return NULL;
	struct lw_goroutine *g = &p->goroutines[p->n_goroutines++];
	memset(g, 0, sizeof(*g));
	g->state = p->arena->empty;
	g->created_by.func = p->arena->empty;
	g->created_by.file = p->arena->empty;
	return g;
}

const struct lw_memstat *lw_profile_memstat(const struct lw_profile *p, const char *name)
{
	for (size_t i = 0; i < p->n_memstats; i++)
		if (p->memstats[i].name && strcmp(p->memstats[i].name, name) == 0)
			return &p->memstats[i];
	return NULL;
}

const char *lw_sample_label_str(const struct lw_sample *s, const char *key)
{
	for (size_t i = 0; i < s->n_labels; i++) {
		const struct lw_label *l = &s->labels[i];
		if (l->key && l->str && l->str[0] && strcmp(l->key, key) == 0)
			return l->str;
	}
	return NULL;
}

/* ---- clone ---- */

struct clone_ctx {
	const struct lw_profile *src;
	struct lw_profile *dst;
	struct lw_u64map fns, maps, locs; /* old pointer -> new pointer */
};

static struct lw_function *clone_fn(struct clone_ctx *c, const struct lw_function *f)
{
	uintptr_t v;
	if (!f)
		return NULL;
	if (lw_u64map_get(&c->fns, (uintptr_t)f, &v))
		return (struct lw_function *)v;
	struct lw_function *n = lw_profile_add_function(c->dst, f->id, f->name, f->system_name,
						       f->filename, f->start_line);
	if (!n || lw_u64map_put(&c->fns, (uintptr_t)f, (uintptr_t)n) < 0)
		return NULL;
	return n;
}

static struct lw_mapping *clone_map(struct clone_ctx *c, const struct lw_mapping *m)
{
	uintptr_t v;
	if (lw_u64map_get(&c->maps, (uintptr_t)m, &v))
		return (struct lw_mapping *)v;
	struct lw_mapping *n = lw_profile_add_mapping(c->dst, m);
	if (!n || lw_u64map_put(&c->maps, (uintptr_t)m, (uintptr_t)n) < 0)
		return NULL;
	return n;
}

static struct lw_location *clone_loc(struct clone_ctx *c, const struct lw_location *l)
{
	uintptr_t v;
	if (lw_u64map_get(&c->locs, (uintptr_t)l, &v))
		return (struct lw_location *)v;
	struct lw_mapping *m = NULL;
	if (l->mapping && !(m = clone_map(c, l->mapping)))
		return NULL;
	struct lw_location *n =
		lw_profile_add_location(c->dst, l->id, m, l->address, l->lines, l->n_lines);
	if (!n)
		return NULL;
	n->is_folded = l->is_folded;
	for (size_t i = 0; i < n->n_lines; i++) {
		if (l->lines[i].fn && !(n->lines[i].fn = clone_fn(c, l->lines[i].fn)))
			return NULL;
	}
	if (lw_u64map_put(&c->locs, (uintptr_t)l, (uintptr_t)n) < 0)
		return NULL;
	return n;
}

static int clone_gframe(struct lw_profile *d, struct lw_gframe *dst, const struct lw_gframe *src)
{
	*dst = *src;
	dst->func = istr(d, src->func);
	dst->file = istr(d, src->file);
	return dst->func && dst->file ? 0 : -ENOMEM;
}

static int clone_body(struct clone_ctx *c)
{
	const struct lw_profile *s = c->src;
	struct lw_profile *d = c->dst;

	for (size_t i = 0; i < s->n_sample_types; i++)
		if (lw_profile_add_sample_type(d, s->sample_types[i].type, s->sample_types[i].unit))
			return -ENOMEM;
	/* Objects in array order first so that the copy lists them alike. */
	for (size_t i = 0; i < s->n_mappings; i++)
		if (!clone_map(c, s->mappings[i]))
			return -ENOMEM;
	for (size_t i = 0; i < s->n_functions; i++)
		if (!clone_fn(c, s->functions[i]))
			return -ENOMEM;
	for (size_t i = 0; i < s->n_locations; i++)
		if (!clone_loc(c, s->locations[i]))
			return -ENOMEM;
	struct lw_location **tmp = NULL;
	size_t tmp_cap = 0;
	int rc = 0;
	for (size_t i = 0; i < s->n_samples && rc == 0; i++) {
		const struct lw_sample *ss = &s->samples[i];
		if (ss->n_locs > tmp_cap) {
			free(tmp);
			tmp_cap = ss->n_locs;
			tmp = malloc(tmp_cap * sizeof(*tmp));
			if (!tmp)
				return -ENOMEM;
		}
		for (size_t j = 0; j < ss->n_locs; j++)
			if (!(tmp[j] = clone_loc(c, ss->locs[j])))
				rc = -ENOMEM;
		if (rc == 0 && !lw_profile_add_sample(d, tmp, ss->n_locs, ss->values, ss->labels,
						      ss->n_labels))
			rc = -ENOMEM;
	}
	free(tmp);
	if (rc)
		return rc;
	for (size_t i = 0; i < s->n_comments; i++)
		if (lw_profile_add_comment(d, s->comments[i]))
			return -ENOMEM;
	for (size_t i = 0; i < s->n_memstats; i++)
		if (lw_profile_add_memstat(d, s->memstats[i].name, s->memstats[i].value))
			return -ENOMEM;
	for (size_t i = 0; i < s->n_goroutines; i++) {
		const struct lw_goroutine *sg = &s->goroutines[i];
		struct lw_goroutine *g = lw_profile_add_goroutine(d);
		if (!g)
			return -ENOMEM;
		g->id = sg->id;
		g->state = istr(d, sg->state);
		g->wait_minutes = sg->wait_minutes;
		g->locked_to_thread = sg->locked_to_thread;
		g->created_by_goroutine = sg->created_by_goroutine;
		if (!g->state || clone_gframe(d, &g->created_by, &sg->created_by))
			return -ENOMEM;
		if (sg->n_frames) {
			g->frames = lw_profile_alloc(d, sg->n_frames * sizeof(*g->frames));
			if (!g->frames)
				return -ENOMEM;
			for (size_t j = 0; j < sg->n_frames; j++)
				if (clone_gframe(d, &g->frames[j], &sg->frames[j]))
					return -ENOMEM;
		}
		g->n_frames = sg->n_frames;
	}
	d->drop_frames = istr(d, s->drop_frames);
	d->keep_frames = istr(d, s->keep_frames);
	d->period_type.type = istr(d, s->period_type.type);
	d->period_type.unit = istr(d, s->period_type.unit);
	d->default_sample_type = istr(d, s->default_sample_type);
	d->doc_url = istr(d, s->doc_url);
	if (!d->drop_frames || !d->keep_frames || !d->period_type.type || !d->period_type.unit ||
	    !d->default_sample_type || !d->doc_url)
		return -ENOMEM;
	d->time_nanos = s->time_nanos;
	d->duration_nanos = s->duration_nanos;
	d->period = s->period;
	d->source = s->source;
	return 0;
}

struct lw_profile *lw_profile_clone(const struct lw_profile *p)
{
	struct clone_ctx c = { .src = p };
	c.dst = lw_profile_new();
	if (!c.dst)
		return NULL;
	int rc = clone_body(&c);
	lw_u64map_free(&c.fns);
	lw_u64map_free(&c.maps);
	lw_u64map_free(&c.locs);
	if (rc) {
		lw_profile_free(c.dst);
		errno = ENOMEM;
		return NULL;
	}
	return c.dst;
}
