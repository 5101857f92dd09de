/* frames.c: which frame of a stack is to blame.
 *
 * An allocation in bytes.makeSlice, runtime.malg or malloc is the user's
 * code's doing: blame passes over the Go runtime and standard library, the C
 * allocator and cgo's glue, and any --blame-skip pattern, to the first
 * frame from the leaf that is none of these. A C allocation reached through
 * a cgo wrapper (main._Cfunc_foo) is blamed on the Go function that called
 * the wrapper, with the C function beside it.
 */
#include "blame.h"
#include "err.h"

/* Top-level directories of Go's standard library (Go 1.19 to 1.23): a
 * function whose import path starts with one of them is library code. */
static const char *const go_std[] = {
	"archive", "bufio", "bytes", "cmp", "compress", "container", "context", "crypto",
	"database", "debug", "embed", "encoding", "errors", "expvar", "flag", "fmt", "go",
	"hash", "html", "image", "index", "internal", "io", "iter", "log", "maps", "math",
	"mime", "net", "os", "path", "plugin", "reflect", "regexp", "runtime", "slices",
	"sort", "strconv", "strings", "structs", "sync", "syscall", "testing", "text", "time",
	"unicode", "unique", "unsafe", "vendor", "weak", "type:", "type.", "go:", NULL,
};

/* C allocator, libc internals and cgo glue (prefixes). */
static const char *const c_skip[] = {
	"malloc", "calloc", "realloc", "reallocarray", "posix_memalign", "aligned_alloc",
	"memalign", "valloc", "pvalloc", "strdup", "strndup", "__strdup", "__strndup",
	"__libc_", "__GI_", "_int_", "__default_morecore", "sysmalloc", "tcache_",
	"_Znwm", "_Znam", "_ZnwmRKSt9nothrow_t", "operator new", "_cgo_", "x_cgo_",
	"crosscall", "__dl_", "_dl_", "allocate_stack", "pthread_create", NULL,
};

void lb_rules_add_prefix(struct lb_rules *r, const char *p)
{
	r->prefixes = lw_xreallocarray(r->prefixes, r->n_prefixes + 1, sizeof(*r->prefixes));
	r->prefixes[r->n_prefixes++] = lw_xstrdup(p);
}

void lb_rules_default(struct lb_rules *r)
{
	size_t i;
	char buf[64];

	memset(r, 0, sizeof(*r));
	for (i = 0; go_std[i]; i++) {
		const char *p = go_std[i];
		size_t n = strlen(p);
		if (p[n - 1] == ':' || p[n - 1] == '.') {
			lb_rules_add_prefix(r, p);
			continue;
		}
		snprintf(buf, sizeof(buf), "%s.", p);
		lb_rules_add_prefix(r, buf);
		snprintf(buf, sizeof(buf), "%s/", p);
		lb_rules_add_prefix(r, buf);
	}
	for (i = 0; c_skip[i]; i++)
		lb_rules_add_prefix(r, c_skip[i]);
}

void lb_rules_clear_prefixes(struct lb_rules *r)
{
	size_t i;

	for (i = 0; i < r->n_prefixes; i++)
		free(r->prefixes[i]);
	free(r->prefixes);
	r->prefixes = NULL;
	r->n_prefixes = 0;
}

int lb_rules_add_skip(struct lb_rules *r, const char *re)
{
	regex_t x;

	if (regcomp(&x, re, REG_EXTENDED | REG_NOSUB))
		return -1;
	r->skip = lw_xreallocarray(r->skip, r->n_skip + 1, sizeof(*r->skip));
	r->skip[r->n_skip++] = x;
	return 0;
}

void lb_rules_free(struct lb_rules *r)
{
	size_t i;

	lb_rules_clear_prefixes(r);
	for (i = 0; i < r->n_skip; i++)
		regfree(&r->skip[i]);
	free(r->skip);
	r->skip = NULL;
	r->n_skip = 0;
}

int lb_is_cgo_wrapper(const char *func)
{
	return strstr(func, "._Cfunc_") != NULL || strstr(func, "._cgo_") != NULL ||
	       strstr(func, "._Cgo_") != NULL;
}

int lb_skipped(const struct lb_rules *r, const char *func)
{
	size_t i;

	if (lb_is_cgo_wrapper(func))
		return 1;
	for (i = 0; i < r->n_prefixes; i++)
		if (strncmp(func, r->prefixes[i], strlen(r->prefixes[i])) == 0)
			return 1;
	for (i = 0; i < r->n_skip; i++)
		if (regexec(&r->skip[i], func, 0, NULL, 0) == 0)
			return 1;
	return 0;
}

int lb_is_timer_frame(const char *func)
{
	static const char *const t[] = { "time.NewTicker", "time.Tick", "time.NewTimer",
					 "time.AfterFunc", "time.After", "time.startTimer",
					 "time.newTimer", "runtime.addtimer", "time.(*Timer).Reset",
					 "time.(*Ticker).Reset", NULL };
	size_t i;

	for (i = 0; t[i]; i++)
		if (strcmp(func, t[i]) == 0)
			return 1;
	return 0;
}

int lb_is_goroutine_alloc(const char *func)
{
	return strcmp(func, "runtime.malg") == 0 || strcmp(func, "runtime.newproc1") == 0 ||
	       strcmp(func, "runtime.allgadd") == 0;
}

/* The C name a Go-side wrapper stands for: main._Cfunc_CString -> C.CString,
 * main._Cfunc__CMalloc -> C.malloc, main._Cfunc_foo -> foo. */
static const char *wrapper_c_name(const char *func)
{
	const char *p = strstr(func, "._Cfunc_");
	char buf[256];

	if (!p)
		return NULL;
	p += 8;
	if (strcmp(p, "_CMalloc") == 0)
		return lb_intern("C.malloc");
	if (strcmp(p, "CString") == 0 || strcmp(p, "CBytes") == 0 || strcmp(p, "GoString") == 0) {
		snprintf(buf, sizeof(buf), "C.%s", p);
		return lb_intern(buf);
	}
	return lb_intern(p);
}

static int is_runtime_glue(const char *func)
{
	return strncmp(func, "runtime.", 8) == 0;
}

void lb_attribute(const struct lb_rules *r, const struct lb_frame *f, size_t n, int cgo,
		  struct lb_attr *a)
{
	size_t i;
	long lo = -1, hi = -1; /* the run of wrapper frames, leafward .. rootward */

	a->blame = -1;
	a->c_frame = -1;
	a->c_name = NULL;
	a->wrapper = -1;
	if (cgo) {
		for (i = 0; i < n; i++) {
			if (lb_is_cgo_wrapper(f[i].func)) {
				if (lo < 0)
					lo = (long)i;
				hi = (long)i;
			} else if (lo >= 0 && !is_runtime_glue(f[i].func)) {
				break;
			}
		}
	}
	if (lo >= 0) {
		/* the C side: frames leafward of the wrapper */
		for (i = 0; i < (size_t)lo; i++) {
			if (!lb_skipped(r, f[i].func) && !is_runtime_glue(f[i].func)) {
				a->c_frame = (long)i;
				a->c_name = f[i].func;
				break;
			}
		}
		a->wrapper = hi;
		if (!a->c_name) {
			/* an allocator called by cgo itself (C.CString): name the wrapper */
			for (i = (size_t)hi + 1; i-- > (size_t)lo;) {
				if ((a->c_name = wrapper_c_name(f[i].func)))
					break;
			}
		}
		for (i = (size_t)hi + 1; i < n; i++) {
			if (!lb_skipped(r, f[i].func)) {
				a->blame = (long)i;
				return;
			}
		}
		/* only library code called the wrapper: blame the first Go frame */
		for (i = (size_t)hi + 1; i < n; i++) {
			if (!lb_is_cgo_wrapper(f[i].func) && !is_runtime_glue(f[i].func)) {
				a->blame = (long)i;
				return;
			}
		}
		return;
	}
	for (i = 0; i < n; i++) {
		if (!lb_skipped(r, f[i].func)) {
			a->blame = (long)i;
			return;
		}
	}
}
