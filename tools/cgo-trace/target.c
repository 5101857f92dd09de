/* target.c: see target.h. */
#include <fcntl.h>
#include <gelf.h>
#include <poll.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procmaps.h"
#include "target.h"

static int is_libc_name(const char *path)
{
	const char *b = strrchr(path, '/');

	b = b ? b + 1 : path;
	return !strncmp(b, "libc.so", 7) || (!strncmp(b, "libc-", 5) && strstr(b, ".so")) ||
	       !strncmp(b, "ld-musl-", 8);
}

/* Calls fn for each file mapping of pid until it returns non-zero; returns
 * that value, 0 when none matched, -1 if the maps cannot be read. */
static int each_mapping(pid_t pid, int (*fn)(void *, const char *path, uint64_t start,
					      uint64_t end, uint64_t dev, uint64_t ino),
			void *arg)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	int r = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (!r && getline(&line, &cap, f) > 0) {
		struct ct_maps_entry e;

		if (ct_maps_parse(line, &e))
			continue;
		r = fn(arg, e.path, e.start, e.end, makedev(e.maj, e.min), e.ino);
	}
	free(line);
	fclose(f);
	return r;
}

struct lib_match {
	struct ct_target *t;
	const struct ct_lib_want *want;
};

static int match_lib(void *arg, const char *path, uint64_t start, uint64_t end, uint64_t dev,
		     uint64_t ino)
{
	struct lib_match *m = arg;

	if (m->want->lib_path ? (ino == m->want->ino && dev == m->want->dev) : is_libc_name(path)) {
		snprintf(m->t->lib, sizeof(m->t->lib), "%s", path);
		m->t->lib_ino = ino;
		m->t->lib_start = start;
		m->t->lib_end = end;
		return 1;
	}
	return 0;
}

int ct_target_find_lib(struct ct_target *t, const struct ct_lib_want *want)
{
	struct lib_match m = { t, want };
	return each_mapping(t->pid, match_lib, &m);
}

struct loader_match {
	char *path;
	size_t sz;
	uint64_t *start, *end, *ino;
};

static int match_loader(void *arg, const char *path, uint64_t start, uint64_t end, uint64_t dev,
			uint64_t ino)
{
	struct loader_match *m = arg;
	const char *b = strrchr(path, '/');

	(void)dev;
	b = b ? b + 1 : path;
	if (strncmp(b, "ld-", 3) || !strstr(b, ".so") || !strncmp(b, "ld-musl", 7))
		return 0;
	snprintf(m->path, m->sz, "%s", path);
	*m->start = start;
	*m->end = end;
	*m->ino = ino;
	return 1;
}

int ct_target_find_loader(struct ct_target *t, char *path, size_t pathsz, uint64_t *start,
			  uint64_t *end, uint64_t *ino)
{
	struct loader_match m = { path, pathsz, start, end, ino };
	return each_mapping(t->pid, match_loader, &m) > 0;
}

static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	return -1;
#endif
}

/* The process (thread group) a thread id belongs to, or pid itself. */
static pid_t tgid_of(pid_t pid)
{
	char path[64], line[256];
	pid_t tgid = pid;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return pid;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	fclose(f);
	return tgid;
}

int ct_target_attach(struct ct_target *t, pid_t pid, const struct ct_lib_want *want, char *err,
		     size_t errsz)
{
	int r;

	memset(t, 0, sizeof(*t));
	pid = tgid_of(pid);
	t->pid = pid;
	t->pidfd = -1;
	if (kill(pid, 0) && errno == ESRCH) {
		snprintf(err, errsz, "no such process: %d", (int)pid);
		return -1;
	}
	t->pidfd = open_pidfd(pid);
	r = ct_target_find_lib(t, want);
	if (r < 0) {
		snprintf(err, errsz, "no such process: %d", (int)pid);
		return -1;
	}
	if (r == 0 && !want->lib_path) {
		snprintf(err, errsz,
			 "no C library mapped in process %d (statically linked? use --lib)",
			 (int)pid);
		return -1;
	}
	return 0;
}

/* Does the executable have a dynamic loader (PT_INTERP)? */
static int has_interp(pid_t pid)
{
	char path[64];
	int fd, r = 1;
	Elf *elf;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 1;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (elf && elf_kind(elf) == ELF_K_ELF && elf_getphdrnum(elf, &n) == 0) {
		r = 0;
		for (size_t i = 0; i < n; i++) {
			GElf_Phdr ph;
			if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_INTERP)
				r = 1;
		}
	}
	if (elf)
		elf_end(elf);
	close(fd);
	return r;
}

int ct_target_spawn(struct ct_target *t, char **argv, const struct ct_lib_want *want, char *err,
		    size_t errsz)
{
	int pfd[2], st, e = 0, in_syscall = 0;

	memset(t, 0, sizeof(*t));
	t->pidfd = -1;
	if (pipe2(pfd, O_CLOEXEC)) {
		snprintf(err, errsz, "pipe: %s", strerror(errno));
		return -1;
	}
	t->pid = fork();
	if (t->pid < 0) {
		snprintf(err, errsz, "fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (t->pid == 0) {
		close(pfd[0]);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0)
			execvp(argv[0], argv);
		e = errno;
		if (write(pfd[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(pfd[1]);
	t->child = 1;
	if (waitpid(t->pid, &st, 0) != t->pid || !WIFSTOPPED(st)) {
		if (read(pfd[0], &e, sizeof(e)) != sizeof(e))
			e = ECHILD;
		close(pfd[0]);
		snprintf(err, errsz, "cannot run '%s': %s", argv[0], strerror(e));
		t->reaped = 1;
		return -1;
	}
	close(pfd[0]);
	t->held = 1;
	t->pidfd = open_pidfd(t->pid);
	ptrace(PTRACE_SETOPTIONS, t->pid, NULL, (void *)(long)(PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL));
	if (want->lib_path) { /* probes by path; mapped or not */
		if (ct_target_find_lib(t, want) < 0) {
			snprintf(err, errsz, "lost '%s' while starting it", argv[0]);
			ct_target_kill(t);
			return -1;
		}
		return 0;
	}
	if (!has_interp(t->pid)) {
		snprintf(err, errsz, "'%s' is statically linked: no C library to trace (use --lib)",
			 argv[0]);
		ct_target_kill(t);
		return -1;
	}
	/* Step from syscall to syscall until the loader has mapped the C
	 * library; it maps every needed library before running any of their
	 * code. Giving up at set_tid_address (the C library's thread setup)
	 * bounds this for programs without one. */
	for (int steps = 0; steps < 100000; steps++) {
		int sig = 0;

		if (ct_target_find_lib(t, want) > 0)
			return 0;
		for (;;) {
			if (ptrace(PTRACE_SYSCALL, t->pid, NULL, (void *)(long)sig) ||
			    waitpid(t->pid, &st, 0) != t->pid) {
				snprintf(err, errsz, "lost '%s' while starting it", argv[0]);
				ct_target_kill(t);
				return -1;
			}
			if (WIFEXITED(st) || WIFSIGNALED(st)) {
				t->reaped = 1;
				t->held = 0;
				t->status = st;
				snprintf(err, errsz, "'%s' exited before its C library was mapped",
					 argv[0]);
				return -1;
			}
			sig = 0;
			if (WIFSTOPPED(st) && WSTOPSIG(st) == (SIGTRAP | 0x80))
				break;
			if (WIFSTOPPED(st) && WSTOPSIG(st) != SIGTRAP)
				sig = WSTOPSIG(st);
		}
		in_syscall = !in_syscall;
		struct user_regs_struct regs;
		if (ptrace(PTRACE_GETREGS, t->pid, NULL, &regs) == 0 && in_syscall &&
		    regs.orig_rax == SYS_set_tid_address)
			break;
	}
	snprintf(err, errsz, "no C library mapped in '%s' (use --lib)", argv[0]);
	ct_target_kill(t);
	return -1;
}

void ct_target_release(struct ct_target *t)
{
	if (t->held) {
		ptrace(PTRACE_DETACH, t->pid, NULL, NULL);
		t->held = 0;
	}
}

int ct_target_gone(struct ct_target *t)
{
	if (t->reaped)
		return 1;
	if (t->child) {
		int st;
		pid_t r = waitpid(t->pid, &st, WNOHANG);
		if (r == t->pid && (WIFEXITED(st) || WIFSIGNALED(st))) {
			t->reaped = 1;
			t->status = st;
			return 1;
		}
		return r < 0 && errno == ECHILD;
	}
	if (t->pidfd >= 0) {
		/* Readable once the process has exited, zombie or not. */
		struct pollfd pfd = { .fd = t->pidfd, .events = POLLIN };
		return poll(&pfd, 1, 0) > 0;
	}
	return kill(t->pid, 0) && errno == ESRCH;
}

void ct_target_kill(struct ct_target *t)
{
	if (t->child && t->held && !t->reaped) {
		kill(t->pid, SIGKILL);
		if (t->held)
			ptrace(PTRACE_DETACH, t->pid, NULL, NULL);
		waitpid(t->pid, &t->status, 0);
		t->reaped = 1;
		t->held = 0;
	}
}

void ct_target_close(struct ct_target *t)
{
	if (t->pidfd >= 0)
		close(t->pidfd);
	t->pidfd = -1;
}
