/* trend_input.c: the builders of trend.h that read files: archives,
 * profile files, memstats.csv and time,key,value CSV series.
 */
#include "trend.h"

#include <dirent.h>
#include <math.h>
#include <sys/stat.h>

#include "archive.h"
#include "csvout.h"
#include "grow.h"
#include "parse.h"

static void set_err(struct lw_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_err(struct lw_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

int lw_trend_parse_kinds(const char *s, unsigned *kinds)
{
	char buf[256], *save = NULL, *tok;
	unsigned k = 0;

	if (!s || !*s || strlen(s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, strlen(s) + 1);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "heap") == 0)
			k |= LW_TREND_K_HEAP;
		else if (strcmp(tok, "cgo") == 0)
			k |= LW_TREND_K_CGO;
		else if (strcmp(tok, "goroutine") == 0)
			k |= LW_TREND_K_GOROUTINE;
		else if (strcmp(tok, "memstats") == 0)
			k |= LW_TREND_K_MEMSTATS;
		else
			return -1;
	}
	if (!k)
		return -1;
	*kinds = k;
	return 0;
}

static unsigned kind_bit(const char *kind)
{
	if (strcmp(kind, "heap") == 0)
		return LW_TREND_K_HEAP;
	if (strcmp(kind, "cgo") == 0)
		return LW_TREND_K_CGO;
	if (strcmp(kind, "goroutine") == 0 || strcmp(kind, "goroutineleak") == 0)
		return LW_TREND_K_GOROUTINE;
	return 0;
}

static int wanted(const struct lw_trend_source *src, unsigned bit)
{
	return bit && (src->kinds == 0 || (src->kinds & bit));
}

/* ---- one profile -> (key, value) rows ---- */

struct row {
	char *key;
	double v;
	double alloc; /* cumulative allocations of the key, NAN if unknown */
};

struct snap {
	int64_t time;
	char *name; /* for ordering ties and messages */
	struct row *rows;
	size_t n_rows;
	struct lw_agg agg; /* when has_agg, the rows' keys are the aggregation's */
	int has_agg;
	struct lw_agg agg_alloc; /* when has_alloc: the alloc_* aggregation */
	int has_alloc;
	double quantum;
	char unit[32];
	char kind[32];
};

static void snap_free(struct snap *sn)
{
	size_t i;

	if (sn->has_alloc)
		lw_agg_free(&sn->agg_alloc);
	sn->has_alloc = 0;
	if (sn->has_agg)
		lw_agg_free(&sn->agg);
	else
		for (i = 0; i < sn->n_rows; i++)
			free(sn->rows[i].key);
	sn->has_agg = 0;
	free(sn->rows);
	free(sn->name);
	sn->rows = NULL;
	sn->name = NULL;
	sn->n_rows = 0;
}

static int is_runtime_frame(const char *name)
{
	return strncmp(name, "runtime.", 8) == 0;
}

static int frame_matches(const struct lw_sample *sm, const regex_t *re)
{
	size_t i, j;

	for (i = 0; i < sm->n_locs; i++)
		for (j = 0; j < sm->locs[i]->n_lines; j++)
			if (regexec(re, sm->locs[i]->lines[j].fn->name, 0, NULL, 0) == 0)
				return 1;
	return 0;
}

/* The goroutine profile keeps runtime frames at the leaf (gopark, chanrecv):
 * keying by the leaf would put every goroutine under runtime.gopark. */
static const struct lw_function *waiting_function(const struct lw_sample *sm)
{
	const struct lw_function *leaf = NULL;
	size_t i, j;

	for (i = 0; i < sm->n_locs; i++) {
		for (j = 0; j < sm->locs[i]->n_lines; j++) {
			const struct lw_function *fn = sm->locs[i]->lines[j].fn;
			if (!leaf)
				leaf = fn;
			if (!is_runtime_frame(fn->name))
				return fn;
		}
	}
	return leaf;
}

static int snap_add(struct snap *sn, size_t *cap, const char *key, double v)
{
	size_t i;

	/* goroutine keys repeat across samples: merge (few rows, linear ok) */
	for (i = 0; i < sn->n_rows; i++) {
		if (strcmp(sn->rows[i].key, key) == 0) {
			sn->rows[i].v += v;
			return 0;
		}
	}
	if (sn->n_rows == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		void *p = realloc(sn->rows, nc * sizeof(*sn->rows));
		if (!p)
			return -1;
		sn->rows = p;
		*cap = nc;
	}
	sn->rows[sn->n_rows].key = strdup(key);
	if (!sn->rows[sn->n_rows].key)
		return -1;
	sn->rows[sn->n_rows].alloc = NAN;
	sn->rows[sn->n_rows++].v = v;
	return 0;
}

static int goroutine_rows(const struct lw_profile *p, const struct lw_trend_source *src,
			  struct snap *sn)
{
	size_t i, cap = 0;

	for (i = 0; i < p->n_samples; i++) {
		const struct lw_sample *sm = &p->samples[i];
		const struct lw_function *fn;
		const char *key;

		if (sm->values[0] == 0)
			continue;
		if (src->filter && src->filter->focus && !frame_matches(sm, src->filter->focus))
			continue;
		if (src->filter && src->filter->ignore && frame_matches(sm, src->filter->ignore))
			continue;
		fn = waiting_function(sm);
		key = !fn ? "<unknown>" : src->by == LW_BY_FILE ? (*fn->filename ? fn->filename : "<unknown>")
								: fn->name;
		if (snap_add(sn, &cap, key, (double)sm->values[0]))
			return -1;
	}
	return 0;
}

/* Rows of sample index si; with sa >= 0, each row also gets the key's
 * value of sample index sa (its cumulative allocations). */
static int agg_rows(const struct lw_profile *p, int si, int sa, const struct lw_trend_source *src,
		    struct snap *sn)
{
	struct lw_agg *agg = &sn->agg;
	size_t i, k = 0;

	if (lw_aggregate(p, si, src->by, src->filter, agg))
		return -1;
	sn->has_agg = 1; /* the keys live in the aggregation: no copies */
	if (sa >= 0) {
		if (lw_aggregate(p, sa, src->by, src->filter, &sn->agg_alloc))
			return -1;
		sn->has_alloc = 1;
	}
	sn->rows = calloc(agg->n_rows ? agg->n_rows : 1, sizeof(*sn->rows));
	if (!sn->rows)
		return -1;
	for (i = 0; i < agg->n_rows; i++) {
		if (agg->rows[i].flat == 0)
			continue;
		sn->rows[k].key = (char *)agg->rows[i].key;
		sn->rows[k].v = (double)agg->rows[i].flat;
		sn->rows[k].alloc = NAN;
		if (sa >= 0) {
			const struct lw_agg_row *r = lw_agg_find(&sn->agg_alloc, agg->rows[i].key);
			sn->rows[k].alloc = r ? (double)r->flat : 0;
		}
		k++;
	}
	if (sa >= 0) {
		/* keys with allocations but nothing in use at this snapshot:
		 * their cumulative count must not drop to 0 in the series */
		struct lw_agg *aa = &sn->agg_alloc;
		void *p2 = realloc(sn->rows, (k + aa->n_rows + 1) * sizeof(*sn->rows));
		if (!p2)
			return -1;
		sn->rows = p2;
		for (i = 0; i < aa->n_rows; i++) {
			const struct lw_agg_row *r;
			if (aa->rows[i].flat == 0)
				continue;
			r = lw_agg_find(agg, aa->rows[i].key);
			if (r && r->flat != 0)
				continue;
			sn->rows[k].key = (char *)aa->rows[i].key;
			sn->rows[k].v = 0;
			sn->rows[k++].alloc = (double)aa->rows[i].flat;
		}
	}
	sn->n_rows = k;
	return 0;
}

static int has_type(const struct lw_profile *p, const char *type)
{
	size_t i;
	for (i = 0; i < p->n_sample_types; i++)
		if (strcmp(p->sample_types[i].type, type) == 0)
			return 1;
	return 0;
}

/* Reads path into sn (rows, unit, quantum). kind may be "" (classify by
 * sample types) and is set to the kind used. */
static int read_snap(const char *path, char *kind, size_t kind_size,
		     const struct lw_trend_source *src, int want_alloc, struct snap *sn,
		     struct lw_error *err)
{
	struct lw_profile *p = lw_profile_read_file(path, err);
	int si, rc = 0;
	int goroutine;

	if (!p)
		return -1;
	if (!*kind) {
		if (has_type(p, "goroutine"))
			snprintf(kind, kind_size, "goroutine");
		else if (has_type(p, "inuse_space") || has_type(p, "inuse_objects"))
			snprintf(kind, kind_size, "heap");
		else {
			set_err(err, "'%s': not a heap, cgo or goroutine profile", path);
			lw_profile_free(p);
			return -1;
		}
	}
	goroutine = kind_bit(kind) == LW_TREND_K_GOROUTINE;
	if (p->time_nanos > 0 && sn->time == 0)
		sn->time = p->time_nanos;
	if (goroutine) {
		if (p->n_sample_types == 0) {
			set_err(err, "'%s': profile has no sample types", path);
			rc = -1;
		} else {
			snprintf(sn->unit, sizeof(sn->unit), "count");
			sn->quantum = 1;
			if (src->by == LW_BY_STACK)
				rc = agg_rows(p, 0, -1, src, sn);
			else
				rc = goroutine_rows(p, src, sn);
			if (rc)
				set_err(err, "'%s': out of memory", path);
		}
	} else {
		/* heap and allocs share their data: trend the in-use values */
		si = lw_sample_index(p, src->sample_index ? src->sample_index : "inuse_space");
		if (si < 0 && !src->sample_index)
			si = lw_sample_index(p, NULL);
		if (si < 0) {
			set_err(err, "'%s': no sample type '%s'", path,
				src->sample_index ? src->sample_index : "inuse_space");
			rc = -1;
		} else {
			const char *unit = p->sample_types[si].unit;
			snprintf(sn->unit, sizeof(sn->unit), "%s", *unit ? unit : "count");
			if (strcmp(sn->unit, "bytes") == 0)
				sn->quantum = p->period > 1 ? (double)p->period : 0;
			else
				sn->quantum = p->period > 1 ? -1 : 0;
			/* in-use values come with their cumulative allocations
			 * (same profile): how much of a live set was replaced */
			int sa = -1;
			const char *t = p->sample_types[si].type;
			if (!want_alloc)
				;
			else if (!strcmp(t, "inuse_space") && has_type(p, "alloc_space"))
				sa = lw_sample_index(p, "alloc_space");
			else if (!strcmp(t, "inuse_objects") && has_type(p, "alloc_objects"))
				sa = lw_sample_index(p, "alloc_objects");
			rc = agg_rows(p, si, sa, src, sn);
			if (rc)
				set_err(err, "'%s': out of memory", path);
		}
	}
	lw_profile_free(p);
	return rc;
}

static int snap_cmp(const void *a, const void *b)
{
	const struct snap *x = a, *y = b;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return strcmp(x->name, y->name);
}

static struct lw_trend_group *find_group(struct lw_trend_set *s, const char *target,
					 const char *kind, const char *unit)
{
	size_t i;
	for (i = 0; i < s->n_groups; i++) {
		struct lw_trend_group *g = s->groups[i];
		if (strcmp(g->target, target) == 0 && strcmp(g->kind, kind) == 0 &&
		    strcmp(g->unit, unit) == 0)
			return g;
	}
	return NULL;
}

static int add_snap(struct lw_trend_set *s, const char *target, const char *kind,
		    const struct snap *sn, size_t expect, struct lw_error *err)
{
	struct lw_trend_group *g = find_group(s, target, kind, sn->unit);
	long pt;
	size_t i;

	if (!g) {
		g = lw_trend_group_new(s, target, kind, sn->unit, 1);
		if (!g || lw_trend_group_reserve(g, expect))
			goto oom;
		g->quantum = sn->quantum;
	} else if (g->quantum >= 0 && sn->quantum != g->quantum) {
		/* mixed periods: fall back to estimating the step */
		g->quantum = g->quantum > 0 && sn->quantum > 0 ? fmax(g->quantum, sn->quantum) : -1;
	}
	if (g->n_points && sn->time < g->times[g->n_points - 1]) {
		set_err(err, "'%s': snapshot older than the one before it", sn->name);
		return -1;
	}
	pt = lw_trend_add_point(g, sn->time);
	if (pt < 0)
		goto oom;
	for (i = 0; i < sn->n_rows; i++)
		if (lw_trend_set_values(g, (size_t)pt, sn->rows[i].key, sn->rows[i].v,
					sn->rows[i].alloc))
			goto oom;
	return 0;
oom:
	set_err(err, "out of memory");
	return -1;
}

/* ---- archives ---- */

static int file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* memstats.csv of the dir itself and of its immediate subdirectories. */
static int archive_memstats(struct lw_trend_set *s, const char *dir, struct lw_error *err)
{
	char *path = NULL;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (asprintf(&path, "%s/%s", dir, LW_ARCHIVE_MEMSTATS) < 0)
		goto oom;
	if (file_exists(path))
		rc = lw_trend_add_memstats(s, path, "", err);
	free(path);
	path = NULL;
	if (rc)
		return rc;
	d = opendir(dir);
	if (!d)
		return 0; /* already reported by the scan if it mattered */
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (asprintf(&path, "%s/%s/%s", dir, de->d_name, LW_ARCHIVE_MEMSTATS) < 0) {
			closedir(d);
			goto oom;
		}
		if (file_exists(path)) {
			if (lw_grow(&names, &cap, n + 1, sizeof(*names), 8)) {
				free(path);
				closedir(d);
				goto oom;
			}
			names[n] = strdup(de->d_name);
			if (!names[n]) {
				free(path);
				closedir(d);
				goto oom;
			}
			n++;
		}
		free(path);
		path = NULL;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), str_cmp);
	for (i = 0; i < n && rc == 0; i++) {
		if (asprintf(&path, "%s/%s/%s", dir, names[i], LW_ARCHIVE_MEMSTATS) < 0) {
			rc = -1;
			set_err(err, "out of memory");
			break;
		}
		rc = lw_trend_add_memstats(s, path, names[i], err);
		free(path);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
oom:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	set_err(err, "out of memory");
	return -1;
}

int lw_trend_add_archive(struct lw_trend_set *s, const char *dir,
			 const struct lw_trend_source *src, struct lw_error *err)
{
	struct lw_archive_entry *ents = NULL;
	size_t n = 0, i, run_start = 0, run_end = 0;
	char ebuf[sizeof(err->msg)];
	int rc = 0;

	if (lw_archive_scan(dir, &ents, &n, ebuf, sizeof(ebuf))) {
		set_err(err, "%s", ebuf);
		return -1;
	}
	/* entries come sorted by target, kind, time: the name's time is the
	 * fetch time, the clock memstats.csv uses too */
	for (i = 0; i < n && rc == 0; i++) {
		struct snap sn = { 0 };
		char kind[32];

		if (!wanted(src, kind_bit(ents[i].kind)))
			continue;
		snprintf(kind, sizeof(kind), "%s", ents[i].kind);
		sn.time = ents[i].time_nanos;
		sn.name = strdup(ents[i].path);
		if (!sn.name) {
			set_err(err, "out of memory");
			rc = -1;
			break;
		}
		/* this target's snapshots of this kind: for the reservation, and
		 * cumulative allocations are needed at its first and last only */
		if (i >= run_end) {
			run_start = run_end = i;
			while (run_end < n && !strcmp(ents[run_end].target, ents[i].target) &&
			       !strcmp(ents[run_end].kind, ents[i].kind))
				run_end++;
		}
		rc = read_snap(ents[i].path, kind, sizeof(kind), src,
			       i == run_start || i + 1 == run_end, &sn, err);
		if (rc == 0)
			rc = add_snap(s, ents[i].target, kind, &sn, run_end - i, err);
		snap_free(&sn);
	}
	lw_archive_entries_free(ents, n);
	if (rc == 0 && wanted(src, LW_TREND_K_MEMSTATS))
		rc = archive_memstats(s, dir, err);
	return rc;
}

int lw_trend_add_profiles(struct lw_trend_set *s, char *const *paths, size_t n,
			  const struct lw_trend_source *src, struct lw_error *err)
{
	struct snap *sn = calloc(n ? n : 1, sizeof(*sn));
	char (*kinds)[32] = calloc(n ? n : 1, sizeof(*kinds));
	size_t i;
	int rc = 0;

	if (!sn || !kinds) {
		free(sn);
		free(kinds);
		set_err(err, "out of memory");
		return -1;
	}
	for (i = 0; i < n && rc == 0; i++) {
		const char *base = strrchr(paths[i], '/');
		int64_t t = 0;

		base = base ? base + 1 : paths[i];
		if (lw_archive_parse_name(base, kinds[i], sizeof(kinds[i]), &t) != 0 ||
		    !kind_bit(kinds[i]))
			kinds[i][0] = '\0';
		sn[i].name = strdup(paths[i]);
		if (!sn[i].name) {
			set_err(err, "out of memory");
			rc = -1;
			break;
		}
		/* the order is known only once all are read: every one keeps its
		 * cumulative allocations */
		rc = read_snap(paths[i], kinds[i], sizeof(kinds[i]), src, 1, &sn[i], err);
		if (sn[i].time == 0)
			sn[i].time = t;
		if (sn[i].time == 0) {
			/* legacy text profiles carry no time: the file's is next best */
			struct stat st;
			if (stat(paths[i], &st) == 0)
				sn[i].time = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
		}
		memcpy(sn[i].kind, kinds[i], sizeof(sn[i].kind));
	}
	if (rc == 0) {
		qsort(sn, n, sizeof(*sn), snap_cmp);
		for (i = 0; i < n && rc == 0; i++) {
			if (wanted(src, kind_bit(sn[i].kind)))
				rc = add_snap(s, "", sn[i].kind, &sn[i], n, err);
		}
	}
	for (i = 0; i < n; i++)
		snap_free(&sn[i]);
	free(sn);
	free(kinds);
	return rc;
}

/* ---- memstats.csv ---- */

/* Cumulative counters only ever rise, Sys is a high-water mark (the runtime
 * never gives address space back) and NextGC is a target, not memory:
 * trending them would call every healthy service a leak. */
static const char *const memstats_skip[] = { "time", "TotalAlloc", "Mallocs", "Frees", "NumGC",
					     "PauseTotalNs", "NumForcedGC", "Sys", "NextGC",
					     NULL };
static const char *const memstats_counts[] = { "goroutines", "HeapObjects", NULL };

static int in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

struct ms_ctx {
	const char *path;
	int ncols, time_col;
	char **names;
	double *vals; /* rows x ncols, NAN for empty */
	int64_t *times;
	size_t nrows, cap;
	int *bad; /* column has an empty or non-numeric cell */
};

static int ms_row(void *vc, char **fields, int nfields, long line, char *err, size_t errsz)
{
	struct ms_ctx *c = vc;
	int i;

	if (c->ncols == 0) {
		c->names = calloc((size_t)nfields, sizeof(char *));
		c->bad = calloc((size_t)nfields, sizeof(int));
		if (!c->names || !c->bad) {
			snprintf(err, errsz, "'%s': out of memory", c->path);
			return -1;
		}
		c->ncols = nfields;
		c->time_col = -1;
		for (i = 0; i < nfields; i++) {
			c->names[i] = strdup(fields[i]);
			if (!c->names[i]) {
				snprintf(err, errsz, "'%s': out of memory", c->path);
				return -1;
			}
			if (strcmp(fields[i], "time") == 0)
				c->time_col = i;
		}
		if (c->time_col < 0) {
			snprintf(err, errsz, "'%s': line 1: no 'time' column", c->path);
			return -1;
		}
		return 0;
	}
	if (nfields == 1 && fields[0][0] == '\0')
		return 0; /* blank line */
	if (nfields != c->ncols) {
		snprintf(err, errsz, "'%s': line %ld: %d fields, want %d", c->path, line, nfields,
			 c->ncols);
		return -1;
	}
	if (c->nrows == c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 64;
		void *v = realloc(c->vals, nc * (size_t)c->ncols * sizeof(double));
		void *t;
		if (!v) {
			snprintf(err, errsz, "'%s': out of memory", c->path);
			return -1;
		}
		c->vals = v;
		t = realloc(c->times, nc * sizeof(int64_t));
		if (!t) {
			snprintf(err, errsz, "'%s': out of memory", c->path);
			return -1;
		}
		c->times = t;
		c->cap = nc;
	}
	if (lw_archive_parse_time(fields[c->time_col], &c->times[c->nrows])) {
		snprintf(err, errsz, "'%s': line %ld: bad time '%s'", c->path, line,
			 fields[c->time_col]);
		return -1;
	}
	if (c->nrows && c->times[c->nrows] < c->times[c->nrows - 1]) {
		snprintf(err, errsz, "'%s': line %ld: time goes backwards", c->path, line);
		return -1;
	}
	for (i = 0; i < nfields; i++) {
		double v = NAN;
		if (i != c->time_col && (fields[i][0] == '\0' || lw_parse_double(fields[i], &v)))
			c->bad[i] = 1;
		c->vals[c->nrows * (size_t)c->ncols + (size_t)i] = v;
	}
	c->nrows++;
	return 0;
}

int lw_trend_add_memstats(struct lw_trend_set *s, const char *path, const char *target,
			  struct lw_error *err)
{
	struct ms_ctx c = { .path = path };
	struct lw_trend_group *gb = NULL, *gc = NULL;
	int i, rc = 0;
	size_t r;

	if (lw_csv_read_file(path, ms_row, &c, err->msg, sizeof(err->msg))) {
		rc = -1;
		goto out;
	}
	if (c.ncols == 0) {
		set_err(err, "'%s': empty file", path);
		rc = -1;
		goto out;
	}
	for (r = 0; r < c.nrows && rc == 0; r++) {
		long pb = -1, pc = -1;
		for (i = 0; i < c.ncols; i++) {
			struct lw_trend_group **gp;
			long *pp;
			int cnt;
			if (i == c.time_col || c.bad[i] || in_list(memstats_skip, c.names[i]))
				continue;
			cnt = in_list(memstats_counts, c.names[i]);
			gp = cnt ? &gc : &gb;
			pp = cnt ? &pc : &pb;
			if (!*gp) {
				*gp = lw_trend_group_new(s, target, "memstats", cnt ? "count" : "bytes", 0);
				if (!*gp) {
					rc = -1;
					break;
				}
				(*gp)->quantum = 0;
			}
			if (*pp < 0 && (*pp = lw_trend_add_point(*gp, c.times[r])) < 0) {
				rc = -1;
				break;
			}
			/* a row for the same time replaces the earlier one */
			{
				struct lw_trend_series *se = lw_trend_find(*gp, c.names[i]);
				if (se)
					se->values[*pp] = 0;
			}
			if (lw_trend_set_value(*gp, (size_t)*pp, c.names[i],
					       c.vals[r * (size_t)c.ncols + (size_t)i])) {
				rc = -1;
				break;
			}
		}
	}
	if (rc)
		set_err(err, "out of memory");
out:
	for (i = 0; i < c.ncols; i++)
		free(c.names ? c.names[i] : NULL);
	free(c.names);
	free(c.bad);
	free(c.vals);
	free(c.times);
	return rc;
}

/* ---- time,key,value CSV ---- */

struct sr_row {
	int64_t t;
	double v;
	size_t key; /* index into keys */
	size_t seq;
};

struct sr_ctx {
	const char *path;
	struct sr_row *rows;
	size_t n, cap;
	char **keys;
	size_t nkeys, capkeys;
};

static int parse_series_time(const char *s, int64_t *t)
{
	double sec;

	if (lw_archive_parse_time(s, t) == 0)
		return 0;
	if (lw_parse_double(s, &sec) == 0 && fabs(sec) < 9.2e9) {
		*t = llround(sec * 1e9);
		return 0;
	}
	return -1;
}

static int sr_row_cb(void *vc, char **f, int nf, long line, char *err, size_t errsz)
{
	struct sr_ctx *c = vc;
	struct sr_row r;
	size_t k;

	if (nf == 1 && f[0][0] == '\0')
		return 0;
	if (nf != 3) {
		snprintf(err, errsz, "'%s': line %ld: %d fields, want 3 (time,key,value)", c->path,
			 line, nf);
		return -1;
	}
	if (line == 1 && strcmp(f[0], "time") == 0)
		return 0; /* header */
	if (parse_series_time(f[0], &r.t)) {
		snprintf(err, errsz, "'%s': line %ld: bad time '%s'", c->path, line, f[0]);
		return -1;
	}
	if (!*f[1]) {
		snprintf(err, errsz, "'%s': line %ld: empty key", c->path, line);
		return -1;
	}
	if (lw_parse_double(f[2], &r.v)) {
		snprintf(err, errsz, "'%s': line %ld: bad value '%s'", c->path, line, f[2]);
		return -1;
	}
	/* few keys in practice: linear search keeps this simple */
	for (k = 0; k < c->nkeys && strcmp(c->keys[k], f[1]) != 0; k++)
		;
	if (k == c->nkeys) {
		if (lw_grow(&c->keys, &c->capkeys, c->nkeys + 1, sizeof(*c->keys), 8))
			goto oom;
		if (!(c->keys[c->nkeys] = strdup(f[1])))
			goto oom;
		c->nkeys++;
	}
	if (lw_grow(&c->rows, &c->cap, c->n + 1, sizeof(*c->rows), 256))
		goto oom;
	r.key = k;
	r.seq = c->n;
	c->rows[c->n++] = r;
	return 0;
oom:
	snprintf(err, errsz, "'%s': out of memory", c->path);
	return -1;
}

static int sr_cmp(const void *a, const void *b)
{
	const struct sr_row *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

int lw_trend_add_series_csv(struct lw_trend_set *s, const char *path, const char *unit,
			    struct lw_error *err)
{
	struct sr_ctx c = { .path = path };
	size_t i;
	int rc = 0;

	if (lw_csv_read_file(path, sr_row_cb, &c, err->msg, sizeof(err->msg))) {
		rc = -1;
		goto out;
	}
	if (c.n == 0) {
		set_err(err, "'%s': no rows", path);
		rc = -1;
		goto out;
	}
	qsort(c.rows, c.n, sizeof(*c.rows), sr_cmp);
	for (i = 0; i < c.n && rc == 0;) {
		size_t k = c.rows[i].key;
		struct lw_trend_group *g = lw_trend_group_new(s, "", "series", unit, 0);
		if (!g) {
			rc = -1;
			break;
		}
		for (; i < c.n && c.rows[i].key == k; i++) {
			long pt = lw_trend_add_point(g, c.rows[i].t);
			struct lw_trend_series *se;
			if (pt < 0) {
				rc = -1;
				break;
			}
			se = lw_trend_find(g, c.keys[k]);
			if (se)
				se->values[pt] = 0; /* same time again: the later row wins */
			if (lw_trend_set_value(g, (size_t)pt, c.keys[k], c.rows[i].v)) {
				rc = -1;
				break;
			}
		}
	}
	if (rc)
		set_err(err, "out of memory");
out:
	for (i = 0; i < c.nkeys; i++)
		free(c.keys[i]);
	free(c.keys);
	free(c.rows);
	return rc;
}
