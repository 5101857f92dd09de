/* probes.c: allocator symbols -> uprobe offsets -> libbpf links. */
#include <fcntl.h>
#include <gelf.h>
#include <pthread.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <sys/syscall.h>

#include "probes.h"

static const struct {
	const char *func;
	enum ct_kind kind;
	int optional;
	int mmap;
} funcs[] = {
	{ "malloc", CT_MALLOC, 0, 0 },
	{ "calloc", CT_CALLOC, 1, 0 },
	{ "realloc", CT_REALLOC, 1, 0 },
	{ "reallocarray", CT_REALLOCARRAY, 1, 0 },
	{ "posix_memalign", CT_POSIX_MEMALIGN, 1, 0 },
	{ "aligned_alloc", CT_ALIGNED_ALLOC, 1, 0 },
	{ "memalign", CT_MEMALIGN, 1, 0 },
	{ "valloc", CT_VALLOC, 1, 0 },
	{ "pvalloc", CT_PVALLOC, 1, 0 },
	{ "free", CT_FREE, 0, 0 },
	{ "mmap", CT_MMAP, 0, 1 },
	{ "munmap", CT_MUNMAP, 0, 1 },
};

static int is_free_kind(enum ct_kind k)
{
	return k == CT_FREE || k == CT_MUNMAP;
}

/* Length of an instruction the kernel's uprobe code emulates rather than
 * single-steps (arch/x86/kernel/uprobes.c: push, jmp, call, nop), else 0. */
static int emulated_len(const uint8_t *b)
{
	if (b[0] >= 0x50 && b[0] <= 0x57)
		return 1; /* push %r */
	if (b[0] == 0x41 && b[1] >= 0x50 && b[1] <= 0x57)
		return 2; /* push %r8..%r15 */
	if (b[0] == 0x90)
		return 1;
	if (b[0] == 0xeb)
		return 2;
	if (b[0] == 0xe8 || b[0] == 0xe9)
		return 5;
	return 0;
}

/* Offset (from the function's start) of the instruction to probe. */
static int pick_offset(const uint8_t *b, size_t n, enum ct_kind kind, int *emulated)
{
	size_t i = 0;

	if (n >= 4 && b[0] == 0xf3 && b[1] == 0x0f && b[2] == 0x1e && b[3] == 0xfa)
		i = 4; /* endbr64: no effect on registers or memory */
	if (is_free_kind(kind) && i + 3 <= n && b[i] == 0x48 && b[i + 1] == 0x85 && b[i + 2] == 0xff) {
		size_t j = i + 3; /* test %rdi,%rdi */
		if (j + 2 <= n && b[j] == 0x74)
			j += 2; /* je rel8 */
		else if (j + 6 <= n && b[j] == 0x0f && b[j + 1] == 0x84)
			j += 6; /* je rel32 */
		else
			j = 0;
		if (j && j + 2 <= n && emulated_len(b + j)) {
			*emulated = 1;
			return (int)j;
		}
	}
	if (i + 2 <= n && emulated_len(b + i)) {
		*emulated = 1;
		return (int)i;
	}
	*emulated = 0;
	return 0;
}

static int vaddr_to_off(Elf *elf, uint64_t vaddr, uint64_t *off)
{
	size_t n;

	if (elf_getphdrnum(elf, &n))
		return -1;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD && vaddr >= ph.p_vaddr &&
		    vaddr < ph.p_vaddr + ph.p_filesz) {
			*off = vaddr - ph.p_vaddr + ph.p_offset;
			return 0;
		}
	}
	return -1;
}

/* Defined function symbol `name` (dynsym first, then symtab): its address. */
static int find_sym(Elf *elf, const char *name, uint64_t *vaddr, int *ifunc)
{
	for (int pass = 0; pass < 2; pass++) {
		Elf_Scn *scn = NULL;
		while ((scn = elf_nextscn(elf, scn))) {
			GElf_Shdr sh;
			if (!gelf_getshdr(scn, &sh) ||
			    sh.sh_type != (pass == 0 ? SHT_DYNSYM : SHT_SYMTAB) || !sh.sh_entsize)
				continue;
			Elf_Data *d = elf_getdata(scn, NULL);
			size_t cnt = sh.sh_size / sh.sh_entsize;
			for (size_t i = 0; d && i < cnt; i++) {
				GElf_Sym s;
				if (!gelf_getsym(d, (int)i, &s) || s.st_shndx == SHN_UNDEF || !s.st_value)
					continue;
				int type = GELF_ST_TYPE(s.st_info);
				if (type != STT_FUNC && type != STT_GNU_IFUNC)
					continue;
				const char *sn = elf_strptr(elf, sh.sh_link, s.st_name);
				if (sn && !strcmp(sn, name)) {
					*vaddr = s.st_value;
					*ifunc = type == STT_GNU_IFUNC;
					return 0;
				}
			}
		}
	}
	return -1;
}

int ct_probes_plan(struct ct_probe_set *set, const char *path, const char *prefix, int with_mmap,
		   int multi, char *err, size_t errsz)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf *elf;
	int rc = 0;

	memset(set, 0, sizeof(*set));
	set->multi = multi;
	if (fd < 0) {
		snprintf(err, errsz, "cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		snprintf(err, errsz, "'%s' is not an ELF file", path);
		rc = -1;
		goto out;
	}
	for (size_t k = 0; k < LW_ARRAY_SIZE(funcs); k++) {
		struct ct_probe *p;
		char name[256];
		uint64_t vaddr, off;
		int ifunc = 0;
		uint8_t code[32];

		if (funcs[k].mmap && !with_mmap)
			continue;
		p = &set->p[set->n++];
		p->func = funcs[k].func;
		p->kind = funcs[k].kind;
		snprintf(name, sizeof(name), "%s%s", prefix ? prefix : "", funcs[k].func);
		if (find_sym(elf, name, &vaddr, &ifunc) || ifunc || vaddr_to_off(elf, vaddr, &off)) {
			if (!funcs[k].optional) {
				snprintf(err, errsz, "'%s' has no function '%s'%s", path, name,
					 ifunc ? " (only an ifunc resolver)" : "");
				rc = -1;
				goto out;
			}
			continue;
		}
		p->found = 1;
		p->sym_off = off;
		for (int j = 0; j < set->n - 1; j++)
			if (set->p[j].found && set->p[j].sym_off == off)
				p->duplicate = 1;
		ssize_t got = pread(fd, code, sizeof(code), (off_t)off);
		p->probe_off = off;
		if (got > 0)
			p->probe_off = off + (uint64_t)pick_offset(code, (size_t)got, p->kind, &p->emulated);
	}
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return rc;
}

int ct_probes_multi_supported(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	int found = 0;

	if (!btf)
		return 0;
	int id = btf__find_by_name_kind(btf, "bpf_attach_type", BTF_KIND_ENUM);
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	for (int i = 0; t && i < btf_vlen(t); i++) {
		const struct btf_enum *e = btf_enum(t) + i;
		const char *name = btf__name_by_offset(btf, e->name_off);
		if (name && !strcmp(name, "BPF_TRACE_UPROBE_MULTI") &&
		    e->val == CT_ATTACH_UPROBE_MULTI)
			found = 1;
	}
	btf__free(btf);
	return found;
}

/* BPF_LINK_CREATE for uprobe_multi, by hand: libbpf 1.1 and the 6.1 UAPI
 * headers predate it. Layout of union bpf_attr's link_create. */
struct ct_link_create {
	__u32 prog_fd;
	__u32 target_fd;
	__u32 attach_type;
	__u32 flags;
	__aligned_u64 path;
	__aligned_u64 offsets;
	__aligned_u64 ref_ctr_offsets;
	__aligned_u64 cookies;
	__u32 cnt;
	__u32 mflags;
	__u32 pid;
	__u32 pad[17]; /* zero: the kernel checks unknown tail bytes */
};

#define CT_UPROBE_MULTI_RETURN 1u

static int attach_multi(struct ct_probe_set *set, struct bpf_program *prog, const char *path,
			int pid, const uint64_t *offs, const uint64_t *cookies, unsigned n, int ret,
			char *err, size_t errsz)
{
	struct ct_link_create a;
	int fd;

	if (!n)
		return 0;
	memset(&a, 0, sizeof(a));
	a.prog_fd = (__u32)bpf_program__fd(prog);
	a.attach_type = CT_ATTACH_UPROBE_MULTI;
	a.path = (uint64_t)(uintptr_t)path;
	a.offsets = (uint64_t)(uintptr_t)offs;
	a.cookies = (uint64_t)(uintptr_t)cookies;
	a.cnt = n;
	a.mflags = ret ? CT_UPROBE_MULTI_RETURN : 0;
	a.pid = (__u32)pid;
	fd = (int)syscall(__NR_bpf, 28 /* BPF_LINK_CREATE */, &a, sizeof(a));
	if (fd < 0) {
		int e = errno;
		snprintf(err, errsz, "cannot attach %s to '%s': %s", ret ? "uretprobes" : "uprobes",
			 path, strerror(e));
		return -e;
	}
	set->fds[set->n_fds++] = fd;
	return 0;
}

static int attach_one(struct ct_probe_set *set, struct bpf_program *prog, const char *path, int pid,
		      uint64_t off, int retprobe, enum ct_kind kind, char *err, size_t errsz)
{
	if (set->multi) {
		uint64_t cookie = kind;
		return attach_multi(set, prog, path, pid, &off, &cookie, 1, retprobe, err, errsz);
	}
	LIBBPF_OPTS(bpf_uprobe_opts, opts, .retprobe = retprobe, .bpf_cookie = kind);
	struct bpf_link *l = bpf_program__attach_uprobe_opts(prog, pid, path, (size_t)off, &opts);

	if (!l) {
		int e = errno;
		snprintf(err, errsz, "cannot attach %s to '%s'+0x%llx: %s",
			 retprobe ? "uretprobe" : "uprobe", path, (unsigned long long)off, strerror(e));
		return -e;
	}
	set->links[set->n_links++] = l;
	return 0;
}

int ct_probes_attach(struct ct_probe_set *set, const char *path, int pid,
		     struct bpf_program *enter, struct bpf_program *exit_, struct bpf_program *free_,
		     char *err, size_t errsz)
{
	uint64_t eo[CT_NKINDS], ec[CT_NKINDS], fo[CT_NKINDS], fc[CT_NKINDS];
	unsigned ne = 0, nf = 0;
	int rc = 0;

	for (int i = 0; i < set->n; i++) {
		struct ct_probe *p = &set->p[i];

		if (!p->found || p->duplicate)
			continue;
		if (is_free_kind(p->kind)) {
			fo[nf] = p->probe_off;
			fc[nf++] = p->kind;
		} else {
			eo[ne] = p->probe_off;
			ec[ne++] = p->kind;
		}
	}
	if (set->multi) {
		rc = attach_multi(set, enter, path, pid, eo, ec, ne, 0, err, errsz);
		if (!rc)
			rc = attach_multi(set, exit_, path, pid, eo, ec, ne, 1, err, errsz);
		if (!rc)
			rc = attach_multi(set, free_, path, pid, fo, fc, nf, 0, err, errsz);
	} else {
		for (unsigned i = 0; i < ne && !rc; i++) {
			rc = attach_one(set, enter, path, pid, eo[i], 0, ec[i], err, errsz);
			if (!rc)
				rc = attach_one(set, exit_, path, pid, eo[i], 1, ec[i], err, errsz);
		}
		for (unsigned i = 0; i < nf && !rc; i++)
			rc = attach_one(set, free_, path, pid, fo[i], 0, fc[i], err, errsz);
	}
	if (rc)
		ct_probes_detach(set);
	return rc;
}

int ct_probes_attach_naive(struct ct_probe_set *set, const char *path, int pid,
			   struct bpf_program *enter, struct bpf_program *exit_,
			   struct bpf_program *free_, char *err, size_t errsz)
{
	for (int i = 0; i < set->n; i++) {
		struct ct_probe *p = &set->p[i];
		int rc = 0;

		if (!p->found || (p->kind != CT_MALLOC && p->kind != CT_FREE))
			continue;
		if (p->kind == CT_FREE) {
			rc = attach_one(set, free_, path, pid, p->sym_off, 0, p->kind, err, errsz);
		} else {
			rc = attach_one(set, enter, path, pid, p->sym_off, 0, p->kind, err, errsz);
			if (!rc)
				rc = attach_one(set, exit_, path, pid, p->sym_off, 1, p->kind, err,
						errsz);
		}
		if (rc) {
			ct_probes_detach(set);
			return rc;
		}
	}
	return 0;
}

int ct_probes_attach_sym(struct ct_probe_set *set, const char *file, const char *name, int pid,
			 struct bpf_program *prog, char *err, size_t errsz)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC), rc = -1, ifunc = 0;
	uint64_t vaddr, off;
	Elf *elf;

	if (fd < 0) {
		snprintf(err, errsz, "cannot open '%s': %s", file, strerror(errno));
		return -1;
	}
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (elf && elf_kind(elf) == ELF_K_ELF && find_sym(elf, name, &vaddr, &ifunc) == 0 &&
	    vaddr_to_off(elf, vaddr, &off) == 0)
		rc = attach_one(set, prog, file, pid, off, 0, CT_NKINDS, err, errsz) ? -1 : 0;
	else
		snprintf(err, errsz, "'%s' has no %s", file, name);
	if (elf)
		elf_end(elf);
	close(fd);
	return rc;
}

static void *destroy_link(void *l)
{
	bpf_link__destroy(l);
	return NULL;
}

static void *close_fd(void *fd)
{
	close((int)(intptr_t)fd);
	return NULL;
}

/* Removing a probe waits for an RCU grace period; do it from parallel
 * threads so the waits can overlap. */
void ct_probes_detach(struct ct_probe_set *set)
{
	int n = set->n_links + set->n_fds;
	pthread_t th[LW_ARRAY_SIZE(set->links) + LW_ARRAY_SIZE(set->fds)];
	int started[LW_ARRAY_SIZE(set->links) + LW_ARRAY_SIZE(set->fds)];

	for (int i = 0; i < n; i++) {
		if (i < set->n_links)
			started[i] = !pthread_create(&th[i], NULL, destroy_link, set->links[i]);
		else
			started[i] = !pthread_create(&th[i], NULL, close_fd,
						     (void *)(intptr_t)set->fds[i - set->n_links]);
	}
	for (int i = 0; i < n; i++) {
		if (started[i])
			pthread_join(th[i], NULL);
		else if (i < set->n_links)
			bpf_link__destroy(set->links[i]);
		else
			close(set->fds[i - set->n_links]);
	}
	set->n_links = 0;
	set->n_fds = 0;
}
