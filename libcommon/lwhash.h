/* lwhash.h: the hash mixers, and a tiny open-addressing index table.
 *
 * lw_mix64 (splitmix64's finalizer) and lw_hash_combine are the one copy
 * of the mixers for all of leakwatch (libcommon's tables and cgo-trace's
 * caches). The table stores 32-bit indexes (+1; 0 = empty slot) into an
 * array the caller owns; the caller hashes and compares its own entries.
 * Linear probing, power-of-two capacity, load factor <= 1/2. Used by
 * aggregate.c and merge.c, where keys are interned pointers and small
 * integer tuples.
 */
#ifndef LW_LWHASH_H
#define LW_LWHASH_H

#include <stdint.h>
#include <stdlib.h>

struct lw_itab {
	uint32_t *slots;
	size_t mask; /* capacity - 1 */
	size_t n;
};

static inline uint64_t lw_mix64(uint64_t x)
{
	/* splitmix64 finalizer: ids and pointers are often dense or aligned */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static inline uint64_t lw_hash_combine(uint64_t h, uint64_t v)
{
	return lw_mix64(h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2)));
}

/* Not profile.c's lw_hash_bytes (word-wise, for string tables): the
 * tables built on this one keep their layout. */
static inline uint64_t lwh_bytes(const void *p, size_t n)
{
	/* FNV-1a, then mixed */
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return lw_mix64(h);
}

/* 0, or -1 on out-of-memory. */
static inline int lw_itab_init(struct lw_itab *t, size_t expect)
{
	size_t cap = 16;
	while (cap < expect * 2 + 2)
		cap <<= 1;
	t->slots = calloc(cap, sizeof(*t->slots));
	t->mask = cap - 1;
	t->n = 0;
	return t->slots ? 0 : -1;
}

static inline void lw_itab_free(struct lw_itab *t)
{
	free(t->slots);
	t->slots = NULL;
}

/* Probe sequence: for (i = h & mask; slots[i]; i = (i + 1) & mask). */
static inline size_t lw_itab_first(const struct lw_itab *t, uint64_t h)
{
	return (size_t)h & t->mask;
}

/* Doubles the table when half full; rehash(ctx, idx) must return the hash
 * of entry idx. 0 or -1 on out-of-memory. Call before inserting. */
static inline int lw_itab_reserve(struct lw_itab *t, uint64_t (*rehash)(void *, uint32_t),
				  void *ctx)
{
	if ((t->n + 1) * 2 <= t->mask + 1)
		return 0;
	size_t cap = (t->mask + 1) * 2;
	uint32_t *ns = calloc(cap, sizeof(*ns));
	if (!ns)
		return -1;
	for (size_t i = 0; i <= t->mask; i++) {
		uint32_t v = t->slots[i];
		if (!v)
			continue;
		size_t j = (size_t)rehash(ctx, v - 1) & (cap - 1);
		while (ns[j])
			j = (j + 1) & (cap - 1);
		ns[j] = v;
	}
	free(t->slots);
	t->slots = ns;
	t->mask = cap - 1;
	return 0;
}

/* Pointer -> pointer map (keys non-NULL), open addressing. */
struct lw_pmap {
	uintptr_t *keys, *vals;
	size_t mask, n;
};

static inline int lw_pmap_init(struct lw_pmap *m, size_t expect)
{
	size_t cap = 16;
	while (cap < expect * 2 + 2)
		cap <<= 1;
	m->keys = calloc(cap, sizeof(*m->keys));
	m->vals = calloc(cap, sizeof(*m->vals));
	m->mask = cap - 1;
	m->n = 0;
	if (!m->keys || !m->vals) {
		free(m->keys);
		free(m->vals);
		m->keys = m->vals = NULL;
		return -1;
	}
	return 0;
}

static inline void lw_pmap_free(struct lw_pmap *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = m->vals = NULL;
}

static inline void *lw_pmap_get(const struct lw_pmap *m, const void *key)
{
	size_t i = (size_t)lw_mix64((uintptr_t)key) & m->mask;
	for (; m->keys[i]; i = (i + 1) & m->mask)
		if (m->keys[i] == (uintptr_t)key)
			return (void *)m->vals[i];
	return NULL;
}

/* 0, or -1 on out-of-memory. Overwrites an existing key. */
static inline int lw_pmap_put(struct lw_pmap *m, const void *key, const void *val)
{
	if ((m->n + 1) * 2 > m->mask + 1) {
		struct lw_pmap nm;
		if (lw_pmap_init(&nm, (m->mask + 1)))
			return -1;
		for (size_t i = 0; i <= m->mask; i++)
			if (m->keys[i])
				lw_pmap_put(&nm, (void *)m->keys[i], (void *)m->vals[i]);
		lw_pmap_free(m);
		*m = nm;
	}
	size_t i = (size_t)lw_mix64((uintptr_t)key) & m->mask;
	for (; m->keys[i]; i = (i + 1) & m->mask)
		if (m->keys[i] == (uintptr_t)key)
			break;
	if (!m->keys[i])
		m->n++;
	m->keys[i] = (uintptr_t)key;
	m->vals[i] = (uintptr_t)val;
	return 0;
}

#endif
