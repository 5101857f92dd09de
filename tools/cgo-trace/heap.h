/* heap.h: a snapshot of the traced heap from the BPF maps.
 *
 * Outstanding allocations (allocs map, filtered by --min-age) and the
 * running alloc_* totals (totals map) are grouped by (stack, size), the
 * buckets of a Go heap profile. Stack ids, from BPF or from user-space
 * unwinding, are resolved to canonical stacks: equal frame lists are one
 * stack, whichever way they were unwound.
 */
#ifndef CT_HEAP_H
#define CT_HEAP_H

#include <stdint.h>

#include "cgo-trace.h"
#include "u64map.h"
#include "unwind.h"

struct ct_rec {
	const struct ct_stack *stack; /* never NULL; n == 0: stack lost */
	uint64_t size;
	uint64_t alloc_count, alloc_bytes;
	uint64_t inuse_count, inuse_bytes;
};

struct ct_snapshot {
	struct ct_rec *v;
	size_t n, cap;
	uint32_t *slots; /* index + 1 by (stack, size) */
	size_t mask;
	uint64_t outstanding, outstanding_bytes; /* recorded, before --min-age */
	uint64_t too_young;			 /* left out by --min-age */
	uint64_t ts_ns;				 /* CLOCK_MONOTONIC of the snapshot */
};

struct ct_heap {
	int allocs_fd, totals_fd, stacks_fd;
	struct ct_unwinder *unw;
	struct ct_u64map by_id;	 /* stack id -> canonical stack */
	struct ct_u64map by_sum; /* content hash -> chain of canonical stacks */
	struct ct_stack lost;	 /* stands for stacks that could not be found */
	uint64_t lost_stacks;	 /* outstanding allocations of the last snapshot
				  * whose stack is missing (stack map full) */
	uint32_t gen;		 /* exec generation counted (older ones are gone) */
};

void ct_heap_init(struct ct_heap *h, int allocs_fd, int totals_fd, int stacks_fd,
		  struct ct_unwinder *unw);
/* 0, or -errno (map read failure, out of memory). */
int ct_heap_snapshot(struct ct_heap *h, uint64_t min_age_ns, struct ct_snapshot *out);
void ct_snapshot_free(struct ct_snapshot *s);
/* The process exec'd: its old allocations died with the old address space. */
void ct_heap_reset(struct ct_heap *h, uint32_t gen);
void ct_heap_free(struct ct_heap *h);

#endif
