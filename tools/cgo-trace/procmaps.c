/* procmaps.c: see procmaps.h. */
#include <inttypes.h>

#include "procmaps.h"

int ct_maps_parse(char *line, struct ct_maps_entry *e)
{
	int pos = 0;

	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %x:%x %" SCNu64 " %n", &e->start,
		   &e->end, e->perms, &e->offset, &e->maj, &e->min, &e->ino, &pos) < 7 ||
	    pos <= 0 || !e->ino)
		return -1;
	char *p = line + pos;
	p[strcspn(p, "\n")] = '\0';
	size_t len = strlen(p);
	if (len > 10 && !strcmp(p + len - 10, " (deleted)"))
		p[len - 10] = '\0';
	e->path = p;
	return 0;
}
