/* outfile.h: a tool's report destination (-o FILE / --output=FILE).
 *
 * NULL or "-" is standard output; any other path is written atomically
 * through atomicio.h, so the file appears whole on lw_outfile_commit() or
 * not at all. The caller words its own messages from the -errno results;
 * standard output is left to lw_check_stdout() (err.h).
 */
#ifndef LW_OUTFILE_H
#define LW_OUTFILE_H

#include <stdio.h>

#include "atomicio.h"

struct lw_outfile {
	FILE *f;         /* write here: stdout or the temporary file */
	int is_file;     /* 0: stdout */
	struct lw_atomic a;
};

/* 0 (o->f ready), or -errno from lw_atomic_open (nothing to undo). */
int lw_outfile_open(struct lw_outfile *o, const char *path);
/* Renames the file into place: 0, or -errno (temporary removed). Stdout: 0. */
int lw_outfile_commit(struct lw_outfile *o);
/* Drops the temporary file; nothing for stdout. */
void lw_outfile_abort(struct lw_outfile *o);

#endif
