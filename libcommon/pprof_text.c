/* pprof_text.c: Go's legacy text profiles (stub, being implemented). */
#include "pprof_text.h"

struct lw_profile *lw_parse_heap_text(const char *buf, size_t len, const char *name,
				      int *recognized, struct lw_error *err)
{
	(void)buf; (void)len; (void)name; (void)err;
	*recognized = 0;
	return NULL;
}

struct lw_profile *lw_parse_count_text(const char *buf, size_t len, const char *name,
				       int *recognized, struct lw_error *err)
{
	(void)buf; (void)len; (void)name; (void)err;
	*recognized = 0;
	return NULL;
}

struct lw_profile *lw_parse_goroutine_dump(const char *buf, size_t len, const char *name,
					   int *recognized, struct lw_error *err)
{
	(void)buf; (void)len; (void)name; (void)err;
	*recognized = 0;
	return NULL;
}
