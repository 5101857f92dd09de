/* target.h: TARGET arguments ("[NAME=]URL") to names and request URLs.
 * The URL is a service's base URL; "/debug/pprof/" is implied when it has
 * no path. Kind endpoints are appended to the path and their parameters to
 * any query the URL already carries (libcurl's URL API does the parsing).
 */
#ifndef PPROF_FETCH_TARGET_H
#define PPROF_FETCH_TARGET_H

#include <stddef.h>

#include "fetch.h"

/* Fills t->name and t->url[]. 0, or -1 with a message in err. */
int target_parse(struct target *t, const char *arg, bool gc, char *err, size_t errsz);
void target_free(struct target *t);

#endif
