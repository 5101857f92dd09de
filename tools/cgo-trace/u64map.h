/* u64map.h: open-addressing hash map from a non-zero uint64_t key to a
 * pointer-sized value, for cgo-trace's caches (pc -> symbols, stack id ->
 * stack, ...). Linear probing, power-of-two capacity, load <= 1/2; no
 * deletion (caches only grow while a trace runs).
 */
#ifndef CT_U64MAP_H
#define CT_U64MAP_H

#include <stddef.h>
#include <stdint.h>

#include "lwhash.h" /* lw_mix64 */

struct ct_u64map {
	uint64_t *keys; /* 0 = empty slot */
	uintptr_t *vals;
	size_t mask;
	size_t n;
};

/* All return 0, or -ENOMEM. key must not be 0. */
int ct_u64map_put(struct ct_u64map *m, uint64_t key, uintptr_t val);
/* 1 and *val set when present, else 0. */
int ct_u64map_get(const struct ct_u64map *m, uint64_t key, uintptr_t *val);
void ct_u64map_free(struct ct_u64map *m);

/* Iteration: for (size_t i = 0; i <= m->mask && m->keys; i++) if (m->keys[i]) ... */

#endif
