/* fuzz_csv_read: libcommon's CSV reader (lw_csv_read_file, libcsv strict)
 * on arbitrary bytes through a memfd, since it takes a path. Its contract:
 * every field is NUL-terminated, the line numbers the callback sees never
 * go down, an error is one line naming the file; the callback stopping the
 * read (byte 0's low bit picks the row) makes it fail. What it accepts
 * must read the same after lw_csv_out writes it back.
 */
#include "csvout.h"
#include "fuzz_memfd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct ctx {
	long last_line;
	long rows, stop_at;
	struct lw_csv_out *out; /* re-writes the rows, or NULL */
	char **fields;		/* rows as read, flattened: compared on re-read */
	size_t nf, cap, pos;
	int compare;
};

static int on_row(void *vc, char **fields, int nfields, long line, char *err, size_t errsz)
{
	struct ctx *c = vc;
	if (nfields < 0 || line < c->last_line)
		abort();
	c->last_line = line;
	if (c->rows++ == c->stop_at) {
		snprintf(err, errsz, "stop");
		return 1;
	}
	/* A row of one empty field prints as an empty line, which CSV skips. */
	if (nfields == 1 && !fields[0][0])
		return 0;
	for (int i = 0; i < nfields; i++) {
		size_t n = strlen(fields[i]); /* walks to the NUL (ASan) */
		if (c->compare) {
			if (c->pos >= c->nf || strcmp(c->fields[c->pos], fields[i]) != 0)
				abort();
			c->pos++;
		} else if (c->out) {
			if (c->nf == c->cap) {
				c->cap = c->cap ? 2 * c->cap : 16;
				c->fields = realloc(c->fields, c->cap * sizeof(*c->fields));
				if (!c->fields)
					abort();
			}
			c->fields[c->nf++] = strndup(fields[i], n);
			lw_csv_str(c->out, fields[i]);
		}
	}
	if (c->out && !c->compare)
		lw_csv_end_row(c->out);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[256];
	if (size < 1 || size > 1 << 16)
		return 0;
	int fd = fuzz_memfd("csv", data + 1, size - 1, path, sizeof(path));
	if (fd < 0)
		return 0;
	struct ctx c = {.stop_at = data[0] & 1 ? data[0] >> 1 : -1};
	char *obuf = NULL;
	size_t olen = 0;
	FILE *of = NULL;
	struct lw_csv_out out;
	if (c.stop_at < 0 && (of = open_memstream(&obuf, &olen))) {
		lw_csv_init(&out, of);
		c.out = &out;
	}
	err[0] = '\0';
	int rc = lw_csv_read_file(path, on_row, &c, err, sizeof(err));
	if (rc != 0 && rc != -1)
		abort();
	/* The callback's own message when it stopped the read. */
	int stopped = c.stop_at >= 0 && c.rows > c.stop_at;
	if (rc && !(stopped ? strcmp(err, "stop") == 0
			    : strncmp(err, "'/proc/self/fd/", 15) == 0 && !strchr(err, '\n')))
		abort();
	if (stopped && rc == 0)
		abort();
	if (of) {
		fclose(of);
		if (rc == 0) {
			/* Written back and read again: the same fields. */
			int fd2 = fuzz_memfd("csv", obuf, olen, path, sizeof(path));
			if (fd2 >= 0) {
				c.compare = 1;
				c.last_line = 0;
				if (lw_csv_read_file(path, on_row, &c, err, sizeof(err)) != 0 ||
				    c.pos != c.nf)
					abort();
				close(fd2);
			}
		}
		free(obuf);
	}
	for (size_t i = 0; i < c.nf; i++)
		free(c.fields[i]);
	free(c.fields);
	close(fd);
	return 0;
}
