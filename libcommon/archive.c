/* archive.c: snapshot file names, CSV time stamps and the directory scan of
 * the archive layout described in archive.h. Names are the index: a file's
 * kind and time come from its name, so a scan needs no other metadata. */
#include "archive.h"

#include <ctype.h>
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>

const char *const lw_archive_manifest_columns[] = {
	"time", "kind", "file", "bytes", "http_status", "duration_ms", "result", "attempts",
	"error", NULL,
};

const char *const lw_archive_memstats_columns[] = {
	"time", "HeapAlloc", "HeapInuse", "HeapIdle", "HeapReleased", "StackInuse", "Sys",
	"NumGC", "goroutines", "rss", "HeapObjects", "TotalAlloc", "Mallocs", "Frees", "NextGC",
	NULL,
};

/* Floor division so times before 1970 still print a valid clock. */
static void split_nanos(int64_t unix_nanos, time_t *secs, int *millis)
{
	int64_t s = unix_nanos / 1000000000;
	int64_t rem = unix_nanos % 1000000000;
	if (rem < 0) {
		rem += 1000000000;
		s--;
	}
	*secs = (time_t)s;
	*millis = (int)(rem / 1000000);
}

char *lw_archive_time(char *buf, size_t size, int64_t unix_nanos)
{
	time_t secs;
	int ms;
	struct tm tm;
	split_nanos(unix_nanos, &secs, &ms);
	if (!gmtime_r(&secs, &tm)) {
		snprintf(buf, size, "00000000T000000.000Z");
		return buf;
	}
	snprintf(buf, size, "%04d%02d%02dT%02d%02d%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
	return buf;
}

char *lw_archive_csv_time(char *buf, size_t size, int64_t unix_nanos)
{
	time_t secs;
	int ms;
	struct tm tm;
	split_nanos(unix_nanos, &secs, &ms);
	if (!gmtime_r(&secs, &tm)) {
		snprintf(buf, size, "0000-00-00T00:00:00.000Z");
		return buf;
	}
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
	return buf;
}

/* Reads exactly n digits. */
static int digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int expect(const char **p, char c)
{
	if (**p != c)
		return -1;
	(*p)++;
	return 0;
}

/* Parses one of the two time forms at s; *end gets the first unparsed char. */
static int parse_time_prefix(const char *s, int64_t *unix_nanos, const char **end)
{
	const char *p = s;
	int Y, M, D, h, m, sec;
	int compact = !(s[0] && s[1] && s[2] && s[3] && s[4] == '-');
	if (digits(&p, 4, &Y))
		return -1;
	if (!compact && expect(&p, '-'))
		return -1;
	if (digits(&p, 2, &M))
		return -1;
	if (!compact && expect(&p, '-'))
		return -1;
	if (digits(&p, 2, &D) || expect(&p, 'T') || digits(&p, 2, &h))
		return -1;
	if (!compact && expect(&p, ':'))
		return -1;
	if (digits(&p, 2, &m))
		return -1;
	if (!compact && expect(&p, ':'))
		return -1;
	if (digits(&p, 2, &sec))
		return -1;
	int64_t frac = 0;
	if (compact) {
		int ms;
		if (expect(&p, '.') || digits(&p, 3, &ms))
			return -1;
		frac = (int64_t)ms * 1000000;
	} else if (*p == '.') {
		p++;
		int64_t scale = 100000000;
		int nd = 0;
		while (isdigit((unsigned char)*p)) {
			if (nd < 9)
				frac += (*p - '0') * scale;
			scale /= 10;
			nd++;
			p++;
		}
		if (nd == 0)
			return -1;
	}
	if (expect(&p, 'Z'))
		return -1;
	if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
		return -1;
	struct tm tm = {.tm_year = Y - 1900, .tm_mon = M - 1, .tm_mday = D,
			.tm_hour = h, .tm_min = m, .tm_sec = sec};
	time_t t = timegm(&tm);
	/* timegm normalises 31 February into March: refuse such dates. */
	if (tm.tm_mday != D || tm.tm_mon != M - 1)
		return -1;
	/* int64 nanoseconds end in 2262 (and begin in 1677). */
	if (t > INT64_MAX / 1000000000 - 1 || t < INT64_MIN / 1000000000 + 1)
		return -1;
	*unix_nanos = (int64_t)t * 1000000000 + frac;
	*end = p;
	return 0;
}

int lw_archive_parse_time(const char *s, int64_t *unix_nanos)
{
	const char *end;
	int64_t t;
	if (!s || parse_time_prefix(s, &t, &end) || *end)
		return -1;
	*unix_nanos = t;
	return 0;
}

static int kind_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* ext: one or two dot-separated [a-z0-9]+ components ("txt", "pb.gz"), so
 * atomicio's temporaries ("...pb.gz.tmp.XXXXXX") never look like snapshots. */
static int valid_ext(const char *e)
{
	int comps = 0;
	while (*e) {
		const char *start = e;
		while ((*e >= 'a' && *e <= 'z') || (*e >= '0' && *e <= '9'))
			e++;
		if (e == start)
			return 0;
		comps++;
		if (*e == '.')
			e++;
		else if (*e)
			return 0;
		else
			break;
		if (!*e)
			return 0; /* trailing dot */
	}
	return comps >= 1 && comps <= 2;
}

int lw_archive_parse_name(const char *base, char *kind, size_t kind_size, int64_t *unix_nanos)
{
	if (!base || !(base[0] >= 'a' && base[0] <= 'z'))
		return -1;
	/* The kind may itself contain '-' (goroutine-dump): try every '-' whose
	 * tail is "<time>.<ext>". */
	for (const char *dash = strchr(base, '-'); dash; dash = strchr(dash + 1, '-')) {
		size_t klen = (size_t)(dash - base);
		int ok = 1;
		for (size_t i = 0; i < klen; i++)
			ok &= kind_char(base[i]);
		if (!ok)
			return -1;
		const char *end;
		int64_t t;
		if (parse_time_prefix(dash + 1, &t, &end) || end - (dash + 1) != LW_ARCHIVE_TIME_LEN - 1)
			continue;
		if (*end != '.' || !valid_ext(end + 1))
			continue;
		if (klen + 1 > kind_size)
			return -1;
		memcpy(kind, base, klen);
		kind[klen] = '\0';
		*unix_nanos = t;
		return 0;
	}
	return -1;
}

char *lw_archive_path(const char *dir, const char *kind, int64_t unix_nanos, const char *ext)
{
	char t[LW_ARCHIVE_TIME_LEN];
	char *path;
	lw_archive_time(t, sizeof t, unix_nanos);
	if (asprintf(&path, "%s/%s-%s.%s", dir, kind, t, ext) < 0)
		return NULL;
	return path;
}

const char *lw_archive_kind_ext(const char *kind)
{
	return strcmp(kind, "goroutine-dump") == 0 ? "txt" : "pb.gz";
}

int lw_archive_valid_target(const char *name)
{
	size_t n = 0;
	if (!name || !*name || name[0] == '.')
		return 0;
	for (; name[n]; n++) {
		char c = name[n];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return n <= 128;
}

struct scan {
	struct lw_archive_entry *v;
	size_t n, cap;
};

static int scan_add(struct scan *s, const char *dir, const char *name, const char *target,
		    const char *kind, int64_t t)
{
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 64;
		struct lw_archive_entry *nv = realloc(s->v, ncap * sizeof *nv);
		if (!nv)
			return -1;
		s->v = nv;
		s->cap = ncap;
	}
	struct lw_archive_entry *e = &s->v[s->n];
	memset(e, 0, sizeof *e);
	if (asprintf(&e->path, "%s/%s", dir, name) < 0) {
		e->path = NULL;
		return -1;
	}
	e->target = strdup(target);
	if (!e->target) {
		free(e->path);
		return -1;
	}
	snprintf(e->kind, sizeof e->kind, "%s", kind);
	e->time_nanos = t;
	s->n++;
	return 0;
}

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Adds the snapshot files of one directory (non-recursive). With subdirs
 * != NULL, also collects its visible subdirectory names. */
static int scan_dir(struct scan *s, const char *dir, const char *target, char ***subdirs,
		    size_t *nsub, char *err, size_t errsz)
{
	DIR *d = opendir(dir);
	if (!d) {
		snprintf(err, errsz, "'%s': %s", dir, strerror(errno));
		return -1;
	}
	struct dirent *de;
	int rc = 0;
	while ((de = readdir(d))) {
		const char *name = de->d_name;
		if (name[0] == '.')
			continue;
		char kind[32];
		int64_t t;
		char *full;
		if (asprintf(&full, "%s/%s", dir, name) < 0) {
			rc = -1;
			break;
		}
		if (lw_archive_parse_name(name, kind, sizeof kind, &t) == 0 && is_file(full)) {
			if (scan_add(s, dir, name, target, kind, t))
				rc = -1;
		} else if (subdirs && is_dir(full)) {
			char **nv = realloc(*subdirs, (*nsub + 1) * sizeof *nv);
			if (!nv) {
				rc = -1;
			} else {
				*subdirs = nv;
				nv[*nsub] = strdup(name);
				if (nv[*nsub])
					(*nsub)++;
				else
					rc = -1;
			}
		}
		free(full);
		if (rc)
			break;
	}
	closedir(d);
	if (rc)
		snprintf(err, errsz, "'%s': out of memory", dir);
	return rc;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct lw_archive_entry *x = a, *y = b;
	int c = strcmp(x->target, y->target);
	if (c)
		return c;
	if ((c = strcmp(x->kind, y->kind)))
		return c;
	if (x->time_nanos != y->time_nanos)
		return x->time_nanos < y->time_nanos ? -1 : 1;
	return strcmp(x->path, y->path);
}

int lw_archive_scan(const char *dir, struct lw_archive_entry **entries, size_t *n, char *err,
		    size_t errsz)
{
	struct scan s = {0};
	char **subdirs = NULL;
	size_t nsub = 0;
	int rc = scan_dir(&s, dir, "", &subdirs, &nsub, err, errsz);
	for (size_t i = 0; rc == 0 && i < nsub; i++) {
		char *sub;
		if (asprintf(&sub, "%s/%s", dir, subdirs[i]) < 0) {
			snprintf(err, errsz, "'%s': out of memory", dir);
			rc = -1;
			break;
		}
		rc = scan_dir(&s, sub, subdirs[i], NULL, NULL, err, errsz);
		free(sub);
	}
	for (size_t i = 0; i < nsub; i++)
		free(subdirs[i]);
	free(subdirs);
	if (rc) {
		lw_archive_entries_free(s.v, s.n);
		return -1;
	}
	if (s.n)
		qsort(s.v, s.n, sizeof *s.v, cmp_entry);
	*entries = s.v;
	*n = s.n;
	return 0;
}

void lw_archive_entries_free(struct lw_archive_entry *entries, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(entries[i].path);
		free(entries[i].target);
	}
	free(entries);
}
