/* pprof_read.c: lw_profile_read_file / lw_profile_read_mem (pprof_io.h).
 *
 * Pipeline, as pprof's profile.ParseData: gzip sniff and inflate (members
 * joined, size capped, the compressed bytes freed once inflated), empty
 * input refused, a cheap top-level wire walk (concatenated profiles,
 * truncation), protobuf-c unpack into a scratch arena, then validation and
 * conversion into the model in one pass (every string index, id and
 * reference is checked before use). When the input is not a valid protobuf
 * profile, Go's legacy text formats are tried.
 *
 * Memory: samples are most of a big profile, and protobuf-c's unpacked
 * samples take as much room as the model's. decode_lean therefore unpacks
 * them one at a time (see there), so that the peak is about the inflated
 * input plus the model; it gives up silently on anything unusual and the
 * whole-message path (decode_proto) then reads the input, or words the
 * error, exactly as before.
 */
#include <zlib.h>

#include "atomicio.h"
#include "pprof_internal.h"
#include "pprof_io.h"
#include "pprof_text.h"
#include "profile.pb-c.h"

typedef Perftools__Profiles__Profile PbProfile;

void *lw_pprof_fail(struct lw_error *err, const char *name, const char *fmt, ...)
{
	if (!err)
		return NULL;
	char what[440]; /* room for lw_tfail's "line N: " */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	/* One line, whatever the name contains. */
	snprintf(err->msg, sizeof err->msg, "'%s': %s", name ? name : "<input>", what);
	for (char *c = err->msg; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	return NULL;
}

/* ---- gzip ---- */

/* Inflates all gzip members of in (Go's gzip reader is multistream too).
 * 0 with *out malloc'd, or -1 with err set. */
static int gunzip(const uint8_t *in, size_t in_len, const char *name, uint8_t **out,
		  size_t *out_len, struct lw_error *err)
{
	size_t cap = in_len < ((size_t)1 << 26) ? in_len * 4 + 4096 : in_len;
	if (in_len >= 18) {
		/* ISIZE of the last member: the exact size of a single-member
		 * file (Go writes one), so the buffer is right the first time.
		 * Deflate expands at most ~1032:1 and compresses a profile
		 * little; a claim outside that is a lie or a multi-member file,
		 * and the buffer grows as needed then. */
		const uint8_t *t = in + in_len - 4;
		size_t isize = (size_t)t[0] | (size_t)t[1] << 8 | (size_t)t[2] << 16 |
			       (size_t)t[3] << 24;
		if (isize >= in_len / 2 && isize <= LW_MAX_PROFILE_BYTES && isize / 1100 <= in_len)
			cap = isize + 1;
	}
	if (cap > LW_MAX_PROFILE_BYTES + 1)
		cap = LW_MAX_PROFILE_BYTES + 1;
	uint8_t *buf = lw_alloc_huge(cap);
	if (!buf) {
		lw_pprof_fail(err, name, "out of memory");
		return -1;
	}
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		free(buf);
		lw_pprof_fail(err, name, "cannot initialize zlib");
		return -1;
	}
	size_t pos = 0, used = 0;
	const char *problem = NULL;
	for (;;) {
		if (used == cap) {
			if (cap > LW_MAX_PROFILE_BYTES) {
				problem = "decompressed profile exceeds 1 GiB";
				break;
			}
			size_t ncap = cap * 2 > LW_MAX_PROFILE_BYTES + 1 ? LW_MAX_PROFILE_BYTES + 1
									: cap * 2;
			uint8_t *nb = realloc(buf, ncap);
			if (!nb) {
				problem = "out of memory";
				break;
			}
			buf = nb;
			cap = ncap;
		}
		size_t in_avail = in_len - pos, out_avail = cap - used;
		z.next_in = (Bytef *)(uintptr_t)(in + pos);
		z.avail_in = in_avail > UINT_MAX ? UINT_MAX : (uInt)in_avail;
		z.next_out = buf + used;
		z.avail_out = out_avail > UINT_MAX ? UINT_MAX : (uInt)out_avail;
		uInt ai = z.avail_in, ao = z.avail_out;
		int rc = inflate(&z, Z_NO_FLUSH);
		pos += ai - z.avail_in;
		used += ao - z.avail_out;
		if (rc == Z_STREAM_END) {
			if (pos == in_len)
				break;
			/* Another member must follow; anything else is garbage
			 * (Go: "gzip: invalid header"). */
			if (in_len - pos < 2 || in[pos] != 0x1f || in[pos + 1] != 0x8b) {
				problem = "invalid gzip header after the first member";
				break;
			}
			inflateReset(&z);
			continue;
		}
		if (rc == Z_OK)
			continue;
		if (rc == Z_BUF_ERROR) {
			if (z.avail_out == 0)
				continue; /* output full: grow */
			problem = "truncated gzip stream";
			break;
		}
		if (rc == Z_MEM_ERROR) {
			problem = "out of memory";
			break;
		}
		/* Z_DATA_ERROR, Z_NEED_DICT, Z_STREAM_ERROR: bad bytes */
		lw_pprof_fail(err, name, "corrupt gzip stream: %s", z.msg ? z.msg : "invalid data");
		problem = "";
		break;
	}
	inflateEnd(&z);
	if (problem) {
		free(buf);
		if (*problem)
			lw_pprof_fail(err, name, "%s", problem);
		return -1;
	}
	if (used > LW_MAX_PROFILE_BYTES) {
		free(buf);
		lw_pprof_fail(err, name, "decompressed profile exceeds 1 GiB");
		return -1;
	}
	*out = buf;
	*out_len = used;
	return 0;
}

/* ---- protobuf-c with a scratch arena ---- */

static void *pb_alloc(void *data, size_t size)
{
	return lw_arena_alloc(data, size);
}

static void pb_free(void *data, void *ptr)
{
	/* Everything goes away with the arena. */
}

/* ---- id index: dense array for compact ids, hash map otherwise ---- */

struct id_index {
	void **dense;
	size_t n_dense;
	struct lw_u64map h;
};

static int idx_init(struct id_index *x, uint64_t max_id, size_t n)
{
	memset(x, 0, sizeof *x);
	if (max_id <= (uint64_t)n * 2 + 1024) {
		x->n_dense = (size_t)max_id + 1;
		x->dense = calloc(x->n_dense, sizeof(*x->dense));
		return x->dense ? 0 : -ENOMEM;
	}
	return lw_u64map_init(&x->h, n);
}

static void idx_free(struct id_index *x)
{
	free(x->dense);
	lw_u64map_free(&x->h);
}

/* 1 inserted, 0 duplicate, -ENOMEM. */
static int idx_put(struct id_index *x, uint64_t id, void *v)
{
	if (x->dense) {
		if (x->dense[id])
			return 0;
		x->dense[id] = v;
		return 1;
	}
	return lw_u64map_put(&x->h, id, (uintptr_t)v);
}

static void *idx_get(const struct id_index *x, uint64_t id)
{
	if (x->dense)
		return id < x->n_dense ? x->dense[id] : NULL;
	uintptr_t v;
	return lw_u64map_get(&x->h, id, &v) ? (void *)v : NULL;
}

/* ---- conversion with validation ---- */

struct conv {
	const PbProfile *m;
	struct lw_profile *p;
	const char **strs;
	size_t n_strs;
	const char *name;
	struct lw_error *err;
	int failed;
	struct id_index fns, maps, locs;
};

/* Resolves a string index; on a bad one records the error and returns "". */
static const char *S(struct conv *c, int64_t idx, const char *what)
{
	if (idx < 0 || (uint64_t)idx >= c->n_strs) {
		if (!c->failed)
			lw_pprof_fail(c->err, c->name,
				      "malformed profile: %s string index %lld out of range "
				      "(string table has %zu entries)",
				      what, (long long)idx, c->n_strs);
		c->failed = 1;
		return c->strs[0];
	}
	return c->strs[idx];
}

static int conv_fail(struct conv *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int conv_fail(struct conv *c, const char *fmt, ...)
{
	if (!c->failed) {
		char what[400];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(what, sizeof what, fmt, ap);
		va_end(ap);
		lw_pprof_fail(c->err, c->name, "malformed profile: %s", what);
	}
	c->failed = 1;
	return -1;
}

static int conv_oom(struct conv *c)
{
	if (!c->failed)
		lw_pprof_fail(c->err, c->name, "out of memory");
	c->failed = 1;
	return -1;
}

static void *conv_alloc(struct conv *c, size_t n, size_t size)
{
	if (n == 0)
		return NULL;
	if (n > SIZE_MAX / size) {
		conv_oom(c);
		return NULL;
	}
	void *r = lw_profile_alloc(c->p, n * size);
	if (!r)
		conv_oom(c);
	return r;
}

#define ALLOC_ARR(c, n, T) ((T *)conv_alloc((c), (n), sizeof(T)))

static int conv_strings(struct conv *c)
{
	const PbProfile *m = c->m;
	if (m->n_string_table == 0)
		return conv_fail(c, "missing string table");
	if (!m->string_table[0] || m->string_table[0][0] != '\0')
		return conv_fail(c, "string_table[0] is not empty");
	c->n_strs = m->n_string_table;
	c->strs = malloc(c->n_strs * sizeof(*c->strs));
	if (!c->strs)
		return conv_oom(c);
	for (size_t i = 0; i < c->n_strs; i++) {
		const char *s = m->string_table[i] ? m->string_table[i] : "";
		if (!(c->strs[i] = lw_profile_intern(c->p, s)))
			return conv_oom(c);
	}
	return 0;
}

/* Indexes objects by id (non-zero, unique); kind names the object in
 * messages. */
static int index_ids(struct conv *c, struct id_index *x, size_t n, const uint64_t *ids,
		     void **objs, const char *kind)
{
	uint64_t max = 0;
	for (size_t i = 0; i < n; i++) {
		if (ids[i] == 0)
			return conv_fail(c, "found %s with reserved id 0", kind);
		if (ids[i] > max)
			max = ids[i];
	}
	if (idx_init(x, max, n))
		return conv_oom(c);
	for (size_t i = 0; i < n; i++) {
		int r = idx_put(x, ids[i], objs[i]);
		if (r < 0)
			return conv_oom(c);
		if (r == 0)
			return conv_fail(c, "multiple %ss with id %llu", kind,
					 (unsigned long long)ids[i]);
	}
	return 0;
}

static int conv_functions(struct conv *c)
{
	const PbProfile *m = c->m;
	struct lw_profile *p = c->p;
	size_t n = m->n_function;
	if (n == 0)
		return 0;
	struct lw_function *fs = ALLOC_ARR(c, n, struct lw_function);
	p->functions = ALLOC_ARR(c, n, struct lw_function *);
	uint64_t *ids = malloc(n * sizeof(*ids));
	if (!fs || !p->functions || !ids) {
		free(ids);
		return conv_oom(c);
	}
	for (size_t i = 0; i < n; i++) {
		const Perftools__Profiles__Function *f = m->function[i];
		fs[i].id = ids[i] = f->id;
		fs[i].name = S(c, f->name, "function name");
		fs[i].system_name = S(c, f->system_name, "function system_name");
		fs[i].filename = S(c, f->filename, "function filename");
		fs[i].start_line = f->start_line;
		p->functions[i] = &fs[i];
	}
	p->n_functions = p->cap_functions = n;
	int rc = c->failed ? -1 : index_ids(c, &c->fns, n, ids, (void **)p->functions, "function");
	free(ids);
	return rc;
}

static int conv_mappings(struct conv *c)
{
	const PbProfile *m = c->m;
	struct lw_profile *p = c->p;
	size_t n = m->n_mapping;
	if (n == 0)
		return 0;
	struct lw_mapping *ms = ALLOC_ARR(c, n, struct lw_mapping);
	p->mappings = ALLOC_ARR(c, n, struct lw_mapping *);
	uint64_t *ids = malloc(n * sizeof(*ids));
	if (!ms || !p->mappings || !ids) {
		free(ids);
		return conv_oom(c);
	}
	for (size_t i = 0; i < n; i++) {
		const Perftools__Profiles__Mapping *pm = m->mapping[i];
		struct lw_mapping *d = &ms[i];
		d->id = ids[i] = pm->id;
		d->memory_start = pm->memory_start;
		d->memory_limit = pm->memory_limit;
		d->file_offset = pm->file_offset;
		d->filename = S(c, pm->filename, "mapping filename");
		d->build_id = S(c, pm->build_id, "mapping build_id");
		d->has_functions = pm->has_functions;
		d->has_filenames = pm->has_filenames;
		d->has_line_numbers = pm->has_line_numbers;
		d->has_inline_frames = pm->has_inline_frames;
		p->mappings[i] = d;
	}
	p->n_mappings = p->cap_mappings = n;
	int rc = c->failed ? -1 : index_ids(c, &c->maps, n, ids, (void **)p->mappings, "mapping");
	free(ids);
	return rc;
}

static int conv_locations(struct conv *c)
{
	const PbProfile *m = c->m;
	struct lw_profile *p = c->p;
	size_t n = m->n_location;
	if (n == 0)
		return 0;
	size_t n_lines = 0;
	for (size_t i = 0; i < n; i++)
		n_lines += m->location[i]->n_line;
	struct lw_location *ls = ALLOC_ARR(c, n, struct lw_location);
	p->locations = ALLOC_ARR(c, n, struct lw_location *);
	struct lw_line *lines = n_lines ? ALLOC_ARR(c, n_lines, struct lw_line) : NULL;
	uint64_t *ids = malloc(n * sizeof(*ids));
	if (!ls || !p->locations || (n_lines && !lines) || !ids) {
		free(ids);
		return conv_oom(c);
	}
	for (size_t i = 0; i < n; i++) {
		const Perftools__Profiles__Location *pl = m->location[i];
		struct lw_location *d = &ls[i];
		d->id = ids[i] = pl->id;
		/* An unknown mapping id is not an error for pprof either. */
		d->mapping = pl->mapping_id ? idx_get(&c->maps, pl->mapping_id) : NULL;
		d->address = pl->address;
		d->is_folded = pl->is_folded;
		d->n_lines = pl->n_line;
		d->lines = pl->n_line ? lines : NULL;
		for (size_t j = 0; j < pl->n_line; j++) {
			const Perftools__Profiles__Line *ln = pl->line[j];
			lines[j].fn = ln->function_id ? idx_get(&c->fns, ln->function_id) : NULL;
			if (!lines[j].fn) {
				free(ids);
				return conv_fail(c, "location id %llu has a line with unknown "
						    "function id %llu",
						 (unsigned long long)pl->id,
						 (unsigned long long)ln->function_id);
			}
			lines[j].line = ln->line;
			lines[j].column = ln->column;
		}
		if (pl->n_line) /* lines is NULL when no location has any */
			lines += pl->n_line;
		p->locations[i] = d;
	}
	p->n_locations = p->cap_locations = n;
	int rc = index_ids(c, &c->locs, n, ids, (void **)p->locations, "location");
	free(ids);
	return rc;
}

/* pprof's postDecode: str != 0 => string label; else num != 0 or
 * num_unit != 0 => numeric; else the label is dropped. */
static int label_kept(const Perftools__Profiles__Label *l)
{
	return l->str != 0 || l->num != 0 || l->num_unit != 0;
}

/* Converts pb sample i into d (values already checked against the sample
 * types). Its values, location pointers and kept labels share one arena
 * block: one bump allocation per sample, no per-array overhead. */
static int conv_sample(struct conv *c, const Perftools__Profiles__Sample *s, size_t i,
		       struct lw_sample *d)
{
	size_t nt = c->p->n_sample_types, nloc = s->n_location_id, nlab = 0;
	for (size_t j = 0; j < s->n_label; j++)
		nlab += label_kept(s->label[j]);
	/* Each count is bounded by the input size (<= 1 GiB); guard anyway for
	 * 32-bit size_t. */
	const size_t lim = SIZE_MAX / 4 / sizeof(struct lw_label);
	if (nt > lim || nloc > lim || nlab > lim)
		return conv_oom(c);
	size_t bytes = nt * sizeof(int64_t) + nloc * sizeof(struct lw_location *) +
		       nlab * sizeof(struct lw_label);
	char *blk = bytes ? lw_profile_alloc(c->p, bytes) : NULL;
	if (bytes && !blk)
		return conv_oom(c);
	/* Layout: labels, values, locations (the block is 16-aligned, every
	 * member 8-byte). Checked in pprof's order: locations, then labels. */
	d->labels = nlab ? (struct lw_label *)blk : NULL;
	d->values = nt ? (int64_t *)(blk + nlab * sizeof(struct lw_label)) : NULL;
	d->locs = nloc ? (struct lw_location **)(blk + nlab * sizeof(struct lw_label) +
						 nt * sizeof(int64_t))
		       : NULL;
	if (nt)
		memcpy(d->values, s->value, nt * sizeof(int64_t));
	d->n_locs = nloc;
	for (size_t j = 0; j < nloc; j++) {
		uint64_t id = s->location_id[j];
		if (!(d->locs[j] = id ? idx_get(&c->locs, id) : NULL))
			return conv_fail(c, "sample %zu references unknown location id %llu", i,
					 (unsigned long long)id);
	}
	d->n_labels = 0;
	struct lw_label *lab = d->labels;
	for (size_t j = 0; j < s->n_label; j++) {
		const Perftools__Profiles__Label *l = s->label[j];
		if (!label_kept(l))
			continue;
		lab->key = S(c, l->key, "label key");
		if (l->str) {
			lab->str = S(c, l->str, "label str");
			lab->num = 0;
			lab->num_unit = c->strs[0];
		} else {
			lab->str = c->strs[0];
			lab->num = l->num;
			lab->num_unit = S(c, l->num_unit, "label num_unit");
		}
		lab++;
		d->n_labels++;
	}
	return c->failed ? -1 : 0;
}

static int conv_samples(struct conv *c)
{
	const PbProfile *m = c->m;
	struct lw_profile *p = c->p;
	size_t n = m->n_sample, nt = m->n_sample_type;
	if (n == 0)
		return 0;
	if (nt == 0)
		return conv_fail(c, "missing sample type information");
	for (size_t i = 0; i < n; i++)
		if (m->sample[i]->n_value != nt)
			return conv_fail(c, "sample %zu has %zu values vs. %zu sample types", i,
					 m->sample[i]->n_value, nt);
	p->samples = ALLOC_ARR(c, n, struct lw_sample);
	if (!p->samples)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (conv_sample(c, m->sample[i], i, &p->samples[i]))
			return -1;
	p->n_samples = p->cap_samples = n;
	return 0;
}

/* Everything but the samples. */
static int conv_head(struct conv *c)
{
	const PbProfile *m = c->m;
	struct lw_profile *p = c->p;
	if (conv_strings(c))
		return -1;
	/* pprof resolves these always, so a bad index fails the profile even
	 * when the field is unused. */
	p->drop_frames = S(c, m->drop_frames, "drop_frames");
	p->keep_frames = S(c, m->keep_frames, "keep_frames");
	p->default_sample_type = S(c, m->default_sample_type, "default_sample_type");
	p->doc_url = S(c, m->doc_url, "doc_url");
	p->time_nanos = m->time_nanos;
	p->duration_nanos = m->duration_nanos;
	p->period = m->period;
	if (m->period_type) {
		p->period_type.type = S(c, m->period_type->type, "period_type type");
		p->period_type.unit = S(c, m->period_type->unit, "period_type unit");
	}
	if (m->n_sample_type) {
		p->sample_types = ALLOC_ARR(c, m->n_sample_type, struct lw_value_type);
		if (!p->sample_types)
			return -1;
		for (size_t i = 0; i < m->n_sample_type; i++) {
			p->sample_types[i].type = S(c, m->sample_type[i]->type, "sample_type type");
			p->sample_types[i].unit = S(c, m->sample_type[i]->unit, "sample_type unit");
		}
		p->n_sample_types = p->cap_sample_types = m->n_sample_type;
	}
	if (m->n_comment) {
		p->comments = ALLOC_ARR(c, m->n_comment, const char *);
		if (!p->comments)
			return -1;
		for (size_t i = 0; i < m->n_comment; i++)
			p->comments[i] = S(c, m->comment[i], "comment");
		p->n_comments = p->cap_comments = m->n_comment;
	}
	if (c->failed)
		return -1;
	if (conv_functions(c) || conv_mappings(c) || conv_locations(c))
		return -1;
	return c->failed ? -1 : 0;
}

static int conv_profile(struct conv *c)
{
	if (conv_head(c) || conv_samples(c))
		return -1;
	return c->failed ? -1 : 0;
}

/* Releases the conversion's indexes; returns the profile, or NULL (and
 * frees it) when the conversion failed. */
static struct lw_profile *conv_end(struct conv *c, int rc)
{
	free(c->strs);
	idx_free(&c->fns);
	idx_free(&c->maps);
	idx_free(&c->locs);
	if (rc || c->failed) {
		lw_profile_free(c->p);
		return NULL;
	}
	return c->p;
}

static struct lw_profile *convert(const PbProfile *m, const char *name, struct lw_error *err)
{
	struct conv c = { .m = m, .name = name, .err = err };
	c.p = lw_profile_new();
	if (!c.p)
		return lw_pprof_fail(err, name, "out of memory");
	c.p->source = LW_SRC_PROTO;
	return conv_end(&c, conv_profile(&c));
}

/* The lean path, for input that lw_pprof_walk accepted. Unpacking the whole
 * Profile at once would hold every unpacked Sample (as big as the model's
 * samples) beside the model being built. Instead protobuf-c unpacks a copy
 * of the other top-level fields (strings, functions, locations, ...:
 * usually a fraction of the input), that is converted and dropped, and then
 * each Sample on its own into a scratch arena emptied after each one.
 * Returns NULL on any problem, without a message: the caller then takes
 * the whole-message path, which finds and words the problem as pprof does. */
static struct lw_profile *decode_lean(const uint8_t *buf, size_t len, const char *name)
{
	const uint8_t *p = buf, *end = buf + len, *run = NULL;
	struct lw_pb_field f;
	size_t n_samples = 0;
	int r;
	/* The other fields, in their order, copied run by run (from the first
	 * sample on: without samples the input is used as it is). Sized for
	 * the worst case: only the pages written become resident. */
	uint8_t *side = NULL, *o = NULL;
	while ((r = lw_pb_next_field(&p, end, &f)) == 1) {
		if (f.number != 2) {
			if (!run)
				run = f.start;
			continue;
		}
		if (f.wire_type != 2)
			break;
		if (n_samples++ == 0 && !(o = side = malloc(len)))
			break;
		if (run) {
			memcpy(o, run, (size_t)(f.start - run));
			o += f.start - run;
			run = NULL;
		}
	}
	if (r != 0) {
		free(side);
		return NULL;
	}
	if (side && run) {
		memcpy(o, run, (size_t)(end - run));
		o += end - run;
	}
	const uint8_t *rest_buf = side ? side : buf;
	size_t rest = side ? (size_t)(o - side) : len;

	struct lw_arena *scratch = lw_arena_new();
	if (!scratch) {
		free(side);
		return NULL;
	}
	ProtobufCAllocator alloc = { .alloc = pb_alloc, .free = pb_free, .allocator_data = scratch };
	PbProfile *m = perftools__profiles__profile__unpack(&alloc, rest, rest_buf);
	free(side); /* protobuf-c copied what it keeps */
	struct conv c = { .m = m, .name = name };
	c.p = m ? lw_profile_new() : NULL;
	if (!c.p) {
		lw_arena_free(scratch);
		return NULL;
	}
	c.p->source = LW_SRC_PROTO;
	int rc = conv_head(&c);
	c.m = NULL;
	/* m goes; a fresh arena (small: one Sample at a time) for the samples */
	lw_arena_free(scratch);
	if (!(scratch = lw_arena_new()))
		rc = -1;
	alloc.allocator_data = scratch;
	struct lw_profile *P = c.p;
	if (rc == 0 && n_samples) {
		if (P->n_sample_types == 0)
			rc = -1;
		else if (!(P->samples = ALLOC_ARR(&c, n_samples, struct lw_sample)))
			rc = -1;
	}
	size_t i = 0;
	for (p = buf; rc == 0 && lw_pb_next_field(&p, end, &f) == 1;) {
		if (f.number != 2)
			continue;
		Perftools__Profiles__Sample *s =
			perftools__profiles__sample__unpack(&alloc, f.len, f.data);
		if (!s || s->n_value != P->n_sample_types || conv_sample(&c, s, i, &P->samples[i]))
			rc = -1;
		i++;
		lw_arena_reset(scratch);
	}
	if (rc == 0)
		P->n_samples = P->cap_samples = n_samples;
	lw_arena_free(scratch);
	return conv_end(&c, rc);
}

/* Decodes an uncompressed protobuf profile. On failure err holds the
 * protobuf-level problem and *fallback says whether a text parser may
 * still claim the input. */
static struct lw_profile *decode_proto(const uint8_t *buf, size_t len, const char *name,
				       int *fallback, struct lw_error *err)
{
	char why[256];
	int looks_proto = 0;
	*fallback = 1;
	if (lw_pprof_walk(buf, len, why, sizeof why, &looks_proto) != 0) {
		if (strstr(why, "concatenated"))
			*fallback = 0; /* pprof: no text fallback for these */
		if (looks_proto || !*fallback)
			return lw_pprof_fail(err, name, "%s", why);
		return lw_pprof_fail(err, name, "unrecognized profile format");
	}
	struct lw_profile *lean = decode_lean(buf, len, name);
	if (lean)
		return lean;
	struct lw_arena *scratch = lw_arena_new();
	if (!scratch)
		return lw_pprof_fail(err, name, "out of memory");
	ProtobufCAllocator alloc = { .alloc = pb_alloc, .free = pb_free, .allocator_data = scratch };
	PbProfile *m = perftools__profiles__profile__unpack(&alloc, len, buf);
	if (!m) {
		lw_arena_free(scratch);
		if (!looks_proto)
			return lw_pprof_fail(err, name, "unrecognized profile format");
		lw_pprof_explain(buf, len, why, sizeof why);
		return lw_pprof_fail(err, name, "%s", why);
	}
	struct lw_profile *p = convert(m, name, err);
	lw_arena_free(scratch);
	if (!p && !looks_proto) /* text that happens to parse as protobuf */
		lw_pprof_fail(err, name, "unrecognized profile format");
	return p;
}

static struct lw_profile *try_text(const uint8_t *buf, size_t len, const char *name, int *recognized,
				   struct lw_error *err)
{
	typedef struct lw_profile *(*text_parser)(const char *, size_t, const char *, int *,
						    struct lw_error *);
	static const text_parser parsers[] = {
		lw_parse_heap_text,
		lw_parse_count_text,
		lw_parse_goroutine_dump,
	};
	for (size_t i = 0; i < LW_ARRAY_SIZE(parsers); i++) {
		*recognized = 0;
		struct lw_profile *p = parsers[i]((const char *)buf, len, name, recognized, err);
		if (p || *recognized)
			return p;
	}
	return NULL;
}

static struct lw_profile *read_plain(const uint8_t *buf, size_t len, const char *name,
				     struct lw_error *err)
{
	if (len == 0)
		return lw_pprof_fail(err, name, "empty input file");
	int fallback;
	struct lw_error perr;
	struct lw_profile *p = decode_proto(buf, len, name, &fallback, &perr);
	if (p)
		return p;
	if (fallback) {
		int recognized = 0;
		struct lw_error terr;
		terr.msg[0] = '\0';
		p = try_text(buf, len, name, &recognized, &terr);
		if (p)
			return p;
		if (recognized) {
			if (err)
				*err = terr;
			if (err && !err->msg[0])
				lw_pprof_fail(err, name, "malformed text profile");
			return NULL;
		}
	}
	if (err)
		*err = perr;
	return NULL;
}

/* owned, when not NULL, is buf's allocation: it is freed as soon as the
 * input is inflated, so the compressed bytes do not outlive their use. */
static struct lw_profile *read_buf(const uint8_t *b, size_t len, const char *name,
				   struct lw_error *err, void *owned)
{
	if (!name)
		name = "<input>";
	if (err)
		err->msg[0] = '\0';
	struct lw_profile *p;
	if (len == 0) {
		p = lw_pprof_fail(err, name, "empty input file");
	} else if (len >= 2 && b[0] == 0x1f && b[1] == 0x8b) {
		uint8_t *raw;
		size_t raw_len;
		int rc = gunzip(b, len, name, &raw, &raw_len, err);
		free(owned);
		owned = NULL;
		if (rc)
			return NULL;
		p = read_plain(raw, raw_len, name, err);
		free(raw);
	} else if (len > LW_MAX_PROFILE_BYTES) {
		p = lw_pprof_fail(err, name, "profile exceeds 1 GiB");
	} else {
		p = read_plain(b, len, name, err);
	}
	free(owned);
	return p;
}

struct lw_profile *lw_profile_read_mem(const void *buf, size_t len, const char *name,
				       struct lw_error *err)
{
	return read_buf(buf, len, name, err, NULL);
}

struct lw_profile *lw_profile_read_file(const char *path, struct lw_error *err)
{
	const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	char *buf = NULL;
	size_t len = 0;
	int rc = lw_read_all(path, LW_MAX_PROFILE_BYTES, &buf, &len);
	if (rc == -EFBIG)
		return lw_pprof_fail(err, name, "profile exceeds 1 GiB");
	if (rc)
		return lw_pprof_fail(err, name, "cannot read: %s", strerror(-rc));
	return read_buf((const uint8_t *)buf, len, name, err, buf);
}
