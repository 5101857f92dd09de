/* test_pprof_text.c: the legacy text readers (libcommon/pprof_text*.c).
 *
 * Heap and count text are compared with `go tool pprof -symbolize=none -raw`
 * of the same text file (Go 1.19.8 goldens in testdata/): pprof's -raw has
 * gone through profile.Merge and the driver's filters, so our samples are
 * merged the same way (equal address stack + "bytes" label summed, all-zero
 * samples and samples without locations dropped) and
 * compared as sorted multisets. The rest (names from '#' lines, labels,
 * MemStats, goroutine dumps) is checked against counts taken from the
 * fixture files themselves.
 */
#include <inttypes.h>

#include "check.h"
#include "pprof_io.h"
#include "pprof_text.h"
#include "profile.h"

static char root[4096];

/* The source tree: $LW_ROOT, else the parent of $LW_BUILD (make check),
 * else the working directory; the first that holds testdata/. */
static void find_root(void)
{
	const char *cand[3] = { getenv("LW_ROOT"), getenv("LW_BUILD"), "." };
	for (int i = 0; i < 3; i++) {
		if (!cand[i])
			continue;
		char probe[4200];
		snprintf(root, sizeof root, i == 1 ? "%s/.." : "%s", cand[i]);
		snprintf(probe, sizeof probe, "%s/testdata/go1.19", root);
		FILE *f = fopen(probe, "r");
		if (f) {
			fclose(f);
			return;
		}
	}
	snprintf(root, sizeof root, ".");
}

static char *slurp(const char *rel, size_t *len)
{
	char path[8192];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	FILE *f = fopen(path, "rb");
	if (!f) {
		printf("# cannot open %s\n", path);
		return NULL;
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	size_t k;
	while (buf && (k = fread(buf + n, 1, cap - n, f)) > 0) {
		n += k;
		if (n == cap) {
			char *nb = realloc(buf, cap *= 2);
			if (!nb) {
				free(buf);
				buf = NULL;
			}
			buf = nb;
		}
	}
	fclose(f);
	*len = n;
	return buf;
}

/* ---- pprof -raw comparison ---- */

struct row {
	char key[4096]; /* "0xA 0xB ...|bytes=N" */
	int64_t v[4];
	int nv;
};

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	if (c)
		return c;
	for (int i = 0; i < x->nv && i < y->nv; i++)
		if (x->v[i] != y->v[i])
			return x->v[i] < y->v[i] ? -1 : 1;
	return 0;
}

struct raw {
	char period_type[128];
	int64_t period;
	char types[256];
	struct row *rows;
	size_t n;
};

/* Parses pprof's -raw output (Samples / Locations sections). */
static int parse_golden(const char *rel, struct raw *g)
{
	size_t len;
	char *buf = slurp(rel, &len);
	if (!buf)
		return -1;
	char *text = realloc(buf, len + 1);
	if (!text) {
		free(buf);
		return -1;
	}
	text[len] = '\0';
	memset(g, 0, sizeof(*g));
	uint64_t addr[4096] = { 0 };
	struct {
		int64_t v[4];
		int nv;
		int ids[256];
		int nids;
		int64_t bytes;
		int has_bytes;
	} *s = calloc(4096, sizeof(*s));
	size_t ns = 0;
	int section = 0;
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "PeriodType: ", 12) == 0) {
			snprintf(g->period_type, sizeof g->period_type, "%s", line + 12);
		} else if (strncmp(line, "Period: ", 8) == 0) {
			g->period = strtoll(line + 8, NULL, 10);
		} else if (strcmp(line, "Samples:") == 0) {
			section = 1;
		} else if (strcmp(line, "Locations") == 0) {
			section = 3;
		} else if (strcmp(line, "Mappings") == 0) {
			section = 4;
		} else if (section == 1) {
			snprintf(g->types, sizeof g->types, "%s", line);
			section = 2;
		} else if (section == 2 && strstr(line, "bytes:[")) {
			s[ns - 1].bytes = strtoll(strstr(line, "bytes:[") + 7, NULL, 10);
			s[ns - 1].has_bytes = 1;
		} else if (section == 2 && strchr(line, ':') && ns < 4096) {
			char *p = line;
			char *colon = strchr(line, ':');
			while (p < colon && s[ns].nv < 4) {
				char *e;
				long long v = strtoll(p, &e, 10);
				if (e == p)
					break;
				s[ns].v[s[ns].nv++] = v;
				p = e;
			}
			p = colon + 1;
			for (;;) {
				char *e;
				long v = strtol(p, &e, 10);
				if (e == p || s[ns].nids >= 256)
					break;
				s[ns].ids[s[ns].nids++] = (int)v;
				p = e;
			}
			ns++;
		} else if (section == 3) {
			char *e;
			long id = strtol(line, &e, 10);
			if (*e == ':' && id > 0 && id < 4096)
				addr[id] = strtoull(e + 1, NULL, 16);
		}
	}
	g->rows = calloc(ns ? ns : 1, sizeof(*g->rows));
	for (size_t i = 0; i < ns; i++) {
		struct row *r = &g->rows[g->n++];
		size_t o = 0;
		for (int j = 0; j < s[i].nids; j++)
			o += (size_t)snprintf(r->key + o, sizeof r->key - o, "%s0x%" PRIx64,
					      j ? " " : "", addr[s[i].ids[j]]);
		if (s[i].has_bytes)
			snprintf(r->key + o, sizeof r->key - o, "|bytes=%" PRId64, s[i].bytes);
		r->nv = s[i].nv;
		memcpy(r->v, s[i].v, sizeof r->v);
	}
	qsort(g->rows, g->n, sizeof(*g->rows), row_cmp);
	free(s);
	free(text);
	return 0;
}

/* Our profile merged as pprof's Merge does, as sorted rows. */
static struct row *merged_rows(const struct lw_profile *p, size_t *n_out, int keep_empty)
{
	struct row *rows = calloc(p->n_samples ? p->n_samples : 1, sizeof(*rows));
	size_t n = 0;
	for (size_t i = 0; i < p->n_samples; i++) {
		const struct lw_sample *s = &p->samples[i];
		struct row r;
		memset(&r, 0, sizeof(r));
		size_t o = 0;
		for (size_t j = 0; j < s->n_locs && o < sizeof r.key - 20; j++)
			o += (size_t)snprintf(r.key + o, sizeof r.key - o, "%s0x%" PRIx64,
					      j ? " " : "", s->locs[j]->address);
		for (size_t j = 0; j < s->n_labels; j++)
			if (strcmp(s->labels[j].key, "bytes") == 0)
				snprintf(r.key + o, sizeof r.key - o, "|bytes=%" PRId64,
					 s->labels[j].num);
		r.nv = (int)p->n_sample_types;
		int zero = 1;
		for (int k = 0; k < r.nv; k++) {
			r.v[k] = s->values[k];
			if (r.v[k])
				zero = 0;
		}
		/* pprof's driver also drops samples without locations
		 * (FilterSamplesByName keeps only samples with a focused
		 * location, and with no -focus every location is focused) */
		if (zero || (s->n_locs == 0 && !keep_empty))
			continue;
		size_t k;
		for (k = 0; k < n; k++)
			if (strcmp(rows[k].key, r.key) == 0)
				break;
		if (k < n) {
			for (int m = 0; m < r.nv; m++)
				rows[k].v[m] += r.v[m];
		} else {
			rows[n++] = r;
		}
	}
	qsort(rows, n, sizeof(*rows), row_cmp);
	*n_out = n;
	return rows;
}

static void types_of(const struct lw_profile *p, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < p->n_sample_types && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s/%s", i ? " " : "",
				      p->sample_types[i].type, p->sample_types[i].unit);
}

static struct lw_profile *parse_file(const char *rel, struct lw_profile *(*fn)(const char *, size_t,
									   const char *, int *,
									   struct lw_error *))
{
	size_t len;
	char *buf = slurp(rel, &len);
	if (!buf)
		return NULL;
	int rec = -1;
	struct lw_error err;
	err.msg[0] = '\0';
	struct lw_profile *p = fn(buf, len, rel, &rec, &err);
	if (!p)
		printf("# %s: recognized=%d: %s\n", rel, rec, err.msg);
	free(buf);
	return p;
}

/* Whole-profile comparison with a pprof -raw golden. */
static void check_vs_golden_x(const char *input, const char *golden,
			      struct lw_profile *(*fn)(const char *, size_t, const char *, int *,
						       struct lw_error *),
			      int keep_empty)
{
	char what[512];
	struct raw g;
	struct lw_profile *p = parse_file(input, fn);
	snprintf(what, sizeof what, "%s: parsed", input);
	CHECK(p != NULL, what);
	if (parse_golden(golden, &g)) {
		CHECK(0, "golden readable");
		lw_profile_free(p);
		return;
	}
	if (!p) {
		free(g.rows);
		return;
	}
	char buf[256];
	snprintf(buf, sizeof buf, "%s %s", p->period_type.type, p->period_type.unit);
	snprintf(what, sizeof what, "%s: period type", input);
	CHECK_STR(buf, g.period_type, what);
	snprintf(what, sizeof what, "%s: period", input);
	CHECK_EQ_I64(p->period, g.period, what);
	types_of(p, buf, sizeof buf);
	snprintf(what, sizeof what, "%s: sample types", input);
	CHECK_STR(buf, g.types, what);
	size_t n;
	struct row *rows = merged_rows(p, &n, keep_empty);
	snprintf(what, sizeof what, "%s: %zu merged samples", input, g.n);
	CHECK_EQ_I64(n, g.n, what);
	size_t bad = 0;
	for (size_t i = 0; i < n && i < g.n; i++) {
		if (row_cmp(&rows[i], &g.rows[i]) != 0 || rows[i].nv != g.rows[i].nv) {
			if (bad++ < 3)
				printf("#   row %zu: got %s = %" PRId64 " ..., want %s = %" PRId64 " ...\n",
				       i, rows[i].key, rows[i].v[0], g.rows[i].key, g.rows[i].v[0]);
		}
	}
	snprintf(what, sizeof what, "%s: every value and stack equals pprof -raw", input);
	CHECK_EQ_I64(bad, 0, what);
	free(rows);
	free(g.rows);
	lw_profile_free(p);
}

static void check_vs_golden(const char *input, const char *golden,
			    struct lw_profile *(*fn)(const char *, size_t, const char *, int *,
						     struct lw_error *))
{
	check_vs_golden_x(input, golden, fn, 0);
}

/* ---- helpers over our model ---- */

static const char *leaf_name(const struct lw_sample *s)
{
	for (size_t i = 0; i < s->n_locs; i++)
		if (s->locs[i]->n_lines)
			return s->locs[i]->lines[0].fn->name;
	return "";
}

static const char *label_str(const struct lw_sample *s, const char *key)
{
	for (size_t i = 0; i < s->n_labels; i++)
		if (strcmp(s->labels[i].key, key) == 0)
			return s->labels[i].str;
	return NULL;
}

static int64_t sum_where_fn(const struct lw_profile *p, const char *fn, size_t vi)
{
	/* cum value of fn: samples whose stack contains fn (once per sample) */
	int64_t t = 0;
	for (size_t i = 0; i < p->n_samples; i++) {
		const struct lw_sample *s = &p->samples[i];
		int hit = 0;
		for (size_t j = 0; j < s->n_locs && !hit; j++)
			for (size_t k = 0; k < s->locs[j]->n_lines; k++)
				if (strcmp(s->locs[j]->lines[k].fn->name, fn) == 0)
					hit = 1;
		if (hit)
			t += s->values[vi];
	}
	return t;
}

static double memstat(const struct lw_profile *p, const char *name)
{
	const struct lw_memstat *m = lw_profile_memstat(p, name);
	return m ? m->value : -1;
}

/* ---- heap ---- */

static void test_heap_goldens(void)
{
	check_vs_golden("testdata/go1.19/rate512k_heap_2.debug1.txt",
			"testdata/go1.19/goldens/rate512k_heap_2.debug1.parsed.raw.txt",
			lw_parse_heap_text);
	check_vs_golden("testdata/go1.19/rate1_heap_2.debug1.txt",
			"testdata/go1.19/goldens/rate1_heap_2.debug1.parsed.raw.txt",
			lw_parse_heap_text);
	check_vs_golden("testdata/go1.19/rate1_heap_1.debug1.txt",
			"testdata/text/goldens/rate1_heap_1.debug1.parsed.raw.txt", lw_parse_heap_text);
	check_vs_golden("testdata/go1.19/rate512k_heap_1.debug1.txt",
			"testdata/text/goldens/rate512k_heap_1.debug1.parsed.raw.txt",
			lw_parse_heap_text);
	check_vs_golden("testdata/go1.19/empty_heap.debug1.txt",
			"testdata/go1.19/goldens/empty_heap.debug1.parsed.raw.txt", lw_parse_heap_text);
	check_vs_golden("testdata/public/google-pprof/profile/testdata/gobench.heap",
			"testdata/public/goldens/google-pprof_profile_testdata_gobench.heap.raw.txt",
			lw_parse_heap_text);
	/* upstream's own expectation (profile.String() of its legacy parser,
	 * before any driver filter: keeps the sample without locations) */
	check_vs_golden_x("testdata/public/google-pprof/profile/testdata/gobench.heap",
			  "testdata/public/google-pprof/profile/testdata/gobench.heap.string",
			  lw_parse_heap_text, 1);
	/* hand-made variants, goldens produced by the same go tool pprof */
	static const char *const edge[] = { "heap_v2", "heapprofile", "neg_inuse", "twocol_scaled",
					    "mmap_sentinel", "crlf" };
	for (size_t i = 0; i < LW_ARRAY_SIZE(edge); i++) {
		char in[256], gold[256];
		snprintf(in, sizeof in, "testdata/text/%s.heap.txt", edge[i]);
		snprintf(gold, sizeof gold, "testdata/text/goldens/%s.heap.parsed.raw.txt", edge[i]);
		check_vs_golden(in, gold, lw_parse_heap_text);
	}
}

static void test_heap_names_memstats(void)
{
	struct lw_profile *p = parse_file("testdata/go1.19/rate1_heap_2.debug1.txt", lw_parse_heap_text);
	CHECK(p != NULL, "rate1_heap_2: parsed");
	if (!p)
		return;
	CHECK_EQ_I64(p->source, LW_SRC_HEAP_TEXT, "source is heap text");
	CHECK_STR(p->drop_frames, "", "drop_frames left unset (see pprof_text_heap.c)");
	/* in-use objects of leakSmall: 6000 slices + 1 backing array (fixture README) */
	CHECK_EQ_I64(sum_where_fn(p, "main.leakSmall", 2), 6001, "leakSmall inuse_objects = 6001");
	/* 8+16 slices of 256 KiB + 3 map buckets of 512 B (pb golden: 6145.50kB) */
	CHECK_EQ_I64(sum_where_fn(p, "main.leakBig", 2), 27, "leakBig inuse_objects = 27");
	CHECK_EQ_I64(sum_where_fn(p, "main.leakBig", 3), 6292992, "leakBig inuse_space 6145.50kB");
	/* the first record's leaf is named from its '#' line */
	CHECK_STR(leaf_name(&p->samples[0]), "main.leakBig", "first record's leaf is main.leakBig");
	const struct lw_location *l = p->samples[0].locs[0];
	CHECK_EQ_I64(l->address, 0x4bbe08, "leaf address = '#' line PC");
	CHECK(l->n_lines == 1 && strcmp(l->lines[0].fn->filename, "leakdemo/main.go") == 0 &&
		      l->lines[0].line == 30,
	      "leaf file:line leakdemo/main.go:30");
	/* goexit (hidden by the runtime) stays address-only */
	const struct lw_sample *s0 = &p->samples[0];
	CHECK(s0->locs[s0->n_locs - 1]->n_lines == 0, "hidden runtime.goexit stays unnamed");
	CHECK(p->n_mappings == 1 && p->mappings[0]->memory_limit == UINT64_MAX,
	      "one pprof-style fake mapping");
	lw_profile_free(p);

	p = parse_file("testdata/go1.19/rate512k_heap_2.debug1.txt", lw_parse_heap_text);
	CHECK(p != NULL, "rate512k_heap_2: parsed");
	if (!p)
		return;
	/* values as written in the trailer of rate512k_heap_2.debug1.txt */
	CHECK_NEAR(memstat(p, "Alloc"), 14058224, 0, "MemStats Alloc");
	CHECK_NEAR(memstat(p, "TotalAlloc"), 56754672, 0, "MemStats TotalAlloc");
	CHECK_NEAR(memstat(p, "HeapInuse"), 14516224, 0, "MemStats HeapInuse");
	CHECK_NEAR(memstat(p, "Stack"), 294912, 0, "MemStats Stack (in use part of a / b)");
	CHECK_NEAR(memstat(p, "StackSys"), 294912, 0, "MemStats StackSys");
	CHECK_NEAR(memstat(p, "MSpan"), 155808, 0, "MemStats MSpan");
	CHECK_NEAR(memstat(p, "MSpanSys"), 341712, 0, "MemStats MSpanSys");
	CHECK_NEAR(memstat(p, "MCacheSys"), 15600, 0, "MemStats MCacheSys");
	CHECK_NEAR(memstat(p, "LastGC"), 1795674528688163339.0, 0, "MemStats LastGC");
	CHECK_NEAR(memstat(p, "NumGC"), 11, 0, "MemStats NumGC");
	CHECK_NEAR(memstat(p, "GCCPUFraction"), 0.046318543107786, 1e-18, "MemStats GCCPUFraction");
	CHECK_NEAR(memstat(p, "DebugGC"), 0, 0, "MemStats DebugGC false = 0");
	CHECK_NEAR(memstat(p, "MaxRSS"), 18837504, 0, "MemStats MaxRSS");
	CHECK_STR(p->memstats[0].name, "Alloc", "MemStats in file order");
	CHECK(lw_profile_memstat(p, "PauseNs") == NULL, "array PauseNs skipped");
	CHECK(lw_profile_memstat(p, "PauseEnd") == NULL, "array PauseEnd skipped");
	CHECK_EQ_I64(p->n_memstats, 28, "28 scalar MemStats (25 lines, 3 of them a / b)");
	lw_profile_free(p);
}

/* ---- count text ---- */

static void test_count(void)
{
	check_vs_golden("testdata/go1.19/rate512k_goroutine.debug1.txt",
			"testdata/go1.19/goldens/rate512k_goroutine.debug1.parsed.raw.txt",
			lw_parse_count_text);
	check_vs_golden("testdata/go1.19/rate1_goroutine.debug1.txt",
			"testdata/go1.19/goldens/rate1_goroutine.debug1.parsed.raw.txt",
			lw_parse_count_text);
	check_vs_golden("testdata/public/google-pprof/profile/testdata/go.godoc.thread",
			"testdata/public/goldens/google-pprof_profile_testdata_go.godoc.thread.raw.txt",
			lw_parse_count_text);

	struct lw_profile *p =
		parse_file("testdata/go1.19/rate512k_goroutine.debug1.txt", lw_parse_count_text);
	CHECK(p != NULL, "goroutine debug1: parsed");
	if (!p)
		return;
	CHECK_EQ_I64(p->source, LW_SRC_COUNT_TEXT, "source is count text");
	CHECK_EQ_I64(p->n_samples, 4, "4 records");
	CHECK_STR(label_str(&p->samples[1], "worker"), "w0", "record 2 label worker=w0");
	CHECK_STR(label_str(&p->samples[1], "job"), "sync", "record 2 label job=sync");
	CHECK_STR(label_str(&p->samples[2], "worker"), "w1", "record 3 label worker=w1");
	CHECK_EQ_I64(p->samples[0].n_labels, 0, "record 1 has no labels");
	CHECK_EQ_I64(p->samples[1].values[0], 4, "record 2 count 4");
	CHECK_STR(leaf_name(&p->samples[0]), "main.blockOnChan", "first named frame blockOnChan");
	CHECK_EQ_I64(sum_where_fn(p, "main.blockOnSelect", 0), 7, "blockOnSelect cum 7");
	CHECK_EQ_I64(sum_where_fn(p, "runtime/pprof.Do", 0), 7, "pprof.Do cum 7");
	CHECK_EQ_I64(p->samples[0].locs[0]->n_lines, 0, "hidden runtime.gopark stays unnamed");
	lw_profile_free(p);

	/* labels with Go %q escapes */
	static const char esc[] = "goroutine profile: total 3\n"
				  "3 @ 0x10 0x20\n"
				  "# labels: {\"a\\\"b\":\"x\\ty\", \"k\":\"\\u00e9\\x41\"}\n"
				  "#\t0xf\tmain.f+0x1\t/x/a b.go:7\n";
	int rec;
	struct lw_error err;
	p = lw_parse_count_text(esc, sizeof esc - 1, "esc", &rec, &err);
	CHECK(p != NULL, "escaped labels parse");
	if (p) {
		CHECK_STR(label_str(&p->samples[0], "a\"b"), "x\ty", "escaped key and value");
		CHECK_STR(label_str(&p->samples[0], "k"), "\xc3\xa9" "A", "\\u and \\x escapes");
		CHECK_STR(p->samples[0].locs[0]->lines[0].fn->filename, "/x/a b.go",
			  "file name with a space");
		CHECK_STR(p->period_type.type, "goroutine", "period type goroutine");
		lw_profile_free(p);
	}
}

/* ---- goroutine dump ---- */

static void test_dump(void)
{
	struct lw_profile *p =
		parse_file("testdata/go1.19/rate512k_goroutine.debug2.txt", lw_parse_goroutine_dump);
	CHECK(p != NULL, "debug2: parsed");
	if (!p)
		return;
	CHECK_EQ_I64(p->source, LW_SRC_GOROUTINE_DUMP, "source is goroutine dump");
	CHECK_EQ_I64(p->n_goroutines, 58, "58 goroutines");
	CHECK_EQ_I64(p->n_samples, 58, "one sample per goroutine");
	size_t chan = 0, sel = 0, run = 0, chan_fn = 0, sel_fn = 0;
	for (size_t i = 0; i < p->n_goroutines; i++) {
		const struct lw_goroutine *g = &p->goroutines[i];
		if (strcmp(g->state, "chan receive") == 0) {
			chan++;
			chan_fn += g->n_frames == 1 && strcmp(g->frames[0].func, "main.blockOnChan") == 0 &&
				   strcmp(g->created_by.func, "main.main") == 0 &&
				   g->created_by.line == 110;
		} else if (strcmp(g->state, "select") == 0) {
			sel++;
			sel_fn += g->n_frames == 3 &&
				  strcmp(g->frames[0].func, "main.blockOnSelect") == 0 &&
				  strcmp(g->frames[2].func, "runtime/pprof.Do") == 0 &&
				  strcmp(g->frames[2].file, "runtime/pprof/runtime.go") == 0 &&
				  g->frames[2].line == 40;
		} else if (strcmp(g->state, "running") == 0) {
			run++;
		}
	}
	CHECK_EQ_I64(chan, 50, "50 [chan receive]");
	CHECK_EQ_I64(chan_fn, 50, "all 50 in main.blockOnChan, created by main.main:110");
	CHECK_EQ_I64(sel, 7, "7 [select]");
	CHECK_EQ_I64(sel_fn, 7, "all 7 blockOnSelect <- main.main.func1 <- pprof.Do:40");
	CHECK_EQ_I64(run, 1, "1 [running]");
	const struct lw_goroutine *g0 = &p->goroutines[0];
	CHECK_EQ_I64(g0->id, 1, "first goroutine id 1");
	CHECK_EQ_I64(g0->n_frames, 6, "goroutine 1 has 6 frames");
	CHECK_STR(g0->frames[0].func, "runtime/pprof.writeGoroutineStacks", "args stripped");
	CHECK_STR(g0->frames[2].func, "runtime/pprof.(*Profile).WriteTo", "method name kept");
	CHECK_STR(g0->created_by.func, "", "main goroutine has no creator");
	CHECK_EQ_I64(sum_where_fn(p, "main.blockOnChan", 0), 50, "cum blockOnChan 50 (as pb top)");
	CHECK_EQ_I64(sum_where_fn(p, "main.blockOnSelect", 0), 7, "cum blockOnSelect 7 (as pb top)");
	CHECK_EQ_I64(sum_where_fn(p, "main.main.func1", 0), 7, "cum main.main.func1 7 (as pb top)");
	CHECK_EQ_I64(sum_where_fn(p, "main.main", 0), 1, "cum main.main 1 (as pb top)");
	CHECK_STR(label_str(&p->samples[1], "state"), "chan receive", "state label");
	CHECK_STR(p->sample_types[0].type, "goroutine", "sample type goroutine");
	CHECK_STR(p->period_type.unit, "count", "period type unit count");
	lw_profile_free(p);

	/* variants: Go 1.21 creators, minutes, locked, (scan), inlining,
	 * GOTRACEBACK=system suffixes, elision, ancestors, crash preamble */
	p = parse_file("testdata/text/variants.debug2.txt", lw_parse_goroutine_dump);
	CHECK(p != NULL, "variants dump parsed");
	if (!p)
		return;
	CHECK_EQ_I64(p->n_goroutines, 5, "variants: 5 goroutines");
	const struct lw_goroutine *g = &p->goroutines[0];
	CHECK_STR(g->state, "chan receive", "(scan) stripped from the state");
	CHECK_EQ_I64(g->wait_minutes, 12, "12 minutes");
	CHECK(g->locked_to_thread, "locked to thread");
	CHECK_EQ_I64(g->created_by_goroutine, 1, "created by ... in goroutine 1");
	CHECK_STR(g->created_by.func, "main.main", "creator func");
	CHECK_EQ_I64(g->created_by.line, 20, "creator line");
	CHECK(g->n_frames == 3 && !g->frames[0].inlined && g->frames[1].inlined &&
		      !g->frames[2].inlined,
	      "inlined frame flagged (no +0x, args ...)");
	CHECK_STR(g->frames[1].func, "main.inl", "inlined frame name");
	CHECK_EQ_I64(p->samples[0].n_locs, 2, "inlined frame folded with its caller");
	CHECK(p->samples[0].locs[1]->n_lines == 2 &&
		      strcmp(p->samples[0].locs[1]->lines[0].fn->name, "main.inl") == 0 &&
		      strcmp(p->samples[0].locs[1]->lines[1].fn->name, "main.spawn.func1") == 0,
	      "one location, inline chain main.inl <- main.spawn.func1");
	int have_wait = 0;
	for (size_t i = 0; i < p->samples[0].n_labels; i++)
		if (strcmp(p->samples[0].labels[i].key, "wait_minutes") == 0 &&
		    p->samples[0].labels[i].num == 12 &&
		    strcmp(p->samples[0].labels[i].num_unit, "minutes") == 0)
			have_wait = 1;
	CHECK(have_wait, "wait_minutes numeric label in minutes");
	g = &p->goroutines[1];
	CHECK_EQ_I64(g->id, 7, "system traceback goroutine id");
	CHECK(g->n_frames == 3 && strcmp(g->frames[0].func, "runtime.gopark") == 0 &&
		      g->frames[0].line == 381 &&
		      strcmp(g->frames[0].file, "/usr/lib/go/src/runtime/proc.go") == 0,
	      "fp/sp/pc suffix stripped");
	CHECK_STR(g->frames[1].func, "panic", "panic frame");
	g = &p->goroutines[2];
	CHECK_EQ_I64(g->n_frames, 4, "elision marker skipped, frames kept");
	g = &p->goroutines[3];
	CHECK(g->n_frames == 1 && strcmp(g->created_by.func, "main.spawn") == 0,
	      "ancestor block skipped");
	g = &p->goroutines[4];
	CHECK(g->n_frames == 0 && strcmp(g->state, "running") == 0,
	      "stack unavailable goroutine has no frames");
	lw_profile_free(p);

	p = parse_file("testdata/text/crash.txt", lw_parse_goroutine_dump);
	CHECK(p != NULL, "panic output parsed");
	if (p) {
		CHECK_EQ_I64(p->n_goroutines, 2, "panic output: 2 goroutines, trailer ignored");
		lw_profile_free(p);
	}
}

/* ---- recognition and malformed input ---- */

struct bad {
	int which; /* 0 heap, 1 count, 2 dump */
	const char *text;
	int recognized;
	const char *msg; /* expected err->msg, or NULL */
};

static void test_malformed(void)
{
	typedef struct lw_profile *(*fn_t)(const char *, size_t, const char *, int *,
					   struct lw_error *);
	static const fn_t fns[] = { lw_parse_heap_text, lw_parse_count_text,
				    lw_parse_goroutine_dump };
	static const struct bad cases[] = {
		{ 0, "hello\n", 0, NULL },
		{ 0, "", 0, NULL },
		{ 0, "heap profile: total 3\n", 0, NULL },
		{ 0, "heap profile: 1: 2 [3: 4] @ heapz/9\n", 1,
		  "'x': line 1: unknown heap profile kind" },
		{ 0, "heap profile: 1: 2 [3: 4\n", 1, "'x': line 1: bad heap profile header" },
		{ 0, "heap profile: 1: 2 [3: 4] @ heap/2\n1: 2 [3: 4] @ 0xz\n", 1,
		  "'x': line 2: bad address in heap record" },
		{ 0, "heap profile: 1: 2 [3: 4] @ heap/2\n\n\n1: 2 [3: 4 @ 0x1\n", 1,
		  "'x': line 4: bad heap record" },
		{ 0, "heap profile: 1: 2 [3: 4] @ heap/2\n0: 2 [3: 4] @ 0x1\n", 1,
		  "'x': line 2: inuse count was 0 but inuse bytes was 2" },
		{ 0, "heap profile: 1: 2 [3: 4] @ heap/2\n1: 99999999999999999999 [3: 4] @ 0x1\n", 1,
		  "'x': line 2: bad heap record" },
		{ 0, "heap profile: 1: 2 [3: 4] @ heap/2\n1: 2 [3: 4] @ 0x11111111111111111\n", 1,
		  "'x': line 2: bad address in heap record" },
		{ 1, "goroutine profile: total 3\n3 @ 0x1\n# labels: {\"a\":}\n", 1,
		  "'x': line 3: bad labels line" },
		{ 1, "goroutine profile: total 3\n3 @0x1\n", 1, "'x': line 2: bad record header" },
		{ 1, "goroutine profile: total 3\nthree @ 0x1\n", 1, "'x': line 2: bad record header" },
		{ 1, "goroutine profile: total 3\n3 @ 0x1 junk\n", 1,
		  "'x': line 2: bad address in record" },
		{ 1, "goroutine profile: total x\n", 0, NULL },
		{ 1, "# c\n\nthreadcreate profile: total 1\n1 @ 0x5\n---\nignored\n", 1, NULL },
		{ 2, "goroutine 1 [running]:\nmain.main()\n\n", 1,
		  "'x': line 3: frame without its file:line" },
		{ 2, "goroutine 1 [running]:\n\tmain.go:1\n", 1,
		  "'x': line 2: file:line without a function" },
		{ 2, "goroutine 1 [running]:\nmain.main\n\tmain.go:1\n", 1, "'x': line 2: bad frame line" },
		{ 2, "goroutine 1 [running]:\nmain.main()\n\tmain.go\n", 1, "'x': line 3: bad file:line" },
		{ 2, "goroutine 1 [running]:\nmain.main()\n\tmain.go:3\n\nexit status 2\n", 1,
		  "'x': line 5: expected a goroutine header" },
		{ 2, "goroutine 1 [running]:\nmain.main()\n\tmain.go:3\ncreated by x\n", 1,
		  "'x': line 4: frame without its file:line" },
		{ 2, "panic: boom\n\nno goroutines here\n", 0, NULL },
		{ 2, "goroutine x [running]:\n", 0, NULL },
		{ 2, "goroutine 1 [running]:\n", 1, NULL },
	};
	for (size_t i = 0; i < LW_ARRAY_SIZE(cases); i++) {
		const struct bad *c = &cases[i];
		int rec = -1;
		struct lw_error err;
		err.msg[0] = '\0';
		struct lw_profile *p = fns[c->which](c->text, strlen(c->text), "x", &rec, &err);
		char what[256];
		snprintf(what, sizeof what, "case %zu: recognized=%d", i, c->recognized);
		CHECK_EQ_I64(rec, c->recognized, what);
		snprintf(what, sizeof what, "case %zu: %s", i, c->msg ? c->msg : "no error");
		if (c->msg) {
			CHECK(p == NULL, what);
			CHECK_STR(err.msg, c->msg, what);
		} else if (c->recognized) {
			CHECK(p != NULL, what);
		} else {
			CHECK(p == NULL, what);
		}
		lw_profile_free(p);
	}
}

/* Truncation at every byte of small real files: never a crash, and a
 * recognized prefix either parses or fails with a message. */
static void test_truncation(void)
{
	static const char *const files[] = { "testdata/go1.19/empty_heap.debug1.txt",
					     "testdata/go1.19/rate512k_goroutine.debug1.txt",
					     "testdata/text/variants.debug2.txt" };
	for (size_t f = 0; f < LW_ARRAY_SIZE(files); f++) {
		size_t len;
		char *buf = slurp(files[f], &len);
		if (!buf) {
			CHECK(0, files[f]);
			continue;
		}
		size_t bad = 0;
		for (size_t cut = 0; cut <= len; cut++) {
			for (int w = 0; w < 3; w++) {
				int rec = -1;
				struct lw_error err;
				err.msg[0] = '\0';
				char *copy = malloc(cut ? cut : 1);
				memcpy(copy, buf, cut);
				struct lw_profile *(*fn)(const char *, size_t, const char *, int *,
							  struct lw_error *) =
					w == 0 ? lw_parse_heap_text
					       : w == 1 ? lw_parse_count_text : lw_parse_goroutine_dump;
				struct lw_profile *p = fn(copy, cut, "t", &rec, &err);
				if (!p && rec == 1 && !err.msg[0])
					bad++;
				if (p && rec != 1)
					bad++;
				lw_profile_free(p);
				free(copy);
			}
		}
		char what[256];
		snprintf(what, sizeof what, "%s: every truncation handled", files[f]);
		CHECK_EQ_I64(bad, 0, what);
		free(buf);
	}
}

/* The public reader falls back to the text parsers. */
static void test_public_reader(void)
{
	char path[8192];
	struct lw_error err;
	snprintf(path, sizeof path, "%s/testdata/go1.19/rate512k_goroutine.debug2.txt", root);
	struct lw_profile *p = lw_profile_read_file(path, &err);
	CHECK(p && p->source == LW_SRC_GOROUTINE_DUMP, "read_file: debug2 -> goroutine dump");
	lw_profile_free(p);
	snprintf(path, sizeof path, "%s/testdata/go1.19/empty_heap.debug1.txt", root);
	p = lw_profile_read_file(path, &err);
	CHECK(p && p->source == LW_SRC_HEAP_TEXT && p->n_sample_types == 2,
	      "read_file: empty_heap -> 2-column heap text");
	lw_profile_free(p);
}

int main(void)
{
	find_root();
	test_heap_goldens();
	test_heap_names_memstats();
	test_count();
	test_dump();
	test_malformed();
	test_truncation();
	test_public_reader();
	return check_done("test_pprof_text");
}
