/* probes.h: where cgo-trace puts its uprobes.
 *
 * ct_probes_plan() finds the allocator's functions in the library's ELF
 * symbol tables (with an optional prefix, e.g. "je_") and picks each probe's
 * instruction: a uprobe on an instruction the kernel emulates (push, jmp,
 * call, nop) costs a trap; any other is single-stepped out of line, which
 * costs several times more. Entry probes (which also hijack the return
 * address for the return probe) may only skip instructions that leave rsp
 * and the arguments alone (endbr64); free-like probes may also skip
 * glibc's `test %rdi,%rdi; je` NULL check, since free(NULL) does nothing.
 */
#ifndef CT_PROBES_H
#define CT_PROBES_H

#include <stdint.h>

#include "cgo-trace.h"

struct bpf_program;
struct bpf_link;

struct ct_probe {
	const char *func;   /* name without prefix */
	enum ct_kind kind;
	int found;
	int duplicate;	    /* same address as an earlier function (aliases) */
	uint64_t sym_off;   /* file offset of the function */
	uint64_t probe_off; /* file offset of the probed instruction */
	int emulated;	    /* the probed instruction is one the kernel emulates */
};

struct ct_probe_set {
	struct ct_probe p[CT_NKINDS];
	int n;
	int multi; /* attach through uprobe_multi links (set by the caller) */
	struct bpf_link *links[2 * CT_NKINDS + 4];
	int n_links;
	int fds[8]; /* uprobe_multi link fds */
	int n_fds;
};

/* Does the kernel have uprobe_multi links (Linux 6.6)? They attach all of
 * a program's probes in one link, and removing it waits for one RCU grace
 * period instead of one per probe (seconds, with perf-event uprobes). The
 * programs must then be loaded with this expected attach type. */
int ct_probes_multi_supported(void);
#define CT_ATTACH_UPROBE_MULTI 48 /* BPF_TRACE_UPROBE_MULTI */

/* Fills set for the library file at path. 0, or -1 with a message in err
 * (malloc or free missing, unreadable file). */
int ct_probes_plan(struct ct_probe_set *set, const char *path, const char *prefix, int with_mmap,
		   int multi, char *err, size_t errsz);

/* Attaches enter/exit/free programs for every planned probe of process pid.
 * 0, or -errno with err set. */
int ct_probes_attach(struct ct_probe_set *set, const char *path, int pid,
		     struct bpf_program *enter, struct bpf_program *exit_, struct bpf_program *free_,
		     char *err, size_t errsz);

/* Count-only probes at the naive places (malloc entry and return, free's
 * first instruction), for the benchmark. */
int ct_probes_attach_naive(struct ct_probe_set *set, const char *path, int pid,
			   struct bpf_program *enter, struct bpf_program *exit_,
			   struct bpf_program *free_, char *err, size_t errsz);

/* A probe on function `name` of an ELF file (the loader's _dl_debug_state,
 * Go's runtime.exit, ...), for a notice program. 0, or -1 when the file has
 * no such function (err set). */
int ct_probes_attach_sym(struct ct_probe_set *set, const char *file, const char *name, int pid,
			 struct bpf_program *prog, char *err, size_t errsz);

void ct_probes_detach(struct ct_probe_set *set);

#endif
