/* u64map.c: see u64map.h. */
#include "u64map.h"

static int grow(struct ct_u64map *m)
{
	size_t cap = m->keys ? (m->mask + 1) * 2 : 64;
	uint64_t *keys = calloc(cap, sizeof(*keys));
	uintptr_t *vals = calloc(cap, sizeof(*vals));

	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	for (size_t i = 0; m->keys && i <= m->mask; i++) {
		if (!m->keys[i])
			continue;
		size_t j = lw_mix64(m->keys[i]) & (cap - 1);
		while (keys[j])
			j = (j + 1) & (cap - 1);
		keys[j] = m->keys[i];
		vals[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->mask = cap - 1;
	return 0;
}

int ct_u64map_put(struct ct_u64map *m, uint64_t key, uintptr_t val)
{
	if (!m->keys || (m->n + 1) * 2 > m->mask + 1) {
		int err = grow(m);
		if (err)
			return err;
	}
	size_t j = lw_mix64(key) & m->mask;
	while (m->keys[j] && m->keys[j] != key)
		j = (j + 1) & m->mask;
	if (!m->keys[j]) {
		m->keys[j] = key;
		m->n++;
	}
	m->vals[j] = val;
	return 0;
}

int ct_u64map_get(const struct ct_u64map *m, uint64_t key, uintptr_t *val)
{
	if (!m->keys)
		return 0;
	size_t j = lw_mix64(key) & m->mask;
	while (m->keys[j]) {
		if (m->keys[j] == key) {
			*val = m->vals[j];
			return 1;
		}
		j = (j + 1) & m->mask;
	}
	return 0;
}

void ct_u64map_free(struct ct_u64map *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = NULL;
	m->vals = NULL;
	m->mask = m->n = 0;
}
