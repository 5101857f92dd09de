/* cgo-trace.h: structures shared by bpf/cgo-trace.bpf.c and tools/cgo-trace.
 *
 * Fixed-width types only, no pointers, identical layout on both sides.
 * Addresses are absolute virtual addresses in the traced process.
 *
 * Stacks are identified by a 64-bit id: the BPF side hashes the frames it
 * unwound (top bit clear); an allocation whose stack needed user-space
 * unwinding (an unwind request, see struct ct_unwind_req) carries
 * CT_PENDING_BIT | sequence number instead.
 */
#ifndef CGO_TRACE_H
#define CGO_TRACE_H

#ifndef __VMLINUX_H__
#include <linux/types.h> /* user space; the BPF side has vmlinux.h */
#endif

#define CT_MAX_FRAMES 64	  /* frames kept per stack (root side truncated) */
#define CT_MAX_UNWIND 64	  /* frames the CFI loop may step before giving up */
#define CT_SLICE_BYTES 8192	  /* stack bytes copied for user-space unwinding */
#define CT_PENDING_BIT (1ULL << 63)

/* Hooked functions; also the uprobe's bpf cookie. */
enum ct_kind {
	CT_MALLOC = 0,
	CT_CALLOC,
	CT_REALLOC,
	CT_REALLOCARRAY,
	CT_POSIX_MEMALIGN,
	CT_ALIGNED_ALLOC,
	CT_MEMALIGN,
	CT_VALLOC,
	CT_PVALLOC,
	CT_MMAP,
	CT_FREE,
	CT_MUNMAP,
	CT_NKINDS,
};

/* Value of the allocs map (key: address). */
struct ct_alloc {
	__u64 size;
	__u64 ts_ns; /* bpf_ktime_get_ns() at return */
	__u64 stack_id;
	__u32 kind;
	__u32 gen;   /* exec generation (see ct_rule_key) */
};

/* Key and value of the totals map: every recorded allocation, freed or not. */
struct ct_total_key {
	__u64 stack_id;
	__u64 size;
	__u32 kind;
	__u32 gen;
};

struct ct_total {
	__u64 count;
	__u64 bytes;
};

/* Value of the stacks map (key: stack id). pc[0] is the allocator's direct
 * caller (a return address), pc[n-1] the outermost frame. */
struct ct_stack {
	__u32 n;
	__u32 flags; /* CT_STACK_* */
	__u64 pc[CT_MAX_FRAMES];
};

#define CT_STACK_TRUNCATED 1u /* more frames than CT_MAX_FRAMES */
#define CT_STACK_PARTIAL 2u   /* unwinding failed part-way (no request sent) */

/* Unwind rule for one return address (value of the rules map, key: pc).
 * Step: CFA = (cfa_reg == RSP ? rsp : rbp) + cfa_off; return address at
 * CFA-8; rbp restored from CFA+rbp_off when rbp_off != 0, else unchanged;
 * rsp = CFA. */
enum ct_rule_kind {
	CT_RULE_CFA_RSP = 1,
	CT_RULE_CFA_RBP = 2,
	CT_RULE_TAIL = 3, /* no usable CFI (Go code, asm): the frame-pointer
			   * chain from the current rbp gives the rest */
	CT_RULE_STOP = 4, /* outermost frame, or a pc outside any mapping */
};

/* Key of the rules map. Each exec() of the traced process starts a new
 * generation (a new address space): rules, stacks and allocations of an
 * earlier one never mix with the new program's. */
static inline __u64 ct_rule_key(__u64 pc, __u32 gen)
{
	return pc ^ ((__u64)(gen & 0xffff) << 48);
}

struct ct_rule {
	__u8 kind;
	__u8 fp_std; /* CFA = rbp+16 and rbp saved at CFA-16 */
	__u16 pad;
	__s32 cfa_off;
	__s32 rbp_off;
	__u32 pad2;
};

/* Sent through the ring buffer when the BPF unwinder meets a return address
 * it has no rule for: user space unwinds the copied stack slice with the
 * ELF files' CFI, answers with the stack for `pending_id` and fills the rules
 * map so the next allocation from that site is unwound in BPF. */
struct ct_unwind_req {
	__u64 pending_id;
	__u32 gen;
	__u32 pad;
	__u64 ip, sp, bp; /* registers at the allocator's entry */
	__u32 tid;
	__u32 kind;
	__u32 n_fp;	     /* entries in fp[] */
	__u32 slice_len;     /* bytes of slice[] that were readable */
	__u64 slice_base;    /* address of slice[0]: sp rounded down to a page */
	__u64 fp[CT_MAX_FRAMES]; /* ip, then the return addresses of the rbp chain */
	__u8 slice[CT_SLICE_BYTES]; /* user stack from slice_base upwards */
};

/* Small notices from BPF to user space (notices ring buffer). */
enum ct_notice_kind {
	CT_NOTICE_DL = 1,   /* the loader changed the set of loaded objects */
	CT_NOTICE_EXEC = 2, /* the process exec'd: a new generation began */
	CT_NOTICE_EXIT = 3, /* a COMMAND we started is exiting, stopped (SIGSTOP) */
};

struct ct_notice {
	__u32 kind;
	__u32 tid;
};

/* Loss and activity counters (per-CPU array, summed by user space). */
enum ct_counter {
	CT_C_ALLOCS = 0,      /* allocations recorded */
	CT_C_FREES,	      /* frees of recorded allocations */
	CT_C_FREE_UNKNOWN,    /* frees of addresses not recorded (before attach, unsampled) */
	CT_C_FAILED,	      /* allocation calls that returned NULL / error */
	CT_C_SAMPLED_OUT,     /* allocations skipped by --sample-rate */
	CT_C_DROP_ALLOC_FULL, /* allocation not recorded: allocs map full */
	CT_C_DROP_TOTAL_FULL, /* allocation missing from alloc_* totals: totals map full */
	CT_C_DROP_STACK_FULL, /* stack not stored: stacks map full */
	CT_C_STACK_TRUNCATED, /* stacks deeper than CT_MAX_FRAMES */
	CT_C_STACK_PARTIAL,   /* stacks cut short (unwind request could not be sent) */
	CT_C_UNWIND_REQ,      /* unwind requests sent */
	CT_C_UNWIND_LOST,     /* unwind requests dropped: ring buffer full */
	CT_C_MISSED_RETURN,   /* entry without a matching return probe */
	CT_C_NESTED,	      /* allocator calls made inside another hooked call */
	CT_C_NO_THREAD,	      /* no per-thread state could be created */
	CT_C_ADDR_REUSED,     /* address returned again without a free seen */
	CT_C_MUNMAP_UNKNOWN,  /* munmap of an untracked address */
	CT_C_STACK_COLLISION, /* a stack id already naming another stack (checked
			       * on its length and end frames) */
	CT_NCOUNTERS,
};

struct ct_counters {
	__u64 c[CT_NCOUNTERS];
};

#endif
