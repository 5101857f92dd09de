/* csvout.c: CSV through libcsv (writing with csv_fwrite, reading with
 * csv_parse in strict mode). */
#include "csvout.h"

#include <csv.h>
#include <math.h>

void lw_csv_init(struct lw_csv_out *c, FILE *f)
{
	c->f = f;
	c->nfields = 0;
}

static void sep(struct lw_csv_out *c)
{
	if (c->nfields++ > 0)
		fputc(',', c->f);
}

void lw_csv_str(struct lw_csv_out *c, const char *s)
{
	sep(c);
	s = s ? s : "";
	/* Quote only when needed, so plain rows stay readable. libcsv trims
	 * blanks (space, tab) around unquoted fields. */
	size_t len = strlen(s);
	if (strpbrk(s, ",\"\r\n") || (len && (strchr(" \t", s[0]) || strchr(" \t", s[len - 1]))))
		csv_fwrite(c->f, s, strlen(s));
	else
		fputs(s, c->f);
}

void lw_csv_int(struct lw_csv_out *c, int64_t v)
{
	sep(c);
	fprintf(c->f, "%lld", (long long)v);
}

void lw_csv_double(struct lw_csv_out *c, double v)
{
	sep(c);
	if (isfinite(v))
		fprintf(c->f, "%.17g", v);
}

void lw_csv_fixed(struct lw_csv_out *c, double v, int decimals)
{
	sep(c);
	if (isfinite(v))
		fprintf(c->f, "%.*f", decimals, v);
}

void lw_csv_end_row(struct lw_csv_out *c)
{
	fputc('\n', c->f);
	c->nfields = 0;
}

void lw_csv_header(struct lw_csv_out *c, const char *const *names)
{
	for (; *names; names++)
		lw_csv_str(c, *names);
	lw_csv_end_row(c);
}

struct reader {
	char **fields;
	int n, cap;
	long line;
	lw_csv_row_cb cb;
	void *ctx;
	int failed;
	char *err;
	size_t errsz;
	const char *path;
};

static void on_field(void *data, size_t len, void *vr)
{
	struct reader *r = vr;
	if (r->failed)
		return;
	if (r->n == r->cap) {
		int ncap = r->cap ? r->cap * 2 : 16;
		char **nf = realloc(r->fields, (size_t)ncap * sizeof *nf);
		if (!nf) {
			r->failed = 1;
			snprintf(r->err, r->errsz, "'%s': out of memory", r->path);
			return;
		}
		r->fields = nf;
		r->cap = ncap;
	}
	char *f = malloc(len + 1);
	if (!f) {
		r->failed = 1;
		snprintf(r->err, r->errsz, "'%s': out of memory", r->path);
		return;
	}
	if (len)
		memcpy(f, data, len);
	f[len] = '\0';
	r->fields[r->n++] = f;
}

static void on_row(int term, void *vr)
{
	struct reader *r = vr;
	r->line++;
	if (!r->failed && r->cb(r->ctx, r->fields, r->n, r->line, r->err, r->errsz))
		r->failed = 1;
	for (int i = 0; i < r->n; i++)
		free(r->fields[i]);
	r->n = 0;
}

int lw_csv_read_file(const char *path, lw_csv_row_cb cb, void *ctx, char *err, size_t errsz)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f) {
		snprintf(err, errsz, "'%s': %s", path, strerror(errno));
		return -1;
	}
	struct csv_parser p;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
		snprintf(err, errsz, "'%s': out of memory", path);
		if (f != stdin)
			fclose(f);
		return -1;
	}
	struct reader r = {.cb = cb, .ctx = ctx, .err = err, .errsz = errsz, .path = path};
	char buf[65536];
	size_t n;
	int rc = 0;
	while (!r.failed && (n = fread(buf, 1, sizeof buf, f)) > 0) {
		/* A callback that stopped the read keeps its message: libcsv
		 * goes on to the chunk's end and may meet a later syntax error. */
		if (csv_parse(&p, buf, n, on_field, on_row, &r) != n && !r.failed) {
			snprintf(err, errsz, "'%s': line %ld: %s", path, r.line + 1,
				 csv_strerror(csv_error(&p)));
			rc = -1;
			break;
		}
	}
	if (!rc && !r.failed && ferror(f)) {
		snprintf(err, errsz, "'%s': %s", path, strerror(errno));
		rc = -1;
	}
	if (!rc && !r.failed && csv_fini(&p, on_field, on_row, &r) != 0) {
		snprintf(err, errsz, "'%s': line %ld: %s", path, r.line + 1,
			 csv_strerror(csv_error(&p)));
		rc = -1;
	}
	if (r.failed)
		rc = -1;
	for (int i = 0; i < r.n; i++)
		free(r.fields[i]);
	free(r.fields);
	csv_free(&p);
	if (f != stdin)
		fclose(f);
	return rc;
}
