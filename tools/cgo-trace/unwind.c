/* unwind.c: CFI rows -> struct ct_rule; replay of the BPF unwinder. */
#include <errno.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <sys/uio.h>

#include <bpf/bpf.h>

#include "unwind.h"

enum { R_SAME, R_OFFSET, R_UNDEF, R_COMPLEX };

#define DW_RBP 6
#define DW_RSP 7
#define DW_RA 16

void ct_unwinder_init(struct ct_unwinder *u, struct ct_modules *mods, pid_t pid, int rules_fd)
{
	memset(u, 0, sizeof(*u));
	u->mods = mods;
	u->pid = pid;
	u->rules_fd = rules_fd;
}

/* A register's rule as "same value", "saved at CFA+off", "undefined". */
static int reg_rule(Dwarf_Frame *fr, int regno, int64_t *off)
{
	Dwarf_Op mem[3], *ops = NULL;
	size_t nops = 0;

	*off = 0;
	if (dwarf_frame_register(fr, regno, mem, &ops, &nops))
		return R_COMPLEX;
	if (nops == 0)
		return ops ? R_UNDEF : R_SAME;
	if (ops[0].atom != DW_OP_call_frame_cfa)
		return R_COMPLEX;
	if (nops == 1)
		return R_OFFSET;
	if (nops == 2 && ops[1].atom == DW_OP_plus_uconst) {
		*off = (int64_t)ops[1].number;
		return R_OFFSET;
	}
	return R_COMPLEX;
}

static void derive(struct ct_unwinder *u, uint64_t pc, struct ct_rule *r)
{
	struct ct_module *cm = ct_modules_find(u->mods, pc);
	Dwarf_Frame *fr = NULL;
	Dwarf_CFI *cfi;
	Dwarf_Addr bias = 0;
	Dwarf_Op *ops;
	size_t nops;
	int64_t ra_off, rbp_off;
	int rbp_rule;

	memset(r, 0, sizeof(*r));
	if (!cm && ct_modules_refresh(u->mods) == 0)
		cm = ct_modules_find(u->mods, pc);
	if (!cm) {
		/* Not code from any file: a stray value, the end of the stack. */
		r->kind = CT_RULE_STOP;
		return;
	}
	r->kind = CT_RULE_TAIL;
	if (!ct_module_dwfl(u->mods, cm) || (pc > cm->go_lo && pc <= cm->go_hi))
		return; /* Go code keeps frame pointers and has no .eh_frame */
	/* pc is a return address: the call instruction lies before it. */
	cfi = dwfl_module_eh_cfi(cm->mod, &bias);
	if (!cfi || dwarf_cfi_addrframe(cfi, pc - 1 - bias, &fr)) {
		fr = NULL;
		cfi = dwfl_module_dwarf_cfi(cm->mod, &bias);
		if (!cfi || dwarf_cfi_addrframe(cfi, pc - 1 - bias, &fr))
			return;
	}
	if (dwarf_frame_cfa(fr, &ops, &nops) || nops != 1 || ops[0].atom != DW_OP_bregx)
		goto out;
	if (ops[0].number != DW_RSP && ops[0].number != DW_RBP)
		goto out;
	int64_t cfa_off = (int64_t)ops[0].number2;
	if (cfa_off < INT32_MIN || cfa_off > INT32_MAX)
		goto out;
	switch (reg_rule(fr, DW_RA, &ra_off)) {
	case R_UNDEF:
		r->kind = CT_RULE_STOP; /* outermost frame (_start, clone) */
		goto out;
	case R_OFFSET:
		if (ra_off == -8)
			break;
		goto out;
	default:
		goto out;
	}
	rbp_rule = reg_rule(fr, DW_RBP, &rbp_off);
	if (rbp_rule == R_COMPLEX || (rbp_rule == R_OFFSET && (rbp_off == 0 ||
							      rbp_off < INT32_MIN || rbp_off > INT32_MAX)))
		goto out;
	r->kind = ops[0].number == DW_RSP ? CT_RULE_CFA_RSP : CT_RULE_CFA_RBP;
	r->cfa_off = (int32_t)cfa_off;
	r->rbp_off = rbp_rule == R_OFFSET ? (int32_t)rbp_off : 0;
	r->fp_std = r->kind == CT_RULE_CFA_RBP && r->cfa_off == 16 && r->rbp_off == -16;
out:
	free(fr);
}

int ct_unwind_rule(struct ct_unwinder *u, uint64_t pc, struct ct_rule *out)
{
	uintptr_t v;
	struct ct_rule *r;

	if (ct_u64map_get(&u->rules, pc, &v)) {
		*out = *(struct ct_rule *)v;
		return 0;
	}
	r = malloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	derive(u, pc, r);
	if (ct_u64map_put(&u->rules, pc, (uintptr_t)r)) {
		free(r);
		return -ENOMEM;
	}
	uint64_t key = ct_rule_key(pc, u->gen);
	if (u->rules_fd >= 0 && bpf_map_update_elem(u->rules_fd, &key, r, BPF_ANY))
		u->rules_full++;
	*out = *r;
	return 0;
}

/* Reads a word of the target's stack: from the slice copied at the probe,
 * else from the live process (frames beyond the slice, e.g. a goroutine
 * stack, are the outer frames and still unchanged in the common case). */
static int rd(struct ct_unwinder *u, const struct ct_unwind_req *r, uint64_t addr, uint64_t *val)
{
	if (addr >= r->slice_base && addr + 8 <= r->slice_base + r->slice_len &&
	    addr + 8 > addr) {
		memcpy(val, r->slice + (addr - r->slice_base), 8);
		return 0;
	}
	struct iovec local = { val, 8 }, remote = { (void *)(uintptr_t)addr, 8 };
	if (process_vm_readv(u->pid, &local, 1, &remote, 1, 0) == 8)
		return 0;
	if (errno == ESRCH)
		u->gone = 1;
	return -1;
}

static void push(struct ct_stack *st, uint64_t pc)
{
	if (st->n < CT_MAX_FRAMES)
		st->pc[st->n++] = pc;
	else
		st->flags |= CT_STACK_TRUNCATED;
}

/* Mirrors fp_tail() in cgo-trace.bpf.c. The request carries the chain from
 * the entry's rbp as the probe saw it; other chains are read here. */
static void fp_tail(struct ct_unwinder *u, const struct ct_unwind_req *r, struct ct_stack *st,
		    uint32_t n_fp, uint64_t bp, uint64_t entry_bp)
{
	if (bp == entry_bp) {
		for (uint32_t i = 1; i < n_fp && i < CT_MAX_FRAMES; i++) {
			if (st->n >= CT_MAX_FRAMES) {
				st->flags |= CT_STACK_TRUNCATED;
				break;
			}
			push(st, r->fp[i]);
		}
		return;
	}
	for (int i = 0; i < CT_MAX_FRAMES; i++) {
		uint64_t next, ra;
		if (!bp || rd(u, r, bp, &next) || rd(u, r, bp + 8, &ra) || !ra)
			break;
		if (st->n >= CT_MAX_FRAMES) {
			st->flags |= CT_STACK_TRUNCATED;
			break;
		}
		push(st, ra);
		bp = next;
	}
}

/* Mirrors capture_stack() in cgo-trace.bpf.c. */
int ct_unwind_request(struct ct_unwinder *u, const struct ct_unwind_req *r)
{
	struct ct_stack *st = calloc(1, sizeof(*st));
	uint64_t sp = r->sp, bp = r->bp, entry_bp = r->bp, pc = 0;
	uint32_t n_fp = r->n_fp < CT_MAX_FRAMES ? r->n_fp : CT_MAX_FRAMES, i;
	int tail = 0;

	if (r->gen != u->gen) {
		free(st);
		return 0; /* from before an exec: nobody asks for that stack */
	}
	if (!st)
		return -ENOMEM;
	u->requests++;
	u->gone = 0;
	if (rd(u, r, sp, &pc) || !pc) {
		st->flags |= CT_STACK_PARTIAL;
		goto store;
	}
	sp += 8;
	push(st, pc);
	for (i = 0; i < CT_MAX_UNWIND; i++) {
		struct ct_rule rule;
		uint64_t cfa;

		if (ct_unwind_rule(u, pc, &rule)) {
			free(st);
			return -ENOMEM;
		}
		if (rule.kind == CT_RULE_STOP)
			break;
		if (rule.kind == CT_RULE_TAIL || rule.fp_std) {
			tail = 1;
			break;
		}
		cfa = (rule.kind == CT_RULE_CFA_RSP ? sp : bp) + (int64_t)rule.cfa_off;
		if (rule.rbp_off && rd(u, r, cfa + (int64_t)rule.rbp_off, &bp))
			break;
		if (rd(u, r, cfa - 8, &pc) || !pc)
			break;
		sp = cfa;
		if (st->n >= CT_MAX_FRAMES) {
			st->flags |= CT_STACK_TRUNCATED;
			break;
		}
		push(st, pc);
	}
	if (i == CT_MAX_UNWIND)
		tail = 1;
	if (tail)
		fp_tail(u, r, st, n_fp, bp, entry_bp);
store:
	if (u->gone) {
		/* The outer frames were not in the copied slice and the
		 * process has exited: the stack ends early. */
		st->flags |= CT_STACK_PARTIAL;
		u->cut_short++;
	}
	if (ct_u64map_put(&u->pending, r->pending_id, (uintptr_t)st)) {
		free(st);
		return -ENOMEM;
	}
	return 0;
}

const struct ct_stack *ct_unwind_pending(const struct ct_unwinder *u, uint64_t id)
{
	uintptr_t v;
	return ct_u64map_get(&u->pending, id, &v) ? (const struct ct_stack *)v : NULL;
}

void ct_unwinder_reset(struct ct_unwinder *u, uint32_t gen)
{
	uint64_t key, *stale = NULL;
	size_t n = 0, cap = 0;
	int fd = u->rules_fd, more;

	ct_unwinder_free(u);
	u->gen = gen;
	/* Old rules never match again (their keys carry the old generation);
	 * drop them to make room. Collect first: deleting while walking a
	 * hash map restarts the walk. */
	more = fd >= 0 && bpf_map_get_next_key(fd, NULL, &key) == 0;
	while (more) {
		if ((key >> 48) != (gen & 0xffff)) {
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 1024;
				uint64_t *nv = realloc(stale, nc * sizeof(*nv));
				if (!nv)
					break;
				stale = nv;
				cap = nc;
			}
			stale[n++] = key;
		}
		more = bpf_map_get_next_key(fd, &key, &key) == 0;
	}
	for (size_t i = 0; i < n; i++)
		bpf_map_delete_elem(fd, &stale[i]);
	free(stale);
}

void ct_unwinder_free(struct ct_unwinder *u)
{
	for (size_t i = 0; u->rules.keys && i <= u->rules.mask; i++)
		if (u->rules.keys[i])
			free((void *)u->rules.vals[i]);
	for (size_t i = 0; u->pending.keys && i <= u->pending.mask; i++)
		if (u->pending.keys[i])
			free((void *)u->pending.vals[i]);
	ct_u64map_free(&u->rules);
	ct_u64map_free(&u->pending);
}
