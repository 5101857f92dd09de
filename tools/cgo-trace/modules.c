/* modules.c: /proc/PID/maps -> ELF modules reported to libdwfl. */
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <unistd.h>

#include "modules.h"
#include "procmaps.h"

static char *debuginfo_path = NULL;

static const Dwfl_Callbacks callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
	.debuginfo_path = &debuginfo_path,
};

int ct_open_mapped_file(pid_t pid, uint64_t start, uint64_t end, const char *path, uint64_t ino)
{
	char buf[4200];
	struct stat st;
	int fd;

	snprintf(buf, sizeof(buf), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, (int)pid, start, end);
	fd = open(buf, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	if (path[0] != '/')
		return -ENOENT;
	snprintf(buf, sizeof(buf), "/proc/%d/root%s", (int)pid, path);
	fd = open(buf, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) == 0 && ino && st.st_ino != ino) {
		close(fd);
		return -ESTALE;
	}
	return fd;
}

/* bias from the PT_LOAD segment that holds the mapping's file offset. */
static int elf_bias(Elf *elf, uint64_t start, uint64_t offset, uint64_t *bias)
{
	size_t n;

	if (elf_getphdrnum(elf, &n))
		return -1;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		uint64_t lo = ph.p_offset & ~(uint64_t)0xfff;
		if (offset >= lo && offset < ph.p_offset + ph.p_filesz) {
			*bias = start - offset - (ph.p_vaddr - ph.p_offset);
			return 0;
		}
	}
	return -1;
}

static void hex(char *out, size_t outsz, const unsigned char *b, size_t n)
{
	size_t j = 0;

	for (size_t i = 0; i < n && j + 3 <= outsz; i++, j += 2)
		snprintf(out + j, outsz - j, "%02x", b[i]);
	out[j < outsz ? j : outsz - 1] = '\0';
}

/* Go's own build id (.note.go.buildid), for binaries without a GNU one. */
static void go_build_id(Elf *elf, char *out, size_t outsz)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || strcmp(name, ".note.go.buildid"))
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		size_t off = 0, name_off, desc_off;
		GElf_Nhdr nh;
		while (d && (off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
			if (nh.n_type == 4 && nh.n_namesz == 3 &&
			    !memcmp((char *)d->d_buf + name_off, "Go", 3)) {
				size_t len = nh.n_descsz < outsz - 1 ? nh.n_descsz : outsz - 1;
				memcpy(out, (char *)d->d_buf + desc_off, len);
				out[len] = '\0';
				return;
			}
		}
	}
}

/* runtime.text / runtime.etext bracket the Go compiler's code; C objects
 * linked in through cgo lie outside and have .eh_frame. */
static void go_text(struct ct_module *cm)
{
	int n = dwfl_module_getsymtab(cm->mod);

	for (int i = 0; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		const char *name = dwfl_module_getsym_info(cm->mod, i, &sym, &addr, NULL, NULL, NULL);

		if (!name || name[0] != 'r')
			continue;
		if (!strcmp(name, "runtime.text"))
			cm->go_lo = addr;
		else if (!strcmp(name, "runtime.etext"))
			cm->go_hi = addr;
	}
	if (cm->go_hi <= cm->go_lo)
		cm->go_lo = cm->go_hi = 0;
}

/* Does the file have Go's symbol table section (a Go binary)? */
static int has_gopclntab(Elf *elf)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return 0;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;
		if (gelf_getshdr(scn, &sh) && (name = elf_strptr(elf, shstrndx, sh.sh_name)) &&
		    !strcmp(name, ".gopclntab"))
			return 1;
	}
	return 0;
}

Dwfl_Module *ct_module_dwfl(struct ct_modules *m, struct ct_module *cm)
{
	Elf *elf;
	uint64_t bias;
	int is_go, fd;

	if (cm->reported)
		return cm->mod;
	cm->reported = 1;
	if (cm->fd < 0)
		return NULL;
	elf = elf_begin(cm->fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || elf_bias(elf, cm->start, cm->offset, &bias)) {
		if (elf)
			elf_end(elf);
		return NULL;
	}
	go_build_id(elf, cm->build_id, sizeof(cm->build_id));
	is_go = has_gopclntab(elf);
	cm->is_go = is_go;
	elf_end(elf);
	cm->bias = bias;
	fd = dup(cm->fd); /* libdwfl takes its own */
	if (fd < 0)
		return NULL;
	dwfl_report_begin_add(m->dwfl);
	cm->mod = dwfl_report_elf(m->dwfl, cm->path, cm->path, fd, bias, false);
	dwfl_report_end(m->dwfl, NULL, NULL);
	if (!cm->mod) {
		close(fd);
		return NULL;
	}
	const unsigned char *bits;
	GElf_Addr vaddr;
	int len = dwfl_module_build_id(cm->mod, &bits, &vaddr);
	if (len > 0)
		hex(cm->build_id, sizeof(cm->build_id), bits, (size_t)len);
	if (is_go)
		go_text(cm);
	return cm->mod;
}

int ct_modules_init(struct ct_modules *m, pid_t pid)
{
	char buf[64];
	struct stat st;

	memset(m, 0, sizeof(*m));
	m->pid = pid;
	elf_version(EV_CURRENT);
	m->dwfl = dwfl_begin(&callbacks);
	if (!m->dwfl)
		return -ENOMEM;
	snprintf(buf, sizeof(buf), "/proc/%d/exe", (int)pid);
	if (stat(buf, &st) == 0)
		m->exe_ino = st.st_ino;
	return ct_modules_refresh(m);
}

static int known(struct ct_modules *m, uint64_t start, uint64_t end, uint64_t off, uint64_t ino)
{
	for (size_t i = 0; i < m->n; i++) {
		struct ct_module *cm = &m->v[i];
		if (!cm->dead && cm->start == start && cm->end == end && cm->offset == off &&
		    cm->ino == ino)
			return 1;
	}
	return 0;
}

int ct_modules_refresh(struct ct_modules *m)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)m->pid);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	while (getline(&line, &cap, f) > 0) {
		struct ct_maps_entry e;

		if (ct_maps_parse(line, &e) || !strchr(e.perms, 'x'))
			continue;
		uint64_t start = e.start, end = e.end, off = e.offset, ino = e.ino;
		char *p = e.path;
		if (p[0] != '/' || known(m, start, end, off, ino))
			continue;
		for (size_t i = 0; i < m->n; i++)
			if (!m->v[i].dead && m->v[i].start < end && start < m->v[i].end)
				m->v[i].dead = 1;
		if (m->n == m->cap) {
			size_t nc = m->cap ? m->cap * 2 : 32;
			struct ct_module *nv = realloc(m->v, nc * sizeof(*nv));
			if (!nv) {
				free(line);
				fclose(f);
				return -ENOMEM;
			}
			m->v = nv;
			m->cap = nc;
		}
		struct ct_module *cm = &m->v[m->n];
		memset(cm, 0, sizeof(*cm));
		cm->start = start;
		cm->end = end;
		cm->offset = off;
		cm->ino = ino;
		cm->path = strdup(p);
		if (!cm->path) {
			free(line);
			fclose(f);
			return -ENOMEM;
		}
		cm->is_main = m->exe_ino && ino == m->exe_ino;
		cm->fd = ct_open_mapped_file(m->pid, start, end, cm->path, ino);
		m->n++;
	}
	free(line);
	fclose(f);
	return 0;
}

struct ct_module *ct_modules_find(struct ct_modules *m, uint64_t addr)
{
	for (size_t i = m->n; i-- > 0;) {
		struct ct_module *cm = &m->v[i];
		if (!cm->dead && addr >= cm->start && addr < cm->end)
			return cm;
	}
	return NULL;
}

int ct_modules_reset(struct ct_modules *m)
{
	char buf[64];
	struct stat st;

	for (size_t i = 0; i < m->n; i++)
		m->v[i].dead = 1;
	snprintf(buf, sizeof(buf), "/proc/%d/exe", (int)m->pid);
	if (stat(buf, &st) == 0)
		m->exe_ino = st.st_ino;
	return ct_modules_refresh(m);
}

void ct_modules_free(struct ct_modules *m)
{
	if (m->dwfl)
		dwfl_end(m->dwfl);
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].path);
		free(m->v[i].cus);
		if (m->v[i].fd >= 0)
			close(m->v[i].fd);
	}
	free(m->v);
	memset(m, 0, sizeof(*m));
}
