/* store.c: a target directory of the archive: lock, crash repair, atomic
 * snapshot files and append-only CSV rows. */
#include "store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "atomicio.h"
#include "csvout.h"
#include "err.h"
#include "pprof_io.h"

static int mkdir_p1(const char *path);

/* mkdir -p: every missing parent too. 0 or -errno. */
static int mkdir_p(const char *path)
{
	char *p = lw_xstrdup(path);
	int rc = 0;
	for (char *s = p + 1; *s && !rc; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST)
			rc = -errno;
		*s = '/';
	}
	free(p);
	if (rc)
		return rc;
	return mkdir_p1(path);
}

static int mkdir_p1(const char *path)
{
	if (mkdir(path, 0777) == 0 || errno == EEXIST) {
		struct stat st;
		if (stat(path, &st) == 0 && !S_ISDIR(st.st_mode))
			return -ENOTDIR;
		return 0;
	}
	return -errno;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A row is built in memory and appended with one write(2), so concurrent
 * readers and a kill -9 see whole rows (a torn row is repaired at open). */
typedef void (*row_fn)(struct lw_csv_out *c, const void *ctx);

static int append_row(int fd, row_fn fn, const void *ctx)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return -errno;
	struct lw_csv_out c;
	lw_csv_init(&c, f);
	fn(&c, ctx);
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	/* A failed write (disk full) may have appended part of the row: cut
	 * it off, or the next row would be glued to it. */
	struct stat st;
	off_t before = fstat(fd, &st) == 0 ? st.st_size : -1;
	int rc = write_all(fd, buf, len);
	if (rc && before >= 0)
		(void)!ftruncate(fd, before);
	free(buf);
	return rc;
}

/* Makes an existing CSV file safe to append to: checks the header, drops a
 * torn last row (a crash mid-write), writes the header into a new file. */
static int repair_csv(int fd, const char *path, const char *const *cols, char *err, size_t errsz)
{
	char *want = NULL;
	size_t wlen = 0;
	FILE *f = open_memstream(&want, &wlen);
	if (!f) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	struct lw_csv_out c;
	lw_csv_init(&c, f);
	lw_csv_header(&c, cols);
	fclose(f);

	struct stat st;
	char *buf = NULL;
	int rc = -1;
	if (fstat(fd, &st) != 0) {
		snprintf(err, errsz, "'%s': %s", path, strerror(errno));
		goto done;
	}
	size_t size = (size_t)st.st_size;
	buf = malloc(size + 1);
	if (!buf) {
		snprintf(err, errsz, "'%s': out of memory", path);
		goto done;
	}
	size_t got = 0;
	while (got < size) {
		ssize_t n = pread(fd, buf + got, size - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errsz, "'%s': %s", path, n < 0 ? strerror(errno) : "file shrank");
			goto done;
		}
		got += (size_t)n;
	}
	/* Keep everything up to the last newline; the rest is a torn row. */
	size_t keep = size;
	while (keep > 0 && buf[keep - 1] != '\n')
		keep--;
	if (keep < size) {
		if (keep > 0)
			lw_warn("'%s': dropped a partial last row (an earlier run was interrupted)",
				path);
		if (ftruncate(fd, (off_t)keep) != 0) {
			snprintf(err, errsz, "'%s': %s", path, strerror(errno));
			goto done;
		}
	}
	if (keep == 0) {
		int e = write_all(fd, want, wlen);
		if (e) {
			snprintf(err, errsz, "'%s': %s", path, strerror(-e));
			goto done;
		}
	} else if (keep < wlen || memcmp(buf, want, wlen) != 0) {
		snprintf(err, errsz, "'%s': unexpected header (not written by pprof-fetch?)", path);
		goto done;
	}
	rc = 0;
done:
	free(buf);
	free(want);
	return rc;
}

static int open_csv(const char *dir, const char *name, const char *const *cols, char *err,
		    size_t errsz)
{
	char *path = lw_xasprintf("%s/%s", dir, name);
	int fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
	if (fd < 0) {
		snprintf(err, errsz, "cannot open '%s': %s", path, strerror(errno));
	} else if (repair_csv(fd, path, cols, err, errsz)) {
		close(fd);
		fd = -1;
	}
	free(path);
	return fd;
}

static bool fetch_kind(const char *kind);

/* Is the temporary ".BASE.tmp.XXXXXX" one of ours: BASE a snapshot name of
 * a kind pprof-fetch writes, or "KIND.body" (see store_scratch_path)? Other
 * tools (cgo-trace) may write into the same directory at the same time. */
static bool our_temporary(const char *name)
{
	const char *tmp = strstr(name, ".tmp.");
	if (name[0] != '.' || !tmp)
		return false;
	char base[256], kind[32];
	size_t n = (size_t)(tmp - (name + 1));
	if (n == 0 || n >= sizeof base)
		return false;
	memcpy(base, name + 1, n);
	base[n] = '\0';
	int64_t t;
	if (lw_archive_parse_name(base, kind, sizeof kind, &t) == 0)
		return fetch_kind(kind);
	char *dot = strrchr(base, '.');
	if (!dot || strcmp(dot, ".body") != 0)
		return false;
	*dot = '\0';
	enum kind k;
	return kind_parse(base, &k) == 0 || strcmp(base, kind_name(K_GCOUNT)) == 0;
}

/* Only a crashed run leaves our temporaries behind, and we hold the lock,
 * so none is in use. */
static void remove_temporaries(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (our_temporary(de->d_name)) {
			char *p = lw_xasprintf("%s/%s", dir, de->d_name);
			unlink(p);
			free(p);
		}
	}
	closedir(d);
}

struct listed {
	char **files;
	size_t n, cap;
	int file_col;
};

static int listed_row(void *ctx, char **fields, int nfields, long line, char *err, size_t errsz)
{
	struct listed *l = ctx;
	if (line == 1) {
		for (int i = 0; i < nfields; i++)
			if (strcmp(fields[i], "file") == 0)
				l->file_col = i;
		return 0;
	}
	if (l->file_col < 0 || l->file_col >= nfields || !fields[l->file_col][0])
		return 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->files = lw_xreallocarray(l->files, l->cap, sizeof *l->files);
	}
	l->files[l->n++] = lw_xstrdup(fields[l->file_col]);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool fetch_kind(const char *kind)
{
	enum kind k;
	return kind_parse(kind, &k) == 0 && k != K_MEMSTATS;
}

static void manifest_fn(struct lw_csv_out *c, const void *ctx)
{
	const struct manifest_row *r = ctx;
	char t[LW_ARCHIVE_CSV_TIME_LEN];
	lw_csv_str(c, lw_archive_csv_time(t, sizeof t, r->time));
	lw_csv_str(c, r->kind);
	lw_csv_str(c, r->file);
	if (r->bytes >= 0)
		lw_csv_int(c, r->bytes);
	else
		lw_csv_str(c, "");
	if (r->http_status > 0)
		lw_csv_int(c, r->http_status);
	else
		lw_csv_str(c, "");
	if (r->duration_ms >= 0)
		lw_csv_int(c, r->duration_ms);
	else
		lw_csv_str(c, "");
	lw_csv_str(c, r->result);
	if (r->attempts > 0)
		lw_csv_int(c, r->attempts);
	else
		lw_csv_str(c, "");
	lw_csv_str(c, r->error);
	lw_csv_end_row(c);
}

/* Snapshot files that reached their final name but not the manifest (a
 * kill between rename and append) get a "recovered" row, so the manifest
 * lists every file of the archive. */
static int reconcile(struct store *s, char *err, size_t errsz)
{
	char *mpath = lw_xasprintf("%s/%s", s->dir, LW_ARCHIVE_MANIFEST);
	struct listed l = {.file_col = -1};
	struct lw_archive_entry *e = NULL;
	size_t n = 0;
	int rc = -1;
	if (lw_csv_read_file(mpath, listed_row, &l, err, errsz))
		goto done;
	if (l.n)
		qsort(l.files, l.n, sizeof *l.files, cmp_str);
	if (lw_archive_scan(s->dir, &e, &n, err, errsz))
		goto done;
	for (size_t i = 0; i < n; i++) {
		if (e[i].target[0] || !fetch_kind(e[i].kind))
			continue;
		const char *base = strrchr(e[i].path, '/');
		base = base ? base + 1 : e[i].path;
		if (l.n && bsearch(&base, l.files, l.n, sizeof *l.files, cmp_str))
			continue;
		struct lw_error perr;
		struct lw_profile *p = lw_profile_read_file(e[i].path, &perr);
		if (!p) {
			lw_warn("%s (not added to the manifest)", perr.msg);
			continue;
		}
		lw_profile_free(p);
		struct stat st;
		struct manifest_row r = {
			.time = e[i].time_nanos, .kind = e[i].kind, .file = base,
			.bytes = stat(e[i].path, &st) == 0 ? (int64_t)st.st_size : -1,
			.duration_ms = -1, .result = "recovered", .error = "",
		};
		int w = append_row(s->manifest_fd, manifest_fn, &r);
		if (w) {
			snprintf(err, errsz, "cannot write '%s': %s", mpath, strerror(-w));
			goto done;
		}
	}
	rc = 0;
done:
	lw_archive_entries_free(e, n);
	for (size_t i = 0; i < l.n; i++)
		free(l.files[i]);
	free(l.files);
	free(mpath);
	return rc;
}

int store_open(struct store *s, const char *out, const char *name, bool memstats, char *err,
	       size_t errsz)
{
	memset(s, 0, sizeof *s);
	s->lock_fd = s->manifest_fd = s->memstats_fd = -1;
	int e = mkdir_p(out);
	if (e) {
		snprintf(err, errsz, "cannot create '%s': %s", out, strerror(-e));
		return -1;
	}
	s->dir = lw_xasprintf("%s/%s", out, name);
	if ((e = mkdir_p1(s->dir))) {
		snprintf(err, errsz, "cannot create '%s': %s", s->dir, strerror(-e));
		goto fail;
	}
	char *lock = lw_xasprintf("%s/.lock", s->dir);
	s->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (s->lock_fd < 0) {
		snprintf(err, errsz, "cannot open '%s': %s", lock, strerror(errno));
		free(lock);
		goto fail;
	}
	free(lock);
	if (flock(s->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK)
			snprintf(err, errsz, "'%s' is in use by another pprof-fetch", s->dir);
		else
			snprintf(err, errsz, "cannot lock '%s': %s", s->dir, strerror(errno));
		goto fail;
	}
	remove_temporaries(s->dir);
	s->manifest_fd = open_csv(s->dir, LW_ARCHIVE_MANIFEST, lw_archive_manifest_columns, err,
				  errsz);
	if (s->manifest_fd < 0)
		goto fail;
	if (memstats) {
		s->memstats_fd = open_csv(s->dir, LW_ARCHIVE_MEMSTATS,
					  lw_archive_memstats_columns, err, errsz);
		if (s->memstats_fd < 0)
			goto fail;
	}
	if (reconcile(s, err, errsz))
		goto fail;
	return 0;
fail:
	store_close(s);
	return -1;
}

char *store_next_path(struct store *s, const char *kind, int64_t t)
{
	const char *ext = lw_archive_kind_ext(kind);
	/* Two snapshots in one millisecond (or a clock step back) must not
	 * replace an earlier file: move to the next free millisecond. */
	for (;; t += 1000000) {
		char *path = lw_archive_path(s->dir, kind, t, ext);
		if (!path || access(path, F_OK) != 0)
			return path;
		free(path);
	}
}

char *store_scratch_path(struct store *s, const char *kind)
{
	return lw_xasprintf("%s/%s.body", s->dir, kind);
}

int store_manifest(struct store *s, const struct manifest_row *r)
{
	return append_row(s->manifest_fd, manifest_fn, r);
}

struct ms_ctx {
	int64_t t;
	const struct round_memstats *ms;
	int64_t rss;
};

static void memstats_fn(struct lw_csv_out *c, const void *vctx)
{
	const struct ms_ctx *x = vctx;
	const struct round_memstats *m = x->ms;
	char t[LW_ARCHIVE_CSV_TIME_LEN];
	lw_csv_str(c, lw_archive_csv_time(t, sizeof t, x->t));
	const double head[] = {m->heap_alloc, m->heap_inuse, m->heap_idle, m->heap_released,
			       m->stack_inuse, m->sys, m->num_gc};
	for (size_t i = 0; i < LW_ARRAY_SIZE(head); i++)
		lw_csv_int(c, (int64_t)head[i]);
	if (m->goroutines >= 0)
		lw_csv_int(c, m->goroutines);
	else
		lw_csv_str(c, "");
	if (x->rss >= 0)
		lw_csv_int(c, x->rss);
	else
		lw_csv_str(c, "");
	const double tail[] = {m->heap_objects, m->total_alloc, m->mallocs, m->frees, m->next_gc};
	for (size_t i = 0; i < LW_ARRAY_SIZE(tail); i++)
		lw_csv_int(c, (int64_t)tail[i]);
	lw_csv_end_row(c);
}

int store_memstats(struct store *s, int64_t t, const struct round_memstats *ms, int64_t rss)
{
	if (s->memstats_fd < 0)
		return -EBADF;
	struct ms_ctx x = {t, ms, rss};
	return append_row(s->memstats_fd, memstats_fn, &x);
}

void store_close(struct store *s)
{
	if (s->memstats_fd >= 0)
		close(s->memstats_fd);
	if (s->manifest_fd >= 0)
		close(s->manifest_fd);
	if (s->lock_fd >= 0)
		close(s->lock_fd); /* releases the flock */
	free(s->dir);
	memset(s, 0, sizeof *s);
	s->lock_fd = s->manifest_fd = s->memstats_fd = -1;
}
