/* fuzz_lb_source: leak-blame's source reading and scanning on arbitrary
 * "Go" files: source.c's line splitting and gofmt function bounds
 * (lb_source_func_range), and classify.c's line scanner (comment cutting,
 * indexed-assignment and word matching, the pattern regexes, the function
 * scan that quotes evidence). The scanner's helpers are static, so this
 * target compiles classify.c into itself (it is not in FUZZ_EXTRA).
 * Contract: bounds contain the line, code_of never writes past its buffer,
 * a found name is a word, quotes are lines of the file.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "../../tools/leak-blame/classify.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], file[96];

static void cleanup(void)
{
	unlink(file);
	rmdir(dir);
}

static void free_suspect(struct lb_suspect *s)
{
	for (size_t i = 0; i < s->n_evidence; i++)
		free(s->evidence[i]);
	free(s->evidence);
	for (size_t i = 0; i < s->n_quotes; i++)
		free(s->quotes[i].text);
	free(s->quotes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 14)
		return 0;
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/fuzz_lb_source.XXXXXX");
		if (!mkdtemp(dir))
			abort();
		snprintf(file, sizeof(file), "%s/x.go", dir);
		atexit(cleanup);
	}
	FILE *f = fopen(file, "wb");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f))
		abort();

	struct lb_opts o;
	memset(&o, 0, sizeof(o));
	o.profile_paths = 1;
	struct lb_src *src = lb_source_open(file, &o);
	if (!src)
		abort();
	size_t n = lb_source_nlines(src);
	size_t csz = 1 + size % 61; /* small buffers reach code_of's bound */
	char *small = malloc(csz);
	struct lb_suspect s;
	memset(&s, 0, sizeof(s));
	for (size_t l = 1; l <= n && l <= 400; l++) {
		const char *line = lb_source_line(src, (int64_t)l);
		char code[1024], name[128], bv[64];
		int64_t a, b;
		if (!line)
			abort();
		code_of(line, small, csz);
		if (strlen(small) >= csz)
			abort();
		code_of(line, code, sizeof(code));
		if (index_assign(code, name, sizeof(name)) && !is_word(name[0]))
			abort();
		buffer_var(src, (int64_t)l, bv, sizeof(bv));
		if (lb_source_func_range(src, (int64_t)l, &a, &b) == 0) {
			if (a < 1 || a > (int64_t)l || b < (int64_t)l || b > (int64_t)n)
				abort();
			if (a == (int64_t)l) {
				struct facts fa;
				memset(&fa, 0, sizeof(fa));
				fa.scan_func = "f";
				scan_function(&s, src, file, a, b, bv, &fa, &o);
			}
		}
	}
	for (size_t i = 0; i < s.n_quotes; i++)
		if (s.quotes[i].line < 1 || (size_t)s.quotes[i].line > n)
			abort();
	free_suspect(&s);
	free(small);
	lb_source_free_all();
	lb_intern_free();
	return 0;
}
