/* csvout.h: CSV rows written through libcsv's csv_fwrite (RFC 4180
 * quoting). A row is built field by field and ended with lw_csv_end_row.
 */
#ifndef LW_CSVOUT_H
#define LW_CSVOUT_H

#include <stdint.h>
#include <stdio.h>

struct lw_csv_out {
	FILE *f;
	int nfields;
};

void lw_csv_init(struct lw_csv_out *c, FILE *f);
void lw_csv_str(struct lw_csv_out *c, const char *s);
void lw_csv_int(struct lw_csv_out *c, int64_t v);
void lw_csv_double(struct lw_csv_out *c, double v); /* %.17g, "" if not finite */
void lw_csv_fixed(struct lw_csv_out *c, double v, int decimals);
void lw_csv_end_row(struct lw_csv_out *c);
/* Writes a whole header row from a NULL-terminated list. */
void lw_csv_header(struct lw_csv_out *c, const char *const *names);

/* Reading: calls row_cb for every record of the file (libcsv parser, strict
 * quoting). fields are NUL-terminated. Returns 0, or -1 with err filled
 * ("'x.csv': line 3: ..."). row_cb returning non-zero stops with -1. */
typedef int (*lw_csv_row_cb)(void *ctx, char **fields, int nfields, long line, char *err, size_t errsz);
int lw_csv_read_file(const char *path, lw_csv_row_cb cb, void *ctx, char *err, size_t errsz);

#endif
