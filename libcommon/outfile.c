/* outfile.c: stdout or an atomic file (outfile.h). */
#include "outfile.h"

int lw_outfile_open(struct lw_outfile *o, const char *path)
{
	int rc;

	memset(o, 0, sizeof(*o));
	if (!path || strcmp(path, "-") == 0) {
		o->f = stdout;
		return 0;
	}
	rc = lw_atomic_open(&o->a, path);
	if (rc)
		return rc;
	o->is_file = 1;
	o->f = o->a.f;
	return 0;
}

int lw_outfile_commit(struct lw_outfile *o)
{
	o->f = NULL;
	return o->is_file ? lw_atomic_commit(&o->a) : 0;
}

void lw_outfile_abort(struct lw_outfile *o)
{
	o->f = NULL;
	if (o->is_file)
		lw_atomic_abort(&o->a);
}
