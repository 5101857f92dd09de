/* test_pprof_io.c: the profile model, the builder, the protobuf reader (with
 * its validation) and the writer. Exact values come from the Go 1.19
 * fixtures in testdata/go1.19 and their `go tool pprof` goldens.
 */
#include <inttypes.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "pprof_io.h"
#include "profile.h"

static char path_buf[8192];
static char testdata[4096];

/* testdata/: $LW_ROOT/testdata, ./testdata, or beside the build dir
 * (BUILD/tests/this-binary => BUILD/../testdata). */
static void find_testdata(void)
{
	struct stat st;
	const char *root = getenv("LW_ROOT");
	char exe[2048];
	ssize_t n;
	if (root) {
		snprintf(testdata, sizeof testdata, "%s/testdata", root);
		return;
	}
	if (stat("testdata/go1.19", &st) == 0) {
		snprintf(testdata, sizeof testdata, "testdata");
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		for (int up = 0; up < 3; up++) {
			char *sl = strrchr(exe, '/');
			if (sl)
				*sl = '\0';
		}
		snprintf(testdata, sizeof testdata, "%s/testdata", exe);
	}
}

static const char *td(const char *rel)
{
	snprintf(path_buf, sizeof path_buf, "%s/%s", testdata, rel);
	return path_buf;
}

static struct lw_profile *rd(const char *rel)
{
	struct lw_error err;
	struct lw_profile *p = lw_profile_read_file(td(rel), &err);
	if (!p)
		printf("# read %s: %s\n", rel, err.msg);
	return p;
}

/* ---- deep comparison of two models (ids included) ---- */

static int streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static int same_fn(const struct lw_function *a, const struct lw_function *b)
{
	if (!a || !b)
		return a == b;
	return a->id == b->id && streq(a->name, b->name) && streq(a->system_name, b->system_name) &&
	       streq(a->filename, b->filename) && a->start_line == b->start_line;
}

static int same_map(const struct lw_mapping *a, const struct lw_mapping *b)
{
	if (!a || !b)
		return a == b;
	return a->id == b->id && a->memory_start == b->memory_start &&
	       a->memory_limit == b->memory_limit && a->file_offset == b->file_offset &&
	       streq(a->filename, b->filename) && streq(a->build_id, b->build_id) &&
	       a->has_functions == b->has_functions && a->has_filenames == b->has_filenames &&
	       a->has_line_numbers == b->has_line_numbers &&
	       a->has_inline_frames == b->has_inline_frames;
}

static int same_loc(const struct lw_location *a, const struct lw_location *b)
{
	if (!a || !b)
		return a == b;
	if (a->id != b->id || a->address != b->address || a->is_folded != b->is_folded ||
	    a->n_lines != b->n_lines || !same_map(a->mapping, b->mapping))
		return 0;
	for (size_t i = 0; i < a->n_lines; i++)
		if (!same_fn(a->lines[i].fn, b->lines[i].fn) || a->lines[i].line != b->lines[i].line ||
		    a->lines[i].column != b->lines[i].column)
			return 0;
	return 1;
}

/* NULL when equal, else what differs. */
static const char *profile_diff(const struct lw_profile *a, const struct lw_profile *b)
{
	if (a->n_sample_types != b->n_sample_types)
		return "n_sample_types";
	for (size_t i = 0; i < a->n_sample_types; i++)
		if (!streq(a->sample_types[i].type, b->sample_types[i].type) ||
		    !streq(a->sample_types[i].unit, b->sample_types[i].unit))
			return "sample_types";
	if (a->n_samples != b->n_samples)
		return "n_samples";
	if (a->n_mappings != b->n_mappings || a->n_locations != b->n_locations ||
	    a->n_functions != b->n_functions)
		return "object counts";
	for (size_t i = 0; i < a->n_mappings; i++)
		if (!same_map(a->mappings[i], b->mappings[i]))
			return "mappings";
	for (size_t i = 0; i < a->n_functions; i++)
		if (!same_fn(a->functions[i], b->functions[i]))
			return "functions";
	for (size_t i = 0; i < a->n_locations; i++)
		if (!same_loc(a->locations[i], b->locations[i]))
			return "locations";
	for (size_t i = 0; i < a->n_samples; i++) {
		const struct lw_sample *x = &a->samples[i], *y = &b->samples[i];
		if (x->n_locs != y->n_locs || x->n_labels != y->n_labels)
			return "sample shape";
		if (a->n_sample_types &&
		    memcmp(x->values, y->values, a->n_sample_types * sizeof(int64_t)) != 0)
			return "sample values";
		for (size_t j = 0; j < x->n_locs; j++)
			if (!same_loc(x->locs[j], y->locs[j]))
				return "sample locations";
		for (size_t j = 0; j < x->n_labels; j++) {
			const struct lw_label *l = &x->labels[j], *m = &y->labels[j];
			if (!streq(l->key, m->key) || !streq(l->str, m->str) || l->num != m->num ||
			    !streq(l->num_unit, m->num_unit))
				return "sample labels";
		}
	}
	if (!streq(a->drop_frames, b->drop_frames) || !streq(a->keep_frames, b->keep_frames))
		return "drop/keep frames";
	if (a->time_nanos != b->time_nanos || a->duration_nanos != b->duration_nanos ||
	    a->period != b->period)
		return "time/duration/period";
	if (!streq(a->period_type.type, b->period_type.type) ||
	    !streq(a->period_type.unit, b->period_type.unit))
		return "period_type";
	if (a->n_comments != b->n_comments)
		return "n_comments";
	for (size_t i = 0; i < a->n_comments; i++)
		if (!streq(a->comments[i], b->comments[i]))
			return "comments";
	if (!streq(a->default_sample_type, b->default_sample_type))
		return "default_sample_type";
	if (!streq(a->doc_url, b->doc_url))
		return "doc_url";
	if (a->source != b->source)
		return "source";
	return NULL;
}

#define CHECK_SAME(a, b, what)                                                             \
	do {                                                                               \
		const char *d_ = (a) && (b) ? profile_diff((a), (b)) : "missing profile";   \
		CHECK(d_ == NULL, what);                                                   \
		if (d_)                                                                    \
			printf("#   differs in %s\n", d_);                                      \
	} while (0)

static const struct lw_sample *find_sample(const struct lw_profile *p, int64_t v0, int64_t v1)
{
	for (size_t i = 0; i < p->n_samples; i++)
		if (p->samples[i].values[0] == v0 && p->samples[i].values[1] == v1)
			return &p->samples[i];
	return NULL;
}

/* ---- fixtures ---- */

static void test_heap_fixture(void)
{
	struct lw_profile *p = rd("go1.19/rate512k_heap_2.pb.gz");
	CHECK(p != NULL, "rate512k_heap_2.pb.gz decodes");
	if (!p)
		return;
	CHECK_EQ_I64(p->source, LW_SRC_PROTO, "source is proto");
	CHECK_EQ_I64(p->n_sample_types, 4, "4 sample types");
	CHECK_STR(p->sample_types[0].type, "alloc_objects", "type 0");
	CHECK_STR(p->sample_types[1].unit, "bytes", "unit 1");
	CHECK_STR(p->sample_types[3].type, "inuse_space", "type 3");
	CHECK_STR(p->period_type.type, "space", "period type");
	CHECK_STR(p->period_type.unit, "bytes", "period unit");
	CHECK_EQ_I64(p->period, 524288, "period = MemProfileRate");
	CHECK_EQ_I64(p->time_nanos, 1795674528688940098LL, "time_nanos");
	CHECK_STR(p->default_sample_type, "", "no default sample type (heap)");
	CHECK_EQ_I64(p->n_samples, 15, "15 samples (golden raw)");
	CHECK_EQ_I64(p->n_mappings, 3, "3 mappings");
	CHECK_STR(p->mappings[0]->filename, "/gen", "main mapping");
	CHECK(p->mappings[0]->has_functions && !p->mappings[0]->has_filenames,
	      "has_functions only");
	CHECK_EQ_I64(p->mappings[0]->memory_start, 0x400000, "mapping start");
	CHECK_STR(p->mappings[1]->filename, "[vdso]", "vdso mapping");
	/* One sampled 416-byte object, unsampled by Go's scaleHeapSample. */
	const struct lw_sample *s = find_sample(p, 1260, 524496);
	CHECK(s != NULL, "(1260, 524496) sample present");
	if (s) {
		CHECK_EQ_I64(s->values[2], 1260, "its inuse_objects");
		CHECK_EQ_I64(s->values[3], 524496, "its inuse_space");
		CHECK_EQ_I64(s->n_labels, 1, "one label");
		CHECK_STR(s->labels[0].key, "bytes", "label key bytes");
		CHECK_EQ_I64(s->labels[0].num, 416, "416-byte objects");
		CHECK_STR(s->labels[0].str, "", "numeric label has no str");
		CHECK_STR(s->labels[0].num_unit, "", "Go writes no num_unit");
		CHECK(lw_sample_label_str(s, "bytes") == NULL, "numeric label is not a string");
	}
	s = find_sample(p, 6553, 26843271);
	CHECK(s != NULL && s->values[2] == 0 && s->values[3] == 0, "freed 4 KiB site");
	if (s) {
		CHECK_EQ_I64(s->n_locs, 3, "3 frames");
		CHECK_STR(s->locs[0]->lines[0].fn->name, "main.transient", "leaf first");
		CHECK_STR(s->locs[2]->lines[0].fn->name, "runtime.main", "root last");
		CHECK_EQ_I64(s->locs[0]->lines[0].line, 37, "leaf line");
		CHECK(s->locs[0]->mapping == p->mappings[0], "location -> mapping pointer");
		CHECK(s->locs[0]->address == 0x4bbecc, "leaf address");
	}
	/* The all-zero samples are kept (pprof drops them only when merging). */
	size_t zero = 0;
	for (size_t i = 0; i < p->n_samples; i++)
		zero += !p->samples[i].values[0] && !p->samples[i].values[1] &&
			!p->samples[i].values[2] && !p->samples[i].values[3];
	CHECK_EQ_I64(zero, 0, "no all-zero sample in this one");
	/* interning: equal strings are one pointer */
	CHECK(p->functions[0]->name == p->functions[0]->system_name, "name interned");
	CHECK(lw_profile_intern(p, "main.transient") == p->functions[0]->name,
	      "intern finds the table's string");

	struct lw_profile *raw = rd("go1.19/rate512k_heap_2.pb");
	struct lw_profile *unp = rd("go1.19/rate512k_heap_2.unpacked.pb.gz");
	CHECK_SAME(p, raw, "raw protobuf decodes like the gzip one");
	CHECK_SAME(p, unp, "unpacked repeated fields decode like packed ones");
	lw_profile_free(raw);
	lw_profile_free(unp);
	lw_profile_free(p);
}

static void test_rate1_fixture(void)
{
	struct lw_profile *p = rd("go1.19/rate1_heap_2.pb.gz");
	CHECK(p != NULL, "rate1_heap_2.pb.gz decodes");
	if (!p)
		return;
	CHECK_EQ_I64(p->period, 1, "rate 1");
	/* golden rate1_heap_2.top.inuse_objects.txt: main.leakSmall flat 6001,
	 * total 6240; main.recurse flat 201. */
	int64_t total = 0, small = 0, recurse = 0, zero = 0;
	for (size_t i = 0; i < p->n_samples; i++) {
		const struct lw_sample *s = &p->samples[i];
		total += s->values[2];
		zero += !s->values[0] && !s->values[1] && !s->values[2] && !s->values[3];
		if (!s->n_locs || !s->locs[0]->n_lines)
			continue;
		const char *leaf = s->locs[0]->lines[0].fn->name;
		if (strcmp(leaf, "main.leakSmall") == 0)
			small += s->values[2];
		if (strcmp(leaf, "main.recurse") == 0)
			recurse += s->values[2];
	}
	CHECK_EQ_I64(p->n_samples, 237, "237 samples");
	CHECK_EQ_I64(zero, 6, "6 all-zero samples");
	CHECK_EQ_I64(total, 6240, "inuse_objects total (golden)");
	CHECK_EQ_I64(small, 6001, "main.leakSmall inuse_objects (golden)");
	CHECK_EQ_I64(recurse, 201, "main.recurse inuse_objects (golden)");
	lw_profile_free(p);

	p = rd("go1.19/rate1_allocs_2.pb.gz");
	CHECK(p && streq(p->default_sample_type, "alloc_space"), "allocs: default alloc_space");
	lw_profile_free(p);
	p = rd("go1.19/empty_heap.pb.gz");
	CHECK(p && p->period == 0 && p->n_samples == 2, "empty_heap: no period, 2 samples");
	lw_profile_free(p);
	p = rd("go1.19/rate512k_heap_nosamples.pb.gz");
	CHECK(p && p->n_samples == 0 && p->n_sample_types == 4, "nosamples: types, no samples");
	lw_profile_free(p);
}

static void test_goroutine_labels(void)
{
	struct lw_profile *p = rd("go1.19/rate512k_goroutine.pb.gz");
	CHECK(p != NULL, "goroutine profile decodes");
	if (!p)
		return;
	CHECK_EQ_I64(p->n_sample_types, 1, "one sample type");
	CHECK_STR(p->sample_types[0].type, "goroutine", "goroutine/count");
	int64_t w0 = 0, w1 = 0, sync = 0, total = 0;
	for (size_t i = 0; i < p->n_samples; i++) {
		const struct lw_sample *s = &p->samples[i];
		const char *w = lw_sample_label_str(s, "worker"), *j = lw_sample_label_str(s, "job");
		total += s->values[0];
		if (w && strcmp(w, "w0") == 0)
			w0 += s->values[0];
		if (w && strcmp(w, "w1") == 0)
			w1 += s->values[0];
		if (j && strcmp(j, "sync") == 0)
			sync += s->values[0];
	}
	CHECK_EQ_I64(w0, 4, "worker=w0 x4 (golden tags)");
	CHECK_EQ_I64(w1, 3, "worker=w1 x3");
	CHECK_EQ_I64(sync, 7, "job=sync x7");
	CHECK_EQ_I64(total, 58, "58 goroutines");
	CHECK(lw_sample_label_str(&p->samples[0], "worker") == NULL, "unlabelled sample");
	lw_profile_free(p);
}

static void test_public_fixtures(void)
{
	struct lw_profile *p = rd("public/google-pprof/internal/driver/testdata/go.nomappings.crash");
	CHECK(p && p->n_samples == 2 && p->n_sample_types == 4 && p->n_mappings == 0 &&
		      p->n_functions == 0,
	      "go.nomappings.crash: 2 samples x 4 values, no mappings/functions");
	if (p && p->n_locations)
		CHECK(p->locations[0]->mapping == NULL && p->locations[0]->n_lines == 0,
		      "address-only location");
	lw_profile_free(p);
	p = rd("public/parca/pkg/query/testdata/alloc_space_delta.pb.gz");
	size_t neg = 0;
	for (size_t i = 0; p && i < p->n_samples; i++)
		neg += p->samples[i].values[3] < 0;
	CHECK_EQ_I64(neg, 144, "alloc_space_delta: 144 samples with negative inuse");
	lw_profile_free(p);
	p = rd("public/dd-trace-go/profiler/internal/fastdelta/testdata/big-heap.pprof");
	CHECK(p && p->n_samples == 5676, "big-heap.pprof (raw): 5,676 samples");
	lw_profile_free(p);
}

/* ---- builder ---- */

static void test_builder(void)
{
	struct lw_profile *p = lw_profile_new();
	CHECK(p != NULL, "new profile");
	CHECK_STR(p->default_sample_type, "", "unset strings are \"\"");
	CHECK(p->doc_url && p->drop_frames && p->keep_frames && p->period_type.type &&
		      p->period_type.unit,
	      "no NULL strings in a new profile");
	const char *a = lw_profile_intern(p, "hello");
	char tmp[] = "hello";
	CHECK(a == lw_profile_intern(p, tmp), "interning: one pointer per string");
	CHECK(a == lw_profile_intern_n(p, "hello world", 5), "intern_n");
	CHECK(lw_profile_intern(p, NULL) == lw_profile_intern(p, ""), "NULL interns as \"\"");
	CHECK(lw_profile_add_sample_type(p, "inuse_space", "bytes") == 0, "add sample type");
	lw_profile_add_sample_type(p, "inuse_objects", NULL);
	CHECK_STR(p->sample_types[1].unit, "", "NULL unit is \"\"");

	struct lw_function *f1 = lw_profile_add_function(p, 0, "f1", NULL, "f.go", 3);
	struct lw_function *f7 = lw_profile_add_function(p, 7, "f7", "F7", "g.go", 0);
	struct lw_function *f8 = lw_profile_add_function(p, 0, "f8", NULL, NULL, 0);
	CHECK(f1 && f1->id == 1 && f7->id == 7 && f8->id == 8, "function ids: auto = max + 1");
	CHECK_STR(f1->system_name, "", "NULL system_name");
	struct lw_mapping mm = { .memory_start = 0x1000, .memory_limit = 0x2000,
				 .filename = "/bin/x", .has_functions = true };
	struct lw_mapping *m = lw_profile_add_mapping(p, &mm);
	CHECK(m && m->id == 1 && m->filename != mm.filename && streq(m->filename, "/bin/x") &&
		      m->has_functions && streq(m->build_id, ""),
	      "mapping copied, strings interned");
	struct lw_line lines[2] = { { f1, 10, 2 }, { f7, 20, 0 } };
	struct lw_location *l1 = lw_profile_add_location(p, 0, m, 0x1234, lines, 2);
	struct lw_location *l2 = lw_profile_add_location(p, 0, NULL, 0x99, NULL, 0);
	lines[0].line = 999;
	CHECK(l1 && l1->id == 1 && l2->id == 2 && l1->lines[0].line == 10 && l1->n_lines == 2,
	      "location lines copied");
	struct lw_location *stack[2] = { l1, l2 };
	int64_t v[2] = { 100, 2 };
	char key[] = "k", val[] = "v";
	struct lw_label labels[2] = { { key, val, 0, NULL }, { "n", "", 5, "bytes" } };
	struct lw_sample *s = lw_profile_add_sample(p, stack, 2, v, labels, 2);
	v[0] = 0;
	key[0] = 'X';
	stack[0] = NULL;
	CHECK(s && s->values[0] == 100 && s->locs[0] == l1 && streq(s->labels[0].key, "k"),
	      "sample copies values, stack and labels");
	CHECK_STR(lw_sample_label_str(s, "k"), "v", "label lookup");
	CHECK(lw_sample_label_str(s, "n") == NULL, "numeric label not found as string");
	CHECK_STR(s->labels[1].num_unit, "bytes", "num_unit");
	/* grow past the initial capacity: earlier objects stay valid */
	for (int i = 0; i < 1000; i++) {
		int64_t vv[2] = { i, i };
		if (!lw_profile_add_sample(p, stack + 1, 1, vv, NULL, 0))
			break;
	}
	CHECK_EQ_I64(p->n_samples, 1001, "1001 samples");
	CHECK(p->samples[0].values[0] == 100 && p->samples[1000].values[1] == 999,
	      "samples survive growth");
	CHECK(lw_profile_add_comment(p, "c1") == 0 && p->n_comments == 1, "comment");
	CHECK(lw_profile_add_memstat(p, "HeapInuse", 4096) == 0, "memstat");
	lw_profile_add_memstat(p, "NumGC", 3);
	const struct lw_memstat *ms = lw_profile_memstat(p, "NumGC");
	CHECK(ms && ms->value == 3, "memstat lookup");
	CHECK(lw_profile_memstat(p, "Nope") == NULL, "absent memstat");
	struct lw_goroutine *g = lw_profile_add_goroutine(p);
	CHECK(g && streq(g->state, "") && streq(g->created_by.func, "") && g->n_frames == 0,
	      "goroutine zeroed with \"\" strings");
	char *z = lw_profile_alloc(p, 100);
	CHECK(z && z[0] == 0 && z[99] == 0, "alloc zeroed");

	/* clone: equal content, independent memory */
	g->state = lw_profile_intern(p, "select");
	g->id = 42;
	g->frames = lw_profile_alloc(p, sizeof(*g->frames));
	g->frames[0] = (struct lw_gframe){ lw_profile_intern(p, "main.f"),
					   lw_profile_intern(p, "m.go"), 7, true };
	g->n_frames = 1;
	struct lw_profile *c = lw_profile_clone(p);
	CHECK_SAME(p, c, "clone equals the original");
	CHECK(c && c->n_goroutines == 1 && c->goroutines[0].id == 42 &&
		      streq(c->goroutines[0].state, "select") &&
		      streq(c->goroutines[0].frames[0].func, "main.f") &&
		      c->goroutines[0].frames[0].inlined,
	      "clone copies goroutines");
	CHECK(c && c->n_memstats == 2 && lw_profile_memstat(c, "HeapInuse")->value == 4096,
	      "clone copies memstats");
	CHECK(c && c->functions[0] != p->functions[0] &&
		      c->functions[0]->name != p->functions[0]->name,
	      "clone does not share memory");
	CHECK(c && c->samples[0].locs[0]->lines[1].fn == c->functions[1],
	      "clone keeps references inside the copy");
	struct lw_function *f9 = c ? lw_profile_add_function(c, 0, "f9", NULL, NULL, 0) : NULL;
	CHECK(f9 && f9->id == 9, "clone keeps ids for later auto ids");
	lw_profile_free(c);
	lw_profile_free(p);
	lw_profile_free(NULL);
}

/* A profile using every field of the model. */
static struct lw_profile *every_field(void)
{
	struct lw_profile *p = lw_profile_new();
	lw_profile_add_sample_type(p, "alloc_objects", "count");
	lw_profile_add_sample_type(p, "alloc_space", "bytes");
	lw_profile_add_sample_type(p, "inuse_space", "bytes");
	struct lw_mapping m1 = { 0, 0x400000, 0x500000, 0x1000, "/bin/app", "abc123",
				 true, true, true, true };
	struct lw_mapping m2 = { 0, 0x7f0000000000, 0x7f0000001000, 0, "[vdso]", "", false,
				 true, false, true };
	struct lw_mapping *a = lw_profile_add_mapping(p, &m1), *b = lw_profile_add_mapping(p, &m2);
	struct lw_function *f1 = lw_profile_add_function(p, 0, "main.leak", "main.leak_sys",
							 "main.go", 12);
	struct lw_function *f2 = lw_profile_add_function(p, 0, "C.malloc", "", "", -1);
	struct lw_function *f3 = lw_profile_add_function(p, 0, "main.main", "main.main", "main.go",
							 0);
	struct lw_line l1[2] = { { f2, 5, 9 }, { f1, 40, 3 } };
	struct lw_line l2[1] = { { f3, -7, 0 } };
	struct lw_location *x = lw_profile_add_location(p, 0, a, 0x401234, l1, 2);
	struct lw_location *y = lw_profile_add_location(p, 0, b, UINT64_MAX, l2, 1);
	struct lw_location *z = lw_profile_add_location(p, 0, NULL, 0, NULL, 0);
	y->is_folded = true;
	struct lw_location *st1[3] = { x, y, z }, *st2[1] = { z };
	int64_t v1[3] = { 1, INT64_MAX, -5 }, v2[3] = { 0, INT64_MIN, 0 };
	struct lw_label lb[4] = { { "worker", "w\"0\n", 0, "" },
				  { "bytes", "", 96, "" },
				  { "size", "", -3, "kilobytes" },
				  { "unit_only", "", 0, "seconds" } };
	lw_profile_add_sample(p, st1, 3, v1, lb, 4);
	lw_profile_add_sample(p, st2, 1, v2, NULL, 0);
	lw_profile_add_sample(p, NULL, 0, v1, lb + 1, 1);
	p->drop_frames = lw_profile_intern(p, "runtime\\..*");
	p->keep_frames = lw_profile_intern(p, "runtime\\.main");
	p->time_nanos = -1;
	p->duration_nanos = 123456789;
	p->period_type.type = lw_profile_intern(p, "space");
	p->period_type.unit = lw_profile_intern(p, "bytes");
	p->period = 524288;
	lw_profile_add_comment(p, "first comment");
	lw_profile_add_comment(p, "first comment");
	lw_profile_add_comment(p, "\xff\xfe not utf-8");
	p->default_sample_type = lw_profile_intern(p, "alloc_space");
	p->doc_url = lw_profile_intern(p, "https://go.dev/doc/diagnostics#profiling");
	return p;
}

static struct lw_profile *reencode(const struct lw_profile *p, int gzip)
{
	uint8_t *buf;
	size_t len;
	struct lw_error err;
	if (lw_profile_encode(p, gzip, &buf, &len) != 0)
		return NULL;
	struct lw_profile *q = lw_profile_read_mem(buf, len, "mem", &err);
	if (!q)
		printf("# re-read: %s\n", err.msg);
	free(buf);
	return q;
}

static void test_roundtrip(void)
{
	struct lw_profile *p = every_field();
	struct lw_profile *q = reencode(p, 1), *r = reencode(p, 0);
	CHECK_SAME(p, q, "every field survives encode(gzip) + read");
	CHECK_SAME(p, r, "every field survives encode(raw) + read");
	CHECK(q && q->samples[0].labels[3].num == 0 && streq(q->samples[0].labels[3].num_unit,
								 "seconds"),
	      "num 0 with a unit is kept");
	lw_profile_free(q);
	lw_profile_free(r);
	struct lw_profile *c = lw_profile_clone(p);
	CHECK_SAME(p, c, "clone of every field");
	lw_profile_free(c);

	/* encode is deterministic */
	uint8_t *b1, *b2;
	size_t n1, n2;
	lw_profile_encode(p, 0, &b1, &n1);
	lw_profile_encode(p, 0, &b2, &n2);
	CHECK(n1 == n2 && memcmp(b1, b2, n1) == 0, "encoding is deterministic");
	free(b1);
	free(b2);

	/* ids are renumbered densely, in array order */
	p->functions[0]->id = 1000;
	p->locations[1]->id = 77;
	p->mappings[0]->id = 5;
	q = reencode(p, 0);
	CHECK(q && q->functions[0]->id == 1 && q->locations[1]->id == 2 &&
		      q->mappings[0]->id == 1 && streq(q->functions[0]->name, "main.leak"),
	      "ids renumbered 1..N");
	lw_profile_free(q);
	/* a location reachable only from a sample is still written */
	p->n_locations = 2;
	p->n_functions = 1; /* f2, f3 reachable through locations only */
	q = reencode(p, 0);
	CHECK(q && q->n_locations == 3 && q->n_functions == 3 && q->samples[1].locs[0]->n_lines == 0,
	      "unlisted objects are appended");
	lw_profile_free(q);
	lw_profile_free(p);

	/* labels the reader drops: num 0 without unit, str "" */
	p = lw_profile_new();
	lw_profile_add_sample_type(p, "n", "count");
	struct lw_label lb[2] = { { "zero", "", 0, "" }, { "keep", "", 1, "" } };
	int64_t v = 1;
	lw_profile_add_sample(p, NULL, 0, &v, lb, 2);
	q = reencode(p, 1);
	CHECK(q && q->samples[0].n_labels == 1 && streq(q->samples[0].labels[0].key, "keep"),
	      "pprof's label rule: num 0 without unit is dropped");
	lw_profile_free(q);
	lw_profile_free(p);

	/* NULL frames and lines without a function cannot be encoded: dropped */
	p = lw_profile_new();
	lw_profile_add_sample_type(p, "n", "count");
	struct lw_line nl = { NULL, 3, 0 };
	struct lw_location *nloc = lw_profile_add_location(p, 0, NULL, 0x10, &nl, 1);
	struct lw_location *nst[2] = { nloc, NULL };
	lw_profile_add_sample(p, nst, 2, &v, NULL, 0);
	q = reencode(p, 0);
	CHECK(q && q->samples[0].n_locs == 1 && q->locations[0]->n_lines == 0 &&
		      q->locations[0]->address == 0x10,
	      "NULL frame and function-less line are left out");
	lw_profile_free(q);
	lw_profile_free(p);

	/* every fixture survives read -> encode -> read unchanged */
	static const char *const fx[] = {
		"go1.19/rate1_heap_2.pb.gz", "go1.19/rate512k_goroutine.pb.gz",
		"go1.19/empty_heap.pb.gz", "go1.19/rate512k_heap_nosamples.pb.gz",
		"public/parca/pkg/normalizer/profile.pb.gz",
		"public/google-pprof/internal/driver/testdata/cppbench.cpu_no_samples_type",
		"public/parca/pkg/symbolizer/testdata/normal-cpu.stripped.pprof",
	};
	for (size_t i = 0; i < LW_ARRAY_SIZE(fx); i++) {
		p = rd(fx[i]);
		q = p ? reencode(p, 1) : NULL;
		char what[200];
		snprintf(what, sizeof what, "round trip %s", fx[i]);
		CHECK_SAME(p, q, what);
		lw_profile_free(p);
		lw_profile_free(q);
	}
}

/* ---- malformed input ---- */

struct pb {
	uint8_t b[1024];
	size_t n;
};

static void pb_raw(struct pb *p, const void *d, size_t n)
{
	if (p->n + n <= sizeof p->b) {
		memcpy(p->b + p->n, d, n);
		p->n += n;
	}
}

static void pb_varint(struct pb *p, uint64_t v)
{
	do {
		uint8_t c = (v & 0x7f) | (v > 0x7f ? 0x80 : 0);
		pb_raw(p, &c, 1);
		v >>= 7;
	} while (v);
}

static void pb_int(struct pb *p, unsigned field, uint64_t v)
{
	pb_varint(p, field << 3);
	pb_varint(p, v);
}

static void pb_ld(struct pb *p, unsigned field, const void *d, size_t n)
{
	pb_varint(p, field << 3 | 2);
	pb_varint(p, n);
	pb_raw(p, d, n);
}

static void pb_msg(struct pb *p, unsigned field, const struct pb *m)
{
	pb_ld(p, field, m->b, m->n);
}

static void pb_str(struct pb *p, const char *s)
{
	pb_ld(p, 6, s, strlen(s));
}

/* Knobs for building a small profile with one defect. */
struct spec {
	int no_strings, st0;       /* no string table / st[0] = "x" */
	int64_t type_idx;          /* sample_type.type index (ok: 1) */
	uint64_t fn_id, loc_id, map_id, line_fn, sample_loc, loc_map;
	int dup_fn, dup_loc, dup_map;
	int values;                /* values in the sample (ok: 1) */
	int n_types;               /* sample types (ok: 1) */
	int two_times;
	int64_t label_key, label_str;
};

static struct spec ok_spec(void)
{
	return (struct spec){ .type_idx = 1, .fn_id = 1, .loc_id = 1, .map_id = 1, .line_fn = 1,
			      .sample_loc = 1, .loc_map = 1, .values = 1, .n_types = 1,
			      .label_key = 3, .label_str = 4 };
}

static void build_spec(struct pb *out, const struct spec *s)
{
	struct pb m = { .n = 0 }, t = { .n = 0 };
	memset(out, 0, sizeof *out);
	for (int i = 0; i < s->n_types; i++) {
		t.n = 0;
		pb_int(&t, 1, (uint64_t)s->type_idx);
		pb_int(&t, 2, 2);
		pb_msg(out, 1, &t);
	}
	m.n = 0;
	pb_int(&m, 1, s->sample_loc);
	for (int i = 0; i < s->values; i++)
		pb_int(&m, 2, 10 + i);
	t.n = 0;
	pb_int(&t, 1, (uint64_t)s->label_key);
	pb_int(&t, 2, (uint64_t)s->label_str);
	pb_msg(&m, 3, &t);
	pb_msg(out, 2, &m);
	for (int i = 0; i <= s->dup_map; i++) {
		m.n = 0;
		pb_int(&m, 1, s->map_id);
		pb_int(&m, 5, 5);
		pb_msg(out, 3, &m);
	}
	for (int i = 0; i <= s->dup_loc; i++) {
		m.n = 0;
		pb_int(&m, 1, s->loc_id);
		pb_int(&m, 2, s->loc_map);
		t.n = 0;
		pb_int(&t, 1, s->line_fn);
		pb_int(&t, 2, 42);
		pb_msg(&m, 4, &t);
		pb_msg(out, 4, &m);
	}
	for (int i = 0; i <= s->dup_fn; i++) {
		m.n = 0;
		pb_int(&m, 1, s->fn_id);
		pb_int(&m, 2, 3);
		pb_msg(out, 5, &m);
	}
	pb_int(out, 9, 1000);
	if (s->two_times)
		pb_int(out, 9, 2000);
	if (!s->no_strings) {
		pb_str(out, s->st0 ? "x" : "");
		pb_str(out, "objects");
		pb_str(out, "count");
		pb_str(out, "main.f");
		pb_str(out, "w0");
		pb_str(out, "/bin/x");
	}
}

/* Reads buf; NULL-safe check that it fails with a message containing want. */
static void expect_fail(const void *buf, size_t len, const char *want, const char *what)
{
	struct lw_error err;
	struct lw_profile *p = lw_profile_read_mem(buf, len, "in.pb", &err);
	int ok = !p && strncmp(err.msg, "'in.pb': ", 9) == 0 && strstr(err.msg, want) &&
		 !strchr(err.msg, '\n');
	check_report(ok, what, __FILE__, __LINE__);
	if (!ok)
		printf("#   got %s, want '%s'\n", p ? "success" : err.msg, want);
	lw_profile_free(p);
}

static void test_spec_cases(void)
{
	struct pb b;
	struct spec s = ok_spec();
	struct lw_error err;
	build_spec(&b, &s);
	struct lw_profile *p = lw_profile_read_mem(b.b, b.n, "in.pb", &err);
	CHECK(p && p->n_samples == 1 && streq(lw_sample_label_str(&p->samples[0], "main.f"), "w0") &&
		      p->locations[0]->mapping == p->mappings[0] &&
		      streq(p->mappings[0]->filename, "/bin/x"),
	      "hand-made valid profile decodes");
	lw_profile_free(p);

#define CASE(field, val, want, what)                                                     \
	do {                                                                             \
		s = ok_spec();                                                           \
		s.field = val;                                                           \
		build_spec(&b, &s);                                                      \
		expect_fail(b.b, b.n, want, what);                                       \
	} while (0)
	CASE(no_strings, 1, "missing string table", "no string table");
	CASE(st0, 1, "string_table[0] is not empty", "string_table[0] not empty");
	CASE(type_idx, 6, "string index 6 out of range", "string index == table size");
	CASE(type_idx, -1, "string index -1 out of range", "negative string index");
	CASE(label_str, 99, "label str string index 99", "bad label string index");
	CASE(label_key, 1LL << 40, "out of range", "huge label key index");
	CASE(fn_id, 0, "function with reserved id 0", "function id 0");
	CASE(loc_id, 0, "location with reserved id 0", "location id 0");
	CASE(map_id, 0, "mapping with reserved id 0", "mapping id 0");
	CASE(dup_fn, 1, "multiple functions with id 1", "duplicate function id");
	CASE(dup_loc, 1, "multiple locations with id 1", "duplicate location id");
	CASE(dup_map, 1, "multiple mappings with id 1", "duplicate mapping id");
	CASE(line_fn, 9, "location id 1 has a line with unknown function id 9",
	     "line with unknown function");
	CASE(line_fn, 0, "unknown function id 0", "line with function id 0");
	CASE(sample_loc, 5, "sample 0 references unknown location id 5", "unknown location");
	CASE(sample_loc, 0, "unknown location id 0", "location id 0 in a sample");
	CASE(values, 2, "sample 0 has 2 values vs. 1 sample types", "too many values");
	CASE(values, 0, "sample 0 has 0 values vs. 1 sample types", "too few values");
	CASE(n_types, 0, "missing sample type information", "samples without sample types");
	CASE(two_times, 1, "concatenated profiles detected", "two time_nanos");
	CASE(fn_id, UINT64_MAX, "unknown function id 1", "sparse huge id still checked");
#undef CASE
	/* sparse huge ids that do resolve (hash index path) */
	s = ok_spec();
	s.fn_id = s.line_fn = UINT64_MAX;
	s.loc_id = s.sample_loc = 1ULL << 50;
	s.map_id = s.loc_map = 123456789;
	build_spec(&b, &s);
	p = lw_profile_read_mem(b.b, b.n, "in.pb", &err);
	CHECK(p && p->samples[0].locs[0]->id == 1ULL << 50 &&
		      p->samples[0].locs[0]->lines[0].fn->id == UINT64_MAX,
	      "sparse huge ids resolve");
	lw_profile_free(p);
	/* unknown mapping id: not an error, mapping NULL (as pprof) */
	s = ok_spec();
	s.loc_map = 77;
	build_spec(&b, &s);
	p = lw_profile_read_mem(b.b, b.n, "in.pb", &err);
	CHECK(p && p->locations[0]->mapping == NULL, "unknown mapping id => NULL mapping");
	lw_profile_free(p);
}

/* Samples interleaved with the other top-level fields in several runs (the
 * reader unpacks samples apart from the rest, then must keep their order),
 * and a failing sample that the whole-message path must word as pprof. */
static void test_sample_runs(void)
{
	struct pb b = { .n = 0 }, m, t, l;
	struct lw_error err;
	pb_str(&b, "");
	for (int i = 0; i < 3; i++) {
		m.n = 0;
		pb_int(&m, 1, 1);
		pb_int(&m, 2, 100 + (uint64_t)i);
		if (i == 1) { /* a numeric label */
			l.n = 0;
			pb_int(&l, 1, 4);
			pb_int(&l, 3, 77);
			pb_int(&l, 4, 2);
			pb_msg(&m, 3, &l);
		}
		pb_msg(&b, 2, &m);
		if (i == 0) {
			t.n = 0;
			pb_int(&t, 1, 1);
			pb_int(&t, 2, 2);
			pb_msg(&b, 1, &t);
			pb_str(&b, "objects");
		} else if (i == 1) {
			pb_str(&b, "count");
			m.n = 0;
			pb_int(&m, 1, 1);
			t.n = 0;
			pb_int(&t, 1, 1);
			pb_int(&t, 2, 7);
			pb_msg(&m, 4, &t);
			pb_msg(&b, 4, &m);
		}
	}
	m.n = 0;
	pb_int(&m, 1, 1);
	pb_int(&m, 2, 3);
	pb_msg(&b, 5, &m);
	pb_str(&b, "main.f");
	pb_str(&b, "bytes");
	struct lw_profile *p = lw_profile_read_mem(b.b, b.n, "in.pb", &err);
	CHECK(p && p->n_samples == 3 && p->samples[0].values[0] == 100 &&
		      p->samples[1].values[0] == 101 && p->samples[2].values[0] == 102,
	      "samples between other fields keep their order");
	CHECK(p && p->samples[1].n_labels == 1 && p->samples[1].labels[0].num == 77 &&
		      streq(p->samples[1].labels[0].key, "bytes") &&
		      streq(p->samples[1].labels[0].num_unit, "count") &&
		      p->samples[0].n_labels == 0 && !p->samples[0].labels,
	      "labels of interleaved samples");
	CHECK(p && p->samples[2].n_locs == 1 && p->samples[2].locs[0] == p->locations[0] &&
		      streq(p->locations[0]->lines[0].fn->name, "main.f") &&
		      p->locations[0]->lines[0].line == 7,
	      "interleaved samples reach their location");
	lw_profile_free(p);

	/* pprof checks every sample's value count before any location: the
	 * second sample's values are reported, not the first's location */
	b.n = 0;
	m.n = 0;
	pb_int(&m, 1, 5);
	pb_int(&m, 2, 1);
	pb_msg(&b, 2, &m);
	m.n = 0;
	pb_int(&m, 1, 1);
	pb_int(&m, 2, 1);
	pb_int(&m, 2, 2);
	pb_msg(&b, 2, &m);
	t.n = 0;
	pb_int(&t, 1, 1);
	pb_int(&t, 2, 1);
	pb_msg(&b, 1, &t);
	pb_str(&b, "");
	pb_str(&b, "x");
	expect_fail(b.b, b.n, "sample 1 has 2 values vs. 1 sample types",
		    "value counts are checked before locations");
	/* within a sample, its locations before its labels */
	struct spec sp = ok_spec();
	sp.sample_loc = 5;
	sp.label_str = 99;
	build_spec(&b, &sp);
	expect_fail(b.b, b.n, "sample 0 references unknown location id 5",
		    "a sample's locations are checked before its labels");
}

/* A profile big enough for the reader's large-allocation paths (huge-page
 * arena chunks, the inflated buffer, per-sample blocks across chunks). */
static void test_big_profile(void)
{
	enum { NFN = 3000, NLOC = 6000, NS = 60000, DEPTH = 24 };
	struct lw_profile *p = lw_profile_new();
	lw_profile_add_sample_type(p, "alloc_objects", "count");
	lw_profile_add_sample_type(p, "inuse_space", "bytes");
	struct lw_function **fns = calloc(NFN, sizeof(*fns));
	struct lw_location **locs = calloc(NLOC, sizeof(*locs));
	for (size_t i = 0; i < NFN; i++) {
		char name[64];
		snprintf(name, sizeof name, "pkg%zu.(*T).Method%zu", i % 97, i);
		fns[i] = lw_profile_add_function(p, 0, name, name, "x.go", (int64_t)i);
	}
	for (size_t i = 0; i < NLOC; i++) {
		struct lw_line ln[2] = { { fns[i % NFN], (int64_t)i, 0 },
					 { fns[(i * 7) % NFN], 3, 1 } };
		locs[i] = lw_profile_add_location(p, 0, NULL, 0x1000 + i, ln, 1 + (i % 5 == 0));
	}
	uint64_t r = 88172645463325252ULL;
	for (size_t s = 0; s < NS; s++) {
		struct lw_location *st[DEPTH];
		size_t n = 1 + s % DEPTH;
		for (size_t j = 0; j < n; j++) {
			r ^= r << 13, r ^= r >> 7, r ^= r << 17;
			st[j] = locs[r % NLOC];
		}
		int64_t v[2] = { (int64_t)s, (int64_t)(s * 512) };
		struct lw_label lb = { .key = "bytes", .str = "", .num = (int64_t)s,
				       .num_unit = "bytes" };
		lw_profile_add_sample(p, st, n, v, &lb, s % 3 == 0);
	}
	struct lw_profile *q = reencode(p, 1);
	CHECK_SAME(p, q, "a 60000-sample profile survives encode(gzip) + read");
	CHECK(q && q->n_samples == NS && q->samples[NS - 1].values[1] == (int64_t)(NS - 1) * 512,
	      "last sample of a big profile");
	lw_profile_free(p);
	lw_profile_free(q);
	free(fns);
	free(locs);
}

static void test_wire_errors(void)
{
	struct pb b = { .n = 0 };
	expect_fail("", 0, "empty input file", "empty input");
	/* 11-byte varint */
	static const uint8_t longv[] = { 0x48, 0xff, 0xff, 0xff, 0xff, 0xff,
					 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };
	expect_fail(longv, sizeof longv, "bad varint", "varint longer than 10 bytes");
	static const uint8_t giant[] = { 0x32, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00 };
	expect_fail(giant, sizeof giant, "truncated protobuf", "length beyond the input");
	static const uint8_t giant64[] = { 0x32, 0xff, 0xff, 0xff, 0xff, 0xff,
					   0xff, 0xff, 0xff, 0xff, 0x01 };
	expect_fail(giant64, sizeof giant64, "truncated protobuf", "2^64-1 length");
	static const uint8_t grp[] = { 0x32, 0x00, 0xa3, 0x06, 0xa4, 0x06 }; /* field 100 */
	expect_fail(grp, sizeof grp, "unsupported wire type start-group", "group wire type");
	static const uint8_t wt7[] = { 0x32, 0x00, 0xa7, 0x06 };
	expect_fail(wt7, sizeof wt7, "unsupported wire type invalid (7)", "wire type 7");
	static const uint8_t known_grp[] = { 0x32, 0x00, 0x7b, 0x7c };
	expect_fail(known_grp, sizeof known_grp, "Profile field 15 has wire type start-group",
		    "group on a known field");
	static const uint8_t mism[] = { 0x32, 0x00, 0x4a, 0x00 };
	expect_fail(mism, sizeof mism, "Profile field 9 has wire type length-delimited",
		    "wire type mismatch");
	static const uint8_t f0[] = { 0x32, 0x00, 0x02, 0x00 };
	expect_fail(f0, sizeof f0, "field number 0", "field number 0");
	/* nested: a Sample whose value varint is cut */
	static const uint8_t nested[] = { 0x32, 0x00, 0x12, 0x02, 0x10, 0x80 };
	expect_fail(nested, sizeof nested, "truncated protobuf", "truncated nested varint");
	static const uint8_t packed[] = { 0x32, 0x00, 0x12, 0x03, 0x12, 0x01, 0x80 };
	expect_fail(packed, sizeof packed, "bad packed array in Sample field 2",
		    "packed array cut inside a varint");
	/* unknown fields are skipped (pprof does too) */
	pb_str(&b, "");
	pb_int(&b, 100, 7);
	pb_ld(&b, 101, "xyz", 3);
	pb_varint(&b, 102 << 3 | 5);
	pb_raw(&b, "abcd", 4);
	pb_varint(&b, 103 << 3 | 1);
	pb_raw(&b, "abcdefgh", 8);
	struct lw_error err;
	struct lw_profile *p = lw_profile_read_mem(b.b, b.n, "u.pb", &err);
	CHECK(p && p->n_samples == 0, "unknown fields skipped");
	lw_profile_free(p);
	/* text that is no known format */
	expect_fail("hello world\n", 12, "unrecognized profile format", "plain text");
	static const uint8_t junk[] = { 0xde, 0xad, 0xbe, 0xef };
	expect_fail(junk, sizeof junk, "unrecognized profile format", "binary junk");
	/* only "" in the string table and nothing else: a valid empty profile */
	static const uint8_t only[] = { 0x32, 0x00 };
	p = lw_profile_read_mem(only, sizeof only, "o.pb", &err);
	CHECK(p && p->n_samples == 0 && p->n_sample_types == 0, "empty profile accepted");
	lw_profile_free(p);
}

static size_t gz(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	deflate(&z, Z_FINISH);
	size_t r = cap - z.avail_out;
	deflateEnd(&z);
	return r;
}

static void test_gzip(void)
{
	struct pb b;
	struct spec s = ok_spec();
	struct lw_error err;
	uint8_t g[4096];
	build_spec(&b, &s);
	size_t n = gz(b.b, b.n, g, sizeof g);
	struct lw_profile *p = lw_profile_read_mem(g, n, "in.pb", &err);
	CHECK(p && p->n_samples == 1, "gzip decodes");
	lw_profile_free(p);
	expect_fail(g, n - 1, "truncated gzip stream", "gzip missing its last byte");
	expect_fail(g, 10, "truncated gzip stream", "gzip header only");
	expect_fail(g, 2, "truncated gzip stream", "gzip magic only");
	uint8_t bad[4096];
	memcpy(bad, g, n);
	bad[n - 6] ^= 0xff; /* CRC */
	expect_fail(bad, n, "corrupt gzip stream", "gzip CRC mismatch");
	memcpy(bad, g, n);
	bad[n] = 'x';
	bad[n + 1] = 'y';
	expect_fail(bad, n + 2, "invalid gzip header after the first member",
		    "garbage after the gzip member");
	/* two members: the profile split in two halves joins back */
	size_t h = b.n / 2;
	size_t n1 = gz(b.b, h, bad, sizeof bad);
	size_t n2 = gz(b.b + h, b.n - h, bad + n1, sizeof bad - n1);
	p = lw_profile_read_mem(bad, n1 + n2, "in.pb", &err);
	CHECK(p && p->n_samples == 1, "multi-member gzip is joined");
	lw_profile_free(p);
	/* the same profile twice in one multi-member gzip = concatenation */
	n1 = gz(b.b, b.n, bad, sizeof bad);
	n2 = gz(b.b, b.n, bad + n1, sizeof bad - n1);
	expect_fail(bad, n1 + n2, "concatenated profiles detected", "two gzip members of profiles");
	n = gz((const uint8_t *)"", 0, g, sizeof g);
	expect_fail(g, n, "empty input file", "gzip of nothing");
}

/* Every prefix of a real profile: no crash, and a prefix that decodes must
 * still be a valid model (string table present etc.). */
static void test_truncation(void)
{
	FILE *f = fopen(td("go1.19/rate512k_heap_2.pb"), "rb");
	static uint8_t buf[8192];
	size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
	if (f)
		fclose(f);
	CHECK(n == 2174, "raw fixture read");
	size_t accepted = 0, bad_msgs = 0;
	struct lw_error err;
	for (size_t i = 0; i < n; i++) {
		struct lw_profile *p = lw_profile_read_mem(buf, i, "t.pb", &err);
		if (p) {
			accepted++;
			lw_profile_free(p);
		} else if (strncmp(err.msg, "'t.pb': ", 8) != 0 || strchr(err.msg, '\n')) {
			bad_msgs++;
		}
	}
	/* Go writes the string table last, so no proper prefix is valid. */
	CHECK_EQ_I64(accepted, 0, "no truncated raw profile accepted");
	CHECK_EQ_I64(bad_msgs, 0, "every error is one line naming the input");
	/* flipping every bit of the first 256 bytes: never a crash */
	size_t ok = 0;
	for (size_t i = 0; i < 256 * 8; i++) {
		buf[i / 8] ^= (uint8_t)(1u << (i % 8));
		struct lw_profile *p = lw_profile_read_mem(buf, n, "t.pb", &err);
		ok += p != NULL;
		lw_profile_free(p);
		buf[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	CHECK(ok < 256 * 8, "bit flips: some rejected, none crashed");
}

static void test_files(void)
{
	struct lw_error err;
	CHECK(lw_profile_read_file("/nonexistent/x.pb.gz", &err) == NULL &&
		      strcmp(err.msg, "'/nonexistent/x.pb.gz': cannot read: No such file or directory") ==
			      0,
	      "missing file");
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char out[4096];
	snprintf(out, sizeof out, "%s/lw-test-pprof-io.%d.pb.gz", dir, (int)getpid());
	struct lw_profile *p = every_field();
	CHECK(lw_profile_write_file(p, out, &err) == 0, "write_file");
	struct lw_profile *q = lw_profile_read_file(out, &err);
	CHECK_SAME(p, q, "write_file + read_file");
	FILE *f = fopen(out, "rb");
	int c1 = f ? fgetc(f) : -1, c2 = f ? fgetc(f) : -1;
	if (f)
		fclose(f);
	CHECK(c1 == 0x1f && c2 == 0x8b, "written file is gzip");
	unlink(out);
	CHECK(lw_profile_write_file(p, "/nonexistent/dir/x.pb.gz", &err) == -1 &&
		      strncmp(err.msg, "'/nonexistent/dir/x.pb.gz': cannot write: ", 42) == 0,
	      "write to a missing directory fails with a message");
	lw_profile_free(p);
	lw_profile_free(q);
}

int main(void)
{
	find_testdata();
	test_heap_fixture();
	test_rate1_fixture();
	test_goroutine_labels();
	test_public_fixtures();
	test_builder();
	test_roundtrip();
	test_spec_cases();
	test_sample_runs();
	test_big_profile();
	test_wire_errors();
	test_gzip();
	test_truncation();
	test_files();
	return check_done("test_pprof_io");
}
