/* err.c: the tool's name in messages, fatal errors, checked allocation. */
#include "err.h"

static const char *progname = "leakwatch";

void lw_set_progname(const char *argv0)
{
	if (!argv0 || !*argv0)
		return;
	const char *slash = strrchr(argv0, '/');
	progname = slash ? slash + 1 : argv0;
}

const char *lw_progname(void)
{
	return progname;
}

static void vwarn(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static void vwarn(const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "%s: ", progname);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void lw_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
}

void lw_die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	exit(LW_EXIT_ERROR);
}

void lw_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help' for more information.\n", progname);
	exit(LW_EXIT_ERROR);
}

void lw_print_version(void)
{
	printf("%s (leakwatch) %s\n", progname, LW_VERSION);
	lw_check_stdout();
	exit(LW_EXIT_OK);
}

void lw_check_stdout(void)
{
	/* A full disk or a closed pipe must not look like success. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		int e = errno;
		fprintf(stderr, "%s: error writing standard output: %s\n", progname,
			e ? strerror(e) : "write error");
		exit(LW_EXIT_ERROR);
	}
}

static _Noreturn void oom(size_t n)
{
	fprintf(stderr, "%s: out of memory (allocating %zu bytes)\n", progname, n);
	exit(LW_EXIT_ERROR);
}

void *lw_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *lw_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom(n * size);
	return p;
}

void *lw_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

void *lw_xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		oom(SIZE_MAX);
	return lw_xrealloc(p, n * size);
}

char *lw_xstrdup(const char *s)
{
	char *d = strdup(s ? s : "");
	if (!d)
		oom(strlen(s ? s : "") + 1);
	return d;
}

char *lw_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom(0);
	return s;
}
