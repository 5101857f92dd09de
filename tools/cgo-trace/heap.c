/* heap.c: BPF maps -> (stack, size) buckets. */
#include <time.h>

#include <bpf/bpf.h>

#include "heap.h"

struct canon {
	struct ct_stack st;
	struct canon *next;
};

void ct_heap_init(struct ct_heap *h, int allocs_fd, int totals_fd, int stacks_fd,
		  struct ct_unwinder *unw)
{
	memset(h, 0, sizeof(*h));
	h->allocs_fd = allocs_fd;
	h->totals_fd = totals_fd;
	h->stacks_fd = stacks_fd;
	h->unw = unw;
}

static uint64_t stack_sum(const struct ct_stack *st)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL ^ st->n;

	for (uint32_t i = 0; i < st->n && i < CT_MAX_FRAMES; i++)
		x = lw_mix64(x ^ st->pc[i]);
	return x ? x : 1;
}

static const struct ct_stack *intern(struct ct_heap *h, const struct ct_stack *st)
{
	uint64_t sum = stack_sum(st);
	uintptr_t v = 0;
	struct canon *c;

	ct_u64map_get(&h->by_sum, sum, &v);
	for (c = (struct canon *)v; c; c = c->next)
		if (c->st.n == st->n && !memcmp(c->st.pc, st->pc, st->n * sizeof(st->pc[0])))
			return &c->st;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->st.n = st->n < CT_MAX_FRAMES ? st->n : CT_MAX_FRAMES;
	memcpy(c->st.pc, st->pc, c->st.n * sizeof(st->pc[0]));
	c->st.flags = st->flags;
	c->next = (struct canon *)v;
	if (ct_u64map_put(&h->by_sum, sum, (uintptr_t)c)) {
		free(c);
		return NULL;
	}
	return &c->st;
}

static const struct ct_stack *resolve(struct ct_heap *h, uint64_t id)
{
	uintptr_t v;
	const struct ct_stack *src, *c;
	struct ct_stack tmp;

	if (!id)
		return &h->lost;
	if (ct_u64map_get(&h->by_id, id, &v))
		return (const struct ct_stack *)v;
	if (id & CT_PENDING_BIT) {
		src = ct_unwind_pending(h->unw, id);
	} else {
		src = bpf_map_lookup_elem(h->stacks_fd, &id, &tmp) == 0 ? &tmp : NULL;
		if (src)
			/* Kept here for good: the BPF map may drop it now. */
			bpf_map_delete_elem(h->stacks_fd, &id);
	}
	if (!src)
		return &h->lost; /* not cached: a late unwind answer may still come */
	c = intern(h, src);
	if (!c || ct_u64map_put(&h->by_id, id, (uintptr_t)c))
		return NULL;
	return c;
}

static uint64_t rec_hash(const struct ct_stack *st, uint64_t size)
{
	return lw_mix64((uint64_t)(uintptr_t)st ^ lw_mix64(size + 0x51));
}

static struct ct_rec *bucket(struct ct_snapshot *s, const struct ct_stack *st, uint64_t size)
{
	size_t j;

	if ((s->n + 1) * 2 > s->mask + 1 || !s->slots) {
		size_t cap = s->slots ? (s->mask + 1) * 2 : 1024;
		uint32_t *slots = calloc(cap, sizeof(*slots));
		if (!slots)
			return NULL;
		for (size_t i = 0; i < s->n; i++) {
			j = rec_hash(s->v[i].stack, s->v[i].size) & (cap - 1);
			while (slots[j])
				j = (j + 1) & (cap - 1);
			slots[j] = (uint32_t)(i + 1);
		}
		free(s->slots);
		s->slots = slots;
		s->mask = cap - 1;
	}
	j = rec_hash(st, size) & s->mask;
	while (s->slots[j]) {
		struct ct_rec *r = &s->v[s->slots[j] - 1];
		if (r->stack == st && r->size == size)
			return r;
		j = (j + 1) & s->mask;
	}
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 256;
		struct ct_rec *nv = realloc(s->v, nc * sizeof(*nv));
		if (!nv)
			return NULL;
		s->v = nv;
		s->cap = nc;
	}
	struct ct_rec *r = &s->v[s->n];
	memset(r, 0, sizeof(*r));
	r->stack = st;
	r->size = size;
	s->slots[j] = (uint32_t)++s->n;
	return r;
}

#define BATCH 4096

/* Reads a whole hash map in batches; calls fn for each entry. */
static int read_map(int fd, size_t ksz, size_t vsz, int (*fn)(void *, const void *, const void *),
		    void *arg)
{
	char *keys = malloc(BATCH * ksz), *vals = malloc(BATCH * vsz);
	uint64_t in = 0, out = 0;
	int first = 1, rc = 0;

	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	for (;;) {
		__u32 count = BATCH;
		int err = bpf_map_lookup_batch(fd, first ? NULL : &in, &out, keys, vals, &count, NULL);
		int e = err ? errno : 0;

		for (__u32 i = 0; i < count && !rc; i++)
			rc = fn(arg, keys + i * ksz, vals + i * vsz);
		if (rc)
			break;
		if (err) {
			if (e != ENOENT)
				rc = -e;
			break;
		}
		in = out;
		first = 0;
	}
	free(keys);
	free(vals);
	return rc;
}

struct walk {
	struct ct_heap *h;
	struct ct_snapshot *s;
	uint64_t min_age;
};

static int on_alloc(void *arg, const void *k, const void *v)
{
	struct walk *w = arg;
	const struct ct_alloc *a = v;
	const struct ct_stack *st;
	struct ct_rec *r;

	(void)k;
	if (a->gen != w->h->gen)
		return 0;
	w->s->outstanding++;
	w->s->outstanding_bytes += a->size;
	if (w->min_age && (a->ts_ns > w->s->ts_ns || w->s->ts_ns - a->ts_ns < w->min_age)) {
		w->s->too_young++;
		return 0;
	}
	st = resolve(w->h, a->stack_id);
	if (!st || !(r = bucket(w->s, st, a->size)))
		return -ENOMEM;
	if (st == &w->h->lost)
		w->h->lost_stacks++;
	r->inuse_count++;
	r->inuse_bytes += a->size;
	return 0;
}

static int on_total(void *arg, const void *k, const void *v)
{
	struct walk *w = arg;
	const struct ct_total_key *key = k;
	const struct ct_total *t = v;
	const struct ct_stack *st;
	struct ct_rec *r;

	if (key->gen != w->h->gen)
		return 0;
	st = resolve(w->h, key->stack_id);
	if (!st || !(r = bucket(w->s, st, key->size)))
		return -ENOMEM;
	r->alloc_count += t->count;
	r->alloc_bytes += t->bytes;
	return 0;
}

int ct_heap_snapshot(struct ct_heap *h, uint64_t min_age_ns, struct ct_snapshot *out)
{
	struct walk w = { h, out, min_age_ns };
	struct timespec ts;
	int rc;

	memset(out, 0, sizeof(*out));
	h->lost_stacks = 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	out->ts_ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	rc = read_map(h->allocs_fd, sizeof(__u64), sizeof(struct ct_alloc), on_alloc, &w);
	if (!rc)
		rc = read_map(h->totals_fd, sizeof(struct ct_total_key), sizeof(struct ct_total),
			      on_total, &w);
	if (rc)
		ct_snapshot_free(out);
	return rc;
}

void ct_snapshot_free(struct ct_snapshot *s)
{
	free(s->v);
	free(s->slots);
	memset(s, 0, sizeof(*s));
}

void ct_heap_reset(struct ct_heap *h, uint32_t gen)
{
	ct_heap_free(h);
	h->gen = gen;
}

void ct_heap_free(struct ct_heap *h)
{
	for (size_t i = 0; h->by_sum.keys && i <= h->by_sum.mask; i++) {
		if (!h->by_sum.keys[i])
			continue;
		struct canon *c = (struct canon *)h->by_sum.vals[i];
		while (c) {
			struct canon *next = c->next;
			free(c);
			c = next;
		}
	}
	ct_u64map_free(&h->by_sum);
	ct_u64map_free(&h->by_id);
}
