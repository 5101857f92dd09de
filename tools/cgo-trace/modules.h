/* modules.h: the traced process's executable file mappings, their ELF files
 * (kept open, so a profile can still be symbolized after the process exits
 * or the file is replaced) and one libdwfl session over them.
 *
 * ct_modules_refresh() re-reads /proc/PID/maps and adds mappings that
 * appeared since (libraries loaded after attach); cgo-trace calls it when
 * it meets an address no module covers and on every snapshot.
 */
#ifndef CT_MODULES_H
#define CT_MODULES_H

#include <stdint.h>
#include <sys/types.h>

#include <elfutils/libdwfl.h>

struct ct_cu_range;

struct ct_module {
	uint64_t start, end, offset; /* the executable mapping */
	uint64_t bias;		     /* runtime address - ELF virtual address */
	uint64_t ino;
	char *path;		     /* as /proc/PID/maps shows it */
	char build_id[96];	     /* hex GNU build id, or Go's; "" if none */
	int fd;			     /* the file, opened while the process lives */
	int reported;		     /* handed to libdwfl (lazily: see ct_module_dwfl) */
	Dwfl_Module *mod;	     /* NULL if not an ELF libdw could read */
	uint64_t go_lo, go_hi;	     /* Go text [runtime.text, runtime.etext) */
	int is_go;		     /* a Go binary (.gopclntab) */
	struct ct_cu_range *cus;     /* symbolize.c's CU index, built on demand */
	size_t n_cus;
	int cus_built;
	int is_main;		     /* the executable (/proc/PID/exe) */
	int dead;		     /* replaced by a later mapping at that address */
};

struct ct_modules {
	pid_t pid;
	Dwfl *dwfl;
	struct ct_module *v;
	size_t n, cap;
	uint64_t exe_ino;
};

/* 0, or -errno (-ESRCH: the process is gone). */
int ct_modules_init(struct ct_modules *m, pid_t pid);
int ct_modules_refresh(struct ct_modules *m);
/* The live module containing addr, or NULL. */
struct ct_module *ct_modules_find(struct ct_modules *m, uint64_t addr);
/* The module's libdwfl handle, reporting it on first use (reading its
 * headers, build id, Go text range); NULL if libdw cannot read the file.
 * Refreshing only records mappings and opens their files, so that a process
 * exiting right after loading a library still leaves all needed to
 * symbolize it. */
Dwfl_Module *ct_module_dwfl(struct ct_modules *m, struct ct_module *cm);
/* After an exec: every old mapping is gone; re-reads the maps. */
int ct_modules_reset(struct ct_modules *m);
void ct_modules_free(struct ct_modules *m);

/* Opens the file behind a mapping of pid: /proc/PID/map_files/START-END,
 * else /proc/PID/root/PATH when its inode matches. fd or -errno. */
int ct_open_mapped_file(pid_t pid, uint64_t start, uint64_t end, const char *path, uint64_t ino);

#endif
