/* target.h: the traced process: an existing PID, or a COMMAND cgo-trace
 * starts itself and holds (under ptrace) until the allocator library is
 * mapped, so the probes are in place before its first allocation.
 */
#ifndef CT_TARGET_H
#define CT_TARGET_H

#include <stdint.h>
#include <sys/types.h>

struct ct_target {
	pid_t pid;
	int pidfd;	  /* readable once the process has exited; -1 if unsupported */
	int child;	  /* started by us */
	int held;	  /* child stopped under ptrace */
	int reaped;
	int status;	  /* wait status once reaped */
	char lib[4096];	  /* the allocator library's path as mapped ("" if not found) */
	uint64_t lib_ino; /* and its inode */
	uint64_t lib_start, lib_end; /* one of its mappings */
};

/* Matches a mapping path against the allocator wanted: lib_path (by
 * device+inode) when given, else the C library (libc.so*, libc-*.so,
 * ld-musl-*). */
struct ct_lib_want {
	const char *lib_path;
	uint64_t dev, ino;
};

/* Existing process: checks it exists and finds the library. 0, or -1 with a
 * message in err (-ESRCH-like failures say "no such process"). A library
 * given with --lib that is not mapped (yet) is not an error: t->lib is then
 * empty. */
int ct_target_attach(struct ct_target *t, pid_t pid, const struct ct_lib_want *want, char *err,
		     size_t errsz);
/* Starts argv, runs it until the library is mapped and leaves it stopped.
 * 0, or -1 with err set (the child is killed then). */
int ct_target_spawn(struct ct_target *t, char **argv, const struct ct_lib_want *want, char *err,
		    size_t errsz);
/* Lets a held child run. */
void ct_target_release(struct ct_target *t);
/* 1 once the process has exited (reaps a child), else 0. */
int ct_target_gone(struct ct_target *t);
/* Kills a child we started and still hold (error paths). */
void ct_target_kill(struct ct_target *t);
void ct_target_close(struct ct_target *t);

/* The dynamic loader's mapping (ld-linux*.so*, ld-*.so*): 1 found, else 0. */
int ct_target_find_loader(struct ct_target *t, char *path, size_t pathsz, uint64_t *start,
			  uint64_t *end, uint64_t *ino);

/* Scans /proc/PID/maps for the library: 1 found (t->lib set), 0 not, -1
 * process gone. */
int ct_target_find_lib(struct ct_target *t, const struct ct_lib_want *want);

#endif
