/* unwind.h: user-space half of cgo-trace's stack unwinding.
 *
 * ct_unwind_rule() turns the CFI row (.eh_frame, else .debug_frame, read
 * with libdw) that covers a return address into the compact step rule the
 * BPF unwinder applies (struct ct_rule), caches it and stores it in the BPF
 * rules map. ct_unwind_request() answers an unwind request: it replays the
 * BPF unwinder's algorithm step for step on the copied stack slice (so the
 * allocation gets the same stack BPF will compute for the next allocation
 * from that site), learning every rule on the way.
 */
#ifndef CT_UNWIND_H
#define CT_UNWIND_H

#include <stdint.h>
#include <sys/types.h>

#include "cgo-trace.h"
#include "modules.h"
#include "u64map.h"

struct ct_unwinder {
	struct ct_modules *mods;
	pid_t pid;
	int rules_fd;		 /* BPF rules map, -1: none */
	struct ct_u64map rules;	 /* pc -> struct ct_rule * */
	struct ct_u64map pending; /* pending id -> struct ct_stack * */
	uint64_t rules_full;	 /* rules the BPF map had no room for */
	uint64_t requests;	 /* requests answered */
	uint64_t cut_short;	 /* of which cut short: the process was gone */
	int gone;		 /* the request being answered met an exited process */
	uint32_t gen;		 /* exec generation the caches belong to */
};

void ct_unwinder_init(struct ct_unwinder *u, struct ct_modules *mods, pid_t pid, int rules_fd);
/* 0, or -ENOMEM. */
int ct_unwind_rule(struct ct_unwinder *u, uint64_t pc, struct ct_rule *out);
int ct_unwind_request(struct ct_unwinder *u, const struct ct_unwind_req *r);
/* The stack computed for a pending id, or NULL. */
const struct ct_stack *ct_unwind_pending(const struct ct_unwinder *u, uint64_t id);
/* The process exec'd: forget everything about the old address space. */
void ct_unwinder_reset(struct ct_unwinder *u, uint32_t gen);
void ct_unwinder_free(struct ct_unwinder *u);

#endif
