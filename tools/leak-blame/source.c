/* source.c: the source code behind a frame, when it is at hand.
 *
 * A profile names files as the build saw them (/home/ci/src/app/cache.go,
 * or app/cache.go with -trimpath). Each --source DIR is tried with the
 * file's path and then with ever shorter tails of it (DIR/src/app/cache.go,
 * DIR/app/cache.go, DIR/cache.go); then the profile's own path, unless
 * --no-profile-paths. Files are read once and kept as lines. Function
 * bounds follow gofmt's layout: "func" at the start of a line, "}" alone
 * at the start of the line that ends it.
 */
#include <dirent.h>
#include <sys/stat.h>

#include "atomicio.h"
#include "blame.h"
#include "err.h"

struct lb_src {
	char *key;   /* the file name asked for */
	char *path;  /* where it was found; NULL: not found */
	char *text;
	char **lines; /* lines[i] = line i+1 */
	size_t n_lines;
	struct lb_src **sib;
	size_t n_sib;
	int sib_done;
};

static struct lb_map src_map;
static struct lb_src **srcs;
static size_t n_srcs;

#define MAX_SOURCE_BYTES (8u << 20)

static int is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static void load(struct lb_src *s)
{
	size_t len, i, n = 0;
	char *p;

	if (lw_read_all(s->path, MAX_SOURCE_BYTES, &s->text, &len)) {
		free(s->path);
		s->path = NULL;
		return;
	}
	for (i = 0; i < len; i++)
		if (s->text[i] == '\n')
			n++;
	s->lines = lw_xcalloc(n + 1, sizeof(*s->lines));
	for (p = s->text; *p;) {
		char *e = strchr(p, '\n');
		s->lines[s->n_lines++] = p;
		if (!e)
			break;
		*e = '\0';
		if (e > p && e[-1] == '\r')
			e[-1] = '\0';
		p = e + 1;
	}
}

static struct lb_src *cache_get(const char *key)
{
	size_t i = lb_map_get(&src_map, key);
	return i == (size_t)-1 ? NULL : srcs[i];
}

static struct lb_src *cache_add(const char *key, const char *path)
{
	struct lb_src *s = lw_xcalloc(1, sizeof(*s));

	s->key = lw_xstrdup(key);
	if (path) {
		s->path = lw_xstrdup(path);
		load(s);
	}
	srcs = lw_xreallocarray(srcs, n_srcs + 1, sizeof(*srcs));
	lb_map_put(&src_map, key, n_srcs);
	srcs[n_srcs++] = s;
	return s;
}

struct lb_src *lb_source_open(const char *file, const struct lb_opts *o)
{
	struct lb_src *s;
	char *found = NULL;
	size_t d;

	if (!file || !*file ||
	    (strstr(file, ".go") == NULL && strstr(file, ".c") == NULL && strstr(file, ".h") == NULL))
		return NULL;
	if ((s = cache_get(file)))
		return s->path ? s : NULL;
	for (d = 0; d < o->n_source_dirs && !found; d++) {
		const char *tail = file;
		while (*tail == '/')
			tail++;
		while (tail && *tail) {
			char *cand = lw_xasprintf("%s/%s", o->source_dirs[d], tail);
			if (is_file(cand)) {
				found = cand;
				break;
			}
			free(cand);
			tail = strchr(tail, '/');
			if (tail)
				tail++;
		}
	}
	if (!found && o->profile_paths && is_file(file))
		found = lw_xstrdup(file);
	s = cache_add(file, found);
	free(found);
	return s->path ? s : NULL;
}

const char *lb_source_line(struct lb_src *s, int64_t line)
{
	if (!s || line < 1 || (size_t)line > s->n_lines)
		return NULL;
	return s->lines[line - 1];
}

size_t lb_source_nlines(struct lb_src *s)
{
	return s ? s->n_lines : 0;
}

const char *lb_source_path(struct lb_src *s)
{
	return s ? s->path : NULL;
}

int lb_source_func_range(struct lb_src *s, int64_t line, int64_t *first, int64_t *last)
{
	int64_t i;

	if (!s || line < 1 || (size_t)line > s->n_lines)
		return -1;
	for (i = line; i >= 1; i--) {
		const char *l = s->lines[i - 1];
		if (strncmp(l, "func ", 5) == 0 || strncmp(l, "func(", 5) == 0)
			break;
		if (i < line && l[0] == '}')
			return -1; /* the line is between functions */
	}
	if (i < 1)
		return -1;
	*first = i;
	for (i = line; (size_t)i <= s->n_lines; i++) {
		const char *l = s->lines[i - 1];
		if (l[0] == '}' || (i == *first && strchr(l, '{') && l[strlen(l) - 1] == '}')) {
			*last = i;
			return 0;
		}
	}
	return -1;
}

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t lb_source_siblings(struct lb_src *s, const struct lb_opts *o, struct lb_src ***out)
{
	char *dir, *slash;
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, i;

	*out = NULL;
	if (!s || !s->path)
		return 0;
	if (s->sib_done) {
		*out = s->sib;
		return s->n_sib;
	}
	s->sib_done = 1;
	dir = lw_xstrdup(s->path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else {
		free(dir);
		dir = lw_xstrdup(".");
	}
	d = opendir(dir);
	if (!d) {
		free(dir);
		return 0;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !ends_with(de->d_name, ".go") ||
		    ends_with(de->d_name, "_test.go"))
			continue;
		names = lw_xreallocarray(names, n + 1, sizeof(*names));
		names[n++] = lw_xasprintf("%s/%s", dir, de->d_name);
		if (n >= 200)
			break; /* a package that large: enough to search */
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		struct lb_src *x = cache_get(names[i]);
		if (!x)
			x = cache_add(names[i], is_file(names[i]) ? names[i] : NULL);
		if (x->path) {
			s->sib = lw_xreallocarray(s->sib, s->n_sib + 1, sizeof(*s->sib));
			s->sib[s->n_sib++] = x;
		}
		free(names[i]);
	}
	free(names);
	free(dir);
	(void)o;
	*out = s->sib;
	return s->n_sib;
}

void lb_source_free_all(void)
{
	size_t i;

	for (i = 0; i < n_srcs; i++) {
		free(srcs[i]->key);
		free(srcs[i]->path);
		free(srcs[i]->text);
		free(srcs[i]->lines);
		free(srcs[i]->sib);
		free(srcs[i]);
	}
	free(srcs);
	srcs = NULL;
	n_srcs = 0;
	lb_map_free(&src_map);
}

char *lb_trim_dup(const char *line)
{
	const char *e;

	while (*line == ' ' || *line == '\t')
		line++;
	e = line + strlen(line);
	while (e > line && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	return strndup(line, (size_t)(e - line)) ?: (lw_die("out of memory"), NULL);
}
