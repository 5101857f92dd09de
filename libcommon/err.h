/* err.h: exit codes, the tool's name in messages, and fatal-error helpers.
 *
 * Every tool: 0 ok / nothing found, 1 finding, 2 usage or input error.
 * Messages follow git: "tool: cannot open 'x': No such file" on stderr,
 * lowercase, no trailing period.
 */
#ifndef LW_ERR_H
#define LW_ERR_H

#include <stdarg.h>

#define LW_EXIT_OK 0
#define LW_EXIT_FINDING 1
#define LW_EXIT_ERROR 2

#ifndef LW_VERSION
#define LW_VERSION "0.1.0"
#endif

/* Set once from main(): lw_set_progname(argv[0]) keeps the basename. */
void lw_set_progname(const char *argv0);
const char *lw_progname(void);

/* "prog: message\n" to stderr. */
void lw_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* lw_warn then exit(2). */
_Noreturn void lw_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "prog: message\nTry 'prog --help'.\n", exit 2. */
_Noreturn void lw_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "prog (leakwatch) VERSION" to stdout and exits 0. */
_Noreturn void lw_print_version(void);
/* Flushes stdout and exits 2 with a message if any write to it failed
 * (full disk, closed pipe); returns otherwise. Call before exiting 0/1. */
void lw_check_stdout(void);

/* Out-of-memory-checked allocation: on failure print and exit 2. */
void *lw_xmalloc(size_t n);
void *lw_xcalloc(size_t n, size_t size);
void *lw_xrealloc(void *p, size_t n);
void *lw_xreallocarray(void *p, size_t n, size_t size);
char *lw_xstrdup(const char *s);
/* asprintf that dies on failure. */
char *lw_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
