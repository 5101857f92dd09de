/* test-tool: exposes libcommon functions to the shell tests.
 *
 *   test-tool roundtrip IN OUT   read IN (any format), write OUT (gzip protobuf)
 *   test-tool raw IN             print the decoded model, every field, ids as read
 *   test-tool check IN           read only: exit 0, or print the error and exit 2
 *   test-tool encode IN OUT      like roundtrip, but uncompressed protobuf
 *   test-tool clone IN           raw of lw_profile_clone(read(IN))
 *   test-tool flip IN OUT BIT    copy IN to OUT with bit number BIT inverted
 *   test-tool synth S L OUT      write a synthetic heap profile (S samples, L locations)
 *
 * Subcommands live in one table; add a row (and a function) for new ones.
 * Exit status: 0 ok, 2 error (message on stderr), like the tools.
 */
#include <inttypes.h>

#include "atomicio.h"
#include "err.h"
#include "pprof_io.h"
#include "profile.h"

/* ---- raw: a stable, explicit text form of the model ---- */

/* Quoted C-style string: printable ASCII as is, the rest escaped. */
static void put_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("(null)", f);
		return;
	}
	fputc('"', f);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == '"' || *c == '\\')
			fprintf(f, "\\%c", *c);
		else if (*c == '\n')
			fputs("\\n", f);
		else if (*c == '\t')
			fputs("\\t", f);
		else if (*c < 0x20 || *c >= 0x7f)
			fprintf(f, "\\x%02x", *c);
		else
			fputc(*c, f);
	}
	fputc('"', f);
}

static const char *source_name(enum lw_profile_source s)
{
	switch (s) {
	case LW_SRC_PROTO: return "proto";
	case LW_SRC_HEAP_TEXT: return "heap_text";
	case LW_SRC_COUNT_TEXT: return "count_text";
	case LW_SRC_GOROUTINE_DUMP: return "goroutine_dump";
	}
	return "unknown";
}

static void put_gframe(FILE *f, const char *what, const struct lw_gframe *g)
{
	fprintf(f, "  %s func=", what);
	put_str(f, g->func);
	fputs(" file=", f);
	put_str(f, g->file);
	fprintf(f, " line=%" PRId64 " inlined=%d\n", g->line, g->inlined);
}

static void print_raw(FILE *f, const struct lw_profile *p)
{
	fprintf(f, "source %s\n", source_name(p->source));
	for (size_t i = 0; i < p->n_sample_types; i++) {
		fputs("sample_type ", f);
		put_str(f, p->sample_types[i].type);
		fputc(' ', f);
		put_str(f, p->sample_types[i].unit);
		fputc('\n', f);
	}
	fputs("default_sample_type ", f);
	put_str(f, p->default_sample_type);
	fputs("\nperiod_type ", f);
	put_str(f, p->period_type.type);
	fputc(' ', f);
	put_str(f, p->period_type.unit);
	fprintf(f, "\nperiod %" PRId64 "\ntime_nanos %" PRId64 "\nduration_nanos %" PRId64 "\n",
		p->period, p->time_nanos, p->duration_nanos);
	fputs("drop_frames ", f);
	put_str(f, p->drop_frames);
	fputs("\nkeep_frames ", f);
	put_str(f, p->keep_frames);
	fputs("\ndoc_url ", f);
	put_str(f, p->doc_url);
	fputc('\n', f);
	for (size_t i = 0; i < p->n_comments; i++) {
		fputs("comment ", f);
		put_str(f, p->comments[i]);
		fputc('\n', f);
	}
	for (size_t i = 0; i < p->n_mappings; i++) {
		const struct lw_mapping *m = p->mappings[i];
		fprintf(f,
			"mapping id=%" PRIu64 " start=0x%" PRIx64 " limit=0x%" PRIx64
			" offset=0x%" PRIx64 " file=",
			m->id, m->memory_start, m->memory_limit, m->file_offset);
		put_str(f, m->filename);
		fputs(" build_id=", f);
		put_str(f, m->build_id);
		fprintf(f, " has_functions=%d has_filenames=%d has_line_numbers=%d "
			   "has_inline_frames=%d\n",
			m->has_functions, m->has_filenames, m->has_line_numbers,
			m->has_inline_frames);
	}
	for (size_t i = 0; i < p->n_functions; i++) {
		const struct lw_function *fn = p->functions[i];
		fprintf(f, "function id=%" PRIu64 " name=", fn->id);
		put_str(f, fn->name);
		fputs(" system_name=", f);
		put_str(f, fn->system_name);
		fputs(" file=", f);
		put_str(f, fn->filename);
		fprintf(f, " start_line=%" PRId64 "\n", fn->start_line);
	}
	for (size_t i = 0; i < p->n_locations; i++) {
		const struct lw_location *l = p->locations[i];
		fprintf(f, "location id=%" PRIu64 " mapping=%" PRIu64 " address=0x%" PRIx64
			   " is_folded=%d\n",
			l->id, l->mapping ? l->mapping->id : 0, l->address, l->is_folded);
		for (size_t j = 0; j < l->n_lines; j++)
			fprintf(f, "  line function=%" PRIu64 " line=%" PRId64 " column=%" PRId64 "\n",
				l->lines[j].fn ? l->lines[j].fn->id : 0, l->lines[j].line,
				l->lines[j].column);
	}
	for (size_t i = 0; i < p->n_samples; i++) {
		const struct lw_sample *s = &p->samples[i];
		fputs("sample values=", f);
		for (size_t j = 0; j < p->n_sample_types; j++)
			fprintf(f, "%s%" PRId64, j ? "," : "", s->values[j]);
		fputs(" locations=", f);
		for (size_t j = 0; j < s->n_locs; j++)
			fprintf(f, "%s%" PRIu64, j ? "," : "", s->locs[j] ? s->locs[j]->id : 0);
		fputc('\n', f);
		for (size_t j = 0; j < s->n_labels; j++) {
			const struct lw_label *l = &s->labels[j];
			fputs("  label key=", f);
			put_str(f, l->key);
			if (l->str && l->str[0]) {
				fputs(" str=", f);
				put_str(f, l->str);
			} else {
				fprintf(f, " num=%" PRId64 " num_unit=", l->num);
				put_str(f, l->num_unit);
			}
			fputc('\n', f);
		}
	}
	for (size_t i = 0; i < p->n_memstats; i++) {
		fputs("memstat ", f);
		put_str(f, p->memstats[i].name);
		fprintf(f, " %.17g\n", p->memstats[i].value);
	}
	for (size_t i = 0; i < p->n_goroutines; i++) {
		const struct lw_goroutine *g = &p->goroutines[i];
		fprintf(f, "goroutine id=%" PRIu64 " state=", g->id);
		put_str(f, g->state);
		fprintf(f, " wait_minutes=%" PRId64 " locked_to_thread=%d created_by_goroutine=%" PRIu64
			   "\n",
			g->wait_minutes, g->locked_to_thread, g->created_by_goroutine);
		for (size_t j = 0; j < g->n_frames; j++)
			put_gframe(f, "frame", &g->frames[j]);
		if (g->created_by.func && g->created_by.func[0])
			put_gframe(f, "created_by", &g->created_by);
	}
}

/* ---- subcommands ---- */

static struct lw_profile *read_or_complain(const char *path)
{
	struct lw_error err;
	struct lw_profile *p = lw_profile_read_file(path, &err);
	if (!p)
		lw_warn("%s", err.msg);
	return p;
}

static int cmd_check(int argc, char **argv)
{
	struct lw_profile *p = read_or_complain(argv[1]);
	if (!p)
		return LW_EXIT_ERROR;
	lw_profile_free(p);
	return 0;
}

static int cmd_raw(int argc, char **argv)
{
	struct lw_profile *p = read_or_complain(argv[1]);
	if (!p)
		return LW_EXIT_ERROR;
	print_raw(stdout, p);
	lw_profile_free(p);
	return 0;
}

static int cmd_clone(int argc, char **argv)
{
	struct lw_profile *p = read_or_complain(argv[1]);
	if (!p)
		return LW_EXIT_ERROR;
	struct lw_profile *c = lw_profile_clone(p);
	lw_profile_free(p);
	if (!c) {
		lw_warn("out of memory");
		return LW_EXIT_ERROR;
	}
	print_raw(stdout, c);
	lw_profile_free(c);
	return 0;
}

static int cmd_roundtrip(int argc, char **argv)
{
	struct lw_profile *p = read_or_complain(argv[1]);
	if (!p)
		return LW_EXIT_ERROR;
	struct lw_error err;
	int rc = lw_profile_write_file(p, argv[2], &err);
	lw_profile_free(p);
	if (rc) {
		lw_warn("%s", err.msg);
		return LW_EXIT_ERROR;
	}
	return 0;
}

static int cmd_encode(int argc, char **argv)
{
	struct lw_profile *p = read_or_complain(argv[1]);
	if (!p)
		return LW_EXIT_ERROR;
	uint8_t *buf;
	size_t len;
	int rc = lw_profile_encode(p, 0, &buf, &len);
	lw_profile_free(p);
	if (rc) {
		lw_warn("cannot encode: %s", strerror(-rc));
		return LW_EXIT_ERROR;
	}
	rc = strcmp(argv[2], "-") == 0 ? (fwrite(buf, 1, len, stdout) == len ? 0 : -EIO)
				       : lw_atomic_write(argv[2], buf, len);
	free(buf);
	if (rc) {
		lw_warn("cannot write '%s': %s", argv[2], strerror(-rc));
		return LW_EXIT_ERROR;
	}
	return 0;
}

/* Deterministic synthetic heap profile for benchmarks and scale tests:
 * S samples over L locations (one function and line each, stacks of 8-32
 * frames), 4 heap sample types, a numeric "bytes" label per sample. */
static int cmd_synth(int argc, char **argv)
{
	char *end;
	unsigned long long ns = strtoull(argv[1], &end, 10);
	if (*end || ns == 0)
		lw_die("bad sample count '%s'", argv[1]);
	unsigned long long nl = strtoull(argv[2], &end, 10);
	if (*end || nl == 0)
		lw_die("bad location count '%s'", argv[2]);
	struct lw_profile *p = lw_profile_new();
	if (!p)
		lw_die("out of memory");
	static const char *const types[][2] = { { "alloc_objects", "count" },
						{ "alloc_space", "bytes" },
						{ "inuse_objects", "count" },
						{ "inuse_space", "bytes" } };
	for (size_t i = 0; i < 4; i++)
		lw_profile_add_sample_type(p, types[i][0], types[i][1]);
	p->period_type.type = lw_profile_intern(p, "space");
	p->period_type.unit = lw_profile_intern(p, "bytes");
	p->period = 524288;
	p->time_nanos = 1700000000000000000LL;
	struct lw_mapping mm = { .memory_start = 0x400000, .memory_limit = 0x2000000,
				 .filename = "/bin/synth", .has_functions = true };
	struct lw_mapping *m = lw_profile_add_mapping(p, &mm);
	struct lw_location **locs = lw_xcalloc(nl, sizeof(*locs));
	char name[64], file[64];
	for (size_t i = 0; i < nl; i++) {
		snprintf(name, sizeof name, "main.func%zu", i);
		snprintf(file, sizeof file, "pkg%zu/file.go", i % 97);
		struct lw_line ln = { .line = (int64_t)(i % 1000) + 1 };
		ln.fn = lw_profile_add_function(p, 0, name, name, file, 0);
		locs[i] = lw_profile_add_location(p, 0, m, 0x400000 + i * 16, &ln, 1);
		if (!ln.fn || !locs[i])
			lw_die("out of memory");
	}
	uint64_t x = 88172645463325252ULL; /* xorshift64: same output every run */
	struct lw_location *stack[32];
	for (size_t i = 0; i < ns; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		size_t depth = 8 + x % 25;
		for (size_t j = 0; j < depth; j++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			stack[j] = locs[x % nl];
		}
		int64_t size = (int64_t)(16 << (x % 12));
		int64_t v[4] = { (int64_t)(x % 100) + 1, 0, (int64_t)(x % 50), 0 };
		v[1] = v[0] * size;
		v[3] = v[2] * size;
		struct lw_label l = { .key = "bytes", .num = size };
		if (!lw_profile_add_sample(p, stack, depth, v, &l, 1))
			lw_die("out of memory");
	}
	free(locs);
	struct lw_error err;
	int rc = lw_profile_write_file(p, argv[3], &err);
	lw_profile_free(p);
	if (rc) {
		lw_warn("%s", err.msg);
		return LW_EXIT_ERROR;
	}
	return 0;
}

/* Copies IN to OUT with one bit inverted (BIT counts from the first byte's
 * least significant bit), for bit-flip tests without a hex editor. */
static int cmd_flip(int argc, char **argv)
{
	char *buf, *end;
	size_t len;
	unsigned long long bit = strtoull(argv[3], &end, 10);
	if (*end || !argv[3][0])
		lw_die("bad bit index '%s'", argv[3]);
	int rc = lw_read_all(argv[1], (size_t)1 << 30, &buf, &len);
	if (rc)
		lw_die("cannot read '%s': %s", argv[1], strerror(-rc));
	if (bit / 8 >= len) {
		free(buf);
		lw_die("bit %llu beyond the %zu bytes of '%s'", bit, len, argv[1]);
	}
	buf[bit / 8] ^= (char)(1u << (bit % 8));
	rc = lw_atomic_write(argv[2], buf, len);
	free(buf);
	if (rc)
		lw_die("cannot write '%s': %s", argv[2], strerror(-rc));
	return 0;
}

static const struct subcmd {
	const char *name;
	int min_args, max_args; /* operands after the subcommand name; max -1: any */
	const char *usage;
	int (*fn)(int argc, char **argv); /* argv[0] is the subcommand */
} subcmds[] = {
	{ "check", 1, 1, "check IN", cmd_check },
	{ "raw", 1, 1, "raw IN", cmd_raw },
	{ "clone", 1, 1, "clone IN", cmd_clone },
	{ "roundtrip", 2, 2, "roundtrip IN OUT", cmd_roundtrip },
	{ "encode", 2, 2, "encode IN OUT", cmd_encode },
	{ "flip", 3, 3, "flip IN OUT BIT", cmd_flip },
	{ "synth", 3, 3, "synth N_SAMPLES N_LOCATIONS OUT", cmd_synth },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: test-tool SUBCOMMAND ARGS...\n");
	for (size_t i = 0; i < LW_ARRAY_SIZE(subcmds); i++)
		fprintf(f, "  test-tool %s\n", subcmds[i].usage);
}

int main(int argc, char **argv)
{
	lw_set_progname("test-tool");
	if (argc < 2) {
		usage(stderr);
		return LW_EXIT_ERROR;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < LW_ARRAY_SIZE(subcmds); i++) {
		const struct subcmd *c = &subcmds[i];
		if (strcmp(argv[1], c->name) != 0)
			continue;
		int n = argc - 2;
		if (n < c->min_args || (c->max_args >= 0 && n > c->max_args)) {
			fprintf(stderr, "usage: test-tool %s\n", c->usage);
			return LW_EXIT_ERROR;
		}
		int rc = c->fn(argc - 1, argv + 1);
		if (rc == 0)
			lw_check_stdout();
		return rc;
	}
	fprintf(stderr, "test-tool: unknown subcommand '%s'\n", argv[1]);
	usage(stderr);
	return LW_EXIT_ERROR;
}
