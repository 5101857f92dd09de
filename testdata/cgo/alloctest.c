/* alloctest: a known set of C allocations for cgo-trace's tests.
 *
 * Every allocation is made by a function whose name starts with "t_", called
 * through chains of other named functions at fixed depths, through every
 * hooked allocator function and through glibc functions that allocate for
 * their caller (strdup, asprintf: glibc is built without frame pointers).
 * A known part is freed. The program writes its own truth, one line per t_
 * function:
 *     NAME INUSE_OBJECTS INUSE_BYTES ALLOC_OBJECTS ALLOC_BYTES
 * (ALLOC_* "-" where glibc makes internal allocations of unknown size).
 *
 * usage: alloctest [-w WAITFILE] [-H HOLDFILE] [-m] [-l DLIB] [-S] TRUTH
 *   -w  wait until WAITFILE exists before allocating (attach after start)
 *   -H  after writing TRUTH, wait until HOLDFILE exists before exiting
 *   -m  also mmap/munmap anonymous memory (t_mmap)
 *   -l  dlopen DLIB (testdata/cgo/dl_alloc.c) after start and allocate in it
 *   -S  sampling workload instead: many small, medium and large objects
 * Build it with and without -fomit-frame-pointer; -O2 and noipa keep every
 * t_ function a real frame that is not a tail call.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <malloc.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define NOIPA __attribute__((noipa))

struct truth {
	const char *name;
	long inuse_n, inuse_b, alloc_n, alloc_b;
	int alloc_known;
};

static struct truth truths[32];
static int ntruths;
static void *volatile sink;

static struct truth *T(const char *name, int alloc_known)
{
	for (int i = 0; i < ntruths; i++)
		if (!strcmp(truths[i].name, name))
			return &truths[i];
	truths[ntruths].name = name;
	truths[ntruths].alloc_known = alloc_known;
	return &truths[ntruths++];
}

static void alloc_(struct truth *t, long size) { t->alloc_n++; t->alloc_b += size; t->inuse_n++; t->inuse_b += size; }
static void free_(struct truth *t, long size) { t->inuse_n--; t->inuse_b -= size; }

/* --- direct allocator calls ------------------------------------------- */
NOIPA void *t_malloc(size_t n) { void *p = malloc(n); sink = p; return p; }
NOIPA void *t_calloc(size_t a, size_t b) { void *p = calloc(a, b); sink = p; return p; }
NOIPA void *t_realloc(size_t n1, size_t n2)
{
	void *p = malloc(n1);
	p = realloc(p, n2);
	sink = p;
	return p;
}
NOIPA void *t_reallocarray(size_t a, size_t b) { void *p = reallocarray(NULL, a, b); sink = p; return p; }
NOIPA void *t_posix_memalign(size_t al, size_t n)
{
	void *p = NULL;
	if (posix_memalign(&p, al, n))
		abort();
	sink = p;
	return p;
}
NOIPA void *t_aligned_alloc(size_t al, size_t n) { void *p = aligned_alloc(al, n); sink = p; return p; }
NOIPA void *t_memalign(size_t al, size_t n) { void *p = memalign(al, n); sink = p; return p; }
NOIPA void *t_valloc(size_t n) { void *p = valloc(n); sink = p; return p; }
NOIPA void *t_pvalloc(size_t n) { void *p = pvalloc(n); sink = p; return p; }
/* glibc allocates for us (frameless callers of malloc) */
NOIPA char *t_strdup(const char *s) { char *p = strdup(s); sink = p; return p; }
NOIPA char *t_asprintf(int i)
{
	char *p = NULL;
	if (asprintf(&p, "item-%06d-%s", i, "abcdefghij") < 0)
		abort();
	sink = p;
	return p;
}
NOIPA void *t_deep(int depth, size_t n)
{
	void *p = depth > 0 ? t_deep(depth - 1, n) : malloc(n);
	sink = p;
	return p;
}
/* inlined into its caller: the location's lines are t_inlined, then
 * t_inline_caller */
static inline __attribute__((always_inline)) void *t_inlined(size_t n)
{
	void *p = malloc(n);
	sink = p;
	return p;
}
NOIPA void *t_inline_caller(size_t n) { void *p = t_inlined(n); sink = p; return p; }
NOIPA void *t_thread_malloc(size_t n) { void *p = malloc(n); sink = p; return p; }
NOIPA void *t_mmap(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	sink = p;
	return p;
}

/* --- call chains: known depths ----------------------------------------- */
static void *keep[4096];
static int nkeep;

NOIPA static void chain_2(int what, int i);
NOIPA static void chain_1(int what, int i) { chain_2(what, i); sink = &keep[0]; }

enum { W_MALLOC, W_CALLOC, W_REALLOC, W_REALLOCARRAY, W_POSIX_MEMALIGN, W_ALIGNED_ALLOC,
       W_MEMALIGN, W_VALLOC, W_PVALLOC, W_STRDUP, W_ASPRINTF, W_DEEP, W_INLINE, W_N };

NOIPA static void chain_2(int what, int i)
{
	void *p = NULL;
	struct truth *t;

	switch (what) {
	case W_MALLOC: p = t_malloc(48); alloc_(T("t_malloc", 1), 48); break;
	case W_CALLOC: p = t_calloc(10, 33); alloc_(T("t_calloc", 1), 330); break;
	case W_REALLOC:
		/* malloc(16) then realloc to 200: two allocations, one live */
		p = t_realloc(16, 200);
		t = T("t_realloc", 1);
		alloc_(t, 16); free_(t, 16); alloc_(t, 200);
		break;
	case W_REALLOCARRAY: p = t_reallocarray(7, 9); alloc_(T("t_reallocarray", 1), 63); break;
	case W_POSIX_MEMALIGN: p = t_posix_memalign(64, 100); alloc_(T("t_posix_memalign", 1), 100); break;
	case W_ALIGNED_ALLOC: p = t_aligned_alloc(32, 96); alloc_(T("t_aligned_alloc", 1), 96); break;
	case W_MEMALIGN: p = t_memalign(128, 256); alloc_(T("t_memalign", 1), 256); break;
	case W_VALLOC: p = t_valloc(1000); alloc_(T("t_valloc", 1), 1000); break;
	case W_PVALLOC: p = t_pvalloc(5000); alloc_(T("t_pvalloc", 1), 5000); break;
	case W_STRDUP: p = t_strdup("twenty-three characters"); alloc_(T("t_strdup", 1), 24); break;
	case W_ASPRINTF: {
		char *s = t_asprintf(i);
		t = T("t_asprintf", 0);
		alloc_(t, (long)strlen(s) + 1);
		p = s;
		break;
	}
	case W_DEEP: p = t_deep(30, 777); alloc_(T("t_deep", 1), 777); break;
	case W_INLINE: p = t_inline_caller(555); alloc_(T("t_inlined", 1), 555); break;
	}
	keep[nkeep++] = p;
}

/* how many of each, and how many of those to free again */
static const int counts[W_N][2] = {
	[W_MALLOC] = { 100, 40 }, [W_CALLOC] = { 50, 20 }, [W_REALLOC] = { 30, 10 },
	[W_REALLOCARRAY] = { 25, 5 }, [W_POSIX_MEMALIGN] = { 20, 5 }, [W_ALIGNED_ALLOC] = { 15, 3 },
	[W_MEMALIGN] = { 12, 2 }, [W_VALLOC] = { 6, 1 }, [W_PVALLOC] = { 4, 1 },
	[W_STRDUP] = { 30, 10 }, [W_ASPRINTF] = { 20, 4 }, [W_DEEP] = { 8, 3 },
	[W_INLINE] = { 7, 2 },
};

static const char *names[W_N] = {
	"t_malloc", "t_calloc", "t_realloc", "t_reallocarray", "t_posix_memalign",
	"t_aligned_alloc", "t_memalign", "t_valloc", "t_pvalloc", "t_strdup", "t_asprintf", "t_deep",
	"t_inlined",
};
static const long sizes[W_N] = { 48, 330, 200, 63, 100, 96, 256, 1000, 5000, 24, -1, 777, 555 };

static void *thread_main(void *arg)
{
	struct truth *t = arg;
	void *ps[16];

	for (int i = 0; i < 16; i++) {
		ps[i] = t_thread_malloc(4242);
		alloc_(t, 4242);
	}
	for (int i = 0; i < 6; i++) {
		free(ps[i]);
		free_(t, 4242);
	}
	for (int i = 6; i < 16; i++)
		keep[nkeep++] = ps[i];
	return NULL;
}

static void wait_for(const char *path)
{
	while (access(path, F_OK))
		usleep(10000);
}

static void sampling_workload(void)
{
	struct truth *small = T("t_malloc", 1), *medium = T("t_calloc", 1), *large = T("t_valloc", 1);

	for (int i = 0; i < 50000; i++) {
		sink = t_malloc(100);
		alloc_(small, 100);
	}
	for (int i = 0; i < 2000; i++) {
		sink = t_calloc(1, 8192);
		alloc_(medium, 8192);
	}
	for (int i = 0; i < 20; i++) {
		sink = t_valloc(1 << 20);
		alloc_(large, 1 << 20);
	}
}

int main(int argc, char **argv)
{
	const char *wait = NULL, *hold = NULL, *dlib = NULL;
	int with_mmap = 0, sampling = 0, c;

	while ((c = getopt(argc, argv, "w:H:ml:S")) != -1) {
		switch (c) {
		case 'w': wait = optarg; break;
		case 'H': hold = optarg; break;
		case 'm': with_mmap = 1; break;
		case 'l': dlib = optarg; break;
		case 'S': sampling = 1; break;
		default: return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: alloctest [-w WAIT] [-H HOLD] [-m] [-l DLIB] [-S] TRUTH\n");
		return 2;
	}
	if (wait)
		wait_for(wait);
	if (sampling) {
		sampling_workload();
	} else {
		/* allocate everything, then free the first k of each kind */
		int first[W_N];
		for (int w = 0; w < W_N; w++) {
			first[w] = nkeep;
			for (int i = 0; i < counts[w][0]; i++)
				chain_1(w, i);
		}
		for (int w = 0; w < W_N; w++) {
			struct truth *t = T(names[w], 1);
			for (int i = 0; i < counts[w][1]; i++) {
				void *p = keep[first[w] + i];
				free_(t, sizes[w] > 0 ? sizes[w] : (long)strlen(p) + 1);
				free(p);
				keep[first[w] + i] = NULL;
			}
		}
		pthread_t th;
		if (pthread_create(&th, NULL, thread_main, T("t_thread_malloc", 1)) ||
		    pthread_join(th, NULL))
			return 1;
		if (dlib) {
			/* a library loaded after attach, built without frame pointers */
			void *h = dlopen(dlib, RTLD_NOW);
			void *(*f)(size_t);
			if (!h) {
				fprintf(stderr, "alloctest: %s\n", dlerror());
				return 1;
			}
			*(void **)&f = dlsym(h, "t_dl_malloc");
			struct truth *t = T("t_dl_malloc", 1);
			for (int i = 0; i < 9; i++) {
				keep[nkeep++] = f(321);
				alloc_(t, 321);
			}
		}
		if (with_mmap) {
			struct truth *t = T("t_mmap", 1);
			void *m[3];
			for (int i = 0; i < 3; i++) {
				m[i] = t_mmap(65536);
				alloc_(t, 65536);
			}
			munmap(m[0], 65536);
			free_(t, 65536);
		}
	}
	FILE *f = fopen(argv[optind], "w");
	if (!f)
		return 1;
	for (int i = 0; i < ntruths; i++) {
		struct truth *t = &truths[i];
		if (t->alloc_known)
			fprintf(f, "%s %ld %ld %ld %ld\n", t->name, t->inuse_n, t->inuse_b, t->alloc_n, t->alloc_b);
		else
			fprintf(f, "%s %ld %ld - -\n", t->name, t->inuse_n, t->inuse_b);
	}
	if (fclose(f))
		return 1;
	if (hold)
		wait_for(hold);
	return 0;
}
