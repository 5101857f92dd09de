// SPDX-License-Identifier: GPL-2.0
/* cgo-trace.bpf.c: uprobes on a C allocator; records outstanding allocations
 * with their user stacks for tools/cgo-trace.
 *
 * Probes (one program each, the bpf cookie says which function):
 *   ct_alloc_enter  at the entry of malloc, calloc, realloc, ... (arguments,
 *                   sampling decision, stack)
 *   ct_alloc_exit   uretprobe of the same functions (returned address)
 *   ct_free         free/munmap; user space places it on the first
 *                   instruction the kernel can emulate (see probes.c), since a
 *                   single-stepped probe costs ~30x more.
 *
 * Stacks: the allocator's direct caller is read from [sp]; frames without
 * frame pointers are stepped with per-return-address CFI rules that user
 * space derives from .eh_frame/.debug_frame (rules map); once a frame keeps
 * the frame-pointer chain intact, the rest comes from bpf_get_stack(). A
 * return address without a rule sends the stack slice to user space
 * (ct_unwind_req), which unwinds it and teaches the rules map.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "cgo-trace.h"

#define EEXIST 17

__u32 target_tgid; /* set after load: the child of `-- COMMAND` comes later */
const volatile __u64 sample_rate = 0; /* <= 1: record every allocation */
const volatile __u8 mmap_anon_only = 1;

/* Exponential gaps (bytes until the next sample) for --sample-rate, filled by
 * user space: quantiles of Exp(1/sample_rate), picked uniformly. */
#define CT_GAPS 4096
__u64 gaps[CT_GAPS];
__u64 req_seq;
__u32 gen; /* bumped at each exec() of the target */

/* Per-thread state. The stack being unwound lives here too, not in a
 * per-CPU buffer: uprobe programs run preemptibly, so another thread's
 * program could reuse a CPU's buffer half-way through. */
struct ct_thread {
	__u64 entry_sp;
	__u64 size;
	__u64 arg;
	__u64 stack_id;
	__s64 sample_left;
	__u32 kind;
	__u8 active;
	__u8 sampled;
	__u8 sample_init;
	__u8 pad;
	struct ct_stack st;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct ct_thread);
} threads SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1 << 19); /* --max-allocs */
	__type(key, __u64);
	__type(value, struct ct_alloc);
} allocs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1 << 16); /* --max-stacks */
	__type(key, struct ct_total_key);
	__type(value, struct ct_total);
} totals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1 << 16); /* --max-stacks */
	__type(key, __u64);
	__type(value, struct ct_stack);
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1 << 17);
	__type(key, __u64);
	__type(value, struct ct_rule);
} rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 25); /* ~4000 requests */
} requests SEC(".maps");

/* Notices (struct ct_notice): the loader mapped new code (dlopen). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 12);
} notices SEC(".maps");

/* For a COMMAND cgo-trace started (its parent, so nobody else sees the
 * stops): stop the process (SIGSTOP) whenever user space must look at it
 * while it is still as the probe saw it, before that thread runs on: an
 * unwind request (the outer frames are read from the live process), a
 * change of the loaded objects, the exit. User space answers, then sends
 * SIGCONT. The signal is sent before the ring buffer record is submitted,
 * so the SIGCONT that follows the record cannot come before the stop. */
__u32 stop_child;

static __always_inline void stop_target(void)
{
	if (stop_child)
		bpf_send_signal(19 /* SIGSTOP */);
}

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ct_counters);
} counters SEC(".maps");

static __always_inline void count(int which)
{
	__u32 zero = 0;
	struct ct_counters *c = bpf_map_lookup_elem(&counters, &zero);

	if (c && which >= 0 && which < CT_NCOUNTERS)
		__sync_fetch_and_add(&c->c[which], 1);
}

static __always_inline int is_target(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == target_tgid;
}

static __always_inline void push_pc(struct ct_stack *st, __u64 pc)
{
	__u32 n = st->n;

	if (n < CT_MAX_FRAMES) {
		st->pc[n & (CT_MAX_FRAMES - 1)] = pc;
		st->n = n + 1;
	} else {
		st->flags |= CT_STACK_TRUNCATED;
	}
}

/* Copies the user stack from the page holding sp upwards, as far as it is
 * mapped (the whole slice at once, else page by page: the top of a thread's
 * stack is the end of its mapping). Page granularity keeps every offset a
 * constant the verifier can check. */
static __always_inline void copy_slice(struct ct_unwind_req *r, __u64 sp)
{
	__u64 base = sp & ~4095ULL;
	__u32 i;

	r->slice_base = base;
	r->slice_len = 0;
	if (bpf_probe_read_user(r->slice, CT_SLICE_BYTES, (void *)base) == 0) {
		r->slice_len = CT_SLICE_BYTES;
		return;
	}
#pragma unroll
	for (i = 0; i < CT_SLICE_BYTES / 4096; i++) {
		if (bpf_probe_read_user(r->slice + i * 4096, 4096, (void *)(base + i * 4096)))
			break;
		r->slice_len = (i + 1) * 4096;
	}
}

/* The frame-pointer chain from the entry's rbp, like bpf_get_stack() but
 * without the perf callchain machinery, which costs several times more. */
static __always_inline void get_fp_stack(struct pt_regs *ctx, struct ct_unwind_req *r)
{
	__u64 bp = PT_REGS_FP(ctx);
	__u32 i;

	r->fp[0] = PT_REGS_IP(ctx);
	r->n_fp = 1;
	for (i = 1; i < CT_MAX_FRAMES; i++) {
		__u64 rec[2];

		if (!bp || bpf_probe_read_user(rec, sizeof(rec), (void *)bp) || !rec[1])
			break;
		r->fp[i & (CT_MAX_FRAMES - 1)] = rec[1];
		r->n_fp = i + 1;
		bp = rec[0];
	}
}

static __always_inline __u64 send_request(struct pt_regs *ctx, __u32 kind)
{
	struct ct_unwind_req *r = bpf_ringbuf_reserve(&requests, sizeof(*r), 0);
	__u64 id;

	if (!r) {
		count(CT_C_UNWIND_LOST);
		return 0;
	}
	id = CT_PENDING_BIT | __sync_fetch_and_add(&req_seq, 1);
	r->pending_id = id;
	r->gen = gen;
	r->pad = 0;
	r->ip = PT_REGS_IP(ctx);
	r->sp = PT_REGS_SP(ctx);
	r->bp = PT_REGS_FP(ctx);
	r->tid = (__u32)bpf_get_current_pid_tgid();
	r->kind = kind;
	get_fp_stack(ctx, r);
	copy_slice(r, r->sp);
	stop_target();
	/* Wake user space now: until it answers, every allocation from this
	 * site sends another request. */
	bpf_ringbuf_submit(r, BPF_RB_FORCE_WAKEUP);
	count(CT_C_UNWIND_REQ);
	return id;
}

/* Appends the return addresses of the frame-pointer chain starting at bp. */
static __always_inline void fp_tail(struct ct_stack *st, __u64 bp)
{
	__u32 i;

	for (i = 0; i < CT_MAX_FRAMES; i++) {
		__u64 rec[2];

		if (!bp || bpf_probe_read_user(rec, sizeof(rec), (void *)bp) || !rec[1])
			break;
		if (st->n >= CT_MAX_FRAMES) {
			st->flags |= CT_STACK_TRUNCATED;
			break;
		}
		push_pc(st, rec[1]);
		bp = rec[0];
	}
}

/* Unwinds the user stack at the allocator's entry; returns its stack id. */
static __always_inline __u64 capture_stack(struct pt_regs *ctx, struct ct_thread *t, __u32 kind)
{
	struct ct_stack *st = &t->st, *old;
	__u64 sp, bp, pc = 0, h, id;
	__u32 i, g = gen;
	int tail = 0;

	st->n = 0;
	st->flags = 0;

	sp = PT_REGS_SP(ctx);
	bp = PT_REGS_FP(ctx);
	if (bpf_probe_read_user(&pc, sizeof(pc), (void *)sp) || !pc) {
		st->flags |= CT_STACK_PARTIAL;
		goto store;
	}
	sp += 8;
	push_pc(st, pc);

	for (i = 0; i < CT_MAX_UNWIND; i++) {
		__u64 key = ct_rule_key(pc, g);
		struct ct_rule *r = bpf_map_lookup_elem(&rules, &key);
		__u64 cfa;

		if (!r) {
			id = send_request(ctx, kind);
			if (id)
				return id;
			st->flags |= CT_STACK_PARTIAL;
			count(CT_C_STACK_PARTIAL);
			tail = 1;
			break;
		}
		if (r->kind == CT_RULE_STOP)
			break;
		if (r->kind == CT_RULE_TAIL || r->fp_std) {
			tail = 1;
			break;
		}
		cfa = (r->kind == CT_RULE_CFA_RSP ? sp : bp) + (__s64)r->cfa_off;
		if (r->rbp_off && bpf_probe_read_user(&bp, sizeof(bp), (void *)(cfa + (__s64)r->rbp_off)))
			break;
		if (bpf_probe_read_user(&pc, sizeof(pc), (void *)(cfa - 8)) || !pc)
			break;
		sp = cfa;
		if (st->n >= CT_MAX_FRAMES) {
			st->flags |= CT_STACK_TRUNCATED;
			break;
		}
		push_pc(st, pc);
	}
	if (i == CT_MAX_UNWIND)
		tail = 1;
	if (tail)
		fp_tail(st, bp);

store:
	if (st->flags & CT_STACK_TRUNCATED)
		count(CT_C_STACK_TRUNCATED);
	h = 0x9e3779b97f4a7c15ULL ^ st->flags ^ ((__u64)g << 32);
	for (i = 0; i < CT_MAX_FRAMES; i++) {
		if (i >= st->n)
			break;
		h = (h ^ st->pc[i]) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	id = h & ~CT_PENDING_BIT;
	if (!id)
		id = 1;
	old = bpf_map_lookup_elem(&stacks, &id);
	if (!old) {
		long err = bpf_map_update_elem(&stacks, &id, st, BPF_NOEXIST);

		if (err && err != -EEXIST)
			count(CT_C_DROP_STACK_FULL);
	} else if (old->n != st->n || (st->n && old->pc[0] != st->pc[0]) ||
		   old->pc[(st->n - 1) & (CT_MAX_FRAMES - 1)] != st->pc[(st->n - 1) & (CT_MAX_FRAMES - 1)]) {
		count(CT_C_STACK_COLLISION);
	}
	return id;
}

/* Go's MemProfileRate model: a Poisson process over allocated bytes. */
static __always_inline int sample_this(struct ct_thread *t, __u64 size)
{
	if (sample_rate <= 1)
		return 1;
	if (!t->sample_init) {
		t->sample_left = gaps[bpf_get_prandom_u32() & (CT_GAPS - 1)];
		t->sample_init = 1;
	}
	if ((__s64)size < t->sample_left) {
		t->sample_left -= size;
		return 0;
	}
	t->sample_left = gaps[bpf_get_prandom_u32() & (CT_GAPS - 1)];
	return 1;
}

/* nmemb * size; an overflowing product (the call fails) saturates. The
 * 128-bit multiply clang would emit for an exact check is not BPF. */
static __always_inline __u64 mul_size(__u64 a, __u64 b)
{
	if ((a | b) >> 32 == 0 || a <= 1 || b <= 1)
		return a * b;
	if (a >> 32 && b >> 32)
		return ~0ULL;
	if (b >> 32) {
		__u64 t = a;

		a = b;
		b = t;
	}
	/* a = hi * 2^32 + lo with hi != 0, b < 2^32 */
	__u64 hi = (a >> 32) * b, lo = (a & 0xffffffffULL) * b, r;

	if (hi >> 32)
		return ~0ULL;
	r = (hi << 32) + lo;
	return r < lo ? ~0ULL : r;
}

SEC("uprobe")
int ct_alloc_enter(struct pt_regs *ctx)
{
	struct ct_thread *t;
	__u32 kind;
	__u64 sp, size = 0, arg = 0;

	if (!is_target())
		return 0;
	kind = (__u32)bpf_get_attach_cookie(ctx);
	t = bpf_task_storage_get(&threads, bpf_get_current_task_btf(), 0,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!t) {
		count(CT_C_NO_THREAD);
		return 0;
	}
	sp = PT_REGS_SP(ctx);
	if (t->active) {
		/* Deeper (or the same frame, a tail call such as reallocarray ->
		 * realloc): an allocator calling another hooked function. A
		 * shallower sp means the earlier call never returned to us. */
		if (sp <= t->entry_sp) {
			count(CT_C_NESTED);
			return 0;
		}
		count(CT_C_MISSED_RETURN);
	}
	switch (kind) {
	case CT_MALLOC:
	case CT_VALLOC:
	case CT_PVALLOC:
		size = PT_REGS_PARM1(ctx);
		break;
	case CT_CALLOC:
		size = mul_size(PT_REGS_PARM1(ctx), PT_REGS_PARM2(ctx));
		break;
	case CT_REALLOC:
		arg = PT_REGS_PARM1(ctx);
		size = PT_REGS_PARM2(ctx);
		break;
	case CT_REALLOCARRAY:
		arg = PT_REGS_PARM1(ctx);
		size = mul_size(PT_REGS_PARM2(ctx), PT_REGS_PARM3(ctx));
		break;
	case CT_POSIX_MEMALIGN:
		arg = PT_REGS_PARM1(ctx);
		size = PT_REGS_PARM3(ctx);
		break;
	case CT_ALIGNED_ALLOC:
	case CT_MEMALIGN:
		size = PT_REGS_PARM2(ctx);
		break;
	case CT_MMAP:
		/* MAP_ANONYMOUS: file mappings are not heap memory. */
		if (mmap_anon_only && !(PT_REGS_PARM4(ctx) & 0x20))
			return 0;
		size = PT_REGS_PARM2(ctx);
		break;
	default:
		return 0;
	}
	t->active = 1;
	t->entry_sp = sp;
	t->kind = kind;
	t->size = size;
	t->arg = arg;
	t->sampled = sample_this(t, size);
	if (!t->sampled) {
		count(CT_C_SAMPLED_OUT);
		return 0;
	}
	t->stack_id = capture_stack(ctx, t, kind);
	return 0;
}

static __always_inline void forget(__u64 addr)
{
	if (bpf_map_delete_elem(&allocs, &addr) == 0)
		count(CT_C_FREES);
}

SEC("uretprobe")
int ct_alloc_exit(struct pt_regs *ctx)
{
	struct ct_thread *t;
	struct ct_alloc a = {};
	struct ct_total_key k = {};
	struct ct_total *tot;
	__u64 ret, addr;
	long err;

	if (!is_target())
		return 0;
	t = bpf_task_storage_get(&threads, bpf_get_current_task_btf(), 0, 0);
	if (!t || !t->active)
		return 0;
	/* After `ret` the stack pointer is one word above the entry's: any
	 * other value is the return of a nested call we ignored. */
	if (PT_REGS_SP(ctx) != t->entry_sp + 8)
		return 0;
	t->active = 0;
	ret = PT_REGS_RC(ctx);
	addr = ret;
	switch (t->kind) {
	case CT_REALLOC:
	case CT_REALLOCARRAY:
		if (ret) {
			if (t->arg)
				forget(t->arg); /* moved or resized in place */
		} else if (t->size == 0 && t->arg) {
			forget(t->arg); /* realloc(p, 0) frees p */
		}
		break;
	case CT_POSIX_MEMALIGN:
		addr = 0;
		if (ret == 0)
			bpf_probe_read_user(&addr, sizeof(addr), (void *)t->arg);
		break;
	case CT_MMAP:
		if (ret == ~0ULL)
			addr = 0;
		break;
	default:
		break;
	}
	if (!addr) {
		if (t->size)
			count(CT_C_FAILED);
		return 0;
	}
	if (!t->sampled)
		return 0;
	a.size = t->size;
	a.ts_ns = bpf_ktime_get_ns();
	a.stack_id = t->stack_id;
	a.kind = t->kind;
	a.gen = gen;
	err = bpf_map_update_elem(&allocs, &addr, &a, BPF_NOEXIST);
	if (err == -EEXIST) {
		count(CT_C_ADDR_REUSED);
		err = bpf_map_update_elem(&allocs, &addr, &a, BPF_ANY);
	}
	if (err) {
		count(CT_C_DROP_ALLOC_FULL);
	} else {
		count(CT_C_ALLOCS);
	}
	k.stack_id = t->stack_id;
	k.size = t->size;
	k.kind = t->kind;
	k.gen = gen;
	tot = bpf_map_lookup_elem(&totals, &k);
	if (!tot) {
		struct ct_total z = {};

		bpf_map_update_elem(&totals, &k, &z, BPF_NOEXIST);
		tot = bpf_map_lookup_elem(&totals, &k);
		if (!tot) {
			count(CT_C_DROP_TOTAL_FULL);
			return 0;
		}
	}
	__sync_fetch_and_add(&tot->count, 1);
	__sync_fetch_and_add(&tot->bytes, t->size);
	return 0;
}

SEC("uprobe")
int ct_free(struct pt_regs *ctx)
{
	__u64 addr = PT_REGS_PARM1(ctx);

	if (!addr || !is_target())
		return 0;
	if (bpf_map_delete_elem(&allocs, &addr) == 0) {
		count(CT_C_FREES);
	} else {
		count(bpf_get_attach_cookie(ctx) == CT_MUNMAP ? CT_C_MUNMAP_UNKNOWN
							    : CT_C_FREE_UNKNOWN);
	}
	return 0;
}

/* A notice to user space; with stop (and stop_child) the process stops
 * until user space has read it. No record, no stop: a full ring must not
 * leave the process stopped with nothing to answer. */
static __always_inline void notify(__u32 kind, int stop)
{
	struct ct_notice *n = bpf_ringbuf_reserve(&notices, sizeof(*n), 0);

	if (!n)
		return;
	n->kind = kind;
	n->tid = (__u32)bpf_get_current_pid_tgid();
	if (stop)
		stop_target();
	bpf_ringbuf_submit(n, BPF_RB_FORCE_WAKEUP);
}

/* The dynamic loader's _dl_debug_state(), which it calls (for debuggers)
 * around every change of the loaded objects. User space reads the maps then,
 * while the library is certainly mapped; for a COMMAND it started it also
 * has us stop the process (SIGSTOP, resumed with SIGCONT right after), so a
 * program that loads a library, allocates and exits at once still leaves
 * its maps behind. */
SEC("uprobe")
int ct_dl_notice(struct pt_regs *ctx)
{
	if (is_target())
		notify(CT_NOTICE_DL, 1);
	return 0;
}

/* The process is about to exit (Go's runtime.exit, the C library's _exit):
 * stop it until user space has answered every request (stop_child), or a
 * short-lived program's last allocations lose their callers. */
SEC("uprobe")
int ct_exit_notice(struct pt_regs *ctx)
{
	if (is_target() && stop_child)
		notify(CT_NOTICE_EXIT, 1);
	return 0;
}

/* exec() gave the process a new address space: start a new generation
 * before its first instruction runs. */
SEC("tp_btf/sched_process_exec")
int ct_exec(void *ctx)
{
	if (!is_target())
		return 0;
	__sync_fetch_and_add(&gen, 1);
	notify(CT_NOTICE_EXEC, 0);
	return 0;
}

/* Count-only probes at the naive places (entry, return, free's first
 * instruction): the floor every entry-probe tracer pays; benchmark only. */
__u64 naive_hits[3];

SEC("uprobe")
int ct_naive_enter(struct pt_regs *ctx)
{
	__sync_fetch_and_add(&naive_hits[0], 1);
	return 0;
}

SEC("uretprobe")
int ct_naive_exit(struct pt_regs *ctx)
{
	__sync_fetch_and_add(&naive_hits[1], 1);
	return 0;
}

SEC("uprobe")
int ct_naive_free(struct pt_regs *ctx)
{
	__sync_fetch_and_add(&naive_hits[2], 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
